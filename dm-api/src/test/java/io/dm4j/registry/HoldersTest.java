package io.dm4j.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The holder protocol on its own: counting, closing, waking, and releasing exactly once. */
class HoldersTest {

    @Test
    void holdsAreCountedAndClosingRefusesNewOnes() throws InterruptedException {
        Holders h = new Holders();
        assertThat(h.tryAcquire()).isTrue();
        assertThat(h.tryAcquire()).isTrue();
        assertThat(h.count()).isEqualTo(2);
        h.close();
        assertThat(h.tryAcquire()).isFalse();
        assertThat(h.count()).isEqualTo(2);
        h.release();
        h.release();
        assertThat(h.count()).isZero();
        assertThat(h.awaitDrained(System.nanoTime())).isTrue();
        h.reopen();
        assertThat(h.tryAcquire()).isTrue();
    }

    @Test
    void theLastReleaseWakesTheWaiterWithoutPolling() throws Exception {
        Holders h = new Holders();
        assertThat(h.tryAcquire()).isTrue();
        h.close();
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return h.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
        Thread.sleep(100);
        assertThat(waiter).isNotDone();
        h.release();
        // Far below the 1 s park slice: the release itself unparked the waiter.
        assertThat(waiter.get(500, TimeUnit.MILLISECONDS)).isTrue();
    }

    @Test
    void awaitGivesUpAtTheDeadline() throws InterruptedException {
        Holders h = new Holders();
        h.tryAcquire();
        h.close();
        assertThat(h.awaitDrained(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        assertThat(h.count()).isEqualTo(1);
    }

    @Test
    void aHoldReleasesOnceAndLeavesItsTrackingSet() throws IOException {
        Holders h = new Holders();
        HoldSet tracked = new HoldSet();
        h.tryAcquire();
        Hold hold = new Hold(h, tracked, HolderTracking.STACKS, "live table", "x", null);
        assertThat(tracked.snapshot()).containsExactly(hold);
        assertThat(hold.describe().thread()).isEqualTo(Thread.currentThread().getName());
        assertThat(hold.describe().acquiredAt()).isNotEmpty();
        assertThat(hold.release()).isTrue();
        assertThat(hold.release()).isFalse();
        assertThat(h.count()).isZero();
        assertThat(tracked.snapshot()).isEmpty();
    }

    @Test
    void holdsBeyondTheSlotsAreStillListed() throws IOException {
        Holders h = new Holders();
        HoldSet tracked = new HoldSet();
        java.util.List<Hold> holds = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            h.tryAcquire();
            holds.add(new Hold(h, tracked, HolderTracking.THREADS, "live table", "x", null));
        }
        assertThat(tracked.snapshot()).hasSize(100).containsExactlyInAnyOrderElementsOf(holds);
        for (Hold hold : holds) {
            hold.release();
        }
        assertThat(tracked.snapshot()).isEmpty();
        assertThat(h.count()).isZero();
    }

    @Test
    void theLeakDetectorsActionReleasesAnUnclosedHold() {
        Holders h = new Holders();
        h.tryAcquire();
        Hold hold = new Hold(h, null, HolderTracking.COUNT, "live table", "x", null);
        hold.run();
        assertThat(h.count()).isZero();
        hold.run();
        assertThat(h.count()).isZero();
    }

    @Test
    void tooManyHoldersIsAnErrorNotAnOverflow() {
        // A billion acquires would take too long: set the count to its maximum directly.
        assertThatThrownBy(() -> {
            Holders full = new Holders();
            java.lang.reflect.Field f = Holders.class.getDeclaredField("state");
            f.setAccessible(true);
            ((java.util.concurrent.atomic.AtomicInteger) f.get(full)).set((1 << 30) - 1);
            full.tryAcquire();
        }).isInstanceOf(IllegalStateException.class);
    }
}
