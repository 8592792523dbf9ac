package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.Objects;

/**
 * {@code snapshot}: a copy-on-write snapshot of an origin device; changed chunks live in an
 * exception store on the COW device. {@link #merging()} gives the {@code snapshot-merge} target that
 * merges it back into the origin.
 *
 * @param origin the origin's real device (not the snapshot-origin device)
 * @param cow the exception store's device
 * @param store how the exception store keeps its data
 * @param chunkSize the copy-on-write granularity: a power of two; 0 for a persistent store reads it
 *     from the existing store
 * @param discardZeroesCow {@code discard_zeroes_cow}: a discard frees whole chunks in the store
 * @param discardPassdownOrigin {@code discard_passdown_origin}: discards also reach the origin
 *     (needs {@code discardZeroesCow})
 */
public record SnapshotTarget(DeviceNumber origin, DeviceNumber cow, Store store, Sectors chunkSize,
        boolean discardZeroesCow, boolean discardPassdownOrigin) implements Target {
    static final String TYPE = "snapshot";

    /** The exception store kind. */
    public enum Store {
        /** {@code P}: survives reboots. */
        PERSISTENT("P"),
        /** {@code PO}: persistent, and reports overflow instead of invalidating the snapshot. */
        PERSISTENT_OVERFLOW("PO"),
        /** {@code N}: transient, lost when the device goes. */
        TRANSIENT("N");

        final String code;

        Store(String code) {
            this.code = code;
        }
    }

    /** Checks the fields and the kernel's rules between them. */
    public SnapshotTarget {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(cow, "cow");
        Objects.requireNonNull(store, "store");
        Checks.rule(chunkSize.isPowerOfTwo() || (chunkSize.count() == 0 && store != Store.TRANSIENT), TYPE,
                "chunk size", "must be a power of two (or 0 for an existing persistent store), got " + chunkSize.count());
        Checks.rule(chunkSize.count() <= Integer.MAX_VALUE >> 9, TYPE, "chunk size", "is too large: " + chunkSize.count());
        Checks.rule(discardZeroesCow || !discardPassdownOrigin, TYPE, "features",
                "discard_passdown_origin needs discard_zeroes_cow");
    }

    /** A persistent snapshot without discard features. */
    public SnapshotTarget(DeviceNumber origin, DeviceNumber cow, Sectors chunkSize) {
        this(origin, cow, Store.PERSISTENT, chunkSize, false, false);
    }

    /** The {@code snapshot-merge} target for this snapshot: it takes the origin's place. */
    public SnapshotMergeTarget merging() {
        return new SnapshotMergeTarget(this);
    }

    static SnapshotTarget parse(Args args) {
        DeviceNumber origin = args.device("origin");
        DeviceNumber cow = args.device("COW device");
        String code = args.word("store");
        Store store = null;
        for (Store s : Store.values()) {
            if (s.code.equals(code)) {
                store = s;
            }
        }
        if (store == null) {
            throw args.error("store", "must be P, PO or N, got '" + code + "'");
        }
        Sectors chunk = args.sectors("chunk size");
        boolean zeroes = false;
        boolean passdown = false;
        int n = args.hasMore() ? args.count("feature count", 2) : 0;
        if (n > 0) {
            args.expect("feature", "discard_zeroes_cow");
            zeroes = true;
        }
        if (n > 1) {
            args.expect("feature", "discard_passdown_origin");
            passdown = true;
        }
        return new SnapshotTarget(origin, cow, store, chunk, zeroes, passdown);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String params() {
        String s = origin + " " + cow + " " + store.code + " " + chunkSize.count();
        int n = (discardZeroesCow ? 1 : 0) + (discardPassdownOrigin ? 1 : 0);
        return n == 0 ? s : s + " " + n + " discard_zeroes_cow" + (discardPassdownOrigin ? " discard_passdown_origin" : "");
    }
}
