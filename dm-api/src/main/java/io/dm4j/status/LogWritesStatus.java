package io.dm4j.status;

/**
 * The status of a {@code log-writes} target, printed by {@code log_writes_status()} in
 * {@code dm-log-writes.c}.
 *
 * @param loggedEntries log entries written
 * @param highestLogSector the last sector of the log device in use
 * @param loggingEnabled false once logging stopped, e.g. after the log device filled up
 */
public record LogWritesStatus(long loggedEntries, long highestLogSector, boolean loggingEnabled)
        implements StatusReport {

    /** The kernel's target type name. */
    public static final String TYPE = "log-writes";

    /** Checks the fields. */
    public LogWritesStatus {
        Checks.notNegative("logged entries", loggedEntries);
        Checks.notNegative("highest log sector", highestLogSector);
    }

    /**
     * Parses the status text of a log-writes target.
     *
     * @throws StatusParseException if the text does not have the log-writes form
     */
    public static LogWritesStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        long entries = t.number("logged entries");
        long highest = t.number("highest log sector");
        boolean enabled = true;
        if (t.hasNext()) {
            String word = t.word("logging");
            if (!word.equals("logging_disabled")) {
                throw t.error("logging", "'" + word + "' is not logging_disabled");
            }
            enabled = false;
        }
        boolean logging = enabled;
        return t.build(() -> new LogWritesStatus(entries, highest, logging));
    }

    @Override
    public String type() {
        return TYPE;
    }
}
