package io.dm4j.status;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The status of a {@code thin} target: how much of it is mapped ({@link Working}), or {@code Fail},
 * {@code Error} or {@code -} ({@link TargetFailure}). Printed by {@code thin_status()} in
 * {@code dm-thin.c}.
 */
public sealed interface ThinStatus extends StatusReport permits ThinStatus.Working, TargetFailure {

    /** The kernel's target type name. */
    String TYPE = "thin";

    /**
     * Parses the status text of a thin target.
     *
     * @throws StatusParseException if the text has neither the working form nor a failure word
     */
    static ThinStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        TargetFailure failure = TargetFailure.of(TYPE, t, TargetFailure.Kind.FAIL, TargetFailure.Kind.ERROR,
                TargetFailure.Kind.UNAVAILABLE);
        if (failure != null) {
            return failure;
        }
        long mapped = t.number("mapped sectors");
        OptionalLong highest = t.numberOrDash("highest mapped sector");
        return t.build(() -> new Working(mapped, highest));
    }

    /**
     * A thin volume that reports its mapping. Both numbers are in 512-byte sectors, in whole pool
     * blocks.
     *
     * @param mappedSectors sectors backed by pool blocks
     * @param highestMappedSector the last sector of the highest mapped block, if any block is mapped
     */
    record Working(long mappedSectors, OptionalLong highestMappedSector) implements ThinStatus {

        /** Checks the fields for consistency. */
        public Working {
            Objects.requireNonNull(highestMappedSector, "highestMappedSector");
            Checks.notNegative("mapped sectors", mappedSectors);
        }

        @Override
        public String type() {
            return TYPE;
        }
    }
}
