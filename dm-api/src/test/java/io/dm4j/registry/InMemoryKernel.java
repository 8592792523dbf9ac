package io.dm4j.registry;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceFlag;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.InvalidTableException;
import io.dm4j.KernelErrors;
import io.dm4j.KernelTables;
import io.dm4j.LoadOption;
import io.dm4j.RemoveOutcome;
import io.dm4j.SuspendOption;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.Visibility;
import io.dm4j.sys.Errno;
import io.dm4j.target.CryptTarget;
import io.dm4j.target.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Device-mapper in memory, behind the registry's {@link Kernel} seam: the rules of
 * {@code drivers/md/dm-ioctl.c} and {@code dm.c} the registry depends on, failing with the very
 * exceptions {@link DeviceMapper} throws, plus a {@code /dev/mapper} kept as under
 * {@link io.dm4j.NodePolicy#LIBRARY}, sysfs, udev's record, and hooks for what other processes do.
 * One lock guards it all; every method is atomic, as each ioctl is under the kernel's hash lock.
 *
 * <p>Simplifications, each harmless to the registry's rules: tables are kept as given (the kernel
 * would print {@code /dev/loop0} as {@code 7:0}), with keys read back as zeros like
 * {@link DeviceMapper#table}; a deferred remove completes at the last close, not a moment later on
 * a workqueue; opening {@link #blockNode} does not count as an opener ({@link #open} does).
 */
final class InMemoryKernel implements Kernel, AutoCloseable {
    /** Device-mapper's block major here; the real one is dynamic, often 253 or 254. */
    static final int MAJOR = 254;

    /** Where inside {@code do_resume} a resume can fail, leaving different states behind. */
    enum ResumeStage {
        /**
         * {@code dm_swap_table} refused the loaded table: it was already unhooked from the device
         * and is destroyed, the device was suspended for the swap and stays so, the live table stays.
         */
        SWAP,
        /**
         * {@code dm_resume} failed (a target's preresume, or no live table at all): the swap, if any,
         * is done, so the new table is live and the inactive slot empty, but the device stays suspended.
         */
        RESUME
    }

    /** One device as the kernel holds it, for "registry view equals kernel view" assertions. */
    record DeviceState(String name, Optional<String> uuid, DeviceNumber number, Optional<List<TargetLine>> live,
            Optional<List<TargetLine>> inactive, boolean suspended, int openCount, boolean deferredRemove) {}

    /**
     * The whole machine at one instant.
     *
     * @param devices by name
     * @param nodes the names in {@code /dev/mapper}, dangling ones included
     */
    record Snapshot(SortedMap<String, DeviceState> devices, SortedSet<String> nodes) {}

    /** What a test lets another program do; runs under the kernel's lock, uncounted. */
    @FunctionalInterface
    interface Action {
        void run() throws IOException;
    }

    private record Slot(List<TargetLine> lines, boolean readOnly) {}

    private record ResumeFailure(ResumeStage stage, Errno errno) {}

    private static final class Device {
        String name;
        final Optional<String> uuid;
        final DeviceNumber number;
        Slot live;
        Slot inactive;
        boolean suspended;
        int openCount;
        long eventNr;
        boolean deferredRemove;
        boolean lingerNode;
        boolean lingerSysfs;

        Device(String name, Optional<String> uuid, DeviceNumber number) {
            this.name = name;
            this.uuid = uuid;
            this.number = number;
        }

        DeviceState state() {
            return new DeviceState(name, uuid, number, Optional.ofNullable(live).map(Slot::lines),
                    Optional.ofNullable(inactive).map(Slot::lines), suspended, openCount, deferredRemove);
        }
    }

    /** The kernel's name tree: lists come in name order. */
    private final SortedMap<String, Device> devices = new TreeMap<>();
    /** The minor idr: the lowest free minor goes to the next device, a freed one at once. */
    private final BitSet minors = new BitSet();
    /** {@code /sys/dev/block/254:MINOR/dm/name}, which can outlive its device. */
    private final Map<Integer, String> sysfs = new HashMap<>();
    /** {@code /dev/mapper}: made by resume and mknodes, moved by rename, dropped by remove. */
    private final SortedSet<String> nodes = new TreeSet<>();
    /** udev's record of each device's last uevent (absent: PUBLIC). */
    private final Map<Integer, Visibility> recorded = new HashMap<>();
    private final Map<String, ResumeFailure> resumeFailures = new HashMap<>();
    private final SortedMap<String, Integer> calls = new TreeMap<>();
    private final Path dir;
    /** Above zero while another program acts: its calls are not the registry's. */
    private int behindBack;

    InMemoryKernel() {
        this(true);
    }

    /**
     * @param blockNodes whether each device gets a real (empty) file as its block node, for
     *     {@link #blockNode}; model checking wants none, since it runs the kernel thousands of times
     */
    InMemoryKernel(boolean blockNodes) {
        try {
            dir = blockNodes ? Files.createTempDirectory("dm4j-kernel") : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------ the Kernel interface

    @Override
    public synchronized DeviceInfo create(String name, CreateOptions options) throws IOException {
        count("create");
        DeviceMapper.checkName(name);
        // dev_create: dm_create takes the minor first, then dm_hash_insert the name, then the uuid.
        int minor = options.minor().orElse(minors.nextClearBit(0));
        boolean taken = minors.get(minor) || devices.containsKey(name)
                || options.uuid().isPresent() && devices.values().stream().anyMatch(d -> d.uuid.equals(options.uuid()));
        if (taken) {
            throw KernelErrors.of(DmCommand.DM_DEV_CREATE, name, Errno.EBUSY); // DeviceExistsException
        }
        Device d = new Device(name, options.uuid(), new DeviceNumber(MAJOR, minor));
        minors.set(minor);
        devices.put(name, d);
        sysfs.put(minor, name); // replaces an entry a removed device left behind
        recorded.remove(minor);
        if (dir != null && !Files.exists(dir.resolve("dm-" + minor))) {
            Files.createFile(dir.resolve("dm-" + minor));
        }
        return status(d, false);
    }

    @Override
    public synchronized DeviceInfo load(String name, List<TargetLine> table, LoadOption... options) throws IOException {
        count("load");
        DeviceMapper.checkName(name);
        DeviceMapper.checkTable(table);
        return loadLines(name, table, options);
    }

    @Override
    public synchronized DeviceInfo load(String name, Table table, LoadOption... options) throws IOException {
        count("load");
        DeviceMapper.checkName(name);
        List<TargetLine> lines = new ArrayList<>();
        for (Table.Entry e : table.entries()) {
            if (e.target() instanceof CryptTarget c) {
                Arrays.fill(c.paramsWithKey(), (byte) 0); // a hidden key fails here, as in DeviceMapper
            }
            lines.add(new TargetLine(e.start().count(), e.length().count(), e.target().type(), e.target().params()));
        }
        return loadLines(name, lines, options);
    }

    private DeviceInfo loadLines(String name, List<TargetLine> table, LoadOption... options) throws IOException {
        boolean readOnly = List.of(options).contains(LoadOption.READ_ONLY);
        if (!readOnly && table.stream().anyMatch(l -> l.type().equals("verity"))) {
            throw new InvalidTableException("verity table", "must be loaded read-only: pass LoadOption.READ_ONLY");
        }
        Device d = find(DmCommand.DM_TABLE_LOAD, name);
        // table_load: a table already loaded is destroyed; the live one is untouched.
        d.inactive = new Slot(table.stream().map(KernelTables::masked).toList(), readOnly);
        return status(d, true);
    }

    @Override
    public synchronized DeviceInfo suspend(String name, SuspendOption... options) throws IOException {
        count("suspend");
        DeviceMapper.checkName(name);
        Device d = find(DmCommand.DM_DEV_SUSPEND, name);
        d.suspended = true; // do_suspend: a suspended device just reports its status
        return status(d, true);
    }

    @Override
    public synchronized DeviceInfo resume(String name, Visibility visibility) throws IOException {
        count("resume");
        DeviceMapper.checkName(name);
        Device d = find(DmCommand.DM_DEV_SUSPEND, name);
        ResumeFailure failure = resumeFailures.remove(name);
        // do_resume unhooks the loaded table before anything can fail: no path puts it back.
        Slot next = d.inactive;
        d.inactive = null;
        if (next != null) {
            d.suspended = true; // suspended for the swap if it was not
            if (failure != null && failure.stage == ResumeStage.SWAP) {
                throw KernelErrors.of(DmCommand.DM_DEV_SUSPEND, name, failure.errno);
            }
            d.live = next;
        }
        if (d.suspended) {
            if (d.live == null) {
                throw KernelErrors.of(DmCommand.DM_DEV_SUSPEND, name, Errno.EINVAL); // dm_resume: no table
            }
            if (failure != null && failure.stage == ResumeStage.RESUME) {
                throw KernelErrors.of(DmCommand.DM_DEV_SUSPEND, name, failure.errno);
            }
            d.suspended = false;
            recorded.put(d.number.minor(), visibility); // only a real resume sends the change uevent
        }
        nodes.add(name); // DeviceMapper.resume makes the node after every successful resume
        return status(d, false);
    }

    @Override
    public synchronized DeviceInfo rename(String name, String newName, Visibility visibility) throws IOException {
        count("rename");
        DeviceMapper.checkName(name);
        DeviceMapper.checkName(newName);
        // dm_hash_rename looks for the new name first: renaming a missing device to a taken name,
        // or a device to its own name, is EBUSY.
        if (devices.containsKey(newName)) {
            throw KernelErrors.of(DmCommand.DM_DEV_RENAME, name, Errno.EBUSY); // DeviceExistsException
        }
        Device d = find(DmCommand.DM_DEV_RENAME, name);
        devices.remove(name);
        d.name = newName;
        devices.put(newName, d);
        sysfs.put(d.number.minor(), newName);
        if (d.live != null) {
            d.eventNr++; // dm_table_event on the live table
        }
        recorded.put(d.number.minor(), visibility);
        if (nodes.remove(name)) {
            nodes.add(newName); // DeviceNodes.renamed moves it, replacing whatever was there
        }
        // The reply carries only __dev_status: no uuid, no inactive-table flag (DeviceMapper sets
        // the new name).
        DeviceInfo s = status(d, false);
        return new DeviceInfo(newName, Optional.empty(), s.device(), s.openCount(), s.eventNr(), s.targetCount(),
                s.flags());
    }

    @Override
    public synchronized DeviceInfo clear(String name) throws IOException {
        count("clear");
        DeviceMapper.checkName(name);
        Device d = find(DmCommand.DM_TABLE_CLEAR, name);
        d.inactive = null;
        return status(d, false);
    }

    @Override
    public synchronized DeviceInfo info(String name) throws IOException {
        count("info");
        DeviceMapper.checkName(name);
        return status(find(DmCommand.DM_DEV_STATUS, name), true);
    }

    @Override
    public synchronized List<TargetLine> table(String name, TableSlot slot) throws IOException {
        count("table");
        DeviceMapper.checkName(name);
        Device d = find(DmCommand.DM_TABLE_STATUS, name);
        Slot s = slot == TableSlot.LIVE ? d.live : d.inactive;
        return s == null ? List.of() : s.lines;
    }

    @Override
    public synchronized List<DeviceListEntry> list(String uuidPrefix) {
        count("list");
        return devices.values().stream()
                .filter(d -> uuidPrefix.isEmpty() || d.uuid.orElse("").startsWith(uuidPrefix))
                .map(d -> new DeviceListEntry(d.name, d.number, OptionalLong.of(d.eventNr), d.uuid))
                .toList();
    }

    @Override
    public synchronized void remove(String name) throws IOException {
        count("remove");
        DeviceMapper.checkName(name);
        Device d = find(DmCommand.DM_DEV_REMOVE, name);
        if (d.openCount > 0) {
            // dm_lock_for_deletion; DeviceMapper.remove then reads the open count for the message.
            throw KernelErrors.busy(DmCommand.DM_DEV_REMOVE, name, d.openCount);
        }
        destroy(d, true);
    }

    @Override
    public synchronized RemoveOutcome removeDeferred(String name) throws IOException {
        count("removeDeferred");
        DeviceMapper.checkName(name);
        Device d = find(DmCommand.DM_DEV_REMOVE, name);
        if (d.openCount > 0) {
            d.deferredRemove = true; // dev_remove returns 0 with DM_DEFERRED_REMOVE still set
            return RemoveOutcome.DEFERRED;
        }
        destroy(d, true);
        return RemoveOutcome.REMOVED;
    }

    /**
     * {@code @cancel_deferred_remove}: {@code dm_cancel_deferred_remove} clears the flag whether or
     * not it was set (0 either way); only a device already being deleted answers EBUSY, a window
     * this model, removing atomically, has not got.
     */
    @Override
    public synchronized void cancelDeferredRemove(String name) throws IOException {
        count("cancelDeferredRemove");
        DeviceMapper.checkName(name);
        find(DmCommand.DM_TARGET_MSG, name).deferredRemove = false;
    }

    @Override
    public synchronized void mknodes(String name) {
        count("mknodes");
        DeviceMapper.checkName(name);
        if (devices.containsKey(name)) {
            nodes.add(name);
        } else {
            nodes.remove(name);
        }
    }

    @Override
    public synchronized boolean nodePresent(String name) {
        count("nodePresent");
        return nodes.contains(name);
    }

    @Override
    public synchronized boolean inSysfs(DeviceNumber number, String name) {
        count("inSysfs");
        return number.major() == MAJOR && name.equals(sysfs.get(number.minor()));
    }

    @Override
    public synchronized Path blockNode(DeviceNumber number) throws IOException {
        count("blockNode");
        if (dir == null || number.major() != MAJOR || !sysfs.containsKey(number.minor())) {
            throw new NoSuchFileException("/sys/dev/block/" + number + "/uevent");
        }
        return dir.resolve("dm-" + number.minor());
    }

    @Override
    public synchronized Visibility recordedVisibility(DeviceNumber number) {
        count("recordedVisibility");
        return number.major() == MAJOR ? recorded.getOrDefault(number.minor(), Visibility.PUBLIC) : Visibility.PUBLIC;
    }

    @Override
    public synchronized List<io.dm4j.Opener> openers(DeviceNumber number) {
        count("openers");
        return devices.values().stream().anyMatch(d -> d.number.equals(number) && d.openCount > 0)
                ? List.of(new io.dm4j.Opener.Process(4242, "holder", List.of(3))) : List.of();
    }

    // ------------------------------------------------------------ other processes

    /** Another process opens the device's block node. */
    synchronized void open(String name) {
        Device d = devices.get(name);
        if (d == null) {
            throw new IllegalStateException("no device " + name + " to open");
        }
        d.openCount++;
    }

    /** That process closes it; the last close of a device marked for deferred remove removes it. */
    synchronized void close(String name) {
        Device d = devices.get(name);
        if (d == null || d.openCount == 0) {
            throw new IllegalStateException(name + " is not open");
        }
        if (--d.openCount == 0 && d.deferredRemove) {
            destroy(d, false); // dm_deferred_remove; nobody drops the node until mknodes looks
        }
    }

    /**
     * Runs what another program does with the kernel (dmsetup, LVM, a second registry): the same
     * rules and failures, not counted as the registry's calls, e.g.
     * {@code kernel.behindBack(() -> kernel.suspend("x"))}.
     */
    synchronized void behindBack(Action action) throws IOException {
        behindBack++;
        try {
            action.run();
        } finally {
            behindBack--;
        }
    }

    synchronized void createBehindBack(String name, CreateOptions options) throws IOException {
        behindBack(() -> create(name, options));
    }

    synchronized void removeBehindBack(String name) throws IOException {
        behindBack(() -> remove(name));
    }

    synchronized void renameBehindBack(String name, String newName) throws IOException {
        behindBack(() -> rename(name, newName, Visibility.PUBLIC));
    }

    /** Loads the inactive slot only; {@link #resumeBehindBack} makes it live. */
    synchronized void loadBehindBack(String name, List<TargetLine> table) throws IOException {
        behindBack(() -> load(name, table));
    }

    synchronized void resumeBehindBack(String name) throws IOException {
        behindBack(() -> resume(name, Visibility.PUBLIC));
    }

    /** A target reports an event (a thin pool's low-water mark, a mirror's resync). */
    synchronized void event(String name) {
        device(name).eventNr++;
    }

    // ------------------------------------------------------------ the machine around the kernel

    /**
     * The next removal of the device (by this name now) leaves its {@code /dev/mapper} node behind,
     * dangling, as a program that died between the ioctl and the unlink does, until a
     * {@link #mknodes} looks.
     */
    synchronized void lingerNode(String name) {
        device(name).lingerNode = true;
    }

    /**
     * The next removal of the device leaves its sysfs entry under its name, half torn down, until
     * its minor goes to a new device or {@link #settleSysfs}.
     */
    synchronized void lingerSysfs(String name) {
        device(name).lingerSysfs = true;
    }

    /** Lingering sysfs entries finish going. */
    synchronized void settleSysfs() {
        sysfs.keySet().removeIf(minor -> !minors.get(minor));
    }

    /** A {@code /dev/mapper} node appears, or stays, whatever the kernel has. */
    synchronized void putNode(String name) {
        nodes.add(name);
    }

    /** A {@code /dev/mapper} node goes, or never came. */
    synchronized void dropNode(String name) {
        nodes.remove(name);
    }

    synchronized void recordVisibility(DeviceNumber number, Visibility visibility) {
        recorded.put(number.minor(), visibility);
    }

    /**
     * The next resume of {@code name} fails inside the kernel at {@code stage}, leaving what
     * {@code do_resume} leaves there (see {@link ResumeStage}); a resume that does not get that far
     * succeeds and uses the failure up.
     */
    synchronized void failResume(String name, ResumeStage stage, Errno errno) {
        resumeFailures.put(name, new ResumeFailure(stage, errno));
    }

    // ------------------------------------------------------------ what tests look at

    /** How often the registry called {@code method} (a {@link Kernel} method name; both loads are "load"). */
    synchronized int calls(String method) {
        return calls.getOrDefault(method, 0);
    }

    synchronized SortedMap<String, Integer> calls() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(calls));
    }

    synchronized void resetCalls() {
        calls.clear();
    }

    synchronized Snapshot snapshot() {
        SortedMap<String, DeviceState> states = new TreeMap<>();
        devices.forEach((name, d) -> states.put(name, d.state()));
        return new Snapshot(Collections.unmodifiableSortedMap(states), Collections.unmodifiableSortedSet(new TreeSet<>(nodes)));
    }

    /** One device's state, if it exists. */
    synchronized Optional<DeviceState> state(String name) {
        return Optional.ofNullable(devices.get(name)).map(Device::state);
    }

    /** Deletes the block node files. */
    @Override
    public synchronized void close() throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    // ------------------------------------------------------------ inside

    private void count(String method) {
        if (behindBack == 0) {
            calls.merge(method, 1, Integer::sum);
        }
    }

    private Device find(DmCommand command, String name) throws IOException {
        Device d = devices.get(name);
        if (d == null) {
            throw KernelErrors.of(command, name, Errno.ENXIO); // DeviceNotFoundException
        }
        return d;
    }

    private Device device(String name) {
        Device d = devices.get(name);
        if (d == null) {
            throw new IllegalStateException("no device " + name);
        }
        return d;
    }

    /** The device leaves the name tree and frees its minor at once; its traces go unless told to linger. */
    private void destroy(Device d, boolean dropNode) {
        devices.remove(d.name);
        int minor = d.number.minor();
        minors.clear(minor);
        recorded.remove(minor);
        if (!d.lingerSysfs) {
            sysfs.remove(minor);
            try {
                if (dir != null) {
                    Files.deleteIfExists(dir.resolve("dm-" + minor));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (dropNode && !d.lingerNode) {
            nodes.remove(d.name);
        }
    }

    /**
     * {@code __dev_status}, plus the inactive-table flag for the commands that look the device up
     * through {@code __find_device_hash_cell} (info, suspend, load) and not those that clear it.
     */
    private static DeviceInfo status(Device d, boolean inactiveFlag) {
        Set<DeviceFlag> flags = EnumSet.noneOf(DeviceFlag.class);
        if (d.suspended) {
            flags.add(DeviceFlag.SUSPENDED);
        }
        if (d.live != null) {
            flags.add(DeviceFlag.LIVE_TABLE_PRESENT);
            if (d.live.readOnly) {
                flags.add(DeviceFlag.READ_ONLY);
            }
        }
        if (inactiveFlag && d.inactive != null) {
            flags.add(DeviceFlag.INACTIVE_TABLE_PRESENT);
        }
        if (d.deferredRemove) {
            flags.add(DeviceFlag.DEFERRED_REMOVE);
        }
        return new DeviceInfo(d.name, d.uuid, d.number, d.openCount, d.eventNr,
                d.live == null ? 0 : d.live.lines.size(), flags);
    }
}
