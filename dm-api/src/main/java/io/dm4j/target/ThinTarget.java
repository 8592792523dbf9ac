package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code thin}: a thin volume of a pool. The volume must exist in the pool first (the pool's
 * {@code create_thin} or {@code create_snap} message).
 *
 * @param pool the thin-pool device
 * @param deviceId the volume's id in the pool, 0..2^24-1
 * @param externalOrigin a read-only device that provides the blocks never written
 */
public record ThinTarget(DeviceNumber pool, long deviceId, Optional<DeviceNumber> externalOrigin) implements Target {
    static final String TYPE = "thin";

    /** Checks the fields. */
    public ThinTarget {
        Objects.requireNonNull(pool, "pool");
        Checks.range(TYPE, "device id", deviceId, 0, (1 << 24) - 1);
        Objects.requireNonNull(externalOrigin, "externalOrigin");
    }

    /** A volume without an external origin. */
    public ThinTarget(DeviceNumber pool, long deviceId) {
        this(pool, deviceId, Optional.empty());
    }

    static ThinTarget parse(Args args) {
        DeviceNumber pool = args.device("pool device");
        long id = args.number("device id");
        return new ThinTarget(pool, id, args.hasMore() ? Optional.of(args.device("external origin")) : Optional.empty());
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        return pool + " " + deviceId + externalOrigin.map(o -> " " + o).orElse("");
    }
}
