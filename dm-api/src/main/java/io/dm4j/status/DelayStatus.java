package io.dm4j.status;

/**
 * The status of a {@code delay} target, printed by {@code delay_status()} in {@code dm-delay.c}:
 * the bios held back now, per class.
 *
 * @param delayedReads reads waiting for their delay to pass
 * @param delayedWrites writes waiting
 * @param delayedFlushes flushes waiting (the third class of a 9-argument table; else counted with
 *     writes)
 */
public record DelayStatus(long delayedReads, long delayedWrites, long delayedFlushes) implements StatusReport {

    /** The kernel's target type name. */
    public static final String TYPE = "delay";

    /** Checks the fields. */
    public DelayStatus {
        Checks.notNegative("delayed reads", delayedReads);
        Checks.notNegative("delayed writes", delayedWrites);
        Checks.notNegative("delayed flushes", delayedFlushes);
    }

    /**
     * Parses the status text of a delay target.
     *
     * @throws StatusParseException if the text does not have the delay form
     */
    public static DelayStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        long reads = t.number("delayed reads");
        long writes = t.number("delayed writes");
        long flushes = t.number("delayed flushes");
        return t.build(() -> new DelayStatus(reads, writes, flushes));
    }

    @Override
    public String type() {
        return TYPE;
    }
}
