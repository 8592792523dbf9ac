package io.dm4j.event;

import io.dm4j.internal.ioctl.DmIoctl;
import java.nio.ByteBuffer;

/**
 * Breaks dm-api's layout rules on purpose, for {@code ArchitectureTest} to show that they bite: a
 * public class of an API package whose public method uses the ioctl codec and shows its type.
 */
public final class LeakingApiFixture {
    private LeakingApiFixture() {}

    /** A reply's header, decoded by the internal codec and handed out as it is. */
    public static DmIoctl.Header header(ByteBuffer reply) {
        return DmIoctl.readHeader(reply);
    }
}
