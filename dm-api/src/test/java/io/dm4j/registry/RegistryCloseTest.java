package io.dm4j.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.CreateOptions;
import io.dm4j.TargetLine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A close ends the work in flight at once, and nothing undoes its mark. */
class RegistryCloseTest {
    private static final List<TargetLine> ZERO = List.of(new TargetLine(0, 2048, "zero", ""));

    private final InMemoryKernel kernel = new InMemoryKernel();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() throws Exception {
        threads.shutdownNow();
        kernel.close();
    }

    @Test
    void aRemoveWaitingForAHolderEndsAtTheCloseAndTheDeviceStaysClosed() throws Exception {
        TableRegistry registry = new TableRegistry(kernel, RegistryOptions.defaults()
                .destroyTimeout(Duration.ofMillis(300)));
        registry.create("a", CreateOptions.defaults(), ZERO);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
            try (TableRef r = registry.acquire("a")) {
                held.countDown();
                release.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threads);
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        ManagedDevice a = registry.managedDevices().iterator().next();
        CompletableFuture<Throwable> remove = CompletableFuture.supplyAsync(() -> {
            try {
                registry.remove("a", RemovePolicy.defaults().holderTimeout(Duration.ofSeconds(60)));
                return null;
            } catch (Exception e) {
                return e;
            }
        }, threads);
        while (a.state != ManagedDevice.State.REMOVING) {
            Thread.onSpinWait();
        }
        long start = System.nanoTime();
        assertThatThrownBy(registry::close).isInstanceOf(HoldersTimeoutException.class);
        Throwable ended = remove.get(10, TimeUnit.SECONDS);
        assertThat(ended).isInstanceOfSatisfying(RegistryClosedException.class,
                e -> assertThat(e.kernelChanged()).isFalse());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not the remove's 60 s").isLessThan(Duration.ofSeconds(5));
        // The remove's restore did not undo the close: the device stays closed, references are refused.
        assertThat(a.state).isEqualTo(ManagedDevice.State.CLOSED);
        assertThat(a.live).isNull();
        assertThatThrownBy(() -> registry.acquire("a")).isInstanceOf(RegistryClosedException.class);
        assertThat(kernel.state("a")).as("close leaves kernel devices as they are").isPresent();
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
        assertThat(registry.destroyedTables()).as("the held table is reported, not destroyed")
                .isEqualTo(registry.tablesMade() - 1);
    }
}
