package io.dm4j.bench.lifecycle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one operation for every index 0..n-1 on a fixed set of threads, which take the next index
 * from a shared counter. With one thread the caller's thread does the work itself. The threads
 * live as long as the gang, so their per-thread ioctl buffers survive from one phase to the next.
 */
final class Gang implements AutoCloseable {
    /** One device operation. */
    @FunctionalInterface
    interface Op {
        void run(int index) throws IOException;
    }

    private final int threads;
    private final ExecutorService pool;

    Gang(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        AtomicInteger id = new AtomicInteger();
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "lifecycle-" + id.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        if (pool != null) {
            // Start every thread now, not inside the first timed phase.
            List<Future<?>> started = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                started.add(pool.submit(() -> { }));
            }
            started.forEach(Gang::join);
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code op} for 0..n-1 and returns the wall time in nanoseconds. Stops at the first
     * failure and throws it (after the other threads have stopped).
     */
    long run(int n, Op op) throws IOException {
        if (pool == null) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                op.run(i);
            }
            return System.nanoTime() - t0;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        List<Future<IOException>> parts = new ArrayList<>(threads);
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            parts.add(pool.submit(() -> {
                try {
                    for (int i; !failed.get() && (i = next.getAndIncrement()) < n; ) {
                        op.run(i);
                    }
                    return null;
                } catch (IOException | RuntimeException e) {
                    failed.set(true);
                    return e instanceof IOException io ? io : new IOException(e);
                }
            }));
        }
        IOException first = null;
        for (Future<IOException> f : parts) {
            IOException e = join(f);
            if (e != null && first == null) {
                first = e;
            }
        }
        long elapsed = System.nanoTime() - t0;
        if (first != null) {
            throw first;
        }
        return elapsed;
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
