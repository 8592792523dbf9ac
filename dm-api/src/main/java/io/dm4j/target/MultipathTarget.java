package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code multipath}: I/O over several paths to the same storage, in priority groups, each group
 * with a path selector.
 *
 * <p>The kernel always reports each path's selector arguments ({@code round-robin} and
 * {@code queue-length}: a repeat count; {@code service-time}: a repeat count and a relative
 * throughput), so they are required here; repeat counts above 1 are deprecated and reported as 1.
 * {@code queue_mode bio} implies {@code retain_attached_hw_handler}, which is added. The initial
 * group reads back as the group in use.
 *
 * @param features optional features, keywords from {@link Option}
 * @param hardwareHandler the SCSI device handler, e.g. {@code alua}, if any
 * @param initialGroup the priority group to use first, 1-based; 0 if there are none
 * @param groups the priority groups, in priority order
 */
public record MultipathTarget(List<TargetOption> features, Optional<String> hardwareHandler, int initialGroup,
        List<PathGroup> groups) implements Target {
    static final String TYPE = "multipath";

    private static final Map<String, Integer> SELECTOR_ARGS = Map.of("round-robin", 1, "queue-length", 1,
            "service-time", 2);

    /**
     * A priority group.
     *
     * @param selector the path selector, e.g. {@code round-robin}, {@code service-time}, {@code queue-length}
     * @param paths the group's paths; all take the same number of selector arguments
     */
    public record PathGroup(String selector, List<Path> paths) {
        /** Checks the selector and its per-path arguments. */
        public PathGroup {
            Checks.word(TYPE, "path selector", selector);
            paths = Checks.list(TYPE, "paths", paths, 1);
            int args = paths.get(0).args().size();
            Checks.rule(paths.stream().allMatch(p -> p.args().size() == args), TYPE, "paths",
                    "must all have the same number of selector arguments");
            Integer expected = SELECTOR_ARGS.get(selector);
            Checks.rule(expected == null || expected == args, TYPE, selector + " path arguments",
                    "must be " + expected + " per path (the kernel reports them all), got " + args);
            if (expected != null) {
                for (Path p : paths) {
                    Checks.rule(Args.canonicalNumber(p.args().get(0)) >= 0 && Args.canonicalNumber(p.args().get(0)) <= 1,
                            TYPE, "repeat count", "must be 0 or 1 (larger counts are deprecated and read back as 1)");
                }
            }
        }

        /** A group whose paths all take the same selector arguments, e.g. {@code "1"} for round-robin. */
        public static PathGroup of(String selector, List<DeviceNumber> devices, String... args) {
            List<Path> paths = new ArrayList<>();
            for (DeviceNumber d : devices) {
                paths.add(new Path(d, List.of(args)));
            }
            return new PathGroup(selector, paths);
        }
    }

    /**
     * One path and its selector arguments.
     *
     * @param device the path's device
     * @param args its selector arguments
     */
    public record Path(DeviceNumber device, List<String> args) {
        /** Checks the fields. */
        public Path {
            Objects.requireNonNull(device, "device");
            args = List.copyOf(args);
            for (String a : args) {
                Checks.word(TYPE, "path argument", a);
            }
        }
    }

    /** Multipath's optional features, in the kernel's order. */
    public static final class Option {
        private Option() {}

        /** {@code queue_if_no_path}: queue I/O while no path works. */
        public static final OptionKey QUEUE_IF_NO_PATH = OptionKey.of("queue_if_no_path", OptionKey.Value.NONE);
        /** {@code pg_init_retries <1..50>}. */
        public static final OptionKey PG_INIT_RETRIES = OptionKey.of("pg_init_retries", OptionKey.Value.NUMBER);
        /** {@code pg_init_delay_msecs <0..60000>}. */
        public static final OptionKey PG_INIT_DELAY_MSECS = OptionKey.of("pg_init_delay_msecs", OptionKey.Value.NUMBER);
        /** {@code retain_attached_hw_handler}. */
        public static final OptionKey RETAIN_ATTACHED_HW_HANDLER = OptionKey.of("retain_attached_hw_handler", OptionKey.Value.NONE);
        /** {@code queue_mode bio}: bio-based instead of request-based. */
        public static final OptionKey QUEUE_MODE = OptionKey.of("queue_mode", OptionKey.Value.WORD);

        /** All of them, in the kernel's order. */
        static final List<OptionKey> ALL = List.of(QUEUE_IF_NO_PATH, PG_INIT_RETRIES, PG_INIT_DELAY_MSECS,
                RETAIN_ATTACHED_HW_HANDLER, QUEUE_MODE);
    }

    /** Checks the fields and the kernel's rules between them; puts features in the kernel's form. */
    public MultipathTarget {
        features = Options.canonical(TYPE, Option.ALL, features);
        for (TargetOption f : features) {
            if (f.key() == Option.PG_INIT_RETRIES) {
                Checks.range(TYPE, "pg_init_retries", f.number(), 1, 50);
            } else if (f.key() == Option.PG_INIT_DELAY_MSECS) {
                Checks.range(TYPE, "pg_init_delay_msecs", f.number(), 0, 60000);
            } else if (f.key() == Option.QUEUE_MODE) {
                Checks.rule(f.value().equals("bio"), TYPE, "queue_mode",
                        "must be bio; request-based is the default and is not reported");
            }
        }
        if (Options.has(features, Option.QUEUE_MODE) && !Options.has(features, Option.RETAIN_ATTACHED_HW_HANDLER)) {
            List<TargetOption> withRetain = new ArrayList<>(features);
            withRetain.add(TargetOption.flag(Option.RETAIN_ATTACHED_HW_HANDLER));
            features = Options.canonical(TYPE, Option.ALL, withRetain);
        }
        Objects.requireNonNull(hardwareHandler, "hardwareHandler");
        hardwareHandler.ifPresent(h -> Checks.word(TYPE, "hardware handler", h));
        Checks.rule(hardwareHandler.isEmpty() || !Options.has(features, Option.QUEUE_MODE), TYPE,
                "hardware handler", "is not allowed with queue_mode bio");
        groups = List.copyOf(groups);
        Checks.rule(groups.isEmpty() ? initialGroup == 0 : initialGroup >= 1 && initialGroup <= groups.size(), TYPE,
                "initial group", "must be 1.." + groups.size() + " (0 without groups), got " + initialGroup);
    }

    /** One group of paths, used first, no features, no hardware handler. */
    public static MultipathTarget of(PathGroup group) {
        return new MultipathTarget(List.of(), Optional.empty(), 1, List.of(group));
    }

    static MultipathTarget parse(Args args) {
        List<TargetOption> features = Options.parse(args, args.count("feature count", 8), Option.ALL, false);
        int handlerArgs = args.count("hardware handler argument count", 1);
        Optional<String> handler = handlerArgs == 0 ? Optional.empty() : Optional.of(args.word("hardware handler"));
        int n = args.count("priority group count", 1024);
        int initial = args.count("initial group", n);
        List<PathGroup> groups = new ArrayList<>();
        for (int g = 0; g < n; g++) {
            String selector = args.word("path selector");
            args.expect("selector argument count", "0");
            int paths = args.count("path count", 1024);
            int pathArgs = args.count("path argument count", 1024);
            List<Path> list = new ArrayList<>();
            for (int p = 0; p < paths; p++) {
                DeviceNumber device = args.device("path");
                List<String> words = new ArrayList<>();
                for (int a = 0; a < pathArgs; a++) {
                    words.add(args.word("path argument"));
                }
                list.add(new Path(device, words));
            }
            groups.add(new PathGroup(selector, list));
        }
        return new MultipathTarget(features, handler, initial, groups);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** Every part followed by a space, as the kernel prints it. */
    @Override
    public String params() {
        StringBuilder s = new StringBuilder().append(Options.words(features, false)).append(' ');
        for (TargetOption f : features) {
            s.append(f).append(' ');
        }
        s.append(hardwareHandler.map(h -> "1 " + h + " ").orElse("0 "));
        s.append(groups.size()).append(' ').append(initialGroup).append(' ');
        for (PathGroup g : groups) {
            s.append(g.selector()).append(" 0 ").append(g.paths().size()).append(' ')
                    .append(g.paths().get(0).args().size()).append(' ');
            for (Path p : g.paths()) {
                s.append(p.device()).append(' ');
                for (String a : p.args()) {
                    s.append(a).append(' ');
                }
            }
        }
        return s.toString();
    }
}
