package io.dm4j.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The live holds of one table or device, for errors that name their threads. Cheaper than a
 * concurrent set on the acquire path: a hold claims a free slot with one CAS, starting at a
 * place picked by its thread, and releases it with one store; only when every slot is taken
 * does it fall back to a set.
 */
final class HoldSet {
    private static final int SLOTS = 64;

    private final AtomicReferenceArray<Hold> slots = new AtomicReferenceArray<>(SLOTS);
    private final Set<Hold> overflow = ConcurrentHashMap.newKeySet();

    /** Adds a hold; returns its slot, or -1 if it went to the overflow set. */
    int add(Hold h) {
        @SuppressWarnings("deprecation") // Thread.threadId() is not in Java 17
        int start = (int) ((Thread.currentThread().getId() * 0x9E3779B97F4A7C15L) >>> 58);
        for (int i = 0; i < SLOTS; i++) {
            int s = (start + i) & (SLOTS - 1);
            if (slots.get(s) == null && slots.compareAndSet(s, null, h)) {
                return s;
            }
        }
        overflow.add(h);
        return -1;
    }

    void remove(Hold h, int slot) {
        if (slot >= 0) {
            slots.setRelease(slot, null);
        } else {
            overflow.remove(h);
        }
    }

    /** The holds present now. */
    List<Hold> snapshot() {
        List<Hold> all = new ArrayList<>();
        for (int i = 0; i < SLOTS; i++) {
            Hold h = slots.get(i);
            if (h != null) {
                all.add(h);
            }
        }
        all.addAll(overflow);
        return all;
    }
}
