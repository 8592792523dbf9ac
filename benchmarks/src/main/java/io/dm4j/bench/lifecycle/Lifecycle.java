package io.dm4j.bench.lifecycle;

import io.dm4j.DeviceMapper;
import io.dm4j.NodePolicy;
import io.dm4j.TargetLine;
import io.dm4j.TargetStatus;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Device lifecycle through dm4j: create+load+resume N linear devices, then the status of each,
 * then remove each, every phase timed as a whole. Plain main (not JMH): the work is a kernel
 * state change that cannot be repeated in place.
 *
 * <pre>
 * Lifecycle VARIANT BACKEND THREADS PREFIX N MAJOR:MINOR [WARMUP [NODES]]
 *   BACKEND  ffm | jnr | jna
 *   THREADS  a thread count, or a comma list (2,4,8): each count runs all three phases in turn,
 *            reported as VARIANT-tT, and VARIANT repeats the fastest count of each phase
 *   WARMUP   devices put through the same code first, 3 times, per thread count (default 500):
 *            created on the measured threads, their status read 5 times each, then removed on 8
 *            threads (a remove waits for RCU grace periods; in parallel it takes a tenth of the time);
 *            then the JIT's queue is waited out;
 *   NODES    dm4j's NodePolicy: none (default, like the libdm variant: no /dev/mapper nodes),
 *            library (dm4j mknods/unlinks them, like libdm-nodes), auto, udev
 *            later thread counts of a list warm up with at most 100
 * </pre>
 *
 * <p>The warm-up is for the JIT: under TCG it compiles slowly, and with only 100 warm-up devices
 * most of the measured operations still ran in the interpreter or in C1 code (create 130/s
 * instead of 535/s in one run).
 *
 * Device i is {@code PREFIX%05d} (with several thread counts {@code PREFIXtT-%05d}) mapping
 * {@code 0 8 linear MAJOR:MINOR (i % 4096) * 8}. Output lines (tab separated):
 * {@code lifecycle VARIANT PHASE COUNT SECONDS OPS_PER_SECOND}, plus {@code #best VARIANT PHASE tT}.
 * On failure every device under PREFIX is removed again and the exit status is 1.
 */
public final class Lifecycle {
    static final String[] PHASES = {"create", "status", "remove"};
    static final int STATUS_WARMUP_ROUNDS = 5;
    static final int WARMUP_CYCLES = 3;

    private Lifecycle() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 6 || args.length > 8) {
            System.err.println("usage: Lifecycle VARIANT BACKEND THREADS PREFIX N MAJOR:MINOR [WARMUP [NODES]]");
            System.exit(2);
        }
        String variant = args[0];
        String backend = args[1];
        int[] threadCounts = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        String prefix = args[3];
        int n = Integer.parseInt(args[4]);
        String device = args[5];
        int warmup = args.length > 6 ? Integer.parseInt(args[6]) : 500;
        NodePolicy nodes = args.length > 7 ? NodePolicy.valueOf(args[7].toUpperCase(Locale.ROOT)) : NodePolicy.NONE;

        try (DeviceMapper dm = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get(backend), nodes)) {
            if (!dm.backend().equals(backend)) {
                throw new IllegalStateException("asked for backend " + backend + ", got " + dm.backend());
            }
            try {
                run(dm, variant, threadCounts, prefix, n, device, warmup);
            } catch (IOException | RuntimeException e) {
                e.printStackTrace();
                int left = Devices.removeAll(dm, prefix, 4);
                System.err.println("lifecycle: " + variant + " failed; removed " + left + " leftover devices");
                System.exit(1);
            }
        }
    }

    private static void run(DeviceMapper dm, String variant, int[] threadCounts, String prefix, int n,
            String device, int warmup) throws IOException {
        boolean several = threadCounts.length > 1;
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        int[] bestThreads = new int[3];
        for (int t : threadCounts) {
            String p = several ? prefix + "t" + t + "-" : prefix;
            String name = several ? variant + "-t" + t : variant;
            try (Gang gang = new Gang(t)) {
                // The JIT is warm after the first thread count; later ones only need their threads used.
                int w = t == threadCounts[0] ? warmup : Math.min(warmup, 100);
                if (w > 0) {
                    warmUp(dm, gang, p + "w", w, device);
                }
                long[] nanos = phases(dm, gang, gang, p, n, 1, device);
                for (int ph = 0; ph < 3; ph++) {
                    double s = nanos[ph] / 1e9;
                    print(name, PHASES[ph], n, s);
                    if (s < best[ph]) {
                        best[ph] = s;
                        bestThreads[ph] = t;
                    }
                }
            }
        }
        if (several) {
            for (int ph = 0; ph < 3; ph++) {
                print(variant, PHASES[ph], n, best[ph]);
                System.out.println("#best\t" + variant + "\t" + PHASES[ph] + "\tt" + bestThreads[ph]);
            }
        }
    }

    static void print(String variant, String phase, int count, double seconds) {
        System.out.println(String.format(Locale.ROOT, "lifecycle\t%s\t%s\t%d\t%.6f\t%.1f", variant, phase, count,
                seconds, count / seconds));
        System.out.flush();
    }

    /**
     * Runs the measured code itself (the same lambdas, so the same type profiles at the shared call
     * sites) WARMUP_CYCLES times over n devices, reading each status 5 times and removing on 8
     * threads to save time (a remove waits for RCU grace periods). Warm-up code of its own was
     * not enough: the measured phases brought new lambda classes to the shared call sites and were
     * deoptimized; their status ran at half the speed of a second identical round.
     */
    static void warmUp(DeviceMapper dm, Gang gang, String prefix, int n, String device) throws IOException {
        try (Gang removers = new Gang(8)) {
            for (int c = 0; c < WARMUP_CYCLES; c++) {
                phases(dm, gang, removers, prefix, n, STATUS_WARMUP_ROUNDS, device);
            }
        }
        quiesce();
    }

    static void create(DeviceMapper dm, String name, int i, String device) throws IOException {
        dm.create(name);
        dm.load(name, List.of(new TargetLine(0, 8, "linear", device + " " + (i % 4096) * 8)));
        dm.resume(name);
    }

    static void status(DeviceMapper dm, String name) throws IOException {
        List<TargetStatus> status = dm.status(name);
        if (status.size() != 1 || !status.get(0).type().equals("linear")) {
            throw new IOException("unexpected status of " + name + ": " + status);
        }
    }

    /**
     * Waits until the JIT has finished what the warm-up queued (its total compilation time stops
     * growing for a second; at most 60 s). Under TCG with one host thread for all vCPUs a C2
     * compile still running steals time from the measured thread.
     */
    static void quiesce() {
        System.gc();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        long last = jit.getTotalCompilationTime();
        int quiet = 0;
        while (quiet < 4 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = jit.getTotalCompilationTime();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    /**
     * The three phases over n devices (status: statusRounds passes, removes on {@code removers});
     * returns their wall times in nanoseconds.
     */
    static long[] phases(DeviceMapper dm, Gang gang, Gang removers, String prefix, int n, int statusRounds,
            String device) throws IOException {
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = Devices.name(prefix, i);
        }
        long[] nanos = new long[3];
        nanos[0] = gang.run(n, i -> create(dm, names[i], i, device));
        nanos[1] = gang.run(statusRounds * n, i -> status(dm, names[i % n]));
        nanos[2] = removers.run(n, i -> dm.remove(names[i]));
        return nanos;
    }
}
