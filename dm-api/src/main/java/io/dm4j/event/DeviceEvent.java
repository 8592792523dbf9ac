package io.dm4j.event;

import io.dm4j.DeviceNumber;
import java.util.Optional;

/**
 * A change the {@link EventMonitor} saw. Events coalesce: several kernel events between two
 * looks arrive as one, so a listener re-reads whatever state it cares about.
 *
 * @param kind what changed
 * @param name the device's name (its new name for {@link EventKind#RENAMED})
 * @param uuid its uuid, if it has one
 * @param device its block device number
 * @param eventNr its event counter after the change
 * @param previousName the old name, for {@link EventKind#RENAMED}
 */
public record DeviceEvent(EventKind kind, String name, Optional<String> uuid, DeviceNumber device, long eventNr,
        Optional<String> previousName) {}
