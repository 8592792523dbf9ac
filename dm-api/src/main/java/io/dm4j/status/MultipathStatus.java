package io.dm4j.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The status of a {@code multipath} target, printed by {@code multipath_status()} in
 * {@code dm-mpath.c} with the path selectors' own fields.
 *
 * @param queueingIo I/O is queued now (no usable path, and {@code queue_if_no_path} set, or a path
 *     group is being initialised)
 * @param pgInitCount path group initialisations done since the table was loaded
 * @param nextGroup the 1-based number of the group that serves the next I/O, 0 if there is none
 * @param groups the priority groups, in table order
 */
public record MultipathStatus(boolean queueingIo, long pgInitCount, int nextGroup, List<PriorityGroup> groups)
        implements StatusReport {

    /** The kernel's target type name. */
    public static final String TYPE = "multipath";

    /** Checks the fields for consistency. */
    public MultipathStatus {
        groups = Checks.list("groups", groups);
        if (nextGroup < 0 || nextGroup > groups.size()) {
            throw new io.dm4j.InvalidArgumentException("nextGroup", "must be 0.." + groups.size() + ", got " + nextGroup);
        }
        Checks.notNegative("pg_init count", pgInitCount);
    }

    /**
     * Parses the status text of a multipath target.
     *
     * @throws StatusParseException if the text does not have the multipath form
     */
    public static MultipathStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        List<String> features = t.counted("features");
        if (features.size() != 2) {
            throw t.error("features", "expected queue_io and pg_init_count, got " + features);
        }
        boolean queueing = t.either("queue_io", features.get(0), "1", "0");
        long pgInits = t.number("pg_init_count", features.get(1));
        t.counted("hardware handler");
        int groupCount = t.smallNumber("priority groups", t.remaining());
        int next = t.smallNumber("next priority group", groupCount);
        List<PriorityGroup> groups = new ArrayList<>(groupCount);
        for (int g = 1; g <= groupCount; g++) {
            String field = "priority group " + g;
            GroupState state = t.letter(field + " state", single(t, t.word(field + " state"), field), Words.GROUP_STATES);
            List<String> selector = t.counted(field + " selector status");
            int pathCount = t.smallNumber(field + " paths", t.remaining());
            int infoCount = t.smallNumber(field + " selector fields per path", t.remaining());
            List<Path> paths = new ArrayList<>(pathCount);
            for (int p = 1; p <= pathCount; p++) {
                String pf = field + " path " + p;
                String device = t.word(pf + " device");
                boolean active = t.either(pf + " state", "A", "F");
                long failures = t.number(pf + " fail count");
                List<String> info = new ArrayList<>(infoCount);
                for (int i = 0; i < infoCount; i++) {
                    info.add(t.word(pf + " selector field " + (i + 1)));
                }
                paths.add(new Path(device, active, failures, info));
            }
            groups.add(new PriorityGroup(state, selector, paths));
        }
        return t.build(() -> new MultipathStatus(queueing, pgInits, next, groups));
    }

    private static char single(Tokens t, String word, String field) {
        if (word.length() != 1) {
            throw t.error(field + " state", "'" + word + "' is not one letter");
        }
        return word.charAt(0);
    }

    /** The paths that are up, over all groups. */
    public long activePaths() {
        return groups.stream().flatMap(g -> g.paths().stream()).filter(Path::active).count();
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * One priority group.
     *
     * @param state active, enabled or disabled
     * @param selectorStatus the path selector's own group fields (none for the in-tree selectors
     *     but {@code historical-service-time})
     * @param paths the group's paths, in table order
     */
    public record PriorityGroup(GroupState state, List<String> selectorStatus, List<Path> paths) {
        /** Checks the fields. */
        public PriorityGroup {
            Objects.requireNonNull(state, "state");
            selectorStatus = Checks.list("selectorStatus", selectorStatus);
            paths = Checks.list("paths", paths);
        }
    }

    /**
     * One path.
     *
     * @param device the path's device, {@code major:minor}
     * @param active true if the path is up ({@code A}), false if failed ({@code F})
     * @param failCount how often it failed
     * @param selectorStatus the path selector's per-path fields, e.g. the queue length for
     *     {@code queue-length}, in-flight size and relative throughput for {@code service-time}
     */
    public record Path(String device, boolean active, long failCount, List<String> selectorStatus) {
        /** Checks the fields. */
        public Path {
            Objects.requireNonNull(device, "device");
            Checks.notNegative("fail count", failCount);
            selectorStatus = Checks.list("selectorStatus", selectorStatus);
        }
    }

    /** A priority group's state letter. */
    public enum GroupState {
        /** {@code A}: the group serving I/O now. */
        ACTIVE,
        /** {@code E}: usable, not active. */
        ENABLED,
        /** {@code D}: bypassed ({@code disable_group}, or its paths failed initialisation). */
        DISABLED
    }
}
