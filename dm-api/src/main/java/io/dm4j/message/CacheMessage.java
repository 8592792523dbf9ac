package io.dm4j.message;

/**
 * Messages of a {@code cache} target ({@code cache_message()} in {@code dm-cache-target.c}). A
 * cache whose metadata is read-only or failed refuses them ({@code EOPNOTSUPP}). Switching to the
 * {@code cleaner} policy is a table reload, not a message.
 */
public sealed interface CacheMessage extends TargetMessage {

    @Override
    default String targetType() {
        return "cache";
    }

    /** {@code migration_threshold <sectors>}: how much data the cache may migrate at a time. */
    static CacheMessage migrationThreshold(long sectors) {
        return new MigrationThreshold(sectors);
    }

    /** @param sectors the threshold, in 512-byte sectors */
    record MigrationThreshold(long sectors) implements CacheMessage {
        /** Checks the threshold. */
        public MigrationThreshold {
            Args.range("migration threshold", sectors, 0, Long.MAX_VALUE);
        }

        @Override
        public String text() {
            return "migration_threshold " + sectors;
        }
    }
}
