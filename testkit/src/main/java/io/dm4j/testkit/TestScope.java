package io.dm4j.testkit;

import io.dm4j.DeviceBusyException;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.registry.TableRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one test was given and made: its names, its client and registry, its scratch disks. Closing
 * it tears them down and removes what the test left behind, and says what that was.
 */
final class TestScope {
    /** How long a leaked device may stay busy (a holder closing, udev probing) before we give up. */
    private static final int REMOVE_PASSES = 50;
    private static final long PASS_MILLIS = 100;

    private final DeviceNames names;
    private final List<ScratchDisk> given = new ArrayList<>();
    private final List<ScratchDisk> made = Collections.synchronizedList(new ArrayList<>());
    private final List<ScratchDisk> previouslyMade;
    private DeviceMapper dm;
    private TableRegistry registry;
    private boolean namesGiven;

    TestScope(DeviceNames names) {
        this.names = names;
        previouslyMade = ScratchDisk.MADE_BY_TEST.get();
        ScratchDisk.MADE_BY_TEST.set(made);
    }

    synchronized DeviceNames names() {
        namesGiven = true;
        return names;
    }

    synchronized DeviceMapper deviceMapper() throws IOException {
        if (dm == null) {
            dm = DeviceMapper.open();
        }
        return dm;
    }

    synchronized TableRegistry registry() throws IOException {
        if (registry == null) {
            registry = TableRegistry.open(deviceMapper());
        }
        return registry;
    }

    synchronized ScratchDisk scratchDisk(String label, long bytes) throws IOException {
        ScratchDisk disk = ScratchDisk.create(Path.of(System.getProperty("java.io.tmpdir")), label, bytes);
        given.add(disk);
        return disk;
    }

    /**
     * Tears down, in the order that frees things: the registry, then the devices the test left
     * (they may hold its loop devices), then the disks.
     *
     * @return what the test left behind, one line each; empty if nothing
     * @throws IOException if tearing down failed in a way that is not a leak
     */
    synchronized List<String> close() throws IOException {
        ScratchDisk.MADE_BY_TEST.set(previouslyMade);
        List<String> leaks = new ArrayList<>();
        IOException failure = null;
        if (registry != null) {
            failure = keepFirst(failure, registry::close);
        }
        failure = keepFirst(failure, () -> removeLeakedDevices(leaks));
        List<ScratchDisk> disks = new ArrayList<>(given);
        synchronized (made) {
            for (ScratchDisk d : made) {
                if (!given.contains(d)) {
                    disks.add(d);
                    if (d.isOpen()) {
                        leaks.add("loop device " + d + ": a ScratchDisk the test made and did not close");
                        failure = keepFirst(failure, d::clear);
                    }
                }
            }
        }
        for (ScratchDisk d : disks) {
            failure = keepFirst(failure, d::close);
        }
        for (ScratchDisk d : disks) {
            if (d.attached()) {
                // Something the test opened still holds it: ask the driver to let go when that closes.
                leaks.add("loop device " + d + ": still attached after the test (still open somewhere?)");
                failure = keepFirst(failure, d::clear);
            }
        }
        if (dm != null) {
            failure = keepFirst(failure, dm::close);
        }
        if (failure != null && !leaks.isEmpty()) {
            throw new IOException("could not clean up all the test left behind (" + String.join("; ", leaks)
                    + "): " + failure.getMessage(), failure);
        }
        if (failure != null) {
            throw failure;
        }
        return leaks;
    }

    /** The test's devices that still exist: names it was given, and any under its prefix. */
    private void removeLeakedDevices(List<String> leaks) throws IOException {
        if (!namesGiven && dm == null) {
            return; // the test never touched device-mapper through us: no need to open it
        }
        DeviceMapper client = deviceMapper();
        Set<String> left = new LinkedHashSet<>();
        for (DeviceListEntry e : client.list(names.prefix(), "")) {
            left.add(e.name());
        }
        for (String name : left) {
            leaks.add("device-mapper device " + name);
        }
        // Stacked devices: an upper one holds a lower one, which is busy until the upper is gone.
        for (int pass = 0; !left.isEmpty(); pass++) {
            for (var it = left.iterator(); it.hasNext(); ) {
                String name = it.next();
                try {
                    resumeIfSuspended(client, name);
                    client.remove(name);
                    it.remove();
                } catch (DeviceNotFoundException e) {
                    it.remove();
                } catch (DeviceBusyException e) {
                    if (pass >= REMOVE_PASSES) {
                        throw new IOException("could not remove leaked device " + name + ": still busy", e);
                    }
                }
            }
            if (!left.isEmpty()) {
                sleep();
            }
        }
    }

    /**
     * A suspended device would hold back the I/O of whatever sits on it (udev's probe, a flush)
     * while we remove it.
     */
    private static void resumeIfSuspended(DeviceMapper dm, String name) throws IOException {
        DeviceInfo info = dm.info(name);
        if (info.suspended() && info.hasLiveTable()) {
            dm.resume(name);
        }
    }

    private static void sleep() throws IOException {
        try {
            Thread.sleep(PASS_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while removing leaked devices");
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    private static IOException keepFirst(IOException first, Step step) {
        try {
            step.run();
        } catch (IOException e) {
            if (first == null) {
                return e;
            }
            first.addSuppressed(e);
        }
        return first;
    }
}
