package io.dm4j.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceBusyException;
import io.dm4j.DeviceMapperException;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.DeviceNumber;
import io.dm4j.PermissionDeniedException;
import io.dm4j.TableRejectedException;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.Visibility;
import io.dm4j.registry.FaultyKernel.FailurePoint;
import io.dm4j.registry.FaultyKernel.Fault;
import io.dm4j.registry.FaultyKernel.Phase;
import io.dm4j.sys.Errno;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Faults strike on exactly the call they were armed for, in the phase they were armed for. */
class FaultyKernelTest {
    private static final List<TargetLine> ZERO = List.of(new TargetLine(0, 2048, "zero", ""));
    private static final List<TargetLine> ERROR = List.of(new TargetLine(0, 2048, "error", ""));

    private final InMemoryKernel model = new InMemoryKernel();
    private final FaultyKernel kernel = new FaultyKernel(model);

    @AfterEach
    void close() throws IOException {
        model.close();
    }

    /** "d": a live table, another one loaded, and so a resume that gets to both of its stages. */
    private DeviceNumber device() throws IOException {
        DeviceNumber number = model.create("d", CreateOptions.defaults()).device();
        model.load("d", ZERO);
        model.resume("d", Visibility.PUBLIC);
        model.load("d", ERROR);
        return number;
    }

    @Test
    void aFaultStrikesOnTheNthCallFromArmingAndOnlyThen() throws IOException {
        device();
        kernel.info("d"); // before arming: not counted towards N
        Fault f = kernel.on("info", 2).fail(Errno.ENXIO);
        kernel.info("d");
        assertThat(f.fired()).isFalse();
        assertThatThrownBy(() -> kernel.info("d")).isInstanceOf(DeviceNotFoundException.class);
        assertThat(f.fired()).isTrue();
        kernel.info("d");
        assertThat(kernel.armed()).isEmpty();
        assertThat(kernel.callsSoFar("info")).isEqualTo(4);
        assertThat(kernel.firedCounts()).containsExactly(Map.entry("info ENXIO", 1));
    }

    @Test
    void errnoFaultsAreDeviceMappersExceptions() throws IOException {
        device();
        kernel.on("remove", 1).fail(Errno.EBUSY);
        kernel.on("load", 1).fail(Errno.EINVAL);
        kernel.on("table", 1).fail(Errno.EACCES);
        assertThatThrownBy(() -> kernel.remove("d")).isInstanceOfSatisfying(DeviceBusyException.class,
                e -> assertThat(e.openCount()).isEmpty());
        assertThatThrownBy(() -> kernel.load("d", ZERO)).isInstanceOfSatisfying(TableRejectedException.class,
                e -> assertThat(e.table()).isEqualTo("0 2048 zero"));
        assertThatThrownBy(() -> kernel.table("d", TableSlot.LIVE)).isInstanceOf(PermissionDeniedException.class);
        assertThat(model.state("d")).isPresent(); // before the delegate: nothing changed
        assertThat(model.calls("remove")).isZero();
    }

    @Test
    void aFaultAfterSuccessLeavesTheDelegateChanged() throws IOException {
        device();
        kernel.on("remove", 1).after().fail(Errno.EIDRM);
        assertThatThrownBy(() -> kernel.remove("d")).isInstanceOf(DeviceMapperException.class);
        assertThat(model.state("d")).isEmpty();
        assertThat(model.calls("remove")).isEqualTo(1);
    }

    @Test
    void anAfterFaultDoesNotStrikeWhenTheDelegateFails() throws IOException {
        Fault f = kernel.on("info", 1).after().fail(new IllegalStateException("x"));
        assertThatThrownBy(() -> kernel.info("nope")).isInstanceOf(DeviceNotFoundException.class);
        assertThat(f.fired()).isFalse();
    }

    @Test
    void uncheckedFaultsAndErrorsPassThrough() throws IOException {
        DeviceNumber number = device();
        kernel.on("nodePresent", 1).fail(new FaultyKernel.InjectedException("bug"));
        kernel.on("openers", 1).fail(new FaultyKernel.InjectedError("oom"));
        assertThatThrownBy(() -> kernel.nodePresent("d")).isInstanceOf(FaultyKernel.InjectedException.class);
        assertThatThrownBy(() -> kernel.openers(number)).isInstanceOf(FaultyKernel.InjectedError.class);
        assertThatThrownBy(() -> kernel.on("inSysfs", 1).fail(Errno.EIO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kernel.on("inSysfs", 1).fail(new IOException()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kernel.on("ioctl", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> kernel.on("info", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHookActsBehindTheRegistrysBackThenTheCallGoesOn() throws IOException {
        device();
        kernel.on("load", 1).hook(c -> model.removeBehindBack(c.name())).proceed();
        assertThatThrownBy(() -> kernel.load("d", ZERO)).isInstanceOf(DeviceNotFoundException.class);
        assertThat(model.calls("remove")).isZero();

        model.create("e", CreateOptions.defaults());
        kernel.on("info", 1).hook(c -> Thread.currentThread().interrupt()).proceed();
        assertThat(kernel.info("e").name()).isEqualTo("e");
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void aHookCanHoldACallUntilTheTestLetsItGo() throws Exception {
        device();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        kernel.on("remove", 1).hook(c -> {
            entered.countDown();
            gate.await();
        }).proceed();
        CompletableFuture<Void> remove = CompletableFuture.runAsync(() -> {
            try {
                kernel.remove("d");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kernel.info("d").name()).isEqualTo("d"); // other calls go on meanwhile
        assertThat(remove).isNotDone();
        gate.countDown();
        remove.get(10, TimeUnit.SECONDS);
        assertThat(model.state("d")).isEmpty();
    }

    @Test
    void aFaultDuringResumeCountsOnlyIfTheKernelFailed() throws IOException {
        device();
        FailurePoint swap = FaultyKernel.failurePoints("resume").stream()
                .filter(p -> p.what().equals("EINVAL at swap")).findFirst().orElseThrow();
        Fault f = swap.arm(kernel, 1);
        assertThatThrownBy(() -> kernel.resume("d", Visibility.PUBLIC)).isInstanceOf(DeviceMapperException.class);
        assertThat(f.fired()).isTrue();
        assertThat(model.state("d").orElseThrow().inactive()).isEmpty();
        assertThat(model.state("d").orElseThrow().suspended()).isTrue();

        Fault unreached = swap.arm(kernel, 1); // nothing loaded now: the swap stage is not reached
        assertThat(kernel.resume("d", Visibility.PUBLIC).suspended()).isFalse();
        assertThat(unreached.fired()).isFalse();
        assertThat(kernel.firedCounts()).containsExactly(Map.entry("resume EINVAL at swap during", 1));
    }

    /** Every failure point of every method strikes on a device where it can, and fails the call. */
    @Test
    void everyFailurePointStrikes() throws IOException {
        int covered = 0;
        for (FailurePoint p : FaultyKernel.failurePoints()) {
            try (InMemoryKernel m = new InMemoryKernel()) {
                FaultyKernel k = new FaultyKernel(m);
                DeviceNumber number = m.create("d", CreateOptions.defaults()).device();
                m.load("d", ZERO);
                m.resume("d", Visibility.PUBLIC);
                m.load("d", ERROR);
                Fault f = p.arm(k, 1);
                Throwable thrown = catchThrowable(() -> invoke(k, p.method(), number));
                assertThat(thrown).as(p.toString()).isNotNull();
                assertThat(f.fired()).as(p.toString()).isTrue();
                if (p.phase() == Phase.AFTER && p.method().startsWith("remove")) {
                    assertThat(m.state("d")).as(p.toString()).isEmpty();
                }
                covered += k.totalFired();
            }
        }
        assertThat(covered).isEqualTo(FaultyKernel.failurePoints().size());
        assertThat(FaultyKernel.failurePoints().stream().map(FailurePoint::method).distinct())
                .containsExactlyElementsOf(FaultyKernel.METHODS);
    }

    private static void invoke(Kernel k, String method, DeviceNumber number) throws IOException {
        switch (method) {
            case "create" -> k.create("e", CreateOptions.defaults());
            case "load" -> k.load("d", ZERO);
            case "suspend" -> k.suspend("d");
            case "resume" -> k.resume("d", Visibility.PUBLIC);
            case "rename" -> k.rename("d", "e", Visibility.PUBLIC);
            case "clear" -> k.clear("d");
            case "info" -> k.info("d");
            case "table" -> k.table("d", TableSlot.LIVE);
            case "list" -> k.list("");
            case "remove" -> k.remove("d");
            case "removeDeferred" -> k.removeDeferred("d");
            case "cancelDeferredRemove" -> k.cancelDeferredRemove("d");
            case "mknodes" -> k.mknodes("d");
            case "nodePresent" -> k.nodePresent("d");
            case "inSysfs" -> k.inSysfs(number, "d");
            case "blockNode" -> k.blockNode(number);
            case "recordedVisibility" -> k.recordedVisibility(number);
            case "openers" -> k.openers(number);
            default -> throw new IllegalArgumentException(method);
        }
    }
}
