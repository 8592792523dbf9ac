package io.dm4j.status;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The status of an {@code integrity} target, printed by {@code dm_integrity_status()} in
 * {@code dm-integrity.c}.
 *
 * @param mismatches integrity checks that failed since the table was loaded
 * @param providedDataSectors sectors the device offers to its user (the device minus metadata)
 * @param recalculatingSector how far tag recalculation has come, while it runs
 */
public record IntegrityStatus(long mismatches, long providedDataSectors, OptionalLong recalculatingSector)
        implements StatusReport {

    /** The kernel's target type name. */
    public static final String TYPE = "integrity";

    /** Checks the fields for consistency. */
    public IntegrityStatus {
        Objects.requireNonNull(recalculatingSector, "recalculatingSector");
        Checks.notNegative("mismatches", mismatches);
        Checks.notNegative("provided data sectors", providedDataSectors);
    }

    /**
     * Parses the status text of an integrity target.
     *
     * @throws StatusParseException if the text does not have the integrity form
     */
    public static IntegrityStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        long mismatches = t.number("mismatches");
        long provided = t.number("provided data sectors");
        OptionalLong recalculating = t.numberOrDash("recalculating sector");
        return t.build(() -> new IntegrityStatus(mismatches, provided, recalculating));
    }

    @Override
    public String type() {
        return TYPE;
    }
}
