package io.dm4j.bench.lifecycle;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.IoctlCounter;
import io.dm4j.NodePolicy;
import io.dm4j.RemoveOutcome;
import io.dm4j.TargetLine;
import io.dm4j.TargetStatus;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * Device lifecycle through dm4j: create+load+resume N linear devices, read each one's status,
 * table and info, list all devices, then remove each; every phase timed as a whole. Plain main
 * (not JMH): the work is a kernel state change that cannot be repeated in place.
 *
 * <pre>
 * Lifecycle VARIANT BACKEND THREADS PREFIX N MAJOR:MINOR [WARMUP [NODES [ROUNDS]]] [--deferred]
 *   BACKEND  ffm | jnr | jna
 *   THREADS  a thread count, or a comma list (2,4,8): each count runs all phases in turn,
 *            reported as VARIANT-tT, and VARIANT repeats the fastest count of each phase
 *   WARMUP   devices put through the same code first, 3 times, per thread count (default 500):
 *            created on the measured threads, queried ROUNDS times each, then removed on 8
 *            threads (a remove waits for RCU grace periods; in parallel it takes a tenth of the time);
 *            then the JIT's queue is waited out; later thread counts of a list warm up with at
 *            most 100
 *   NODES    dm4j's NodePolicy: none (default, like the libdm variant: no /dev/mapper nodes),
 *            library (dm4j mknods/unlinks them, like libdm-nodes), auto, udev
 *   ROUNDS   passes of each query phase (status, table, info) over the N devices, and of the list
 *            phase (max(1, N/50) full listings each), each pass timed (default 5): a pass of 1000
 *            queries takes a fifth of a second under TCG, too short to be stable on its own
 *   --deferred  remove with the deferred flag (DM_DEFERRED_REMOVE)
 * </pre>
 *
 * <p>The warm-up is for the JIT: under TCG it compiles slowly, and with only 100 warm-up devices
 * most of the measured operations still ran in the interpreter or in C1 code (create 130/s
 * instead of 535/s in one run).
 *
 * Device i is {@code PREFIX%05d} (with several thread counts {@code PREFIXtT-%05d}) mapping
 * {@code 0 8 linear MAJOR:MINOR (i % 4096) * 8}. Output lines (tab separated):
 * {@code lifecycle VARIANT PHASE COUNT SECONDS OPS_PER_SECOND} (COUNT: operations in all passes),
 * {@code #spread VARIANT PHASE PASSES MIN MEDIAN MAX} (ops/s of the passes),
 * {@code ioctls VARIANT PHASE COUNT IOCTLS} (the device-mapper ioctls the phase made), plus
 * {@code #best VARIANT PHASE tT}. On failure every device under PREFIX is removed again and the
 * exit status is 1.
 */
public final class Lifecycle {
    static final List<String> PHASES = List.of("create", "status", "table", "info", "list", "remove");
    static final int WARMUP_CYCLES = 3;
    /**
     * Listings per pass in the warm-up, over its fewer devices: with the measured phases' N/50,
     * the first measured passes of the list phase still ran in the interpreter (a quick run's
     * slowest pass at an eighth of its fastest).
     */
    static final int WARMUP_LISTINGS = 20;

    private Lifecycle() {}

    /** What one run measures. */
    record Settings(String device, int rounds, boolean deferred) {}

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>(List.of(args));
        boolean deferred = positional.remove("--deferred");
        if (positional.size() < 6 || positional.size() > 9) {
            System.err.println("usage: Lifecycle VARIANT BACKEND THREADS PREFIX N MAJOR:MINOR [WARMUP [NODES [ROUNDS]]]"
                    + " [--deferred]");
            System.exit(2);
        }
        String variant = positional.get(0);
        String backend = positional.get(1);
        int[] threadCounts = Arrays.stream(positional.get(2).split(",")).mapToInt(Integer::parseInt).toArray();
        String prefix = positional.get(3);
        int n = Integer.parseInt(positional.get(4));
        int warmup = positional.size() > 6 ? Integer.parseInt(positional.get(6)) : 500;
        NodePolicy nodes = positional.size() > 7 ? NodePolicy.valueOf(positional.get(7).toUpperCase(Locale.ROOT))
                : NodePolicy.NONE;
        int rounds = positional.size() > 8 ? Integer.parseInt(positional.get(8)) : 5;
        Settings settings = new Settings(positional.get(5), rounds, deferred);

        try (DeviceMapper dm = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get(backend), nodes)) {
            if (!dm.backend().equals(backend)) {
                throw new IllegalStateException("asked for backend " + backend + ", got " + dm.backend());
            }
            try {
                run(dm, variant, threadCounts, prefix, n, warmup, settings);
            } catch (IOException | RuntimeException e) {
                e.printStackTrace();
                int left = Devices.removeAll(dm, prefix, 4);
                System.err.println("lifecycle: " + variant + " failed; removed " + left + " leftover devices");
                System.exit(1);
            }
        }
    }

    private static void run(DeviceMapper dm, String variant, int[] threadCounts, String prefix, int n, int warmup,
            Settings settings) throws IOException {
        boolean several = threadCounts.length > 1;
        Map<String, Phase> best = new LinkedHashMap<>();
        Map<String, Integer> bestThreads = new LinkedHashMap<>();
        for (int t : threadCounts) {
            String p = several ? prefix + "t" + t + "-" : prefix;
            String name = several ? variant + "-t" + t : variant;
            try (Gang gang = new Gang(t)) {
                // The JIT is warm after the first thread count; later ones only need their threads used.
                int w = t == threadCounts[0] ? warmup : Math.min(warmup, 100);
                if (w > 0) {
                    warmUp(dm, gang, p + "w", w, settings);
                }
                for (Phase ph : phases(dm, gang, gang, p, n, Math.max(1, n / 50), settings)) {
                    ph.print(name);
                    if (!best.containsKey(ph.name()) || ph.seconds() < best.get(ph.name()).seconds()) {
                        best.put(ph.name(), ph);
                        bestThreads.put(ph.name(), t);
                    }
                }
            }
        }
        if (several) {
            for (Phase ph : best.values()) {
                ph.print(variant);
                System.out.println("#best\t" + variant + "\t" + ph.name() + "\tt" + bestThreads.get(ph.name()));
            }
        }
    }

    /**
     * One measured phase: its passes' wall times, the operations in each pass and the ioctls they
     * made.
     */
    record Phase(String name, int opsPerPass, long[] passNanos, long ioctls) {
        double seconds() {
            return LongStream.of(passNanos).sum() / 1e9;
        }

        int ops() {
            return opsPerPass * passNanos.length;
        }

        void print(String variant) {
            System.out.println(String.format(Locale.ROOT, "lifecycle\t%s\t%s\t%d\t%.6f\t%.1f", variant, name, ops(),
                    seconds(), ops() / seconds()));
            if (passNanos.length > 1) {
                double[] rates = LongStream.of(passNanos).mapToDouble(ns -> opsPerPass / (ns / 1e9)).sorted().toArray();
                System.out.println(String.format(Locale.ROOT, "#spread\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f", variant, name,
                        rates.length, rates[0], rates[rates.length / 2], rates[rates.length - 1]));
            }
            System.out.println(String.format(Locale.ROOT, "ioctls\t%s\t%s\t%d\t%d", variant, name, ops(), ioctls));
            System.out.flush();
        }
    }

    /**
     * Runs the measured code itself (the same lambdas, so the same type profiles at the shared call
     * sites) WARMUP_CYCLES times over n devices, removing on 8 threads to save time (a remove waits
     * for RCU grace periods). Warm-up code of its own was not enough: the measured phases brought
     * new lambda classes to the shared call sites and were deoptimized; their status ran at half
     * the speed of a second identical round.
     */
    static void warmUp(DeviceMapper dm, Gang gang, String prefix, int n, Settings settings) throws IOException {
        try (Gang removers = new Gang(8)) {
            for (int c = 0; c < WARMUP_CYCLES; c++) {
                phases(dm, gang, removers, prefix, n, WARMUP_LISTINGS, settings);
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

    static void table(DeviceMapper dm, String name) throws IOException {
        List<TargetLine> table = dm.table(name);
        if (table.size() != 1 || !table.get(0).type().equals("linear") || table.get(0).length() != 8) {
            throw new IOException("unexpected table of " + name + ": " + table);
        }
    }

    static void info(DeviceMapper dm, String name) throws IOException {
        DeviceInfo info = dm.info(name);
        if (!info.hasLiveTable()) {
            throw new IOException("unexpected info of " + name + ": " + info);
        }
    }

    static void list(DeviceMapper dm, String first) throws IOException {
        if (dm.list().stream().noneMatch(e -> e.name().equals(first))) {
            throw new IOException("the list has no " + first);
        }
    }

    static void remove(DeviceMapper dm, String name, boolean deferred) throws IOException {
        if (!deferred) {
            dm.remove(name);
        } else if (dm.removeDeferred(name) != RemoveOutcome.REMOVED) {
            throw new IOException(name + " is open: its remove was deferred");
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
     * All phases over n devices (removes on {@code removers}), in {@link #PHASES} order, with
     * {@code listings} full listings per pass of the list phase.
     */
    static List<Phase> phases(DeviceMapper dm, Gang gang, Gang removers, String prefix, int n, int listings,
            Settings settings) throws IOException {
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = Devices.name(prefix, i);
        }
        int rounds = settings.rounds();
        List<Phase> done = new ArrayList<>();
        done.add(phase(dm, "create", gang, n, 1, i -> create(dm, names[i], i, settings.device())));
        done.add(phase(dm, "status", gang, n, rounds, i -> status(dm, names[i])));
        done.add(phase(dm, "table", gang, n, rounds, i -> table(dm, names[i])));
        done.add(phase(dm, "info", gang, n, rounds, i -> info(dm, names[i])));
        done.add(phase(dm, "list", gang, listings, rounds, i -> list(dm, names[0])));
        done.add(phase(dm, "remove", removers, n, 1, i -> remove(dm, names[i], settings.deferred())));
        return done;
    }

    private static Phase phase(DeviceMapper dm, String name, Gang gang, int ops, int passes, Gang.Op op)
            throws IOException {
        long[] nanos = new long[passes];
        long ioctls = IoctlCounter.of(dm);
        for (int p = 0; p < passes; p++) {
            nanos[p] = gang.run(ops, op);
        }
        return new Phase(name, ops, nanos, IoctlCounter.of(dm) - ioctls);
    }
}
