package io.dm4j.message;

import java.util.Locale;

/** Messages of a {@code writecache} target ({@code writecache_message()} in {@code dm-writecache.c}). */
public enum WritecacheMessage implements TargetMessage {
    /**
     * {@code flush}: commits the cache and writes every block back to the origin, returning when
     * done; {@code EBUSY} while suspended, {@code EIO} after an error.
     */
    FLUSH,
    /** {@code flush_on_suspend}: a suspend writes everything back first (until the next table load). */
    FLUSH_ON_SUSPEND,
    /** {@code cleaner}: writes everything back and caches no new writes, ready to remove the cache. */
    CLEANER,
    /** {@code clear_stats}: zeroes the counters of the status. */
    CLEAR_STATS;

    @Override
    public String targetType() {
        return "writecache";
    }

    @Override
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
