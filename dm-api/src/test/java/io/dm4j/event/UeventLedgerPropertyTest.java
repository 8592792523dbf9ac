package io.dm4j.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DeviceNumber;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The uevent mode's books over random histories with minors reused at once: a device announced by
 * the kernel (it had a table) is created and removed exactly once each, in order, under its own
 * name or none; nothing is claimed of a device that did not happen to it. (A device without a
 * table has no uevents: {@link PollDiffPropertyTest} covers how lists follow it.)
 */
class UeventLedgerPropertyTest {

    /** An event and the identity it is about, as the model knows it. */
    private record Told(DeviceEvent event, int id) {}

    @Property(tries = 400)
    void announcedDevicesAreReportedExactlyAndNothingIsInvented(@ForAll long seed,
            @ForAll @IntRange(min = 0, max = 8) int maxGap, @ForAll boolean sysfsReadable) {
        World w = new World(seed);
        for (int i = 0; i < 4; i++) {
            w.create(true);
        }
        UeventLedger ledger = new UeventLedger(w.list(true));
        Map<Long, Integer> bySeq = new HashMap<>();
        Map<Long, String> actions = new HashMap<>();
        List<Told> told = new ArrayList<>();
        int drained = 0;
        List<Integer> rounds = new ArrayList<>();
        for (int round = 0; round < 52; round++) {
            int ops = round < 50 ? w.random.nextInt(maxGap + 1) : 0;
            for (int k = 0; k < ops; k++) {
                w.step();
            }
            // Sometimes a look falls between a device's unlisting and its remove uevents.
            if (round >= 50 || w.random.nextBoolean()) {
                w.finishRemovals();
            }
            List<UeventLedger.Step> steps = new ArrayList<>();
            for (; drained < w.uevents.size(); drained++) {
                Uevent u = w.uevents.get(drained);
                if (u.isDeviceMapper()) {
                    bySeq.put(u.seqnum(), w.all.stream().filter(d -> d.diskseq == u.diskseq()).findFirst()
                            .orElseThrow().id);
                    actions.put(u.seqnum(), u.action());
                    steps.add(new UeventLedger.Arrival(u, sysfsReadable ? w.sysfs(u) : Optional.empty()));
                }
            }
            rounds.add(w.time);
            Map<DeviceNumber, Integer> ids = w.identities();
            for (DeviceEvent e : ledger.round(steps, w.list(false), Set.of())) {
                // A removal that an add implied (the add's device took the number) is not the add's device's.
                boolean implied = e.kind() == EventKind.REMOVED && e.sequence().isPresent()
                        && !"remove".equals(actions.get(e.sequence().getAsLong()));
                int id = implied ? -1 : e.sequence().isPresent() ? bySeq.get(e.sequence().getAsLong())
                        : e.kind() == EventKind.REMOVED ? -1 : ids.get(e.device().orElseThrow());
                told.add(new Told(e, id));
            }
        }
        assertThat(told).as("%s", w.log).noneMatch(t -> t.event().kind() == EventKind.MAYBE_MISSED);
        for (World.Dev d : w.all) {
            List<DeviceEvent> about = told.stream().filter(t -> t.id() == d.id).map(Told::event).toList();
            String why = d.id + " " + d.names + " in " + told + " after " + w.log;
            for (DeviceEvent e : about) {
                assertThat(e.name().map(d.names::contains).orElse(true)).as(why).isTrue();
                assertThat(e.device()).as(why).contains(d.number());
                if (e.kind() == EventKind.RENAMED) {
                    assertThat(d.renamedAt).as(why).isNotEmpty();
                }
            }
            long created = about.stream().filter(e -> e.kind() == EventKind.CREATED).count();
            long removed = about.stream().filter(e -> e.kind() == EventKind.REMOVED).count();
            if (d.bornWithTable && d.createdAt > 0 && !replacedUnseen(w, d, rounds)) {
                assertThat(created).as(why).isEqualTo(1);
                assertThat(removed).as(why).isEqualTo(d.alive ? 0 : 1);
                List<EventKind> kinds = about.stream().map(DeviceEvent::kind).toList();
                assertThat(kinds.indexOf(EventKind.CREATED)).as(why).isZero();
            } else {
                // Without a block device nothing proves a renamed device the same, nor one that got
                // its table and went before its name could be read: each may read as a removal and
                // a creation.
                assertThat(created).as(why).isLessThanOrEqualTo(2 + d.renamedAt.size());
            }
        }
    }

    /**
     * The one thing the books cannot tell: a device without a table removed (which leaves no
     * trace) and one of the same name made at its minor with a table before the next look reads as
     * the first getting its table. The monitor's Javadoc says so.
     */
    private static boolean replacedUnseen(World w, World.Dev d, List<Integer> rounds) {
        int lookBefore = rounds.stream().filter(t -> t < d.createdAt).max(Integer::compare).orElse(0);
        return w.all.stream().anyMatch(o -> o != d && o.minor == d.minor && !o.hasDisk && o.removedAt > lookBefore
                && o.removedAt <= d.createdAt && d.names.contains(o.name));
    }
}
