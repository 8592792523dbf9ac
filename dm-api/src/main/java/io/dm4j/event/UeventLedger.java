package io.dm4j.event;

import io.dm4j.DeviceNumber;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * The monitor's books in {@link EventMonitor.Mode#UEVENT}: the kernel's block uevents, in their
 * order, say when a device's block device is added and removed and when it changes (a rename
 * sends one); a device list taken at a known point of that order says the names and event
 * counters. A device is known by its number and its block device's {@code DISKSEQ}, which is never
 * reused, so a remove followed by a create at the same minor is two devices, always.
 *
 * <p>A device that never had a table has no block device and so no uevents: those are followed
 * by the device lists alone, with {@link PollDiff}'s rules.
 */
final class UeventLedger {
    /** A uevent or a gap in the order, as the monitor drained them. */
    sealed interface Step permits Arrival, Gap {
        long seq();
    }

    /**
     * A device-mapper uevent and what sysfs said of the device when it arrived (its name, uuid
     * and diskseq, read as one), if anything.
     */
    record Arrival(Uevent uevent, Optional<Seen> sysfs) implements Step {
        @Override
        public long seq() {
            return uevent.seqnum();
        }
    }

    /** Sequence numbers that never arrived, from {@code first}; or a receive overflow. */
    record Gap(long seq, String detail) implements Step {}

    /** The kernel sends two remove uevents per device: the second is not news. */
    private static final int REMEMBERED_REMOVALS = 4096;

    private static final Comparator<DeviceNumber> BY_NUMBER =
            Comparator.comparingInt(DeviceNumber::major).thenComparingInt(DeviceNumber::minor);

    private final Map<DeviceNumber, Seen> known;
    private final Set<Long> removed = new LinkedHashSet<>();
    private final Set<DeviceNumber> removedNumbers = new HashSet<>();

    UeventLedger(Map<DeviceNumber, Seen> initial) {
        this.known = new HashMap<>(initial);
    }

    Map<DeviceNumber, Seen> known() {
        return Map.copyOf(known);
    }

    /**
     * One round: the steps up to the list's point in the uevent order, in order; then the list.
     *
     * @param steps every step whose sequence number is at most the kernel's sequence number read
     *     just before the list
     * @param list the device list, or null when there is none this round
     * @param unsettled devices touched by uevents that arrived while the list was taken: their
     *     entries may show them before or after, so the list is not used for them this round
     */
    List<DeviceEvent> round(List<Step> steps, Map<DeviceNumber, Seen> list, Set<DeviceNumber> unsettled) {
        List<DeviceEvent> events = new ArrayList<>();
        boolean gap = false;
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            if (step instanceof Gap g) {
                gap = true;
                events.add(DeviceEvent.maybeMissed(Optional.empty(), OptionalLong.of(g.seq()), g.detail()));
            } else if (step instanceof Arrival a) {
                apply(a, resolve(steps, i, list, unsettled), events);
            }
        }
        if (list != null) {
            reconcile(list, unsettled, gap, events);
        }
        return events;
    }

    /**
     * What the device of the uevent at {@code i} is called: the list's entry when the list is
     * known to show this very device (settled, and no later add or remove of that number before
     * the list), else what sysfs said on arrival, else unknown. Nothing is guessed.
     */
    private static Optional<Seen> resolve(List<Step> steps, int i, Map<DeviceNumber, Seen> list,
            Set<DeviceNumber> unsettled) {
        Arrival a = (Arrival) steps.get(i);
        DeviceNumber d = a.uevent().device();
        long diskseq = a.uevent().diskseq();
        boolean survives = true;
        for (int j = i + 1; j < steps.size() && survives; j++) {
            if (steps.get(j) instanceof Arrival later && later.uevent().device().equals(d)
                    && !"change".equals(later.uevent().action())) {
                survives = false;
            }
        }
        if (survives && list != null && !unsettled.contains(d) && list.containsKey(d)) {
            return Optional.of(list.get(d).withDiskseq(diskseq));
        }
        return a.sysfs().filter(s -> diskseq == 0 || s.diskseq() == diskseq);
    }

    private void apply(Arrival a, Optional<Seen> resolved, List<DeviceEvent> events) {
        Uevent u = a.uevent();
        DeviceNumber d = u.device();
        long diskseq = u.diskseq();
        OptionalLong seq = OptionalLong.of(u.seqnum());
        Seen k = known.get(d);
        Seen unknown = new Seen(Optional.empty(), Optional.empty(), Seen.UNKNOWN, diskseq);
        switch (u.action()) {
            case "add" -> {
                removedNumbers.remove(d);
                Seen now = resolved.orElse(unknown).withDiskseq(diskseq);
                if (k != null && k.diskseq() == diskseq && diskseq != 0) {
                    return; // already reported, from a list taken after the add
                }
                boolean sameName = k != null && now.name().isPresent() && now.name().equals(k.name());
                if (k != null && k.diskseq() == 0 && (sameName && !k.provablyNot(now) || k.sameDevice(now))) {
                    // A device we knew without a table got its first one (and, by its uuid, was
                    // perhaps renamed since). Without its name or uuid to show it, it may as well
                    // be another: a device without a table leaves no trace when removed. Then it
                    // is a removal and a creation.
                    Seen adopted = new Seen(now.name().or(k::name), now.uuid().or(k::uuid),
                            Math.max(now.eventNr(), k.eventNr()), diskseq);
                    known.put(d, adopted);
                    if (!sameName && now.name().isPresent()) {
                        events.add(DeviceEvent.renamed(d, adopted, k.name().orElse("?"), seq));
                    }
                    return;
                }
                if (k != null) {
                    events.add(DeviceEvent.of(EventKind.REMOVED, d, k, seq));
                }
                known.put(d, now);
                events.add(DeviceEvent.of(EventKind.CREATED, d, now, seq));
            }
            case "remove" -> {
                if (diskseq != 0 ? removed.contains(diskseq) : k == null && removedNumbers.contains(d)) {
                    return;
                }
                remember(diskseq, d);
                if (k != null && (k.diskseq() == diskseq || k.diskseq() == 0)) {
                    known.remove(d);
                    events.add(DeviceEvent.of(EventKind.REMOVED, d, k, seq));
                } else {
                    // A device whose add this monitor never saw (a gap said so).
                    events.add(DeviceEvent.of(EventKind.REMOVED, d, unknown, seq));
                }
            }
            case "change" -> {
                if (k == null || k.diskseq() != diskseq || resolved.isEmpty()) {
                    return;
                }
                Seen now = resolved.get();
                Seen merged = new Seen(now.name().or(k::name), now.uuid().or(k::uuid), k.eventNr(), diskseq);
                known.put(d, merged);
                if (k.name().isPresent() && now.name().isPresent() && !k.name().equals(now.name())) {
                    events.add(DeviceEvent.renamed(d, merged, k.name().get(), seq));
                }
            }
            default -> {
                // other actions (bind, online, ...) change nothing device-mapper reports
            }
        }
    }

    /**
     * The kernel sends two remove uevents; without DISKSEQ (before Linux 5.15) the number tells
     * them apart, until the next add there.
     */
    private void remember(long diskseq, DeviceNumber d) {
        removedNumbers.add(d);
        if (diskseq == 0) {
            return;
        }
        removed.add(diskseq);
        if (removed.size() > REMEMBERED_REMOVALS) {
            removed.remove(removed.iterator().next());
        }
    }

    /**
     * The list against the books: devices without a block device come and go here; event
     * counters move here; a device with a block device is removed here only after lost uevents.
     */
    private void reconcile(Map<DeviceNumber, Seen> list, Set<DeviceNumber> unsettled, boolean afterGap,
            List<DeviceEvent> events) {
        Set<DeviceNumber> all = new TreeSet<>(BY_NUMBER);
        all.addAll(known.keySet());
        all.addAll(list.keySet());
        for (DeviceNumber d : all) {
            if (unsettled.contains(d)) {
                continue;
            }
            Seen k = known.get(d);
            Seen now = list.get(d);
            if (k == null) {
                known.put(d, now);
                events.add(DeviceEvent.of(EventKind.CREATED, d, now, OptionalLong.empty()));
            } else if (now == null) {
                // The kernel unlists a device before it numbers its remove uevent, which will come;
                // unless uevents were lost (a gap says so), and then the list is all there is.
                if (k.diskseq() != 0 && !afterGap) {
                    continue;
                }
                remember(k.diskseq(), d);
                known.remove(d);
                events.add(DeviceEvent.of(EventKind.REMOVED, d, k, OptionalLong.empty()));
            } else {
                // Without lost uevents, the block device at this number is still k's.
                Seen listed = afterGap ? now : now.withDiskseq(k.diskseq());
                List<DeviceEvent> found = new ArrayList<>();
                PollDiff.compare(d, k, listed, found);
                events.addAll(found);
                known.put(d, found.stream().anyMatch(e -> e.kind() == EventKind.REMOVED) ? now
                        : new Seen(listed.name(), listed.uuid(), listed.eventNr(), k.diskseq()));
            }
        }
    }
}
