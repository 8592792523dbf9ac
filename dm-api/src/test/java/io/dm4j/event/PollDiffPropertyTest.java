package io.dm4j.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DeviceNumber;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The poll mode's diff over random histories with minors reused at once: every event it reports
 * happened. It may not see everything (its caller marks each look), but a rename is claimed only
 * for one device, a creation only for a device that appeared under that name, and so on.
 */
class PollDiffPropertyTest {

    /** One look: which identity sits at each number, and what the list showed of it. */
    private record Look(int time, Map<DeviceNumber, Integer> ids, Map<DeviceNumber, Seen> seen) {}

    @Property(tries = 400)
    void neverReportsAnEventThatDidNotHappen(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int maxGap,
            @ForAll boolean sysfs) {
        World w = new World(seed);
        Look before = new Look(0, w.identities(), w.list(sysfs));
        for (int i = 0; i < 60; i++) {
            int ops = w.random.nextInt(maxGap + 1);
            for (int k = 0; k < ops; k++) {
                w.step();
            }
            Look after = new Look(w.time, w.identities(), w.list(sysfs));
            List<DeviceEvent> events = PollDiff.diff(before.seen(), after.seen());
            for (DeviceEvent e : events) {
                assertThat(happened(w, before, after, e)).as("%s after %s, with %s", e, w.log, events).isTrue();
            }
            assertComplete(w, before, after, events, sysfs);
            before = after;
        }
    }

    private static boolean inWindow(int time, Look a, Look b) {
        return time > a.time() && time <= b.time();
    }

    private static boolean renamedIn(World.Dev d, Look a, Look b) {
        return d.renamedAt.stream().anyMatch(t -> inWindow(t, a, b));
    }

    private static boolean happened(World w, Look a, Look b, DeviceEvent e) {
        DeviceNumber n = e.device().orElseThrow();
        Integer was = a.ids().get(n);
        Integer is = b.ids().get(n);
        return switch (e.kind()) {
            case REMOVED -> was != null && a.seen().get(n).name().equals(e.name())
                    && (inWindow(w.byId(was).removedAt, a, b) || renamedIn(w.byId(was), a, b));
            case CREATED -> is != null && b.seen().get(n).name().equals(e.name())
                    && (inWindow(w.byId(is).createdAt, a, b) || renamedIn(w.byId(is), a, b));
            case RENAMED -> was != null && was.equals(is) && a.seen().get(n).name().equals(e.previousName())
                    && b.seen().get(n).name().equals(e.name());
            case TABLE_EVENT -> is != null && b.seen().get(n).name().equals(e.name())
                    && e.eventNr() == b.seen().get(n).eventNr()
                    && e.eventNr() > (is.equals(was) ? a.seen().get(n).eventNr() : 0);
            case MAYBE_MISSED -> false;
        };
    }

    /** What the lists prove must be reported: a device untouched is silent; a proven rename is a rename. */
    private static void assertComplete(World w, Look a, Look b, List<DeviceEvent> events, boolean sysfs) {
        for (Map.Entry<DeviceNumber, Integer> e : a.ids().entrySet()) {
            Integer is = b.ids().get(e.getKey());
            if (!e.getValue().equals(is)) {
                continue;
            }
            Seen was = a.seen().get(e.getKey());
            Seen now = b.seen().get(e.getKey());
            List<EventKind> about = events.stream().filter(x -> x.device().orElseThrow().equals(e.getKey()))
                    .map(DeviceEvent::kind).toList();
            if (was.equals(now)) {
                assertThat(about).as("untouched %s", now).isEmpty();
            } else if (sysfs && was.diskseq() != 0 && !was.name().equals(now.name())) {
                assertThat(about).as("proven rename %s -> %s", was, now).contains(EventKind.RENAMED);
            }
        }
    }
}
