package io.dm4j.bench.lifecycle;

import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.NodePolicy;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Naming and cleanup shared by the lifecycle benchmarks. */
public final class Devices {
    private Devices() {}

    static String name(String prefix, int i) {
        return String.format("%s%05d", prefix, i);
    }

    /**
     * Removes every device whose name starts with {@code prefix}, on {@code threads} threads;
     * returns how many it removed. Failures are reported and skipped.
     */
    static int removeAll(DeviceMapper dm, String prefix, int threads) {
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("refusing to remove every device: empty prefix");
        }
        List<DeviceListEntry> left;
        try {
            left = dm.list(prefix, "");
        } catch (IOException e) {
            System.err.println("cleanup: cannot list devices: " + e);
            return 0;
        }
        AtomicInteger removed = new AtomicInteger();
        try (Gang gang = new Gang(threads)) {
            gang.run(left.size(), i -> {
                String name = left.get(i).name();
                try {
                    dm.remove(name);
                    removed.incrementAndGet();
                } catch (DeviceNotFoundException gone) {
                    // Already gone.
                } catch (IOException e) {
                    System.err.println("cleanup: cannot remove " + name + ": " + e);
                }
            });
        } catch (IOException e) {
            System.err.println("cleanup: " + e);
        }
        return removed.get();
    }

    /** {@code Devices PREFIX}: removes every device under PREFIX (the inner script's trap uses it). */
    public static void main(String[] args) throws Exception {
        if (args.length != 1 || args[0].length() < 8) {
            System.err.println("usage: Devices PREFIX   (at least 8 characters)");
            System.exit(2);
        }
        try (DeviceMapper dm = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get("ffm"), NodePolicy.NONE)) {
            int removed = removeAll(dm, args[0], 4);
            int left = dm.list(args[0], "").size();
            System.err.println("cleanup: removed " + removed + " devices under " + args[0] + ", " + left + " left");
            System.exit(left == 0 ? 0 : 1);
        }
    }
}
