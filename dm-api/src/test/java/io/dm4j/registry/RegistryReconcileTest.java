package io.dm4j.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.CreateOptions;
import io.dm4j.TargetLine;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** reconcile() acts on the kernel as it is when it looks at each device, not as it was. */
class RegistryReconcileTest {
    private static final List<TargetLine> ZERO = List.of(new TargetLine(0, 2048, "zero", ""));

    private final InMemoryKernel model = new InMemoryKernel();
    private final FaultyKernel kernel = new FaultyKernel(model);
    private final TableRegistry registry = new TableRegistry(kernel, RegistryOptions.defaults());

    @AfterEach
    void tearDown() throws Exception {
        registry.close();
        model.close();
    }

    @Test
    void aCreateOrRenameAfterReconcileListedIsNotTakenForADeviceThatWent() throws Exception {
        registry.create("a", CreateOptions.defaults(), ZERO);
        // Right after reconcile's device list: this program creates "x" and renames "a".
        kernel.on("list", 1).after().hook(c -> {
            registry.create("x", CreateOptions.defaults(), ZERO);
            registry.rename("a", "b");
        }).proceed();
        assertThat(registry.reconcile()).isEmpty();
        assertThat(registry.devices()).containsExactlyInAnyOrder("x", "b");
        assertThat(model.snapshot().devices().keySet()).containsExactlyInAnyOrder("x", "b");
    }

    @Test
    void aResumeThatSwappedAndThenFailedKeepsTheTableItMadeLive() throws Exception {
        registry.create("low1", CreateOptions.defaults(), ZERO);
        registry.create("low2", CreateOptions.defaults(), ZERO);
        String n1 = model.state("low1").orElseThrow().number().toString();
        String n2 = model.state("low2").orElseThrow().number().toString();
        registry.create("top", CreateOptions.defaults(), List.of(new TargetLine(0, 2048, "linear", n1 + " 0")));
        registry.load("top", List.of(new TargetLine(0, 2048, "linear", n2 + " 0")));
        // Same shape, other device: only the swap reading keeps "uses" right.
        kernel.on("resume", 1).after().fail(new java.io.InterruptedIOException("udev wait interrupted"));
        try {
            registry.resume("top");
        } catch (java.io.InterruptedIOException expected) {
            Thread.interrupted();
        }
        try (TableRef live = registry.acquire("top")) {
            assertThat(live.lines().get(0).params()).isEqualTo(n2 + " 0");
        }
        // low1 is no longer used by any table; low2 is.
        registry.remove("low1");
        assertThat(registry.devices()).doesNotContain("low1");
    }
}
