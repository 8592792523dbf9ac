package com.example.volumes;

import io.dm4j.DeviceBusyException;
import io.dm4j.DeviceFlag;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.DeviceNumber;
import io.dm4j.RemoveOutcome;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Linear volumes carved out of one disk. Each volume is a device-mapper device named
 * {@code prefix + name} whose table maps the volume's sectors, in order, onto extents of the disk
 * ({@code linear} targets), so {@code /dev/mapper/PREFIXNAME} is the volume.
 *
 * <p>The manager keeps no state of its own: what is allocated is read back from the kernel's tables
 * each time, so a manager started after a crash sees the volumes the last one made. It is not
 * meant for two managers changing the same disk at once (a real one would take a lock).
 *
 * <p>A change either completes or is undone: a volume is created, loaded and resumed, and if a step
 * fails the device is removed again; a grow loads a larger table and resumes the volume, and if the
 * resume fails the loaded table is dropped, so the volume keeps its old size. The error that
 * stopped the change is what the caller gets.
 */
public final class VolumeManager {
    private final DeviceMapper dm;
    private final DeviceNumber disk;
    private final long diskSectors;
    private final String prefix;
    private final Duration busyGrace;

    /** A volume: its name, its device and where on the disk its sectors are, in order. */
    public record Volume(String name, String device, DeviceNumber number, long sectors, List<Extent> extents,
            boolean removalPending) {
        public Volume {
            extents = List.copyOf(extents);
        }
    }

    /** {@code length} sectors of the disk from sector {@code start}. */
    public record Extent(long start, long length) {
        long end() {
            return start + length;
        }
    }

    /** There is not enough free space on the disk for what was asked. */
    public static final class NoSpaceException extends IOException {
        private static final long serialVersionUID = 1L;

        NoSpaceException(long wanted, long free) {
            super("not enough free space: " + wanted + " sectors wanted, " + free + " free");
        }
    }

    /**
     * @param dm the client to make the devices with
     * @param disk the disk the volumes are carved from
     * @param diskSectors its size in 512-byte sectors
     * @param prefix the start of every volume's device name; the manager owns every device under it
     * @param busyGrace how long {@link #remove} keeps trying while the device is busy: a program
     *     that probes new devices (udev's {@code blkid}) holds one open for a moment after a change
     */
    public VolumeManager(DeviceMapper dm, DeviceNumber disk, long diskSectors, String prefix, Duration busyGrace) {
        this.dm = Objects.requireNonNull(dm, "dm");
        this.disk = Objects.requireNonNull(disk, "disk");
        if (diskSectors <= 0) {
            throw new IllegalArgumentException("the disk needs at least one sector, got " + diskSectors);
        }
        this.diskSectors = diskSectors;
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.busyGrace = Objects.requireNonNull(busyGrace, "busyGrace");
    }

    /**
     * Makes a volume of {@code sectors} sectors from the first free extents of the disk.
     *
     * @throws NoSpaceException if the disk has less free space
     * @throws io.dm4j.DeviceExistsException if a volume of that name exists
     * @throws IOException if the kernel refused a step; then no device is left behind
     */
    public synchronized Volume create(String name, long sectors) throws IOException {
        requirePositive(sectors);
        String device = device(name);
        List<Extent> extents = allocate(sectors, used());
        dm.create(device);
        try {
            dm.load(device, table(extents));
            dm.resume(device);
        } catch (IOException | RuntimeException e) {
            undo(e, () -> removeRetrying(device));
            throw e;
        }
        return volume(name, device);
    }

    /**
     * Grows a volume to {@code sectors} sectors: its new table maps the old sectors where they were
     * and the new ones onto the first free extents (one extent longer if the space right after its
     * last one is free), and takes over at the resume, without the volume going away.
     *
     * @throws NoSpaceException if the disk has too little free space
     * @throws IOException if the kernel refused a step; then the volume keeps its old table
     */
    public synchronized Volume grow(String name, long sectors) throws IOException {
        String device = device(name);
        Volume now = volume(name, device);
        if (sectors <= now.sectors()) {
            throw new IllegalArgumentException(name + " has " + now.sectors() + " sectors; growing to " + sectors
                    + " would not make it larger");
        }
        List<Extent> extents = new ArrayList<>(now.extents());
        for (Extent more : allocate(sectors - now.sectors(), used())) {
            Extent last = extents.isEmpty() ? null : extents.get(extents.size() - 1);
            if (last != null && last.end() == more.start()) {
                extents.set(extents.size() - 1, new Extent(last.start(), last.length() + more.length()));
            } else {
                extents.add(more);
            }
        }
        dm.load(device, table(extents));
        try {
            dm.resume(device);
        } catch (IOException | RuntimeException e) {
            undo(e, () -> {
                // The inactive slot would otherwise hold space no volume uses, and the next resume
                // (anyone's) would swap it in.
                dm.clear(device);
                if (dm.info(device).suspended()) {
                    dm.resume(device);
                }
            });
            throw e;
        }
        return volume(name, device);
    }

    /**
     * Removes a volume.
     *
     * @throws DeviceBusyException if it is still open (mounted, or held by a process) after the
     *     grace period
     * @throws DeviceNotFoundException if there is no such volume
     */
    public synchronized void remove(String name) throws IOException {
        removeRetrying(device(name));
    }

    /**
     * Removes a volume now, or, if it is open, has the kernel remove it when its last user closes
     * it ({@link RemoveOutcome#DEFERRED}); until then it stays listed with
     * {@link Volume#removalPending()}, and its extents stay allocated.
     */
    public synchronized RemoveOutcome removeWhenClosed(String name) throws IOException {
        return dm.removeDeferred(device(name));
    }

    /**
     * Waits for a volume to be gone, e.g. after a deferred remove: the kernel removes it a moment
     * after its last user closes it. Then its {@code /dev/mapper} node, if dm4j made it, goes too.
     *
     * @return whether it was gone within the timeout
     */
    public boolean awaitGone(String name, Duration timeout) throws IOException {
        String device = device(name);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (exists(device)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            pause();
        }
        dm.mknodes(device);
        return true;
    }

    /** The volume of that name, if there is one. */
    public synchronized Optional<Volume> find(String name) throws IOException {
        try {
            return Optional.of(volume(name, device(name)));
        } catch (DeviceNotFoundException e) {
            return Optional.empty();
        }
    }

    /** All volumes, by device name. */
    public synchronized List<Volume> list() throws IOException {
        List<Volume> volumes = new ArrayList<>();
        for (DeviceListEntry e : dm.list(prefix, "")) {
            try {
                volumes.add(volume(e.name().substring(prefix.length()), e.name()));
            } catch (DeviceNotFoundException gone) {
                // removed between the list and the look (a deferred remove completing)
            }
        }
        volumes.sort(Comparator.comparing(Volume::device));
        return volumes;
    }

    /** The sectors of the disk no volume's table maps, live or loaded. */
    public synchronized long freeSectors() throws IOException {
        return diskSectors - used().stream().mapToLong(Extent::length).sum();
    }

    private String device(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a volume needs a name");
        }
        String device = prefix + name;
        DeviceMapper.checkName(device);
        return device;
    }

    private Volume volume(String name, String device) throws IOException {
        DeviceInfo info = dm.info(device);
        List<Extent> extents = info.hasLiveTable() ? extents(device, dm.table(device)) : List.of();
        return new Volume(name, device, info.device(), extents.stream().mapToLong(Extent::length).sum(), extents,
                info.flags().contains(DeviceFlag.DEFERRED_REMOVE));
    }

    /**
     * Every extent a volume's live or inactive table maps: a table loaded and not yet resumed
     * claims its space as much as a live one.
     */
    private List<Extent> used() throws IOException {
        List<Extent> used = new ArrayList<>();
        for (DeviceListEntry e : dm.list(prefix, "")) {
            try {
                DeviceInfo info = dm.info(e.name());
                if (info.hasLiveTable()) {
                    used.addAll(extents(e.name(), dm.table(e.name(), TableSlot.LIVE)));
                }
                if (info.hasInactiveTable()) {
                    used.addAll(extents(e.name(), dm.table(e.name(), TableSlot.INACTIVE)));
                }
            } catch (DeviceNotFoundException gone) {
                // removed meanwhile: its space is free
            }
        }
        return used;
    }

    /** The disk's extents a table maps, in the volume's order. */
    private List<Extent> extents(String device, List<TargetLine> table) {
        List<Extent> extents = new ArrayList<>();
        for (TargetLine line : table) {
            String[] params = line.params().split(" ");
            if (!line.type().equals("linear") || params.length != 2 || !DeviceNumber.parse(params[0]).equals(disk)) {
                throw new IllegalStateException(device + " is not a volume on " + disk + ": its table has '" + line
                        + "'; only this manager should make devices named " + prefix + "*");
            }
            extents.add(new Extent(Long.parseLong(params[1]), line.length()));
        }
        return extents;
    }

    /** First fit: the lowest free extents, as many as it takes. */
    private List<Extent> allocate(long sectors, List<Extent> used) throws NoSpaceException {
        List<Extent> taken = new ArrayList<>(used);
        taken.sort(Comparator.comparingLong(Extent::start));
        taken.add(new Extent(diskSectors, 0)); // the end of the disk closes the last gap
        List<Extent> extents = new ArrayList<>();
        long need = sectors;
        long at = 0;
        for (Extent t : taken) {
            if (need == 0) {
                break;
            }
            if (t.start() > at) {
                long n = Math.min(need, t.start() - at);
                extents.add(new Extent(at, n));
                need -= n;
            }
            at = Math.max(at, t.end());
        }
        if (need > 0) {
            throw new NoSpaceException(sectors, sectors - need);
        }
        return extents;
    }

    private List<TargetLine> table(List<Extent> extents) {
        List<TargetLine> table = new ArrayList<>();
        long at = 0;
        for (Extent x : extents) {
            table.add(new TargetLine(at, x.length(), "linear", disk + " " + x.start()));
            at += x.length();
        }
        return table;
    }

    private void removeRetrying(String device) throws IOException {
        long deadline = System.nanoTime() + busyGrace.toNanos();
        while (true) {
            try {
                dm.remove(device);
                return;
            } catch (DeviceBusyException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                pause();
            }
        }
    }

    private boolean exists(String device) throws IOException {
        try {
            dm.info(device);
            return true;
        } catch (DeviceNotFoundException e) {
            return false;
        }
    }

    private static void requirePositive(long sectors) {
        if (sectors <= 0) {
            throw new IllegalArgumentException("a volume needs at least one sector, got " + sectors);
        }
    }

    private static void pause() throws InterruptedIOException {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a device");
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    /** Runs a step that undoes a failed change; if it fails too, the caller learns of it with the first error. */
    private static void undo(Exception failure, Step step) {
        try {
            step.run();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
