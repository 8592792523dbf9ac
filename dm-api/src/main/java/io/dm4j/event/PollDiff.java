package io.dm4j.event;

import io.dm4j.DeviceNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The honest difference between two device lists, keyed by device number. The kernel hands a
 * freed minor to the next device at once, so a device number alone proves nothing: a name change
 * is a rename only when both sightings are one block device, or carry one uuid
 * ({@link Seen#sameDevice}); when that cannot be shown it is a removal and a creation. Nothing is reported that the two lists do
 * not show; what they cannot show is the caller's {@link EventKind#MAYBE_MISSED} marker.
 */
final class PollDiff {
    private PollDiff() {}

    static List<DeviceEvent> diff(Map<DeviceNumber, Seen> before, Map<DeviceNumber, Seen> after) {
        List<DeviceEvent> events = new ArrayList<>();
        for (Map.Entry<DeviceNumber, Seen> b : before.entrySet()) {
            Seen now = after.get(b.getKey());
            if (now == null) {
                events.add(DeviceEvent.of(EventKind.REMOVED, b.getKey(), b.getValue(), OptionalLong.empty()));
            } else {
                compare(b.getKey(), b.getValue(), now, events);
            }
        }
        for (Map.Entry<DeviceNumber, Seen> a : after.entrySet()) {
            if (!before.containsKey(a.getKey())) {
                events.add(DeviceEvent.of(EventKind.CREATED, a.getKey(), a.getValue(), OptionalLong.empty()));
            }
        }
        return events;
    }

    /** One device number seen twice: the same device, or one removed and another created. */
    static void compare(DeviceNumber device, Seen old, Seen now, List<DeviceEvent> events) {
        // An unknown name that becomes known is learned, not renamed.
        boolean renamed = old.name().isPresent() && now.name().isPresent() && !old.name().equals(now.name());
        boolean same = old.sameDevice(now) || !renamed && !old.provablyNot(now);
        if (!same) {
            events.add(DeviceEvent.of(EventKind.REMOVED, device, old, OptionalLong.empty()));
            events.add(DeviceEvent.of(EventKind.CREATED, device, now, OptionalLong.empty()));
            return;
        }
        if (renamed) {
            events.add(DeviceEvent.renamed(device, now, old.name().orElse("?"), OptionalLong.empty()));
        }
        if (old.eventNr() != Seen.UNKNOWN && now.eventNr() > old.eventNr()) {
            events.add(DeviceEvent.of(EventKind.TABLE_EVENT, device, now, OptionalLong.empty()));
        }
    }
}
