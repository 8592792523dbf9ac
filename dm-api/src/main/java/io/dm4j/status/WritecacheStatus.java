package io.dm4j.status;

import java.util.Objects;
import java.util.Optional;

/**
 * The status of a {@code writecache} target, printed by {@code writecache_status()} in
 * {@code dm-writecache.c}. Newer kernels (6.1 among them) print ten I/O counters
 * ({@link Statistics}) after the four original fields; older ones print the four only.
 *
 * @param error 0, or the negative errno of the error that stopped the cache
 * @param totalBlocks cache blocks on the cache device
 * @param freeBlocks cache blocks holding no data
 * @param writebackBlocks blocks being written back to the origin now
 * @param statistics the counters, if the kernel prints them
 */
public record WritecacheStatus(long error, long totalBlocks, long freeBlocks, long writebackBlocks,
        Optional<Statistics> statistics) implements StatusReport {

    /** The kernel's target type name. */
    public static final String TYPE = "writecache";

    /** Checks the fields for consistency. */
    public WritecacheStatus {
        Objects.requireNonNull(statistics, "statistics");
        Checks.usage("free blocks", freeBlocks, totalBlocks);
        Checks.usage("writeback blocks", writebackBlocks, totalBlocks);
    }

    /**
     * Parses the status text of a writecache target.
     *
     * @throws StatusParseException if the text does not have the writecache form
     */
    public static WritecacheStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        long error = t.signedNumber("error");
        long total = t.number("total blocks");
        long free = t.number("free blocks");
        long writeback = t.number("writeback blocks");
        Optional<Statistics> statistics = Optional.empty();
        if (t.hasNext()) {
            statistics = Optional.of(new Statistics(t.number("reads"), t.number("read hits"), t.number("writes"),
                    t.number("uncommitted write hits"), t.number("committed write hits"), t.number("writes around"),
                    t.number("writes allocated"), t.number("writes blocked on the freelist"), t.number("flushes"),
                    t.number("discards")));
        }
        Optional<Statistics> s = statistics;
        return t.build(() -> new WritecacheStatus(error, total, free, writeback, s));
    }

    /** True if an I/O error stopped the cache: it fails every write until it is reloaded. */
    public boolean failed() {
        return error != 0;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * The I/O counters, since the table was loaded or {@code clear_stats}. Counts are of blocks.
     *
     * @param reads blocks read
     * @param readHits blocks read from the cache
     * @param writes blocks written
     * @param writeHitsUncommitted writes to a block that was in the cache, not yet committed
     * @param writeHitsCommitted writes to a block that was in the cache, committed
     * @param writesAround writes that bypassed the cache
     * @param writesAllocate writes that allocated a cache block
     * @param writesBlockedOnFreelist writes that waited for a free block
     * @param flushes flush requests
     * @param discards discarded blocks
     */
    public record Statistics(long reads, long readHits, long writes, long writeHitsUncommitted,
            long writeHitsCommitted, long writesAround, long writesAllocate, long writesBlockedOnFreelist,
            long flushes, long discards) {}
}
