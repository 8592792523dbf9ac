package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.event.DeviceEvent;
import io.dm4j.event.EventKind;
import io.dm4j.event.EventMonitor;
import io.dm4j.event.EventMonitor.Mode;
import io.dm4j.sys.Syscalls;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The event monitor in both of its modes while another program (dmsetup) changes devices: minors
 * reused at once, renames, devices that live between two looks.
 */
@ExtendWith(RealKernel.class)
class EventModesIT {
    private final List<String> made = new ArrayList<>();

    @AfterEach
    void removeLeftovers() throws IOException {
        try (DeviceMapper dm = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get())) {
            for (DeviceListEntry e : dm.list(RealKernel.name("em"), "")) {
                dm.remove(e.name());
            }
        }
    }

    private String name(String suffix) {
        String n = RealKernel.name("em-" + suffix);
        made.add(n);
        return n;
    }

    /** Runs a shell script as another process would, failing the test if it fails. */
    private static void sh(String script) {
        Commands.check("sh", "-ec", script);
    }

    /** Events until {@code done} holds of what arrived, or 60 s; then 300 ms more for strays. */
    private static List<DeviceEvent> collect(BlockingQueue<DeviceEvent> q, Predicate<List<DeviceEvent>> done)
            throws InterruptedException {
        List<DeviceEvent> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.test(got) && System.nanoTime() < deadline) {
            DeviceEvent e = q.poll(100, TimeUnit.MILLISECONDS);
            if (e != null) {
                got.add(e);
            }
        }
        Thread.sleep(300);
        q.drainTo(got);
        return got;
    }

    private static long count(List<DeviceEvent> events, EventKind kind, Predicate<DeviceEvent> which) {
        return events.stream().filter(e -> e.kind() == kind && which.test(e)).count();
    }

    /**
     * Unnamed creations that a named device's removal by the same uevent announced: a device seen
     * without a table whose block device was gone before it could be named.
     */
    private static long implied(List<DeviceEvent> events) {
        long n = 0;
        for (int i = 1; i < events.size(); i++) {
            DeviceEvent e = events.get(i);
            DeviceEvent before = events.get(i - 1);
            if (e.kind() == EventKind.CREATED && e.name().isEmpty() && before.kind() == EventKind.REMOVED
                    && before.name().isPresent() && before.device().equals(e.device())
                    && e.sequence().isPresent() && before.sequence().equals(e.sequence())) {
                n++;
            }
        }
        return n;
    }

    private static Predicate<DeviceEvent> named(String name) {
        return e -> e.name().filter(name::equals).isPresent();
    }

    @Test
    void theDefaultModeHereIsUevent() throws IOException {
        try (EventMonitor monitor = EventMonitor.start()) {
            assertThat(monitor.mode()).isEqualTo(Mode.UEVENT);
        }
        try (EventMonitor monitor = EventMonitor.start(Mode.POLL)) {
            assertThat(monitor.mode()).isEqualTo(Mode.POLL);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aMinorReusedAtOnceIsARemovalAndACreationNeverARename(Mode mode) throws Exception {
        String a = name("a" + mode);
        String b = name("b" + mode);
        String c = name("c" + mode);
        BlockingQueue<DeviceEvent> q = new LinkedBlockingQueue<>();
        try (EventMonitor monitor = EventMonitor.start(mode); AutoCloseable s = monitor.subscribe(q::add)) {
            sh("dmsetup create " + a + " --table '0 8 zero'");
            List<DeviceEvent> first = collect(q, got -> count(got, EventKind.CREATED, named(a)) == 1);
            DeviceNumber minor = first.stream().filter(named(a)).findFirst().orElseThrow().device().orElseThrow();
            // Without uuids: a removed, b created at the same minor before the monitor can look.
            sh("dmsetup remove " + a + "; dmsetup create " + b + " --table '0 8 zero'");
            // With uuids, and with the very same name again.
            sh("dmsetup remove " + b + "; dmsetup create " + b + " -u " + b + "-u1 --table '0 8 zero';"
                    + " dmsetup remove " + b + "; dmsetup create " + c + " -u " + c + "-u2 --table '0 8 zero';"
                    + " dmsetup remove " + c);
            List<DeviceEvent> rest = collect(q, got -> got.stream().anyMatch(
                    e -> e.kind() == EventKind.REMOVED && e.device().equals(java.util.Optional.of(minor))
                            && e.name().filter(c::equals).isPresent()));
            List<DeviceEvent> all = new ArrayList<>(first);
            all.addAll(rest);
            assertThat(all).as("%s", all).noneMatch(e -> e.kind() == EventKind.RENAMED);
            assertThat(all).as("every device at the reused minor %s", minor)
                    .filteredOn(e -> e.kind() == EventKind.CREATED)
                    .allMatch(e -> e.device().equals(java.util.Optional.of(minor)));
            assertThat(count(all, EventKind.REMOVED, named(a))).isEqualTo(1);
            if (mode == Mode.UEVENT) {
                // Exact: a, b, b again and c were each created and removed once, in that order.
                List<String> lifecycle = all.stream()
                        .filter(e -> e.kind() == EventKind.CREATED || e.kind() == EventKind.REMOVED)
                        .map(e -> e.kind() + " " + e.name().orElse("?")).toList();
                assertThat(lifecycle).as("%s", all).containsExactly("CREATED " + a, "REMOVED " + a, "CREATED " + b,
                        "REMOVED " + b, "CREATED " + b, "REMOVED " + b, "CREATED " + c, "REMOVED " + c);
                assertThat(all).noneMatch(e -> e.kind() == EventKind.MAYBE_MISSED);
                assertThat(all).filteredOn(e -> e.kind() == EventKind.REMOVED).allMatch(e -> e.sequence().isPresent());
            } else {
                assertThat(all).as("each look is marked").anyMatch(e -> e.kind() == EventKind.MAYBE_MISSED);
            }
            assertThat(monitor.failure()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aRenameByAnotherProgramIsARename(Mode mode) throws Exception {
        String a = name("r" + mode);
        String b = name("s" + mode);
        BlockingQueue<DeviceEvent> q = new LinkedBlockingQueue<>();
        try (EventMonitor monitor = EventMonitor.start(mode); AutoCloseable s = monitor.subscribe(a, q::add)) {
            sh("dmsetup create " + a + " --table '0 8 zero'");
            collect(q, got -> count(got, EventKind.CREATED, named(a)) == 1);
            sh("dmsetup rename " + a + " " + b);
            List<DeviceEvent> got = collect(q, g -> count(g, EventKind.RENAMED, named(b)) == 1);
            assertThat(got).as("%s", got).anyMatch(e -> e.kind() == EventKind.RENAMED
                    && e.name().equals(java.util.Optional.of(b)) && e.previousName().equals(java.util.Optional.of(a)));
            assertThat(got).noneMatch(e -> e.kind() == EventKind.REMOVED || e.kind() == EventKind.CREATED);
            sh("dmsetup remove " + b);
            // The subscription by the old name followed the rename.
            assertThat(collect(q, g -> count(g, EventKind.REMOVED, named(b)) == 1))
                    .anyMatch(e -> e.kind() == EventKind.REMOVED && named(b).test(e));
        }
    }

    /**
     * 200 devices created and removed by dmsetup as fast as it can: uevents see every one; the
     * lists see some, and mark where they could not see.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void devicesThatLiveBetweenTwoLooksAreSeenOrMarked(Mode mode) throws Exception {
        int n = 200;
        String prefix = name("burst" + mode + "-");
        Set<String> names = IntStream.range(0, n).mapToObj(i -> prefix + i).collect(Collectors.toSet());
        Predicate<DeviceEvent> ours = e -> e.name().map(names::contains).orElse(true);
        BlockingQueue<DeviceEvent> q = new LinkedBlockingQueue<>();
        try (EventMonitor monitor = EventMonitor.start(mode); AutoCloseable s = monitor.subscribe(q::add)) {
            long start = System.nanoTime();
            sh("for i in $(seq 0 " + (n - 1) + "); do dmsetup create " + prefix + "$i --table '0 8 zero';"
                    + " dmsetup remove " + prefix + "$i; done");
            long loopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            List<DeviceEvent> got = collect(q, g -> mode == Mode.UEVENT ? count(g, EventKind.REMOVED, ours) - implied(g) >= n
                    : g.stream().anyMatch(e -> e.kind() == EventKind.REMOVED && named(prefix + (n - 1)).test(e))
                            || dmsetupShowsNone(prefix));
            long created = count(got, EventKind.CREATED, ours);
            long removed = count(got, EventKind.REMOVED, ours);
            long named = count(got, EventKind.CREATED, e -> e.name().isPresent());
            System.out.printf("EventModesIT: %s mode, %d devices in %d ms: %d created, %d removed (%d named), "
                    + "%d markers%n", mode, n, loopMillis, created, removed, named,
                    count(got, EventKind.MAYBE_MISSED, e -> true));
            assertThat(got).noneMatch(e -> e.kind() == EventKind.RENAMED);
            assertThat(got).filteredOn(e -> e.kind() != EventKind.MAYBE_MISSED).allMatch(ours);
            if (mode == Mode.UEVENT) {
                // Every device is seen, named where its name could still be read (EventMonitor's
                // Javadoc): under load some are gone before that, and a look between dmsetup's
                // create and its table load turns the table into a removal plus an unnamed
                // creation ("implied" here), whose removal follows.
                long implied = implied(got);
                assertThat(created).as("%s", got).isEqualTo(n + implied);
                assertThat(removed).as("%s", got).isEqualTo(n + implied);
                assertThat(count(got, EventKind.CREATED, e -> e.name().isEmpty()))
                        .isEqualTo(count(got, EventKind.REMOVED, e -> e.name().isEmpty()));
                assertThat(got).noneMatch(e -> e.kind() == EventKind.MAYBE_MISSED);
                // Each device's creation comes before its removal.
                for (String d : names) {
                    int c = indexOf(got, EventKind.CREATED, d);
                    int r = indexOf(got, EventKind.REMOVED, d);
                    assertThat(c < 0 == r < 0 && c <= r).as(d + " in " + got).isTrue();
                }
            } else {
                assertThat(created).isLessThanOrEqualTo(n).isEqualTo(removed);
                assertThat(got.get(0).kind()).as("a look starts with its marker").isEqualTo(EventKind.MAYBE_MISSED);
            }
            assertThat(monitor.failure()).isEmpty();
        }
    }

    private static boolean dmsetupShowsNone(String prefix) {
        return !Commands.check("dmsetup", "ls").contains(prefix);
    }

    private static int indexOf(List<DeviceEvent> events, EventKind kind, String name) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).kind() == kind && events.get(i).name().filter(name::equals).isPresent()) {
                return i;
            }
        }
        return -1;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void closingStopsEitherModeWithin100Ms(Mode mode) throws Exception {
        EventMonitor monitor = EventMonitor.start(mode);
        Thread.sleep(200);
        assertThat(monitor.isRunning()).isTrue();
        long start = System.nanoTime();
        monitor.close();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(monitor.isRunning()).isFalse();
        assertThat(tookMillis).as("close() took %d ms", tookMillis).isLessThan(100);
    }
}
