package io.dm4j.bench.lifecycle;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.NodePolicy;
import io.dm4j.IoctlCounter;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Listing at scale: N devices with uuids (no table: a listing reads names, numbers, event
 * numbers and uuids only) are created in parallel, then a fresh client lists them by name
 * prefix twice on one thread. The first call learns the reply size (buffer doublings); the
 * second must take one ioctl. Then they are removed in parallel.
 *
 * <pre>Listing BACKEND PREFIX N THREADS</pre>
 *
 * Output (tab separated):
 * {@code listing COUNT FIRST_CALL_SECONDS FIRST_CALL_IOCTLS SECOND_CALL_SECONDS SECOND_CALL_IOCTLS}
 * plus {@code #listing-setup create|remove COUNT SECONDS THREADS} and
 * {@code #listing-repeat SECONDS...} (five more calls) for context.
 */
public final class Listing {
    private Listing() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: Listing BACKEND PREFIX N THREADS");
            System.exit(2);
        }
        Syscalls sys = Syscalls.get(args[0]);
        String prefix = args[1];
        int n = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        String uuidPrefix = prefix + "uuid-";
        int status = 0;
        try (DeviceMapper setup = DeviceMapper.open(DeviceMapper.CONTROL, sys, NodePolicy.NONE); Gang gang = new Gang(threads)) {
            try {
                long nanos = gang.run(n, i -> setup.create(Devices.name(prefix, i),
                        CreateOptions.defaults().uuid(uuidPrefix + i)));
                System.out.println(String.format(Locale.ROOT, "#listing-setup\tcreate\t%d\t%.6f\t%d", n, nanos / 1e9,
                        threads));
                status = measure(sys, prefix, n);
            } catch (IOException | RuntimeException e) {
                e.printStackTrace();
                status = 1;
            } finally {
                long t0 = System.nanoTime();
                int removed = Devices.removeAll(setup, prefix, threads);
                System.out.println(String.format(Locale.ROOT, "#listing-setup\tremove\t%d\t%.6f\t%d", removed,
                        (System.nanoTime() - t0) / 1e9, threads));
                if (!setup.list(prefix, "").isEmpty()) {
                    System.err.println("listing: devices left under " + prefix);
                    status = 1;
                }
            }
        }
        System.exit(status);
    }

    private static int measure(Syscalls sys, String prefix, int n) throws IOException {
        try (DeviceMapper dm = DeviceMapper.open(DeviceMapper.CONTROL, sys, NodePolicy.NONE)) {
            long c0 = IoctlCounter.of(dm);
            long t0 = System.nanoTime();
            List<DeviceListEntry> first = dm.list(prefix, "");
            long t1 = System.nanoTime();
            long c1 = IoctlCounter.of(dm);
            List<DeviceListEntry> second = dm.list(prefix, "");
            long t2 = System.nanoTime();
            long c2 = IoctlCounter.of(dm);
            System.out.println(String.format(Locale.ROOT, "listing\t%d\t%.6f\t%d\t%.6f\t%d", first.size(),
                    (t1 - t0) / 1e9, c1 - c0, (t2 - t1) / 1e9, c2 - c1));
            StringBuilder repeat = new StringBuilder("#listing-repeat");
            for (int r = 0; r < 5; r++) {
                long s = System.nanoTime();
                dm.list(prefix, "");
                repeat.append(String.format(Locale.ROOT, "\t%.6f", (System.nanoTime() - s) / 1e9));
            }
            System.out.println(repeat);
            boolean complete = first.size() == n && second.size() == n
                    && first.stream().allMatch(e -> e.uuid().isPresent() && e.eventNr().isPresent());
            if (!complete) {
                System.err.println("listing: expected " + n + " entries with uuid and event number, got "
                        + first.size() + " and " + second.size());
                return 1;
            }
            if (c2 - c1 > 2) {
                System.err.println("listing: the second call took " + (c2 - c1) + " ioctls");
                return 1;
            }
            return 0;
        }
    }
}
