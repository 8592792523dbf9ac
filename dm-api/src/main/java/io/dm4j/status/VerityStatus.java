package io.dm4j.status;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The status of a {@code verity} target, printed by {@code verity_status()} in
 * {@code dm-verity-target.c}: {@code V} or {@code C}. Kernels newer than 6.1 may add the count of
 * blocks forward error correction repaired, or {@code -} without FEC.
 *
 * @param corrupted true ({@code C}) once any block failed verification, false ({@code V}) while
 *     every check so far passed
 * @param fecCorrected blocks repaired by forward error correction, where the kernel reports it
 */
public record VerityStatus(boolean corrupted, OptionalLong fecCorrected) implements StatusReport {

    /** The kernel's target type name. */
    public static final String TYPE = "verity";

    /** Checks the fields. */
    public VerityStatus {
        Objects.requireNonNull(fecCorrected, "fecCorrected");
    }

    /**
     * Parses the status text of a verity target.
     *
     * @throws StatusParseException if the text does not have the verity form
     */
    public static VerityStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        boolean corrupted = t.either("verification", "C", "V");
        OptionalLong fec = t.hasNext() ? t.numberOrDash("FEC corrected blocks") : OptionalLong.empty();
        return t.build(() -> new VerityStatus(corrupted, fec));
    }

    @Override
    public String type() {
        return TYPE;
    }
}
