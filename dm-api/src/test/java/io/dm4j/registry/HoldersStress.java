package io.dm4j.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.ZI_Result;

/** jcstress: taking a holder reference races the start of a destroy. */
public final class HoldersStress {
    private HoldersStress() {}

    /** Every acquire either happens before the close, and the closer counts it, or fails. */
    @JCStressTest
    @Outcome(id = "true, 1", expect = ACCEPTABLE, desc = "acquired first: the destroyer sees the holder")
    @Outcome(id = "false, 0", expect = ACCEPTABLE, desc = "closed first: the acquire is refused")
    @Outcome(expect = FORBIDDEN, desc = "a holder the destroyer would not wait for, or a refused acquire counted")
    @State
    public static class AcquireVersusClose {
        final Holders holders = new Holders();

        @Actor
        public void acquirer(ZI_Result r) {
            r.r1 = holders.tryAcquire();
        }

        @Actor
        public void destroyer(ZI_Result r) {
            holders.close();
            r.r2 = holders.count();
        }
    }

    /** A destroyer that starts while a holder acquires and releases always sees the table drain. */
    @JCStressTest
    @Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "drained, nothing left held")
    @Outcome(expect = FORBIDDEN, desc = "the destroyer missed the last release, or a hold leaked")
    @State
    public static class ReleaseWakesTheDestroyer {
        final Holders holders = new Holders();

        @Actor
        public void holder() {
            if (holders.tryAcquire()) {
                holders.release();
            }
        }

        @Actor
        public void destroyer(II_Result r) {
            holders.close();
            try {
                r.r1 = holders.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)) ? 1 : 0;
            } catch (InterruptedException e) {
                r.r1 = -1; // nothing interrupts it here: a -1 would be an unexpected outcome
            }
        }

        @Arbiter
        public void after(II_Result r) {
            r.r2 = holders.count();
        }
    }
}
