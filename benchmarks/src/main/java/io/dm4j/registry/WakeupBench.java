package io.dm4j.registry;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * How long a destroy that waits for holders takes to proceed after the last holder releases:
 * dm4j's notification ({@link Holders#awaitDrained}) against the seed commit's approach,
 * {@code while (holders) msleep(1)}, in the same run. Each invocation: a destroyer thread is
 * already waiting; the measured code releases the last hold and spins until the destroyer
 * reports that it proceeded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class WakeupBench {
    @Param({"notify", "poll-1ms"})
    public String wait;

    private Thread destroyer;
    private volatile Holders current;
    private volatile long started;
    private volatile long armed;
    private volatile long proceeded;
    private long round;

    @Setup(Level.Trial)
    public void startDestroyer() {
        boolean poll = wait.equals("poll-1ms");
        destroyer = new Thread(() -> {
            long seen = 0;
            while (!Thread.currentThread().isInterrupted()) {
                long r = started;
                if (r == seen) {
                    LockSupport.parkNanos(100_000);
                    continue;
                }
                seen = r;
                Holders h = current;
                h.close();
                armed = r;
                if (poll) {
                    while (h.count() != 0) {
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                } else {
                    try {
                        h.awaitDrained(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                proceeded = r;
            }
        }, "destroyer");
        destroyer.setDaemon(true);
        destroyer.start();
    }

    @TearDown(Level.Trial)
    public void stopDestroyer() throws InterruptedException {
        destroyer.interrupt();
        destroyer.join();
    }

    /** A fresh table with one holder, and the destroyer already waiting for it. */
    @Setup(Level.Invocation)
    public void holderAndWaitingDestroyer() {
        Holders h = new Holders();
        h.tryAcquire();
        current = h;
        started = ++round;
        // Wait until the destroyer has closed the table and is blocked waiting for it.
        while (armed != round || destroyer.getState() == Thread.State.RUNNABLE) {
            Thread.onSpinWait();
        }
        // A random phase, so the release does not line up with the poller's 1 ms cycle.
        LockSupport.parkNanos(2_000_000 + java.util.concurrent.ThreadLocalRandom.current().nextLong(1_000_000));
    }

    @Benchmark
    public long releaseUntilTheDestroyProceeds() {
        current.release();
        long r = round;
        while (proceeded != r) {
            Thread.yield(); // leave the CPU to the destroyer on small machines
        }
        return r;
    }
}
