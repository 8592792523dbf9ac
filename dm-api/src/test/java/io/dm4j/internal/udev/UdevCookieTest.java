package io.dm4j.internal.udev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceMapperException;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.DmCommand;
import io.dm4j.NodePolicy;
import io.dm4j.OperationInterruptedException;
import io.dm4j.TargetLine;
import io.dm4j.UdevSync;
import io.dm4j.Visibility;
import io.dm4j.internal.ioctl.DmIoctl;
import io.dm4j.sys.Errno;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The udev cookie protocol against a fake kernel that records every call: the encoding of
 * {@code event_nr}, the semaphore's life, and what each node policy sends. {@code UdevSyncIT}
 * checks the same with the real kernel and a real udevd.
 */
class UdevCookieTest {
    private static final Path CONTROL = Path.of("/dev/mapper/control");
    private static final int COOKIE_COMMANDS_MASK = 0xffff0000;

    private final FakeKernel kernel = new FakeKernel();
    private final List<UdevSync> syncs = new ArrayList<>();

    private DeviceMapper open(NodePolicy policy, Duration timeout) throws IOException {
        DeviceMapper dm = DeviceMapper.open(CONTROL, kernel, policy, timeout);
        dm.onUdevSync(syncs::add);
        return dm;
    }

    private FakeKernel.Ioctl last(DmCommand command) {
        return kernel.ioctls.stream().filter(i -> i.command() == command.number()).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void aResumeUnderUdevCarriesACookieWithThePrimarySourceFlagAndWaitsForUdev() throws IOException {
        try (DeviceMapper dm = open(NodePolicy.UDEV, Duration.ofSeconds(5))) {
            kernel.calls.clear();
            dm.resume("vol");
        }
        int eventNr = last(DmCommand.DM_DEV_SUSPEND).eventNr();
        int base = eventNr & 0xffff;
        assertThat(base).isNotZero();
        assertThat(eventNr >>> 16).isEqualTo(UdevCookie.PRIMARY_SOURCE);
        assertThat(kernel.calls).containsExactly(
                String.format("semget 0x%08x %o", 0x0D4D0000 | base, 0600 | Syscalls.IPC_CREAT | Syscalls.IPC_EXCL),
                "semctl " + Syscalls.SETVAL + " 1",
                "semop 1",
                "ioctl " + DmCommand.DM_DEV_SUSPEND.number(),
                "semop -1 nowait",
                "semop 0",
                "rmid");
        assertThat(kernel.keys).as("semaphores left").isEmpty();
        assertThat(syncs).singleElement().satisfies(s -> {
            assertThat(s.command()).isEqualTo(DmCommand.DM_DEV_SUSPEND);
            assertThat(s.device()).isEqualTo("vol");
            assertThat(s.cookie()).isEqualTo(0x0D4D0000 | base);
            assertThat(s.outcome()).isEqualTo(UdevSync.Outcome.COMPLETED);
        });
    }

    @Test
    void removeRenameAndUuidChangesCarryCookiesTooEachWithItsOwnSemaphore() throws IOException {
        try (DeviceMapper dm = open(NodePolicy.UDEV, Duration.ofSeconds(5))) {
            dm.rename("a", "b");
            dm.setUuid("b", "uuid-b");
            dm.remove("b");
            dm.removeDeferred("c");
        }
        assertThat(syncs).extracting(UdevSync::command).containsExactly(DmCommand.DM_DEV_RENAME,
                DmCommand.DM_DEV_RENAME, DmCommand.DM_DEV_REMOVE, DmCommand.DM_DEV_REMOVE);
        assertThat(syncs).allMatch(s -> s.outcome() == UdevSync.Outcome.COMPLETED);
        assertThat(kernel.ioctls).filteredOn(i -> i.command() != DmCommand.DM_VERSION.number())
                .allMatch(i -> i.eventNr() >>> 16 == UdevCookie.PRIMARY_SOURCE && (i.eventNr() & 0xffff) != 0);
        assertThat(kernel.keys).isEmpty();
    }

    @Test
    void aPrivateDeviceTurnsOffTheDiskSubsystemAndOtherRules() throws IOException {
        try (DeviceMapper dm = open(NodePolicy.UDEV, Duration.ofSeconds(5))) {
            dm.resume("meta", Visibility.PRIVATE);
            dm.rename("meta", "meta2", Visibility.PRIVATE);
        }
        // 0x0040 primary source | 0x0002 subsystem | 0x0004 disk | 0x0008 other; /dev/mapper stays on
        assertThat(last(DmCommand.DM_DEV_SUSPEND).eventNr() >>> 16).isEqualTo(0x004E);
        assertThat(last(DmCommand.DM_DEV_RENAME).eventNr() >>> 16).isEqualTo(0x004E);
    }

    @Test
    void withoutAUeventThereIsNothingToWaitFor() throws IOException {
        kernel.uevents = false;
        kernel.udevResponds = false;
        try (DeviceMapper dm = open(NodePolicy.UDEV, Duration.ofSeconds(30))) {
            long start = System.nanoTime();
            dm.resume("vol");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
        assertThat(kernel.calls).doesNotContain("semop 0");
        assertThat(kernel.calls.get(kernel.calls.size() - 1)).isEqualTo("rmid");
        assertThat(kernel.keys).isEmpty();
        assertThat(syncs).singleElement().extracting(UdevSync::outcome).isEqualTo(UdevSync.Outcome.NO_UEVENT);
    }

    @Test
    void whenUdevDoesNotAnswerTheCallReturnsAtTheTimeoutAndSaysSo() throws IOException {
        kernel.udevResponds = false;
        try (DeviceMapper dm = open(NodePolicy.UDEV, Duration.ofMillis(300))) {
            long start = System.nanoTime();
            DeviceInfo info = dm.resume("vol");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(info.hasLiveTable()).isTrue();
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofSeconds(10));
        }
        assertThat(syncs).singleElement().satisfies(s -> {
            assertThat(s.outcome()).isEqualTo(UdevSync.Outcome.TIMED_OUT);
            assertThat(s.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        });
        assertThat(kernel.keys).as("semaphores left").isEmpty();
    }

    @Test
    void aFailedIoctlRemovesTheSemaphoreAndReportsNoSync() throws IOException {
        kernel.failUeventIoctl = Errno.ENXIO.number();
        try (DeviceMapper dm = open(NodePolicy.UDEV, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> dm.remove("missing")).isInstanceOf(DeviceNotFoundException.class);
        }
        assertThat(kernel.calls).contains("rmid").doesNotContain("semop 0");
        assertThat(kernel.keys).isEmpty();
        assertThat(syncs).isEmpty();
    }

    @Test
    void noSemaphoreMeansATypedErrorBeforeAnyIoctl() throws IOException {
        kernel.failSemget = Errno.ENOSPC.number();
        try (DeviceMapper dm = open(NodePolicy.UDEV, Duration.ofSeconds(5))) {
            int before = kernel.ioctls.size();
            assertThatThrownBy(() -> dm.resume("vol")).isInstanceOf(DeviceMapperException.class)
                    .hasMessageContaining("DM_DEV_SUSPEND vol").hasMessageContaining("/proc/sys/kernel/sem");
            assertThat(kernel.ioctls).hasSize(before);
        }
    }

    @Test
    void anInterruptedWaitSaysTheKernelChangedAndKeepsTheInterrupt() throws IOException {
        kernel.udevResponds = false;
        try (DeviceMapper dm = open(NodePolicy.UDEV, Duration.ofSeconds(30))) {
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> dm.resume("vol")).isInstanceOfSatisfying(OperationInterruptedException.class,
                        e -> {
                            assertThat(e.kernelChanged()).as("the resume ioctl was done").isTrue();
                            assertThat(e.device()).isEqualTo("vol");
                        });
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
        }
        assertThat(syncs).singleElement().extracting(UdevSync::outcome).isEqualTo(UdevSync.Outcome.INTERRUPTED);
        assertThat(kernel.keys).isEmpty();
    }

    @Test
    void aTakenKeyIsSkippedAndABaseOfZeroNeverUsed() throws IOException {
        kernel.semget(0x0D4D1234, 1, Syscalls.IPC_CREAT); // somebody else's cookie
        PrimitiveIterator.OfInt bases = IntStream.of(0, 0x1234, 0x5678).iterator();
        try (UdevCookie cookie = UdevCookie.create(kernel, bases::nextInt)) {
            assertThat(cookie.value()).isEqualTo(0x0D4D5678);
            assertThat(cookie.eventNr(UdevCookie.PRIMARY_SOURCE)).isEqualTo(0x00405678);
        }
        assertThat(kernel.calls).filteredOn(c -> c.startsWith("semget")).hasSize(3);
        assertThat(kernel.keys).containsOnlyKeys(100); // only the other one's
    }

    @Test
    void otherPoliciesSendTheFlagsWithoutACookieAndNeverTouchASemaphore() throws IOException {
        try (DeviceMapper dm = open(NodePolicy.LIBRARY, Duration.ofSeconds(5))) {
            dm.resume("vol", Visibility.PRIVATE);
        }
        // libdevmapper's flags when it makes the nodes itself: udev, if it runs, keeps off /dev/mapper.
        assertThat(last(DmCommand.DM_DEV_SUSPEND).eventNr()).isEqualTo(0x004F << 16);
        try (DeviceMapper dm = open(NodePolicy.NONE, Duration.ofSeconds(5))) {
            dm.remove("vol");
        }
        assertThat(last(DmCommand.DM_DEV_REMOVE).eventNr()).isEqualTo(UdevCookie.PRIMARY_SOURCE << 16);
        assertThat(kernel.calls).noneMatch(c -> c.startsWith("sem") || c.equals("rmid"));
        assertThat(syncs).isEmpty();
    }

    @Test
    void commandsWithoutUeventsKeepTheUpperBitsOfEventNrClear() throws IOException {
        try (DeviceMapper dm = open(NodePolicy.UDEV, Duration.ofSeconds(5))) {
            dm.create("vol");
            dm.resume("vol");
            dm.load("vol", List.of(new TargetLine(0, 8, "zero", "")));
            dm.info("vol");
            dm.suspend("vol");
            dm.clear("vol");
            dm.resume("vol");
            dm.message("vol", 0, "hello");
            dm.waitEvent("vol", 0);
        }
        List<Integer> cookieCommands = List.of(DmCommand.DM_DEV_SUSPEND.number(), DmCommand.DM_DEV_RENAME.number(),
                DmCommand.DM_DEV_REMOVE.number());
        assertThat(kernel.ioctls).filteredOn(i -> !cookieCommands.contains(i.command())
                || (i.flags() & DmIoctl.SUSPEND_FLAG) != 0)
                .hasSize(8)
                .allSatisfy(i -> assertThat(i.eventNr() & COOKIE_COMMANDS_MASK).as("command %d", i.command()).isZero());
    }
}
