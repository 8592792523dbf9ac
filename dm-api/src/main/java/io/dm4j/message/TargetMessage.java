package io.dm4j.message;

import io.dm4j.DeviceMapper;
import io.dm4j.InvalidArgumentException;
import io.dm4j.TableSlot;
import io.dm4j.TargetStatus;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A message a target takes through {@code DM_TARGET_MSG}: checked when built, formatted as the
 * kernel parses it ({@link #text()}), and sent with {@link #send}. None of these messages returns
 * data on Linux 6.1 (the kernel sets no {@code DM_DATA_OUT_FLAG}); a reply, should a kernel give
 * one, comes back as text. device-mapper's own statistics messages do answer: {@link DeviceStats}
 * parses their replies.
 *
 * <pre>{@code
 * ThinPoolMessage.createThin(1).send(dm, "pool");
 * RaidMessage.CHECK.send(dm, "mirror0");
 * }</pre>
 */
public sealed interface TargetMessage
        permits ThinPoolMessage, RaidMessage, MultipathMessage, WritecacheMessage, EraMessage, CacheMessage {

    /** The target type that takes this message, e.g. {@code thin-pool}. */
    String targetType();

    /** The message as the kernel parses it, e.g. {@code create_thin 1}. */
    String text();

    /** Sends the message to the target at sector 0 of {@code device}. */
    default Optional<String> send(DeviceMapper dm, String device) throws IOException {
        return send(dm, device, 0);
    }

    /**
     * Sends the message to the target that maps {@code sector} of {@code device}'s live table.
     * First checks, with a status query that commits nothing, that this target has the type the
     * message is for: a mismatch raises {@link InvalidArgumentException} and sends nothing.
     *
     * @return the target's reply, if it gave one
     * @throws io.dm4j.DeviceMapperException if the kernel rejects the message; its log says why
     */
    default Optional<String> send(DeviceMapper dm, String device, long sector) throws IOException {
        List<TargetStatus> live = dm.status(device, TableSlot.LIVE, true);
        TargetStatus target = live.stream()
                .filter(t -> sector >= t.start() && sector - t.start() < t.length())
                .findFirst()
                .orElseThrow(() -> new InvalidArgumentException("sector", "no target of " + device
                        + "'s live table maps sector " + sector + (live.isEmpty() ? " (it has no live table)" : "")));
        if (!target.type().equals(targetType())) {
            throw new InvalidArgumentException("message", "'" + text() + "' is for a " + targetType()
                    + " target, but sector " + sector + " of " + device + " is mapped by " + target.type());
        }
        return dm.message(device, sector, text());
    }
}
