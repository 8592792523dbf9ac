package io.dm4j.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceNumber;
import io.dm4j.OperationInterruptedException;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.registry.FaultyKernel.FailurePoint;
import java.io.IOException;
import io.dm4j.testing.ReliabilityLog;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every registry operation, with every kernel call it makes failing in every way the kernel (or
 * DeviceMapper after the kernel) fails there, one at a time, and with an interrupt arriving at each
 * of those calls. After each: no device in a transitional state, no holder count off, every
 * managed device as the kernel has it, no kernel device the registry made and forgot, the
 * registry still usable (everything can be removed), and after close every table destroyed
 * exactly once. Deterministic: an in-memory kernel behind the {@link Kernel} seam.
 */
class RegistryFaultInjectionTest {
    private static final List<TargetLine> ZERO = List.of(new TargetLine(0, 2048, "zero", ""));
    private static final List<TargetLine> ERROR = List.of(new TargetLine(0, 4096, "error", ""));
    private static final RemovePolicy QUICK = new RemovePolicy(Duration.ofMillis(200), Duration.ofMillis(30), false,
            Duration.ofMillis(50));

    /** One registry operation, on a machine its setup prepared. */
    private interface Step {
        void run(World w) throws Exception;
    }

    /** A fresh kernel, fault injector and registry. */
    private static final class World implements AutoCloseable {
        final InMemoryKernel model = new InMemoryKernel();
        final FaultyKernel kernel = new FaultyKernel(model);
        final TableRegistry registry = new TableRegistry(kernel,
                RegistryOptions.defaults().destroyTimeout(Duration.ofMillis(200)));
        /** Kernel devices that other programs made: the registry need not manage them. */
        final Set<String> foreign = new TreeSet<>();

        DeviceNumber number(String name) {
            return model.state(name).orElseThrow().number();
        }

        @Override
        public void close() throws IOException {
            model.close();
        }
    }

    private record Operation(String name, Step setup, Step op) {}

    private static List<TargetLine> linearOn(DeviceNumber n) {
        return List.of(new TargetLine(0, 2048, "linear", n + " 0"));
    }

    /** "base" with a live table; "a" with a live and an inactive one; "top" stacked on "base". */
    private static void standard(World w) throws IOException {
        w.registry.create("base", CreateOptions.defaults(), ZERO);
        w.registry.create("a", CreateOptions.defaults().uuid("uuid-a"), ZERO);
        w.registry.load("a", ERROR);
        w.registry.create("top", CreateOptions.defaults(), linearOn(w.number("base")));
    }

    private static List<Operation> operations() {
        return List.of(
                new Operation("create with a table", World::getClass,
                        w -> w.registry.create("new", CreateOptions.defaults(), ZERO)),
                new Operation("create stacked", RegistryFaultInjectionTest::standard,
                        w -> w.registry.create("new", CreateOptions.defaults(), linearOn(w.number("base")))),
                new Operation("create empty", World::getClass,
                        w -> w.registry.create("new", CreateOptions.defaults().uuid("uuid-new"))),
                new Operation("load", RegistryFaultInjectionTest::standard, w -> w.registry.load("a", ZERO)),
                new Operation("load stacked", RegistryFaultInjectionTest::standard,
                        w -> w.registry.load("a", linearOn(w.number("base")))),
                new Operation("resume", RegistryFaultInjectionTest::standard, w -> w.registry.resume("a")),
                new Operation("suspend", RegistryFaultInjectionTest::standard, w -> w.registry.suspend("a")),
                new Operation("clear", RegistryFaultInjectionTest::standard, w -> w.registry.clear("a")),
                new Operation("rename", RegistryFaultInjectionTest::standard, w -> w.registry.rename("a", "a2")),
                new Operation("remove", RegistryFaultInjectionTest::standard, w -> w.registry.remove("a", QUICK)),
                new Operation("remove busy, deferred", w -> {
                    standard(w);
                    w.model.open("a");
                }, w -> w.registry.remove("a", QUICK.deferOnBusy(true))),
                new Operation("remove stack", RegistryFaultInjectionTest::standard,
                        w -> w.registry.removeStack("top", QUICK)),
                new Operation("open channel", RegistryFaultInjectionTest::standard, w -> {
                    try (DeviceChannel c = w.registry.openChannel("a", StandardOpenOption.READ)) {
                        assertThat(c.isOpen()).isTrue();
                    }
                }),
                new Operation("adopt", w -> {
                    w.model.createBehindBack("x", CreateOptions.defaults().uuid("adopt-x"));
                    w.model.loadBehindBack("x", ZERO);
                    w.model.resumeBehindBack("x");
                    w.model.createBehindBack("y", CreateOptions.defaults().uuid("adopt-y"));
                    w.model.loadBehindBack("y", linearOn(w.number("x")));
                    w.model.resumeBehindBack("y");
                    w.foreign.addAll(List.of("x", "y"));
                }, w -> w.registry.adopt("adopt-")),
                new Operation("reconcile", w -> {
                    standard(w);
                    w.registry.create("gone", CreateOptions.defaults(), ZERO);
                    w.model.removeBehindBack("gone");
                    w.model.renameBehindBack("a", "a-moved");
                    w.model.loadBehindBack("base", ERROR);
                    w.model.resumeBehindBack("base");
                }, w -> w.registry.reconcile()));
    }

    /** The kernel calls an operation makes when nothing fails, method by method. */
    private static Map<String, Integer> callsOf(Operation o) throws Exception {
        try (World w = new World()) {
            o.setup().run(w);
            Map<String, Integer> before = counts(w.kernel);
            Throwable thrown = run(o, w); // a busy device's deferred remove fails even so: cancelled
            Map<String, Integer> made = new LinkedHashMap<>();
            counts(w.kernel).forEach((m, n) -> {
                int d = n - before.getOrDefault(m, 0);
                if (d > 0) {
                    made.put(m, d);
                }
            });
            checkInvariants(w, o.name() + " (no fault)", thrown);
            return made;
        }
    }

    private static Map<String, Integer> counts(FaultyKernel k) {
        Map<String, Integer> c = new LinkedHashMap<>();
        for (String m : FaultyKernel.METHODS) {
            c.put(m, k.callsSoFar(m));
        }
        return c;
    }

    @Test
    void everyFailureOfEveryKernelCallLeavesTheRegistryConsistent() throws Exception {
        Set<String> covered = new TreeSet<>();
        int runs = 0;
        List<String> problems = new ArrayList<>();
        for (Operation o : operations()) {
            for (Map.Entry<String, Integer> call : callsOf(o).entrySet()) {
                for (int nth = 1; nth <= call.getValue(); nth++) {
                    for (FailurePoint point : FaultyKernel.failurePoints(call.getKey())) {
                        String label = o.name() + " / " + call.getKey() + " #" + nth + " / " + point.what() + " "
                                + point.phase();
                        try (World w = new World()) {
                            o.setup().run(w);
                            FaultyKernel.Fault fault = point.arm(w.kernel, nth);
                            Throwable thrown = run(o, w);
                            runs++;
                            if (fault.fired()) {
                                covered.add(o.name() + " / " + point.method() + " " + point.what() + " "
                                        + point.phase());
                            }
                            checkInvariants(w, label, thrown);
                        } catch (AssertionError e) {
                            problems.add(label + ": " + e.getMessage());
                        }
                    }
                }
            }
        }
        report("registry-fault-injection", runs, covered, problems.size());
        assertThat(problems).as("%d runs", runs).isEmpty();
        assertThat(covered.size()).as("(operation, failure point) pairs covered").isGreaterThanOrEqualTo(200);
    }

    @Test
    void anInterruptAtEveryKernelCallLeavesTheRegistryConsistentAndTheFlagSet() throws Exception {
        Set<String> covered = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (Operation o : operations()) {
            for (Map.Entry<String, Integer> call : callsOf(o).entrySet()) {
                for (int nth = 1; nth <= call.getValue(); nth++) {
                    for (boolean after : new boolean[] {false, true}) {
                        String label = o.name() + " / interrupt " + (after ? "after " : "before ") + call.getKey()
                                + " #" + nth;
                        try (World w = new World()) {
                            o.setup().run(w);
                            FaultyKernel.Arming arming = w.kernel.on(call.getKey(), nth)
                                    .hook(c -> Thread.currentThread().interrupt());
                            FaultyKernel.Fault fault = (after ? arming.after() : arming).proceed();
                            Throwable thrown;
                            boolean flag;
                            try {
                                thrown = run(o, w);
                            } finally {
                                flag = Thread.interrupted();
                            }
                            if (!fault.fired()) {
                                continue; // an "after" hook of a call that failed on its own (EBUSY)
                            }
                            covered.add(label);
                            assertThat(flag).as("the interrupt flag is kept").isTrue();
                            if (thrown != null) {
                                assertThat(thrown).as("an interrupted operation that fails says so")
                                        .isInstanceOfAny(OperationInterruptedException.class, RegistryException.class);
                            }
                            checkInvariants(w, label, thrown);
                        } catch (AssertionError e) {
                            problems.add(label + ": " + e.getMessage());
                        }
                    }
                }
            }
        }
        report("registry-interrupt-injection", covered.size(), covered, problems.size());
        assertThat(problems).isEmpty();
    }

    private static Throwable run(Operation o, World w) {
        try {
            o.op().run(w);
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    /**
     * The invariants: a failure is one the registry may throw; no device in a transitional state;
     * no holds left; every managed device as the kernel has it; no kernel device made by the
     * registry and forgotten; then everything can still be removed, and close destroys every
     * table exactly once.
     */
    private static void checkInvariants(World w, String label, Throwable thrown) throws Exception {
        Thread.interrupted();
        w.kernel.disarm(); // a fault the operation did not reach must not strike the checks
        if (thrown != null && !(thrown instanceof IOException || thrown instanceof FaultyKernel.InjectedException
                || thrown instanceof FaultyKernel.InjectedError)) {
            throw new AssertionError("unexpected " + thrown, thrown);
        }
        if (thrown instanceof FaultyKernel.InjectedException || thrown instanceof FaultyKernel.InjectedError) {
            // An injected bug or Error may only pass through; it must not hide an inconsistency.
            for (Throwable s : thrown.getSuppressed()) {
                if (!(s instanceof IOException || s instanceof FaultyKernel.InjectedException)) {
                    throw new AssertionError("unexpected suppressed " + s, s);
                }
            }
        }
        if (label.startsWith("reconcile")) {
            // A failed reconcile leaves what it had not reached yet; the next one follows it.
            w.registry.reconcile();
        }
        InMemoryKernel.Snapshot kernel = w.model.snapshot();
        for (ManagedDevice d : w.registry.managedDevices()) {
            assertThat(d.state).as("%s: state of %s", label, d.name).isEqualTo(ManagedDevice.State.ACTIVE);
            assertThat(d.channels.count()).as("%s: channels of %s", label, d.name).isZero();
            for (TableSlot slot : TableSlot.values()) {
                Table t = d.slot(slot);
                if (t != null) {
                    assertThat(t.isDestroyed()).as("%s: %s table of %s destroyed in its slot", label, slot, d.name)
                            .isFalse();
                    assertThat(t.holders.count()).as("%s: holders", label).isZero();
                }
            }
            InMemoryKernel.DeviceState k = kernel.devices().get(d.name);
            assertThat(k).as("%s: %s managed but not in the kernel (%s)", label, d.name, kernel.devices().keySet())
                    .isNotNull();
            assertThat(k.number()).as("%s: number of %s", label, d.name).isEqualTo(d.number);
            assertThat(Reconciler.sameShape(d.live, k.live().orElse(null))).as("%s: live table of %s", label, d.name)
                    .isTrue();
            assertThat(Reconciler.sameShape(d.inactive, k.inactive().orElse(null)))
                    .as("%s: inactive table of %s", label, d.name).isTrue();
        }
        Set<String> unmanaged = new TreeSet<>(kernel.devices().keySet());
        unmanaged.removeAll(w.registry.devices());
        unmanaged.removeAll(w.foreign);
        assertThat(unmanaged).as("%s: kernel devices the registry made and lost", label).isEmpty();

        // Still usable: everything it manages can be removed, top-down.
        for (int round = 0; round < 3 && !w.registry.devices().isEmpty(); round++) {
            for (String name : w.registry.devices()) {
                w.model.state(name).filter(s -> s.openCount() > 0).ifPresent(s -> w.model.close(name));
                try {
                    w.registry.remove(name, QUICK);
                } catch (DeviceInUseException later) {
                    // a device above it goes first
                } catch (DeviceVanishedException e) {
                    // Only where the operation said a deferred remove stayed scheduled: it ran when
                    // the opener closed (above), and the registry now forgets the device.
                    assertThat(saidKernelChanged(thrown)).as("%s: %s vanished unannounced", label, name).isTrue();
                } catch (IOException e) {
                    throw new AssertionError(label + ": the registry cannot remove " + name + " afterwards: " + e, e);
                }
            }
        }
        assertThat(w.registry.devices()).as("%s: devices that cannot be removed", label).isEmpty();
        w.registry.close();
        assertThat(w.registry.destroyedTables()).as("%s: tables destroyed (exactly once each)", label)
                .isEqualTo(w.registry.tablesMade());
    }

    /** The failure, or what went with it, says the kernel had changed. */
    private static boolean saidKernelChanged(Throwable thrown) {
        if (thrown instanceof RegistryException r && r.kernelChanged()
                || thrown instanceof OperationInterruptedException i && i.kernelChanged()) {
            return true;
        }
        return thrown != null && java.util.Arrays.stream(thrown.getSuppressed())
                .anyMatch(RegistryFaultInjectionTest::saidKernelChanged);
    }

    /** The figures for RELIABILITY.md. */
    private static void report(String family, int runs, Set<String> covered, int inconsistent) {
        Set<String> operations = new TreeSet<>();
        Set<String> points = new TreeSet<>();
        for (String c : covered) {
            operations.add(c.substring(0, c.indexOf(" / ")));
            points.add(c.substring(c.indexOf(" / ") + 3));
        }
        ReliabilityLog.of(family).put("runs", runs).put("pairs", covered.size()).put("operations", operations.size())
                .put("failure-points", points.size()).put("inconsistent-runs", inconsistent).write();
        System.out.println(family + ": " + runs + " runs, " + covered.size() + " (operation, failure point) pairs");
    }

    @Test
    void aDeviceUsedByAStackedTableIsNeitherRemovedNorForgottenByAFailedLoad() throws Exception {
        try (World w = new World()) {
            standard(w);
            w.kernel.on("load", 1).fail(io.dm4j.sys.Errno.EINVAL);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.registry.load("a", linearOn(w.number("base"))))
                    .isInstanceOf(io.dm4j.DeviceMapperException.class);
            // The failed table of "a" no longer uses "base": only "top" does.
            assertThat(w.registry.managedDevices().stream().filter(d -> d.name.equals("base")).findFirst()
                    .orElseThrow().userNames()).containsExactly("top");
        }
    }
}
