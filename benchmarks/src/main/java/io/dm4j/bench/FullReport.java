package io.dm4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The report of one whole {@code benchmarks/run}: bridge, codec, lifecycle (in the VM), listing at
 * scale, registry and memory, with every goal marked met or MISSED, written as
 * {@code benchmarks/results/latest.md} and a bar chart of the ratios, {@code latest.png}. Prints
 * one line, the headline {@code summary:}.
 *
 * <p>Usage (the run script passes all of them): {@code FullReport --command TEXT --mode quick|full
 * --elapsed SECONDS --nproc N --gcc TEXT --bridge JSON --c FILE... --codec JSON --acquire JSON...
 * --wakeup JSON --memory TSV [--startup TSV] --lifecycle TSV --lifecycle-source TEXT --md FILE --png FILE}.
 * The start-up TSV ({@code benchmarks/run} writes it with {@code native/startup_timer.c}) has lines
 * {@code startup NAME median_ms=M min_ms=A max_ms=B runs=N failures=F status=S}.
 */
public final class FullReport {
    static final double DM4J_LIBDM_GOAL = 1.0;
    /** Bulk remove of the devices: the fastest thread count's rate over libdm's single-threaded one. */
    static final double BULK_REMOVE_GOAL = 20;
    /** dm4j-ffm's single-threaded remove over the bare C DM_DEV_REMOVE's (c-raw), the kernel's floor. */
    static final double REMOVE_FLOOR_GOAL = 0.98;
    static final double DMSETUP_GOAL = 20;
    static final int LISTING_IOCTLS_GOAL = 2;
    /** The installed dmctl's {@code version} at most this many times {@code dmsetup version}'s wall time. */
    static final double STARTUP_GOAL = 15;
    static final double BATCH_GOAL = 10;
    static final String PHASES_ORDER = "create status table info list remove";

    private FullReport() {}

    /** One goal of the issue with its measured figure. */
    record Goal(String goal, boolean met, String measured) {}

    public static void main(String[] args) throws IOException {
        Map<String, List<String>> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option VALUE at " + args[i]);
            }
            a.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[++i]);
        }
        Report.Bridge bridge = Report.bridge("ioctl(FIONREAD) on a regular file",
                Files.readString(path(a, "bridge")), paths(a, "c"));
        List<Report.Result> codec = Report.results(path(a, "codec"));
        RegistryReport.Registry registry = RegistryReport.parse(paths(a, "acquire"), path(a, "wakeup"));
        List<String[]> memory = tsv(path(a, "memory"), "memory");
        Startup startup = a.containsKey("startup") ? Startup.parse(path(a, "startup")) : new Startup();
        Lifecycle lifecycle = Lifecycle.parse(path(a, "lifecycle"));

        StringBuilder md = new StringBuilder();
        List<Goal> goals = new ArrayList<>();

        // ------------------------------------------------------------- goals
        double ffmRatio = bridge.ratio("ffm");
        goals.add(new Goal("FFM ioctl ≤ 1.15 × C", ffmRatio <= Report.FFM_RATIO_GOAL,
                String.format(Locale.ROOT, "%.2f × (%.1f vs %.1f ns/op)", ffmRatio,
                        bridge.rows().get("ffm") == null ? Double.NaN : bridge.rows().get("ffm").score(),
                        bridge.c().median())));
        double criticalRatio = bridge.ratio("ffm-nonblocking");
        goals.add(new Goal("FFM ioctl without the thread-state transition (`ioctlNonBlocking`: requests that cannot "
                + "sleep) ≤ 1.15 × C", criticalRatio <= Report.FFM_RATIO_GOAL,
                Double.isNaN(criticalRatio) ? "not measured" : String.format(Locale.ROOT, "%.2f × (%.1f ns/op)",
                        criticalRatio, bridge.rows().get("ffm-nonblocking").score())));
        double ffmAlloc = bridge.alloc("ffm");
        goals.add(new Goal("FFM ioctl allocates 0 B/op", Report.allocFree(ffmAlloc),
                String.format(Locale.ROOT, "%.3f B/op", ffmAlloc)));

        List<String> phases = lifecycle.phases();
        double ffmGeo = lifecycle.geomean("dm4j-ffm", "libdm");
        for (String backend : List.of("ffm", "jnr", "jna")) {
            String v = "dm4j-" + backend;
            StringBuilder perPhase = new StringBuilder();
            boolean allMet = !phases.isEmpty();
            for (String phase : phases) {
                double r = lifecycle.ratio(v, "libdm", phase);
                allMet &= r >= DM4J_LIBDM_GOAL;
                perPhase.append(perPhase.isEmpty() ? "" : ", ").append(phase).append(' ').append(fmt(r));
            }
            goals.add(new Goal("single-threaded " + v + (backend.equals("ffm") ? " (the default backend)" : "")
                    + " ≥ " + fmt(DM4J_LIBDM_GOAL) + " × libdm ops/s in every phase", allMet,
                    perPhase + " (geometric mean " + fmt(lifecycle.geomean(v, "libdm")) + ")"));
        }

        // dm4j-bulk is the fastest thread count per phase; dm4j-bulk-tN the single thread counts.
        String bulk = lifecycle.variants().contains("dm4j-bulk") ? "dm4j-bulk" : null;
        double bulkRemove = bulk == null ? Double.NaN : lifecycle.ratio(bulk, "libdm", "remove");
        String bulkThreads = "";
        for (String v : lifecycle.variants()) {
            if (v.matches("dm4j-bulk-t\\d+") && lifecycle.row(v, "remove") != null
                    && lifecycle.row(v, "remove").ops() == lifecycle.row("dm4j-bulk", "remove").ops()) {
                bulkThreads = ", " + v.substring("dm4j-bulk-".length());
            }
        }
        double floorRemove = lifecycle.ratio("dm4j-ffm", "c-raw", "remove");
        goals.add(new Goal("single-threaded dm4j-ffm remove ≥ " + fmt(REMOVE_FLOOR_GOAL)
                + " × the bare C `DM_DEV_REMOVE` (c-raw: the kernel's floor)", floorRemove >= REMOVE_FLOOR_GOAL,
                Double.isNaN(floorRemove) ? "not measured" : fmt(floorRemove) + " ×"));
        String parity = lifecycle.ioctlParity("dm4j-ffm", "libdm");
        goals.add(new Goal("dm4j-ffm makes no more ioctls per operation than libdm in any phase",
                parity.startsWith("parity"), parity));
        goals.add(new Goal("bulk remove ≥ " + (int) BULK_REMOVE_GOAL + " × libdm's single-threaded rate",
                bulkRemove >= BULK_REMOVE_GOAL,
                bulk == null ? "no dm4j-bulk variant measured" : fmt(bulkRemove) + " × (dm4j-bulk" + bulkThreads + ")"));

        double dmsetupMin = Double.POSITIVE_INFINITY;
        String dmsetupWorst = "";
        List<String> dmsetupMissing = new ArrayList<>();
        List<String> dmsetupPhases = phases.stream().filter(ph -> lifecycle.row("dmsetup", ph) != null).toList();
        for (String v : lifecycle.mainDm4jVariants()) {
            for (String phase : dmsetupPhases) {
                double r = lifecycle.ratio(v, "dmsetup", phase);
                if (Double.isNaN(r)) {
                    dmsetupMissing.add(v + " " + phase);
                } else if (r < dmsetupMin) {
                    dmsetupMin = r;
                    dmsetupWorst = v + " " + phase;
                }
            }
        }
        if (!dmsetupMissing.isEmpty() || dmsetupWorst.isEmpty()) {
            dmsetupMin = Double.NaN;
            dmsetupWorst = "not measured: " + (dmsetupMissing.isEmpty() ? "no dm4j variant" : String.join(", ", dmsetupMissing));
        }
        goals.add(new Goal("every dm4j variant (" + String.join(", ", lifecycle.mainDm4jVariants())
                + ") ≥ 20 × dmsetup ops/s", dmsetupMin >= DMSETUP_GOAL,
                "lowest " + fmt(dmsetupMin) + " × (" + dmsetupWorst + ")"));

        int maxSecond = -1;
        for (String[] l : lifecycle.listing) {
            maxSecond = Math.max(maxSecond, Integer.parseInt(l[5]));
        }
        goals.add(new Goal("listing: ≤ 2 ioctls once the first call learned the size",
                maxSecond >= 0 && maxSecond <= LISTING_IOCTLS_GOAL,
                maxSecond < 0 ? "no listing measured" : "at most " + maxSecond + " ioctl(s) in the second call"));
        goals.add(new Goal("acquire+release ≤ 25 ns (uncontended, tracking COUNT)",
                registry.acquireNs() <= RegistryReport.ACQUIRE_GOAL_NS,
                String.format(Locale.ROOT, "%.1f ns", registry.acquireNs())));
        goals.add(new Goal("destroy wake-up p99 ≤ 1 ms", registry.wakeP99Us() <= RegistryReport.WAKEUP_P99_GOAL_US,
                String.format(Locale.ROOT, "%.1f µs (1 ms polling: %.1f µs)", registry.wakeP99Us(),
                        registry.pollP99Us())));
        double startupRatio = startup.ratio("dmctl version", "dmsetup version");
        goals.add(new Goal("dmctl start-up ≤ 15 × dmsetup (`bin/dmctl version` against `dmsetup version`, wall time)",
                startupRatio <= STARTUP_GOAL, Double.isNaN(startupRatio) ? "not measured"
                        : String.format(Locale.ROOT, "%.1f × (%.1f vs %.1f ms, medians of %d runs)", startupRatio,
                                startup.median("dmctl version"), startup.median("dmsetup version"),
                                startup.runs("dmctl version"))));
        Lifecycle.Row batchDmctl = lifecycle.batch.get("dmctl");
        Lifecycle.Row batchDmsetup = lifecycle.batch.get("dmsetup");
        double batchRatio = batchDmctl == null || batchDmsetup == null ? Double.NaN : batchDmctl.ops() / batchDmsetup.ops();
        goals.add(new Goal("create/remove pairs through one `dmctl batch` ≥ " + (int) BATCH_GOAL
                + " × the same through dmsetup processes (in the VM)", batchRatio >= BATCH_GOAL,
                Double.isNaN(batchRatio) ? "not measured"
                        : String.format(Locale.ROOT, "%.1f × (%d pairs: %.1f s against %.1f s)", batchRatio,
                                batchDmctl.count(), batchDmctl.seconds(), batchDmsetup.seconds())));
        long met = goals.stream().filter(Goal::met).count();

        String summary = String.format(Locale.ROOT,
                "summary: ffm/c=%.2f lifecycle dm4j/libdm=%s bulk-remove dm4j/libdm=%s dm4j/dmsetup=%s "
                        + "startup dmctl/dmsetup=%s batch dmctl/dmsetup=%s remove dm4j/floor=%s ioctls=%s goals=%d/%d",
                ffmRatio, fmt(ffmGeo), fmt(bulkRemove), fmt(dmsetupMin),
                Double.isNaN(startupRatio) ? "n/a" : String.format(Locale.ROOT, "%.1f", startupRatio),
                Double.isNaN(batchRatio) ? "n/a" : String.format(Locale.ROOT, "%.1f", batchRatio), fmt(floorRemove),
                parity.startsWith("parity") ? "parity" : "more", met, goals.size());

        // ------------------------------------------------------------- header
        String mode = one(a, "mode");
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        String accel = a.containsKey("accel") ? one(a, "accel") : "unknown";
        md.append("# dm4j benchmarks: latest run\n\n");
        md.append("Generated by `benchmarks/run` (`io.dm4j.bench.FullReport`); do not edit by hand.\n\n");
        md.append("| | |\n|---|---|\n");
        row(md, "command", "`" + one(a, "command") + "` (" + mode + " mode), took " + one(a, "elapsed") + " s");
        row(md, "date", date);
        row(md, "machine", one(a, "nproc") + " CPUs, " + cpuModel());
        row(md, "host kernel", System.getProperty("os.version"));
        row(md, "guest kernel (lifecycle VM)", lifecycle.header.getOrDefault("kernel", "?") + ", device-mapper "
                + lifecycle.header.getOrDefault("dm", "?") + ", java " + lifecycle.header.getOrDefault("java", "?"));
        row(md, "JDK (host)", bridge.jvm());
        row(md, "JVM flags", "`" + String.join(" ", bridge.jvmArgs().stream().map(String::valueOf).toList()) + "`");
        row(md, "C compiler", one(a, "gcc"));
        row(md, "lifecycle VM accelerator", accel.equals("tcg") ? "tcg (software emulation)" : accel);
        row(md, "lifecycle data", one(a, "lifecycle-source") + "; " + lifecycle.header.getOrDefault("date", "?")
                + ", n " + lifecycle.header.getOrDefault("n", "?") + ", mode " + lifecycle.header.getOrDefault("mode", "?"));
        md.append('\n');
        md.append(switch (accel) {
            case "tcg" -> "**Note:** the lifecycle VM ran under software emulation here (QEMU TCG, no usable KVM): "
                    + "its ratios (dm4j against libdm and dmsetup, measured in the same guest) are meaningful, its "
                    + "absolute times and ops/s are not.\n\n";
            case "kvm" -> "Note: the lifecycle VM ran with KVM (hardware virtualization).\n\n";
            default -> "**Note:** the lifecycle VM's accelerator is not known for this report (not found in "
                    + "benchmarks/lifecycle's output). Under software emulation (QEMU TCG, as on the machine these "
                    + "benchmarks were developed on) only its ratios are meaningful, not its absolute times.\n\n";
        });
        md.append("![ratios](latest.png)\n\n");

        md.append("## Goals\n\n| goal | result | measured |\n|---|---|---|\n");
        for (Goal g : goals) {
            md.append("| ").append(g.goal).append(" | ").append(g.met ? "met" : "**MISSED**").append(" | ")
                    .append(g.measured).append(" |\n");
        }
        md.append("\n`").append(summary).append("`\n\n");
        md.append("Headline figures: `lifecycle dm4j/libdm` is the geometric mean over the phases (")
                .append(String.join(", ", phases)).append(") of dm4j-ffm's ops/s over libdm's, single-threaded; ")
                .append("`bulk-remove` is dm4j-bulk's (the fastest thread count's) remove ops/s over libdm's; ")
                .append("`dm4j/dmsetup` is the lowest ratio of any dm4j variant (")
                .append(String.join(", ", lifecycle.mainDm4jVariants())).append(") in any phase dmsetup was timed in; ")
                .append("`remove dm4j/floor` is dm4j-ffm's single-threaded remove rate over the bare C ")
                .append("`DM_DEV_REMOVE`'s (c-raw); `ioctls` says whether dm4j-ffm makes as few ioctls per ")
                .append("operation as libdm in every phase; ")
                .append("`startup dmctl/dmsetup` is the installed `bin/dmctl version`'s median wall time over ")
                .append("`dmsetup version`'s.\n\n");

        // ------------------------------------------------------------- bridge
        md.append("## Native bridge\n\nJMH `io.dm4j.bench.IoctlBench` (AverageTime, `-prof gc`) against "
                + "`benchmarks/native/ioctl_bench.c` (gcc -O2, run before and after JMH).\n\n");
        md.append(bridge.markdown().replace("### ", "#### ")).append('\n');

        // ------------------------------------------------------------- codec
        md.append("## Codec\n\nJMH `io.dm4j.internal.ioctl.CodecBench` (AverageTime, `-prof gc`), pure Java on the host: encode a "
                + "100-target `DM_TABLE_LOAD` request (size, zero, header, specs) into a reused direct buffer; "
                + "decode a 10,000-device `DM_LIST_DEVICES` reply (4.37+ layout with uuids) into entries.\n\n");
        md.append("| operation | ns/op | ± error (99.9%) | B/op | per item |\n|---|---:|---:|---:|---:|\n");
        for (Report.Result r : codec) {
            int items = r.method().equals("encodeTable") ? 100 : r.method().equals("decodeList") ? 10_000 : 1;
            String what = r.method().equals("encodeTable") ? "encode 100-target table"
                    : r.method().equals("decodeList") ? "decode 10,000-device list" : r.method();
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.1f ns, %.1f B per %s |%n", what,
                    r.score(), r.error(), r.allocNorm(), r.score() / items, r.allocNorm() / items,
                    items == 100 ? "target" : "entry"));
        }
        md.append('\n');

        // ------------------------------------------------------------- lifecycle
        md.append("## Device lifecycle (in the VM)\n\n`benchmarks/lifecycle`: each variant creates N devices, "
                + "reads each one's status, table and info (several passes), lists all devices (several passes of "
                + "N/50 listings), and removes them, phase by phase, in the guest. c-raw is the floor: the same "
                + "operations as bare ioctls from C (`native/lifecycle_raw.c`), no library. Ratios are ops/s over "
                + "the reference's ops/s in the same phase (higher is better).\n\n");
        md.append("| variant | phase | ops | seconds | ops/s | × libdm | × c-raw | × dmsetup |\n"
                + "|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (String phase : phases) {
            for (String v : lifecycle.variants()) {
                Lifecycle.Row r = lifecycle.row(v, phase);
                if (r != null) {
                    md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f | %.0f | %s | %s | %s |%n", v, phase,
                            r.count, r.seconds, r.ops, fmt(lifecycle.ratio(v, "libdm", phase)),
                            fmt(lifecycle.ratio(v, "c-raw", phase)), fmt(lifecycle.ratio(v, "dmsetup", phase))));
                }
            }
        }
        md.append("\n### Spread over passes\n\nops/s of the slowest, median and fastest pass of each query phase "
                + "(one thread).\n\n");
        if (lifecycle.spread.isEmpty()) {
            md.append("Not measured.\n");
        } else {
            md.append("| variant | phase | passes | slowest | median | fastest | (fastest-slowest)/median |\n"
                    + "|---|---|---:|---:|---:|---:|---:|\n");
            for (Map.Entry<String, double[]> e : lifecycle.spread.entrySet()) {
                double[] v = e.getValue();
                md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f%% |%n",
                        e.getKey().replace("\t", " | "), v[0], v[1], v[2], v[3], 100 * (v[3] - v[1]) / v[2]));
            }
        }
        md.append("\n### ioctls per operation\n\nDevice-mapper ioctls each phase made, over its operations: dm4j's "
                + "own counter for the dm4j variants; for libdm and c-raw an `LD_PRELOAD` shim "
                + "(`native/ioctl_count.c`) that counts their `ioctl` calls of type `0xfd` in the same run.\n\n");
        if (lifecycle.ioctls.isEmpty()) {
            md.append("Not measured.\n");
        } else {
            List<String> counted = lifecycle.ioctls.keySet().stream().map(k -> k.substring(0, k.indexOf('\t')))
                    .distinct().toList();
            md.append("| phase | ").append(String.join(" | ", counted)).append(" |\n|---|")
                    .append("---:|".repeat(counted.size())).append('\n');
            for (String phase : phases) {
                md.append("| ").append(phase);
                for (String v : counted) {
                    double per = lifecycle.ioctlsPerOp(v, phase);
                    md.append(" | ").append(Double.isNaN(per) ? "-" : String.format(Locale.ROOT, "%.2f", per));
                }
                md.append(" |\n");
            }
            md.append("\n").append(parity).append("\n");
        }
        List<String> curve = lifecycle.variants().stream().filter(v -> v.matches("dm4j-bulk(-deferred)?-t\\d+"))
                .toList();
        if (!curve.isEmpty()) {
            md.append("\n### Bulk remove: threads\n\nRemoving the N devices on T threads of one dm4j client "
                    + "(`DeviceMapper.remove`, or `removeDeferred` for the deferred rows), ops/s over libdm's "
                    + "single-threaded remove.\n\n| variant | remove ops/s | × libdm |\n|---|---:|---:|\n");
            for (String v : curve) {
                Lifecycle.Row r = lifecycle.row(v, "remove");
                if (r != null) {
                    md.append(String.format(Locale.ROOT, "| %s | %.0f | %s |%n", v, r.ops,
                            fmt(lifecycle.ratio(v, "libdm", "remove"))));
                }
            }
        }
        md.append("\n### dmctl batch\n\nThe same create/remove pairs (a linear device over the loop device) "
                + "through one `dmctl batch --jobs 8` process (the installed image, one command per line, a result line each; lines on different devices side by side) and "
                + "through one `dmsetup` process per operation, in the same boot.\n\n");
        if (lifecycle.batch.isEmpty()) {
            md.append("Not measured.\n");
        } else {
            md.append("| tool | pairs | seconds | pairs/s |\n|---|---:|---:|---:|\n");
            for (Lifecycle.Row r : lifecycle.batch.values()) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.1f |%n", r.variant(), r.count(), r.seconds(),
                        r.ops()));
            }
        }
        md.append("\n### Listing at scale\n\n`DeviceMapper.list()` over many devices: the first call finds the reply's "
                + "size (growing its buffer), the second reuses it.\n\n");
        md.append("| devices | first call s | first call ioctls | second call s | second call ioctls | ≤ 2 ioctls |\n"
                + "|---:|---:|---:|---:|---:|---|\n");
        for (String[] l : lifecycle.listing) {
            md.append("| ").append(l[1]).append(" | ").append(l[2]).append(" | ").append(l[3]).append(" | ")
                    .append(l[4]).append(" | ").append(l[5]).append(" | ")
                    .append(Integer.parseInt(l[5]) <= LISTING_IOCTLS_GOAL ? "met" : "**MISSED**").append(" |\n");
        }
        md.append('\n');

        // ------------------------------------------------------------- registry
        md.append("## Table registry\n\nJMH `io.dm4j.registry.RegistryBench` (acquire+release on one live table) and "
                + "`WakeupBench` (SampleTime: last release to the waiting destroy proceeding).\n\n");
        md.append(registry.markdown()).append(registry.summary()).append("\n\n");

        // ------------------------------------------------------------- start-up
        md.append("## Start-up\n\nWhole commands on the host, start to exit, timed by `benchmarks/native/startup_timer.c` "
                + "(2 untimed runs, then 15 timed, 7 in a quick run; the median): dmctl as installed (`examples/target/dmctl/bin/dmctl`, "
                + "the launcher of `dmctl-VERSION.tar.gz`) and `dmsetup`. Without device-mapper on the host both "
                + "`version` commands fail at the control node, after the start-up measured here. "
                + startup.header + "\n\n");
        if (startup.rows.isEmpty()) {
            md.append("Not measured (no `--startup` file).\n\n");
        } else {
            md.append("| command | median ms | min ms | max ms | runs | × dmsetup version |\n|---|---:|---:|---:|---:|---:|\n");
            for (Map.Entry<String, Map<String, String>> e : startup.rows.entrySet()) {
                Map<String, String> f = e.getValue();
                md.append("| `").append(e.getKey()).append("` | ").append(f.getOrDefault("median_ms", "?")).append(" | ")
                        .append(f.getOrDefault("min_ms", "?")).append(" | ").append(f.getOrDefault("max_ms", "?"))
                        .append(" | ").append(f.getOrDefault("runs", "?")).append(" | ")
                        .append(fmt(startup.ratio(e.getKey(), "dmsetup version"))).append(" |\n");
            }
            md.append('\n');
        }

        // ------------------------------------------------------------- memory
        md.append("## Memory\n\n### Allocation per ioctl\n\nJMH `gc.alloc.rate.norm` of the bridge benchmark "
                + "(one ioctl per operation; a fraction of a byte is JMH's measurement noise).\n\n");
        md.append("| backend | B/op | allocation-free |\n|---|---:|---|\n");
        for (String backend : List.of("ffm", "jnr", "jna")) {
            double b = bridge.alloc(backend);
            md.append(String.format(Locale.ROOT, "| %s | %.3f | %s |%n", backend, b, Report.allocFree(b) ? "yes" : "no"));
        }
        md.append("\n### Heap of the registry\n\n`io.dm4j.registry.RegistryMemory`, a JVM of its own with the "
                + "default flags: 10,000 managed devices, each with a live table of one linear target line, "
                + "registered without a kernel; retained heap is heap used after full GCs with the registry "
                + "reachable minus before it was built, smallest of 5 rounds. It includes the device names, "
                + "device numbers, table lines and their parameter strings.\n\n");
        md.append("| holder tracking | devices | retained bytes | bytes per device |\n|---|---:|---:|---:|\n");
        for (String[] m : memory) {
            md.append(String.format(Locale.ROOT, "| %s%s | %s | %,d | %s |%n", m[1],
                    m[1].equals("THREADS") ? " (the default)" : "", m[2], Long.parseLong(m[3]), m[4]));
        }
        md.append('\n');
        md.append("Raw results: `benchmarks/target/` (jmh-result.json, codec.json, registry-*.json, memory.tsv, "
                + "lifecycle.tsv, startup.tsv, jmh-output.txt).\n");

        Path mdOut = path(a, "md");
        Files.createDirectories(mdOut.toAbsolutePath().getParent());
        Files.writeString(mdOut, md.toString(), StandardCharsets.UTF_8);

        // ------------------------------------------------------------- chart
        List<Chart.Section> sections = new ArrayList<>();
        List<Chart.Bar> b1 = new ArrayList<>();
        for (String backend : List.of("ffm", "ffm-nonblocking", "jnr", "jna")) {
            b1.add(new Chart.Bar(backend + " / C", bridge.ratio(backend),
                    backend.equals("ffm") ? Report.FFM_RATIO_GOAL : Double.NaN, false));
        }
        sections.add(new Chart.Section("Native bridge: ioctl time over C's (lower is better; goal ffm ≤ 1.15x)", b1));
        List<Chart.Bar> b2 = new ArrayList<>();
        List<Chart.Bar> b3 = new ArrayList<>();
        List<Chart.Bar> b4 = new ArrayList<>();
        for (String v : lifecycle.variants()) {
            for (String phase : phases) {
                if (lifecycle.row(v, phase) == null) {
                    continue;
                }
                double toLibdm = lifecycle.ratio(v, "libdm", phase);
                if (v.equals("dm4j-bulk") || (v.startsWith("dm4j-bulk-") && phase.equals("remove"))) {
                    b3.add(new Chart.Bar(v + " / libdm, " + phase, toLibdm,
                            phase.equals("remove") && v.equals("dm4j-bulk") ? BULK_REMOVE_GOAL : Double.NaN, true));
                } else if (v.matches("dm4j-(ffm|jnr|jna)")) {
                    b2.add(new Chart.Bar(v + " / libdm, " + phase, toLibdm, DM4J_LIBDM_GOAL, true));
                }
                boolean main = lifecycle.mainDm4jVariants().contains(v);
                if ((main || v.equals("libdm")) && lifecycle.row("dmsetup", phase) != null) {
                    b4.add(new Chart.Bar(v + " / dmsetup, " + phase, lifecycle.ratio(v, "dmsetup", phase),
                            main ? DMSETUP_GOAL : Double.NaN, true));
                }
            }
        }
        b3.sort(java.util.Comparator.comparing(b -> !b.label().startsWith("dm4j-bulk /")));
        sections.add(new Chart.Section("Lifecycle, one thread: ops/s over libdm's (higher is better; goal ≥ " + fmt(DM4J_LIBDM_GOAL) + "x)", b2));
        sections.add(new Chart.Section("Lifecycle, bulk (dm4j-bulk: the fastest thread count): ops/s over libdm's (goal remove ≥ "
                + (int) BULK_REMOVE_GOAL + "x)", b3));
        sections.add(new Chart.Section("Lifecycle: ops/s over dmsetup's (goal every dm4j variant ≥ 20x; libdm for context)", b4));
        Chart.write("dm4j benchmark ratios (" + mode + " run, " + date + ")",
                one(a, "nproc") + " CPUs " + cpuModel().replace("`", "").replace(" (a virtual machine: hypervisor flag)", "")
                        + ", host kernel " + System.getProperty("os.version")
                        + ", guest kernel " + lifecycle.header.getOrDefault("kernel", "?")
                        + (accel.equals("kvm") ? " (KVM)" : accel.equals("tcg") ? " (TCG: only ratios are meaningful)" : "")
                        + "; " + met + "/" + goals.size() + " goals met",
                sections, path(a, "png"));

        System.out.println(summary);
    }

    // ----------------------------------------------------------------- lifecycle TSV

    /** The TSV benchmarks/lifecycle writes. */
    static final class Lifecycle {
        record Row(String variant, String phase, int count, double seconds, double ops) {}

        final Map<String, String> header = new LinkedHashMap<>();
        final Map<String, Row> rows = new LinkedHashMap<>();
        final List<String[]> listing = new ArrayList<>();
        /** {@code batch} records: create/remove pairs per second through one dmctl batch and through dmsetup processes. */
        final Map<String, Row> batch = new LinkedHashMap<>();
        /** {@code spread} records by "VARIANT\tPHASE": passes, slowest, median, fastest ops/s. */
        final Map<String, double[]> spread = new LinkedHashMap<>();
        /** {@code ioctls} records by "VARIANT\tPHASE": operations, ioctls. */
        final Map<String, long[]> ioctls = new LinkedHashMap<>();

        static Lifecycle parse(Path file) throws IOException {
            Lifecycle l = new Lifecycle();
            int n = 0;
            for (String line : Files.readAllLines(file)) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                if (line.startsWith("#")) {
                    String[] t = line.substring(1).trim().split("\\s+");
                    for (int i = 0; i + 1 < t.length; i += 2) {
                        l.header.put(t[i], t[i + 1]);
                    }
                    continue;
                }
                String[] f = line.split("\t");
                try {
                    if (f[0].equals("lifecycle") && f.length == 6) {
                        Row r = new Row(f[1], f[2], Integer.parseInt(f[3]), Double.parseDouble(f[4]),
                                Double.parseDouble(f[5]));
                        l.rows.put(f[1] + "\t" + f[2], r);
                    } else if (f[0].equals("batch") && f.length == 6) {
                        l.batch.put(f[1], new Row(f[1], f[2], Integer.parseInt(f[3]), Double.parseDouble(f[4]),
                                Double.parseDouble(f[5])));
                    } else if (f[0].equals("spread") && f.length == 7) {
                        l.spread.put(f[1] + "\t" + f[2], new double[] {Integer.parseInt(f[3]), Double.parseDouble(f[4]),
                            Double.parseDouble(f[5]), Double.parseDouble(f[6])});
                    } else if (f[0].equals("ioctls") && f.length == 5) {
                        l.ioctls.put(f[1] + "\t" + f[2], new long[] {Long.parseLong(f[3]), Long.parseLong(f[4])});
                    } else if (f[0].equals("listing") && f.length == 6) {
                        Integer.parseInt(f[3]);
                        Integer.parseInt(f[5]);
                        l.listing.add(f);
                    } else {
                        throw new IllegalArgumentException("unknown record");
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(file + ":" + n + ": not a lifecycle/spread/ioctls/listing/batch record: "
                            + line, e);
                }
            }
            if (l.rows.isEmpty()) {
                throw new IllegalStateException(file + ": no lifecycle records");
            }
            return l;
        }

        Row row(String variant, String phase) {
            return rows.get(variant + "\t" + phase);
        }

        /** ioctls per operation of a variant in a phase; NaN if not counted. */
        double ioctlsPerOp(String variant, String phase) {
            long[] c = ioctls.get(variant + "\t" + phase);
            return c == null || c[0] == 0 ? Double.NaN : (double) c[1] / c[0];
        }

        /**
         * "parity: ..." when {@code variant} makes at most as many ioctls per operation as
         * {@code reference} in every phase both were counted in, else what differs.
         */
        String ioctlParity(String variant, String reference) {
            List<String> more = new ArrayList<>();
            int compared = 0;
            for (String phase : phases()) {
                double v = ioctlsPerOp(variant, phase);
                double r = ioctlsPerOp(reference, phase);
                if (Double.isNaN(v) || Double.isNaN(r)) {
                    continue;
                }
                compared++;
                if (v > r + 1e-9) {
                    more.add(String.format(Locale.ROOT, "%s %.2f vs %.2f", phase, v, r));
                }
            }
            if (compared == 0) {
                return "not counted";
            }
            return more.isEmpty() ? "parity: " + variant + " makes no more ioctls per operation than " + reference
                    + " in " + compared + " phases" : variant + " makes more than " + reference + ": " + String.join(", ", more);
        }

        /** The dm4j variants the goals are about: one thread per backend, and bulk at its best thread count. */
        List<String> mainDm4jVariants() {
            return variants().stream().filter(v -> v.startsWith("dm4j") && !v.matches("dm4j-bulk(-deferred)?(-t\\d+)?")
                    || v.equals("dm4j-bulk")).toList();
        }

        List<String> variants() {
            Set<String> v = new LinkedHashSet<>();
            for (Row r : rows.values()) {
                v.add(r.variant);
            }
            return new ArrayList<>(v);
        }

        /** Phases in create, status, remove order, then any others. */
        List<String> phases() {
            Set<String> p = new LinkedHashSet<>();
            for (String known : PHASES_ORDER.split(" ")) {
                for (Row r : rows.values()) {
                    if (r.phase.equals(known)) {
                        p.add(known);
                    }
                }
            }
            for (Row r : rows.values()) {
                p.add(r.phase);
            }
            return new ArrayList<>(p);
        }

        /** ops/s of {@code variant} over those of {@code reference} in one phase; NaN if either is missing. */
        double ratio(String variant, String reference, String phase) {
            Row v = row(variant, phase);
            Row r = row(reference, phase);
            return v == null || r == null || r.ops <= 0 ? Double.NaN : v.ops / r.ops;
        }

        double geomean(String variant, String reference) {
            double log = 0;
            int n = 0;
            for (String phase : phases()) {
                double r = ratio(variant, reference, phase);
                if (Double.isNaN(r)) {
                    return Double.NaN;
                }
                log += Math.log(r);
                n++;
            }
            return n == 0 ? Double.NaN : Math.exp(log / n);
        }
    }

    // ----------------------------------------------------------------- start-up TSV

    /** The start-up lines benchmarks/run writes: NAME and its key=value fields, in file order. */
    static final class Startup {
        final Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        String header = "";

        static Startup parse(Path file) throws IOException {
            Startup s = new Startup();
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("#")) {
                    String[] t = line.substring(1).trim().split("\\s+");
                    for (int i = 0; i + 1 < t.length; i += 2) {
                        s.header += (s.header.isEmpty() ? "" : "; ") + t[i] + " " + t[i + 1];
                    }
                    continue;
                }
                String[] f = line.split("\t");
                if (f.length < 3 || !f[0].equals("startup")) {
                    continue;
                }
                Map<String, String> fields = new LinkedHashMap<>();
                for (int i = 2; i < f.length; i++) {
                    int eq = f[i].indexOf('=');
                    if (eq > 0) {
                        fields.put(f[i].substring(0, eq), f[i].substring(eq + 1));
                    }
                }
                s.rows.put(f[1], fields);
            }
            s.header = s.header.isEmpty() ? "" : "JDK and AOT cache: " + s.header + ".";
            return s;
        }

        double median(String name) {
            Map<String, String> f = rows.get(name);
            return f == null || !f.containsKey("median_ms") ? Double.NaN : Double.parseDouble(f.get("median_ms"));
        }

        int runs(String name) {
            Map<String, String> f = rows.get(name);
            return f == null ? 0 : Integer.parseInt(f.getOrDefault("runs", "0"));
        }

        /** Median wall time of {@code name} over {@code reference}'s; NaN if either is missing. */
        double ratio(String name, String reference) {
            double r = median(reference);
            return r > 0 ? median(name) / r : Double.NaN;
        }
    }

    // ----------------------------------------------------------------- helpers

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(value).append(" |\n");
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : Chart.value(v);
    }

    private static String cpuModel() {
        try {
            String model = "?";
            boolean hypervisor = false;
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && model.equals("?")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                } else if (line.startsWith("flags") && line.contains(" hypervisor")) {
                    hypervisor = true;
                }
            }
            return "`" + model + "`" + (hypervisor ? " (a virtual machine: hypervisor flag)" : "");
        } catch (IOException e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    private static List<String[]> tsv(Path file, String kind) throws IOException {
        List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.split("\t");
            if (f[0].equals(kind)) {
                out.add(f);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException(file + ": no " + kind + " records");
        }
        return out;
    }

    private static String one(Map<String, List<String>> a, String key) {
        List<String> v = a.get(key);
        if (v == null || v.size() != 1) {
            throw new IllegalArgumentException("--" + key + " must be given once");
        }
        return v.get(0);
    }

    private static Path path(Map<String, List<String>> a, String key) {
        return Path.of(one(a, key));
    }

    private static List<Path> paths(Map<String, List<String>> a, String key) {
        List<String> v = a.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("--" + key + " is missing");
        }
        return v.stream().map(Path::of).toList();
    }
}
