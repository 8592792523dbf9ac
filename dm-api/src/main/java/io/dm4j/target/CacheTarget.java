package io.dm4j.target;

import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.InvalidTableException;
import io.dm4j.TableSlot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * {@code cache}: caches an origin device's hot blocks on a faster cache device (dm-cache). The
 * kernel reports back the arguments after the three devices exactly as the table gave them, so the
 * features keep their order here.
 *
 * @param metadata the metadata device
 * @param cache the cache device
 * @param origin the slow device
 * @param blockSize the cache block size: a multiple of 64 sectors (32 KiB), 64..2097152
 * @param features optional features, in the order given; at most one I/O mode
 * @param policy the cache policy: {@link #SMQ}, {@link #CLEANER}, {@code mq} or another loaded one
 * @param policyArgs the policy's key/value arguments, e.g. {@code migration_threshold 2048}
 */
public record CacheTarget(DeviceNumber metadata, DeviceNumber cache, DeviceNumber origin, Sectors blockSize,
        List<Feature> features, String policy, List<String> policyArgs) implements Target {
    static final String TYPE = "cache";

    /** The default policy, stochastic multiqueue. */
    public static final String SMQ = "smq";
    /** The policy that writes every dirty block back and caches nothing new. */
    public static final String CLEANER = "cleaner";

    private static final EnumSet<Feature> IO_MODES = EnumSet.of(Feature.WRITEBACK, Feature.WRITETHROUGH,
            Feature.PASSTHROUGH);

    /** Cache features. */
    public enum Feature {
        /** {@code metadata2}: the version 2 metadata format. */
        METADATA2,
        /** {@code writeback}: writes go to the cache only (the default I/O mode). */
        WRITEBACK,
        /** {@code writethrough}: writes go to both. */
        WRITETHROUGH,
        /** {@code passthrough}: all I/O goes to the origin. */
        PASSTHROUGH,
        /** {@code no_discard_passdown}: discards do not reach the origin. */
        NO_DISCARD_PASSDOWN;
    }

    /** Checks the fields and the kernel's rules between them. */
    public CacheTarget {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(origin, "origin");
        Checks.rule(blockSize.count() >= 64 && blockSize.count() <= 2097152 && blockSize.count() % 64 == 0, TYPE,
                "block size", "must be a multiple of 64 sectors within 64..2097152, got " + blockSize.count());
        features = List.copyOf(features);
        Checks.rule(new java.util.HashSet<>(features).size() == features.size(), TYPE, "features", "must not repeat");
        Checks.rule(features.stream().filter(IO_MODES::contains).count() <= 1, TYPE, "features",
                "may name at most one of writeback, writethrough, passthrough");
        Checks.word(TYPE, "policy", policy);
        policyArgs = List.copyOf(policyArgs);
        Checks.rule(policyArgs.size() % 2 == 0, TYPE, "policy arguments", "must be key/value pairs, got "
                + policyArgs.size() + " words");
        for (String a : policyArgs) {
            Checks.word(TYPE, "policy argument", a);
        }
    }

    /** A cache with these features and the default {@code smq} policy. */
    public static CacheTarget of(DeviceNumber metadata, DeviceNumber cache, DeviceNumber origin, Sectors blockSize,
            Feature... features) {
        return new CacheTarget(metadata, cache, origin, blockSize, List.of(features), SMQ, List.of());
    }

    /**
     * The same cache with the {@code cleaner} policy, which writes every dirty block back to the
     * origin; once the status shows no dirty blocks, the cache can be removed without data loss.
     */
    public CacheTarget withCleanerPolicy() {
        return new CacheTarget(metadata, cache, origin, blockSize, features, CLEANER, List.of());
    }

    /**
     * Switches every cache target of a live device to the {@code cleaner} policy: reads the live
     * table, loads it again with {@link #withCleanerPolicy()}, and swaps it in by suspend and
     * resume. I/O continues once resumed; the device's status then shows the policy and the dirty
     * blocks falling to zero.
     *
     * @throws InvalidTableException if the device has no cache target
     */
    public static void switchToCleaner(DeviceMapper dm, String name) throws IOException {
        try (Table live = dm.typedTable(name, TableSlot.LIVE, KeyDisclosure.REVEALED)) {
            if (live.entries().stream().noneMatch(e -> e.target() instanceof CacheTarget)) {
                throw new InvalidTableException("table of " + name, "has no cache target");
            }
            Table cleaner = live.map(t -> t instanceof CacheTarget c ? c.withCleanerPolicy() : t);
            dm.load(name, cleaner);
            dm.suspend(name);
            dm.resume(name);
        }
    }

    static CacheTarget parse(Args args) {
        DeviceNumber metadata = args.device("metadata device");
        DeviceNumber cache = args.device("cache device");
        DeviceNumber origin = args.device("origin device");
        Sectors blockSize = args.sectors("block size");
        int n = args.count("feature count", 3);
        List<Feature> features = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            features.add(args.keyword("feature", Feature.class));
        }
        String policy = args.word("policy");
        int m = args.count("policy argument count", 1024);
        List<String> policyArgs = new ArrayList<>();
        for (int i = 0; i < m; i++) {
            policyArgs.add(args.word("policy argument"));
        }
        return new CacheTarget(metadata, cache, origin, blockSize, features, policy, policyArgs);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        StringBuilder s = new StringBuilder().append(metadata).append(' ').append(cache).append(' ').append(origin)
                .append(' ').append(blockSize.count()).append(' ').append(features.size());
        for (Feature f : features) {
            s.append(' ').append(Args.keyword(f));
        }
        s.append(' ').append(policy).append(' ').append(policyArgs.size());
        for (String a : policyArgs) {
            s.append(' ').append(a);
        }
        return s.toString();
    }
}
