package io.dm4j.registry;

import java.util.concurrent.atomic.LongAdder;

/** Counts tables made and destroyed: once everything is destroyed, the two are equal. */
final class Ledger {
    private final LongAdder made = new LongAdder();
    private final LongAdder destroyed = new LongAdder();

    void made() {
        made.increment();
    }

    void destroyed() {
        destroyed.increment();
    }

    long madeCount() {
        return made.sum();
    }

    long destroyedCount() {
        return destroyed.sum();
    }
}
