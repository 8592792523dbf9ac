import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Prints the figures tables of RELIABILITY.md from what the last build's reliability tests wrote
 * ({@code MODULE/target/reliability/*.properties} from unit tests,
 * {@code MODULE/target/failsafe-reports/reliability/*.properties} from real-kernel ITs, and
 * {@code failsafe-reports-jdk17} from dm-api's second run).
 * Run from the repository's top: {@code java .ci/ReliabilityReport.java}.
 */
public class ReliabilityReport {
    record Record(String module, String family, String header, Map<String, String> figures) {
        long n(String key) {
            String v = figures.get(key);
            if (v == null) {
                throw new IllegalStateException(family + " (" + module + ") has no figure " + key);
            }
            return Long.parseLong(v);
        }

        long sum(String suffix) {
            return figures.entrySet().stream().filter(e -> e.getKey().endsWith(suffix))
                    .mapToLong(e -> Long.parseLong(e.getValue())).sum();
        }

        String starting(String prefix) {
            List<String> parts = new ArrayList<>();
            figures.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    parts.add(k.substring(prefix.length()) + " " + v);
                }
            });
            return String.join(", ", parts);
        }
    }

    public static void main(String[] args) throws IOException {
        List<Record> records = new ArrayList<>();
        try (Stream<Path> modules = Files.list(Path.of("."))) {
            for (Path m : modules.filter(Files::isDirectory).sorted().toList()) {
                String module = m.getFileName().toString();
                // dm-api's second real-kernel run (jnr-ffi on JDK 17) writes its own figures.
                Map<Path, String> dirs = new LinkedHashMap<>();
                dirs.put(m.resolve("target/reliability"), module);
                dirs.put(m.resolve("target/failsafe-reports/reliability"), module);
                dirs.put(m.resolve("target/failsafe-reports-jdk17/reliability"), module + " (JDK 17, jnr-ffi)");
                for (Map.Entry<Path, String> dir : dirs.entrySet()) {
                    if (!Files.isDirectory(dir.getKey())) {
                        continue;
                    }
                    try (Stream<Path> files = Files.list(dir.getKey())) {
                        for (Path f : files.filter(p -> p.toString().endsWith(".properties")).sorted().toList()) {
                            records.add(read(dir.getValue(), f));
                        }
                    }
                }
            }
        }
        if (records.isEmpty()) {
            throw new IllegalStateException("no reliability figures under */target: run ./mvnw verify first");
        }
        System.out.println("| family | module | tried | observed | lost data | leaks |");
        System.out.println("|---|---|---|---|---|---|");
        for (Record r : records) {
            System.out.println("| " + r.family() + " | " + r.module() + " | " + row(r) + " |");
        }
        System.out.println();
        List<String> times = records.stream().map(r -> r.header().substring(0, r.header().indexOf(','))).sorted().toList();
        System.out.println("Recorded from " + times.get(0) + " to " + times.get(times.size() - 1) + " (UTC), kernels: "
                + String.join(", ", records.stream().map(r -> r.header().substring(r.header().indexOf("kernel ") + 7))
                        .distinct().toList()) + ".");
    }

    private static Record read(String module, Path f) throws IOException {
        List<String> lines = Files.readAllLines(f);
        Map<String, String> figures = new LinkedHashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            int eq = l.indexOf('=');
            figures.put(l.substring(0, eq), l.substring(eq + 1));
        }
        String name = f.getFileName().toString().replace(".properties", "");
        String header = lines.get(0).substring(lines.get(0).indexOf(',') + 2);
        return new Record(module, name, header, figures);
    }

    /** Tried | observed | lost data | leaks, per family. */
    private static String row(Record r) {
        return switch (r.family()) {
            case "bad-input-unit" -> r.n("cases") + " API cases dm4j must refuse itself, on a kernel that answers only "
                    + "DM_VERSION | " + r.n("mismatches") + " without their typed error; " + r.n("ioctls") + " ioctls | – | –";
            case "bad-input-api", "bad-input-dmctl" -> r.n("cases") + " cases (" + r.n("local") + " refused by dm4j, "
                    + r.n("kernel") + " by the kernel) | " + r.n("mismatches") + " without their typed error or exit "
                    + "status" + (r.family().equals("bad-input-api") ? ", or with ioctls where dm4j can check" : "")
                    + " | – | " + r.n("changes") + " devices left or changed";
            case "decoder-fuzzing" -> r.n("replies-decoded") + " random and mutated kernel replies, each through every "
                    + "decoder (" + r.n("decoders") + ") | " + r.n("untyped-errors") + " errors other than "
                    + "DmProtocolException, " + r.n("hangs") + " hangs | – | –";
            case "status-fuzzing" -> r.n("statuses-parsed") + " random and mutated status lines through " + r.n("parsers")
                    + " parsers | " + r.n("untyped-errors") + " errors other than StatusParseException, " + r.n("hangs")
                    + " hangs | – | –";
            case "fault-injection" -> r.n("failed-io-seen-as-IOException") + " failing I/Os (error, flakey down, flakey "
                    + "error_writes); " + r.n("suspend-cycles-under-writes") + " suspends with and without flush under "
                    + r.n("suspend-writes-acknowledged") + " concurrent writes (delay target); " + r.n("remove-open-races")
                    + " removes racing another process's open; " + r.n("load-resume-raced-calls") + " raced loads and "
                    + "resumes; " + r.n("blocked-wait-closed") + " close under a blocked DM_DEV_WAIT | every failed I/O an "
                    + "IOException, the device usable after; races won by the opener " + r.n("remove-open-races-opener-first")
                    + ", by the remove " + r.n("remove-open-races-remove-first") + ", every remove complete; registry "
                    + "tables made " + r.n("load-resume-registry-tables-made") + ", destroyed once "
                    + r.n("load-resume-registry-tables-destroyed") + ", kept " + r.n("load-resume-registry-tables-kept")
                    + " | " + r.n("suspend-blocks-lost") + " | 0 (leak check)";
            case "no-data-lost" -> r.sum(".writes") + " checksummed 4 KiB writes (" + r.n("writes-per-stack") + " per "
                    + "stack: linear, striped, crypt, thin, snapshot) with " + r.sum(".operations") + " suspends, "
                    + "reloads and renames meanwhile, then remove | blocks not as acknowledged: "
                    + String.join(", ", List.of("linear", "striped", "crypt", "thin", "snapshot").stream()
                            .map(k -> k + " " + r.n(k + ".lost")).toList())
                    + "; snapshot origin blocks changed " + r.n("snapshot.origin-blocks-changed")
                    + " | " + r.sum(".lost") + " | 0 (leak check)";
            case "crash-safety" -> r.n("kills") + " SIGKILLs of a child JVM at random points (" + r.n("child-millis-per-run")
                    + " ms per run) | killed in: " + r.starting("killed-in.") + "; adopted " + r.n("devices-adopted")
                    + ", completed " + r.n("devices-completed") + ", rolled back " + r.n("devices-rolled-back")
                    + "; stale /dev/mapper nodes swept " + r.n("stale-nodes-swept") + " | – | " + r.n("devices-left")
                    + " devices, " + r.n("loop-holders-left") + " loop holders";
            case "load" -> r.n("threads") + " threads for " + r.n("seconds") + " s on " + r.n("devices") + " devices: "
                    + r.n("operations") + " operations (" + r.starting("op.") + ") | " + r.n("unexpected-errors")
                    + " unexpected errors; expected refusals " + r.n("expected-refusals") + " (" + r.starting("refused.")
                    + "); " + r.n("invariant-checks") + " invariant checks passed; tables made " + r.n("tables-made")
                    + ", destroyed " + r.n("tables-destroyed") + " | – | " + r.n("devices-left");
            case "unprivileged" -> r.n("operations-refused-by-kernel") + " operations as nobody with the control node "
                    + "open to all, " + r.n("operations-refused-node-closed") + " with it closed | every one "
                    + "PermissionDeniedException naming the command, with the CAP_SYS_ADMIN hint | – | "
                    + r.n("changes") + " changes";
            case "unprivileged-dmctl" -> r.n("commands-refused") + " dmctl commands as nobody | every one exit status 1 "
                    + "with one error line carrying the CAP_SYS_ADMIN hint | – | " + r.n("changes") + " changes";
            case "registry-fault-injection" -> r.n("runs") + " runs: each of " + r.n("operations") + " registry "
                    + "operations with one kernel call failing in one way (" + r.n("failure-points") + " kinds: errnos, "
                    + "failures after the kernel changed, bugs, Errors), in-memory kernel | " + r.n("pairs")
                    + " (operation, failure point) pairs struck; " + r.n("inconsistent-runs") + " runs leaving a device "
                    + "in a transitional state, a holder count off, the registry unlike the kernel, a device lost or a "
                    + "table destroyed twice or never | – | –";
            case "registry-interrupt-injection" -> r.n("runs") + " interrupts, one before or after each kernel call of "
                    + "each of " + r.n("operations") + " operations | " + r.n("inconsistent-runs") + " runs inconsistent "
                    + "as above or without the interrupt flag | – | –";
            case "registry-model-checking" -> r.n("scenarios") + " Lincheck scenarios x " + r.n("interleavings-per-scenario")
                    + " interleavings, " + r.n("threads") + " threads x " + r.n("operations-per-thread") + " of "
                    + r.n("operation-kinds") + " operations (acquire, load, resume, remove, rename, stacked create, "
                    + "close), " + r.n("seconds") + " s | " + r.n("violations") + " non-linearizable results or broken "
                    + "invariants | – | –";
            case "registry-interference" -> r.n("interrupted-removes") + " interrupted removes (holders, EBUSY); "
                    + r.n("dmsetup-removes-followed") + " removes, " + r.n("dmsetup-renames-followed") + " renames, "
                    + r.n("dmsetup-reloads-followed") + " reload by dmsetup; a device made at a freed minor; "
                    + r.n("stacked-load-remove-races") + " stacked loads racing removes; a close with a holder and "
                    + "acquires in flight; a dangling udev link | interrupts answered within "
                    + r.n("interrupt-holders-max-us") + " µs (holders) and " + r.n("interrupt-busy-max-us")
                    + " µs (EBUSY); all followed, the stranger not taken for a rename; races won by the stack "
                    + r.n("races-stack-first") + ", by the remove " + r.n("races-remove-first") + ", both refused "
                    + r.n("races-both-refused") + ", never both; remove waited " + r.n("dangling-link-remove-waited-ms")
                    + " ms for the link | – | 0 (leak check)";
            case "leak-check" -> r.n("it-classes-checked") + " IT classes checked before and after (device-mapper "
                    + "devices, loop devices) | " + r.n("it-classes-leaking") + " leaked | – | " + r.n("it-classes-leaking");
            default -> new TreeMap<>(r.figures()) + " | | |";
        };
    }
}
