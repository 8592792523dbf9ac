package io.dm4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceFlag;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceMapperException;
import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.DmVersion;
import io.dm4j.NodePolicy;
import io.dm4j.RemoveOutcome;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.UnsupportedCommandException;
import io.dm4j.registry.TableRegistry;
import io.dm4j.sys.Errno;
import io.dm4j.sys.HasErrno;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the simulator offers beyond the kernel's behaviour (that is {@link SimulatedKernelContractTest}'s):
 * faults, delays, call counts, opaque target types, its kernel log, and the refusals that tell a user
 * what it cannot do.
 */
class SimulatedKernelTest {
    private final SimulatedKernel kernel = SimulatedKernel.create();

    @Test
    void aDeviceMapperAndARegistryWorkWithoutRootOrAKernel() throws IOException {
        DeviceNumber disk = kernel.addDisk("/dev/sim0", 4096);
        try (DeviceMapper dm = kernel.deviceMapper(); TableRegistry registry = TableRegistry.open(dm)) {
            assertThat(dm.backend()).isEqualTo("simulated");
            assertThat(dm.driverVersion()).isEqualTo(SimulatedKernel.DEFAULT_VERSION);
            registry.create("vol", CreateOptions.defaults(), List.of(new TargetLine(0, 2048, "linear", "/dev/sim0 2048")));
            assertThat(dm.table("vol")).containsExactly(new TargetLine(0, 2048, "linear", disk + " 2048"));
            assertThat(dm.info("vol").flags()).contains(DeviceFlag.LIVE_TABLE_PRESENT);
            registry.remove("vol");
            assertThat(dm.list()).isEmpty();
        }
    }

    @Test
    void anEventMonitorSeesDevicesComeAndGo() throws Exception {
        java.util.concurrent.BlockingQueue<io.dm4j.event.DeviceEvent> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        try (io.dm4j.event.EventMonitor monitor = io.dm4j.event.EventMonitor.start(DeviceMapper.CONTROL, kernel);
                AutoCloseable subscription = monitor.subscribe(seen::add);
                DeviceMapper dm = kernel.deviceMapper()) {
            assertThat(monitor.mode()).isEqualTo(io.dm4j.event.EventMonitor.Mode.POLL);
            dm.create("watched");
            assertThat(next(seen)).as("the creation").satisfies(e -> {
                assertThat(e.kind()).isEqualTo(io.dm4j.event.EventKind.CREATED);
                assertThat(e.name()).contains("watched");
            });
            dm.remove("watched");
            assertThat(next(seen)).as("the removal").satisfies(e -> {
                assertThat(e.kind()).isEqualTo(io.dm4j.event.EventKind.REMOVED);
                assertThat(e.name()).contains("watched");
            });
        }
    }

    private static io.dm4j.event.DeviceEvent next(java.util.concurrent.BlockingQueue<io.dm4j.event.DeviceEvent> seen)
            throws InterruptedException {
        while (true) {
            io.dm4j.event.DeviceEvent e = seen.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("an event within 10 s").isNotNull();
            // In poll mode every round starts with this marker: two lists cannot show what came between.
            if (e.kind() != io.dm4j.event.EventKind.MAYBE_MISSED) {
                return e;
            }
        }
    }

    @Test
    void injectedFaultsFailTheNextCallsThenStop() throws IOException {
        try (DeviceMapper dm = kernel.deviceMapper()) {
            kernel.failNext(DmCommand.DM_DEV_CREATE, 2, Errno.ENOMEM);
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> dm.create("vol")).isInstanceOf(DeviceMapperException.class)
                        .satisfies(e -> assertThat(((HasErrno) e).errno()).contains(Errno.ENOMEM));
            }
            assertThat(dm.list()).isEmpty();
            dm.create("vol");
            assertThat(kernel.calls(DmCommand.DM_DEV_CREATE)).isEqualTo(3);
            assertThat(kernel.kernelLog()).hasSize(2).allMatch(l -> l.contains("ENOMEM"));
            dm.remove("vol");
        }
    }

    @Test
    void aDelayedCommandTakesItsTimeAndIgnoresInterrupts() throws Exception {
        try (DeviceMapper dm = kernel.deviceMapper()) {
            kernel.delay(DmCommand.DM_DEV_STATUS, Duration.ofMillis(300));
            dm.create("vol");
            CompletableFuture<DeviceInfo> info = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    info.complete(dm.info("vol"));
                } catch (IOException e) {
                    info.completeExceptionally(e);
                }
            });
            long start = System.nanoTime();
            t.start();
            t.interrupt();
            assertThat(info.get(10, TimeUnit.SECONDS).name()).isEqualTo("vol");
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
            kernel.delay(DmCommand.DM_DEV_STATUS, Duration.ZERO);
            dm.remove("vol");
        }
    }

    @Test
    void anOpaqueTypeLoadsAnythingAndReadsItBack() throws IOException {
        kernel.addTargetType("crypt", new DmVersion(1, 24, 0));
        kernel.addDisk("/dev/sim0", 4096);
        try (DeviceMapper dm = kernel.deviceMapper()) {
            dm.create("secret");
            List<TargetLine> table = List.of(new TargetLine(0, 4096, "crypt", "aes-xts-plain64 :64:logon:k 0 7:0 0"));
            dm.load("secret", table);
            assertThat(dm.table("secret", TableSlot.INACTIVE)).isEqualTo(table);
            assertThat(dm.targetVersion("crypt").version()).isEqualTo(new DmVersion(1, 24, 0));
            dm.remove("secret");
        }
    }

    @Test
    void anOlderInterfaceRefusesNewerCommands() throws IOException {
        SimulatedKernel old = SimulatedKernel.create(new DmVersion(4, 36, 0));
        try (DeviceMapper dm = old.deviceMapper()) {
            assertThat(dm.driverVersion()).isEqualTo(new DmVersion(4, 36, 0));
            assertThatThrownBy(() -> dm.targetVersion("linear")).isInstanceOf(UnsupportedCommandException.class);
            dm.create("vol");
            assertThat(dm.list()).extracting(DeviceListEntry::name).containsExactly("vol");
            dm.remove("vol");
        }
    }

    @Test
    void aHolderKeepsADeferredRemoveWaitingUntilItCloses() throws IOException {
        try (DeviceMapper dm = kernel.deviceMapper()) {
            dm.create("vol");
            assertThatThrownBy(() -> kernel.openDevice("vol")).as("no block device before the first table")
                    .satisfies(e -> assertThat(((HasErrno) e).errno()).contains(Errno.ENXIO));
            dm.load("vol", List.of(new TargetLine(0, 8, "zero", "")));
            SimulatedKernel.Hold hold = kernel.openDevice("vol");
            assertThat(dm.info("vol").openCount()).isEqualTo(1);
            assertThat(dm.removeDeferred("vol")).isEqualTo(RemoveOutcome.DEFERRED);
            assertThat(dm.info("vol").flags()).contains(DeviceFlag.DEFERRED_REMOVE);
            hold.close();
            hold.close(); // a second close is no second release
            assertThat(dm.list()).isEmpty();
        }
    }

    @Test
    void whatItCannotDoItSaysSo() throws IOException {
        try (DeviceMapper udev = DeviceMapper.open(DeviceMapper.CONTROL, kernel, NodePolicy.UDEV)) {
            udev.create("x");
            // udev's cookie protocol needs SysV semaphores, which the simulator does not have.
            assertThatThrownBy(() -> udev.remove("x")).hasMessageContaining("NodePolicy.NONE");
            assertThat(udev.info("x").name()).isEqualTo("x");
        }
        assertThatThrownBy(() -> kernel.open("/dev/loop0", 0)).hasMessageContaining("/dev/mapper/control");
        assertThatThrownBy(() -> kernel.openDevice("nobody")).satisfies(
                e -> assertThat(((HasErrno) e).errno()).contains(Errno.ENXIO));
    }

    @Test
    void aLargeTableComesBackWholeThroughBufferRetries() throws IOException {
        DeviceNumber disk = kernel.addDisk("/dev/sim0", 1 << 20);
        List<TargetLine> table = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            table.add(new TargetLine(i * 8L, 8, "linear", disk + " " + (i * 8L)));
        }
        try (DeviceMapper dm = kernel.deviceMapper()) {
            dm.create("big");
            dm.load("big", table);
            dm.resume("big");
            assertThat(dm.table("big")).isEqualTo(table);
            assertThat(dm.status("big")).hasSize(3000);
            dm.remove("big");
        }
    }
}
