package io.dm4j.event;

import io.dm4j.DeviceNumber;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Something the {@link EventMonitor} saw happen to a device, or a {@link EventKind#MAYBE_MISSED}
 * marker. Table events coalesce (several between two looks arrive as one), so a listener re-reads
 * whatever state it cares about.
 *
 * @param kind what happened
 * @param name the device's name (its new name for {@link EventKind#RENAMED}); empty when the
 *     monitor could not learn it (a device that came and went before its name could be read) or
 *     for a {@link EventKind#MAYBE_MISSED} marker. Never guessed.
 * @param uuid its uuid, if it has one and the monitor learned it
 * @param device its block device number; empty only for a marker that concerns no one device
 * @param eventNr its event counter as last seen, 0 if not known
 * @param previousName the old name, for {@link EventKind#RENAMED}
 * @param sequence the kernel's uevent sequence number ({@code SEQNUM}) of the uevent that told of
 *     it, in {@link EventMonitor.Mode#UEVENT}; for a {@link EventKind#MAYBE_MISSED} marker the
 *     first number that may be missing. Empty when a device list told of it.
 * @param detail for {@link EventKind#MAYBE_MISSED}, why events may be missing; otherwise empty
 */
public record DeviceEvent(EventKind kind, Optional<String> name, Optional<String> uuid, Optional<DeviceNumber> device,
        long eventNr, Optional<String> previousName, OptionalLong sequence, String detail) {

    /** Checks that no component is null. */
    public DeviceEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(previousName, "previousName");
        Objects.requireNonNull(sequence, "sequence");
        Objects.requireNonNull(detail, "detail");
    }

    static DeviceEvent of(EventKind kind, DeviceNumber device, Seen seen, OptionalLong sequence) {
        return new DeviceEvent(kind, seen.name(), seen.uuid(), Optional.of(device), Math.max(0, seen.eventNr()),
                Optional.empty(), sequence, "");
    }

    static DeviceEvent renamed(DeviceNumber device, Seen now, String previous, OptionalLong sequence) {
        return new DeviceEvent(EventKind.RENAMED, now.name(), now.uuid(), Optional.of(device), Math.max(0, now.eventNr()),
                Optional.of(previous), sequence, "");
    }

    static DeviceEvent maybeMissed(Optional<DeviceNumber> device, OptionalLong sequence, String detail) {
        return new DeviceEvent(EventKind.MAYBE_MISSED, Optional.empty(), Optional.empty(), device, 0, Optional.empty(),
                sequence, detail);
    }

    @Override
    public String toString() {
        String who = kind == EventKind.MAYBE_MISSED ? "" : " " + name.orElse("(name unknown)");
        return kind + who + device.map(d -> " (" + d + ")").orElse("")
                + previousName.map(p -> " was " + p).orElse("") + (eventNr != 0 ? " event " + eventNr : "")
                + (sequence.isPresent() ? " seq " + sequence.getAsLong() : "") + (detail.isEmpty() ? "" : ": " + detail);
    }
}
