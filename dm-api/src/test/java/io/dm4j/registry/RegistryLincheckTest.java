package io.dm4j.registry;

import io.dm4j.CreateOptions;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.testing.ReliabilityLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Model checking of the registry's real classes (Lincheck): concurrent acquire and release, load,
 * resume, remove, rename, a stacked create, and close, over the in-memory kernel, explored
 * interleaving by interleaving. Every result must match some sequential order of the same
 * operations (linearizability), and after every scenario the registry's invariants hold: no
 * device in a transitional state, no holder left, each managed device as the kernel has it, and
 * every table destroyed exactly once after close.
 *
 * <p>Operations return what a caller sees: "ok", a few words of the result, or the exception's
 * simple name, so that a wrong answer in any interleaving is a failed check.
 */
@Param(name = "device", gen = IntGen.class, conf = "0:2")
public class RegistryLincheckTest {
    private static final List<TargetLine> ZERO = List.of(new TargetLine(0, 2048, "zero", ""));
    private static final List<TargetLine> ERROR = List.of(new TargetLine(0, 4096, "error", ""));
    private static final String[] NAMES = {"a", "b", "c"};

    private final InMemoryKernel kernel = new InMemoryKernel(false);
    /**
     * Holders only counted: tracking scans a 64-slot array per wait, which the model checker would
     * take for a livelock; the holder protocol itself is jcstress's (HoldersStress).
     */
    private final TableRegistry registry = new TableRegistry(kernel,
            RegistryOptions.defaults().tracking(HolderTracking.COUNT).destroyTimeout(Duration.ofSeconds(30)));

    public RegistryLincheckTest() {
        try {
            registry.create("a", CreateOptions.defaults(), ZERO);
            registry.create("b", CreateOptions.defaults(), ZERO);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Call {
        String run() throws IOException;
    }

    private static String outcome(Call c) {
        try {
            return c.run();
        } catch (IOException | RuntimeException e) {
            return e.getClass().getSimpleName();
        }
    }

    /**
     * An acquire refuses at once while a remove is under way ({@link DeviceRemovingException}),
     * which no sequential order shows (the remove may yet fail); a caller that wants the table
     * tries again, as this one does, and what it then gets must be linearizable.
     */
    @Operation
    public String acquireRelease(@Param(name = "device") int device) {
        return outcome(() -> {
            while (true) {
                try (TableRef ref = registry.acquire(NAMES[device], TableSlot.LIVE)) {
                    return ref.lines().get(0).type();
                } catch (DeviceRemovingException underWay) {
                    Thread.yield();
                }
            }
        });
    }

    @Operation
    public String load(@Param(name = "device") int device) {
        return outcome(() -> registry.load(NAMES[device], ERROR).hasInactiveTable() ? "loaded" : "?");
    }

    @Operation
    public String resume(@Param(name = "device") int device) {
        return outcome(() -> registry.resume(NAMES[device]).hasLiveTable() ? "resumed" : "?");
    }

    @Operation
    public String remove(@Param(name = "device") int device) {
        return outcome(() -> registry.remove(NAMES[device]).name());
    }

    @Operation
    public String rename(@Param(name = "device") int device) {
        return outcome(() -> registry.rename(NAMES[device], NAMES[(device + 1) % NAMES.length]).name());
    }

    /** A device stacked on "a": races with a remove of "a". */
    @Operation
    public String createOnA() {
        return outcome(() -> {
            String on = registry.devices().contains("a") ? kernelNumberOf("a") : "254:99";
            return registry.create("c", CreateOptions.defaults(), List.of(new TargetLine(0, 2048, "linear",
                    on + " 0"))).name();
        });
    }

    private String kernelNumberOf(String name) {
        return kernel.state(name).map(s -> s.number().toString()).orElse("254:99");
    }

    @Operation
    public String close() {
        return outcome(() -> {
            registry.close();
            return "closed";
        });
    }

    /** The registry's invariants, checked by Lincheck after each part of every scenario. */
    @Validate
    public void invariants() {
        InMemoryKernel.Snapshot k = kernel.snapshot();
        long alive = registry.retiredTables().size();
        for (ManagedDevice d : registry.managedDevices()) {
            check(d.state == ManagedDevice.State.ACTIVE, d.name + " left in state " + d.state);
            check(d.channels.count() == 0, "channels of " + d.name);
            InMemoryKernel.DeviceState ks = k.devices().get(d.name);
            check(ks != null && ks.number().equals(d.number), d.name + " managed but not in the kernel as such");
            check(Reconciler.sameShape(d.live, ks.live().orElse(null)), "live table of " + d.name);
            check(Reconciler.sameShape(d.inactive, ks.inactive().orElse(null)), "inactive table of " + d.name);
            for (Table t : d.slotted()) {
                check(t.holders.count() == 0, "holders left on " + d.name);
                check(!t.isDestroyed(), "a destroyed table in a slot of " + d.name);
                alive++;
            }
        }
        // Each table made is destroyed exactly once, or is still owned by a slot or the reaper.
        check(registry.tablesMade() - registry.destroyedTables() == alive, "tables made " + registry.tablesMade()
                + ", destroyed " + registry.destroyedTables() + ", alive " + alive);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("invariant broken: " + what);
        }
    }

    @Test
    void linearizableAndConsistentUnderModelChecking() {
        if (Runtime.version().feature() > 21) {
            // Its ByteBuddy cannot read newer class files: it would report hangs that are its own.
            throw new IllegalStateException("Lincheck 3.7 cannot instrument JDK " + Runtime.version().feature()
                    + "; this test runs on JDK 17: ./mvnw -pl dm-api -am test-compile surefire:test@lincheck-jdk17");
        }
        int iterations = Integer.getInteger("dm4j.lincheck.iterations", 20);
        int invocations = Integer.getInteger("dm4j.lincheck.invocations", 300);
        long start = System.nanoTime();
        new ModelCheckingOptions()
                .iterations(iterations)
                .invocationsPerIteration(invocations)
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(1)
                .actorsAfter(1)
                .check(RegistryLincheckTest.class);
        ReliabilityLog.of("registry-model-checking").put("scenarios", iterations).put("interleavings-per-scenario",
                invocations).put("threads", 2).put("operations-per-thread", 3).put("operation-kinds", 7)
                .put("seconds", (System.nanoTime() - start) / 1_000_000_000L).put("violations", 0).write();
    }
}
