package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dm4j.internal.ioctl.DmIoctl;
import io.dm4j.sys.Syscalls;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.LoopDevices;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every device-mapper command against the real kernel, with its error paths and exact errno. */
@ExtendWith(RealKernel.class)
class DeviceMapperIT {
    @RegisterExtension
    static final LoopDevices LOOPS = new LoopDevices(2, 32L << 20);

    static LoopDevice loopA;
    static LoopDevice loopB;
    static DeviceMapper dm;

    private final List<String> created = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        loopA = LOOPS.get(0);
        loopB = LOOPS.get(1);
        dm = DeviceMapper.open();
    }

    @AfterAll
    static void tearDown() throws IOException {
        dm.close();
    }

    @AfterEach
    void removeWhatThisTestCreated() throws IOException {
        for (String name : created) {
            try {
                dm.remove(name);
            } catch (DeviceNotFoundException alreadyGone) {
                // The test removed or renamed it itself.
            }
        }
    }

    private String device(String suffix, List<TargetLine> table, LoadOption... options) throws IOException {
        String name = RealKernel.name(suffix);
        dm.create(name, CreateOptions.defaults().uuid(RealKernel.name("uuid-" + suffix)));
        created.add(name);
        if (table != null) {
            dm.load(name, table, options);
            dm.resume(name);
        }
        return name;
    }

    private static List<TargetLine> twoLinear() {
        return List.of(new TargetLine(0, 8192, "linear", loopA.number() + " 0"),
                new TargetLine(8192, 8192, "linear", loopB.number() + " 2048"));
    }

    private static Path node(DeviceInfo info) {
        return Path.of("/dev/dm-" + info.device().minor());
    }

    @Test
    void tableStatusDepsAndInfoOfAMultiTargetDevice() throws IOException {
        String name = device("multi", twoLinear());
        DeviceInfo info = dm.info(name);
        assertThat(info.name()).isEqualTo(name);
        assertThat(info.uuid()).contains(RealKernel.name("uuid-multi"));
        assertThat(info.targetCount()).isEqualTo(2);
        assertThat(info.hasLiveTable()).isTrue();
        assertThat(info.suspended()).isFalse();
        assertThat(dm.table(name)).isEqualTo(twoLinear());
        assertThat(dm.status(name)).extracting(TargetStatus::type, TargetStatus::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("linear", ""),
                        org.assertj.core.groups.Tuple.tuple("linear", ""));
        assertThat(dm.deps(name, TableSlot.LIVE)).containsExactlyInAnyOrder(loopA.number(), loopB.number());
    }

    @Test
    void aTableBiggerThanTheFirstBufferLoadsAndReadsBack() throws IOException {
        List<TargetLine> many = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            many.add(new TargetLine(i * 8L, 8, i % 2 == 0 ? "zero" : "error", ""));
        }
        String name = device("big", many);
        assertThat(DmIoctl.SIZE + DmIoctl.linesSize(many.stream().map(DmIoctl.Line::of).toList())).isGreaterThan(DeviceMapper.DEFAULT_INITIAL_BUFFER);
        assertThat(dm.table(name)).isEqualTo(many);
        assertThat(dm.status(name)).hasSize(600);
    }

    @Test
    void readOnlyLoadMakesAReadOnlyDevice() throws IOException {
        String name = device("ro", List.of(new TargetLine(0, 2048, "zero", "")), LoadOption.READ_ONLY);
        assertThat(dm.info(name).flags()).contains(DeviceFlag.READ_ONLY);
        assertThat(Files.readString(Path.of("/sys/dev/block/" + dm.info(name).device() + "/ro")).strip())
                .isEqualTo("1");
    }

    @Test
    void inactiveTableIsLoadedQueriedAndCleared() throws IOException {
        String name = device("inactive", List.of(new TargetLine(0, 2048, "zero", "")));
        List<TargetLine> next = List.of(new TargetLine(0, 4096, "error", ""));
        assertThat(dm.load(name, next).hasInactiveTable()).isTrue();
        assertThat(dm.table(name, TableSlot.INACTIVE)).isEqualTo(next);
        assertThat(dm.table(name, TableSlot.LIVE)).containsExactly(new TargetLine(0, 2048, "zero", ""));
        assertThat(dm.deps(name, TableSlot.INACTIVE)).isEmpty();
        assertThat(Commands.check("dmsetup", "table", "--inactive", name)).isEqualTo("0 4096 error \n");
        DeviceInfo cleared = dm.clear(name);
        assertThat(cleared.hasInactiveTable()).isFalse();
        assertThat(dm.info(name).hasInactiveTable()).isFalse();
        assertThat(dm.table(name, TableSlot.INACTIVE)).isEmpty();
        // no table in the slot: the kernel writes no deps record at all
        assertThat(dm.deps(name, TableSlot.INACTIVE)).isEmpty();
    }

    @Test
    void suspendWithAndWithoutFlushThenResume() throws IOException {
        String name = device("suspend", twoLinear());
        assertThat(dm.suspend(name).suspended()).isTrue();
        assertThat(dm.info(name).suspended()).isTrue();
        assertThat(dm.resume(name).suspended()).isFalse();
        assertThat(dm.suspend(name, SuspendOption.NO_FLUSH, SuspendOption.SKIP_LOCKFS).suspended()).isTrue();
        assertThat(Commands.check("dmsetup", "info", "-c", "--noheadings", "-o", "suspended", name).strip())
                .isEqualTo("Suspended");
        assertThat(dm.resume(name).suspended()).isFalse();
    }

    @Test
    void renameAndSetUuid() throws IOException {
        String name = RealKernel.name("before");
        dm.create(name);
        String renamed = RealKernel.name("after");
        created.add(renamed);
        assertThat(dm.rename(name, renamed).name()).isEqualTo(renamed);
        assertThatThrownBy(() -> dm.info(name)).isInstanceOf(DeviceNotFoundException.class);
        assertThat(dm.setUuid(renamed, RealKernel.name("new-uuid")).uuid()).contains(RealKernel.name("new-uuid"));
        assertThat(Commands.check("dmsetup", "info", "-c", "--noheadings", "-o", "name,uuid", renamed).strip())
                .isEqualTo(renamed + ":" + RealKernel.name("new-uuid"));
        assertThatThrownBy(() -> dm.setUuid(renamed, RealKernel.name("other")))
                .isInstanceOfSatisfying(DeviceMapperException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"));
    }

    @Test
    void errorsCarryTheCommandTheDeviceAndTheExactErrno() throws IOException {
        String missing = RealKernel.name("missing");
        assertThatThrownBy(() -> dm.info(missing)).isInstanceOfSatisfying(DeviceNotFoundException.class, e -> {
            assertThat(e.errnoName()).isEqualTo("ENXIO");
            assertThat(e.command()).isEqualTo(DmCommand.DM_DEV_STATUS);
            assertThat(e.device()).contains(missing);
            assertThat(e.getMessage()).contains("DM_DEV_STATUS " + missing + ": ENXIO");
        });
        assertThatThrownBy(() -> dm.remove(missing)).isInstanceOf(DeviceNotFoundException.class);

        String name = device("dup", null);
        assertThatThrownBy(() -> dm.create(name)).isInstanceOfSatisfying(DeviceExistsException.class,
                e -> assertThat(e.errnoName()).isEqualTo("EBUSY"));

        List<TargetLine> bad = List.of(new TargetLine(0, 2048, "linear", "259:99999 0"));
        assertThatThrownBy(() -> dm.load(name, bad)).isInstanceOfSatisfying(TableRejectedException.class, e -> {
            // The kernel reports a missing underlying device as ENXIO, like a missing dm device.
            assertThat(e.errnoName()).isEqualTo("ENXIO");
            assertThat(e.table()).isEqualTo("0 2048 linear 259:99999 0");
            assertThat(e.kernelLog()).anySatisfy(l -> assertThat(l).contains("linear"));
        });
        assertThatThrownBy(() -> dm.load(name, List.of(new TargetLine(0, 2048, "no-such-target", ""))))
                .isInstanceOfSatisfying(TableRejectedException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"));
        assertThatThrownBy(() -> dm.load(missing, List.of(new TargetLine(0, 2048, "zero", ""))))
                .isInstanceOf(DeviceNotFoundException.class);
        // A failed load leaves the device as it was.
        assertThat(dm.info(name).hasInactiveTable()).isFalse();
        assertThat(dm.info(name).hasLiveTable()).isFalse();
    }

    @Test
    void removeOfAnOpenDeviceIsBusyWithItsOpenCount() throws IOException {
        String name = device("busy", twoLinear());
        DeviceInfo info = dm.info(name);
        try (FileChannel open = FileChannel.open(node(info), StandardOpenOption.READ)) {
            assertThat(dm.info(name).openCount()).isEqualTo(1);
            assertThatThrownBy(() -> dm.remove(name)).isInstanceOfSatisfying(DeviceBusyException.class, e -> {
                assertThat(e.errnoName()).isEqualTo("EBUSY");
                assertThat(e.openCount()).hasValue(1);
            });
        }
        dm.remove(name);
        assertThat(Path.of("/sys/dev/block/" + info.device())).doesNotExist();
    }

    @Test
    void deferredRemoveIsScheduledCancelledAndCompletes() throws Exception {
        String name = device("deferred", twoLinear());
        DeviceInfo info = dm.info(name);
        try (FileChannel open = FileChannel.open(node(info), StandardOpenOption.READ)) {
            assertThat(dm.removeDeferred(name)).isEqualTo(RemoveOutcome.DEFERRED);
            assertThat(dm.info(name).flags()).contains(DeviceFlag.DEFERRED_REMOVE);
            dm.cancelDeferredRemove(name);
            assertThat(dm.info(name).flags()).doesNotContain(DeviceFlag.DEFERRED_REMOVE);
            assertThat(dm.removeDeferred(name)).isEqualTo(RemoveOutcome.DEFERRED);
        }
        // The last close lets the kernel remove it from a workqueue.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (dm.list(name, "").size() == 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(dm.list(name, "")).isEmpty();
        String other = device("deferred-idle", twoLinear());
        assertThat(dm.removeDeferred(other)).isEqualTo(RemoveOutcome.REMOVED);
        assertThat(dm.list(other, "")).isEmpty();
    }

    @Test
    void fixedMinorAndList() throws IOException {
        int minor = 200 + (int) (ProcessHandle.current().pid() % 500);
        String name = RealKernel.name("minor");
        DeviceInfo info = dm.create(name, CreateOptions.defaults().minor(minor).uuid(RealKernel.name("uuid-minor")));
        created.add(name);
        assertThat(info.device().minor()).isEqualTo(minor);
        List<DeviceListEntry> listed = dm.list(RealKernel.prefix(), "");
        assertThat(listed).singleElement().satisfies(e -> {
            assertThat(e.name()).isEqualTo(name);
            assertThat(e.device()).isEqualTo(info.device());
            assertThat(e.uuid()).contains(RealKernel.name("uuid-minor"));
            assertThat(e.eventNr()).hasValue(info.eventNr());
        });
        assertThat(dm.list("", RealKernel.name("uuid-min"))).extracting(DeviceListEntry::name).containsExactly(name);
        assertThat(dm.list()).extracting(DeviceListEntry::name).contains(name);
    }

    /** A first buffer that holds only the header forces the DM_BUFFER_FULL_FLAG retry everywhere. */
    @Test
    void replyThatDoesNotFitIsRetriedWithABiggerBuffer() throws IOException {
        String name = device("full", twoLinear());
        try (DeviceMapper tiny = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get(), DmIoctl.SIZE)) {
            long before = tiny.ioctlCount();
            assertThat(tiny.table(name)).isEqualTo(twoLinear());
            assertThat(tiny.ioctlCount() - before).isGreaterThan(1);
            assertThat(tiny.status(name)).hasSize(2);
            assertThat(tiny.deps(name, TableSlot.LIVE)).hasSize(2);
            assertThat(tiny.list(RealKernel.prefix(), "")).extracting(DeviceListEntry::name).containsExactly(name);
            assertThat(tiny.targetVersions()).extracting(TargetVersion::name).contains("linear", "zero");
            before = tiny.ioctlCount();
            assertThat(tiny.table(name)).isEqualTo(twoLinear());
            assertThat(tiny.ioctlCount() - before).as("the grown buffer is kept").isEqualTo(1);
        }
    }

    @Test
    void waitEventReturnsWhenTheDeviceHasAnEvent() throws Exception {
        String name = device("wait", twoLinear());
        long event = dm.info(name).eventNr();
        assertThat(dm.waitEvent(name, event + 5).eventNr()).as("a different number returns at once").isEqualTo(event);
        CompletableFuture<DeviceInfo> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return dm.waitEvent(name, event);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(waiter).isNotDone();
        String renamed = RealKernel.name("wait2");
        created.add(renamed);
        dm.rename(name, renamed); // a rename raises an event on the device's table
        assertThat(waiter.get(30, TimeUnit.SECONDS).eventNr()).isGreaterThan(event);
    }

    @Test
    void targetVersionsAndMessages() throws IOException {
        List<TargetVersion> versions = dm.targetVersions();
        assertThat(versions).extracting(TargetVersion::name).contains("linear", "striped", "zero", "error", "thin-pool");
        TargetVersion linear = versions.stream().filter(v -> v.name().equals("linear")).findFirst().orElseThrow();
        assertThat(dm.targetVersion("linear")).isEqualTo(linear);
        assertThat(Commands.check("dmsetup", "targets")).contains("linear           v" + linear.version());
        assertThatThrownBy(() -> dm.targetVersion("nosuchtarget"))
                .isInstanceOfSatisfying(DeviceMapperException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"));

        String name = device("msg", twoLinear());
        // device-mapper's own statistics answer messages with text.
        assertThat(dm.message(name, 0, "@stats_create - /4")).hasValue("0");
        assertThat(dm.message(name, 0, "@stats_list")).hasValueSatisfying(s -> assertThat(s).contains("0:"));
        assertThat(dm.message(name, 0, "@stats_delete 0")).isEmpty();
        assertThatThrownBy(() -> dm.message(name, 0, "no_such_message"))
                .isInstanceOfSatisfying(DeviceMapperException.class, e -> assertThat(e.errnoName()).isEqualTo("EINVAL"));
    }

    @Test
    void geometryIsWhatTheBlockDeviceReports() throws IOException {
        String name = device("geo", twoLinear());
        dm.setGeometry(name, new Geometry(1000, 16, 63, 0));
        Syscalls sys = Syscalls.get();
        int fd = sys.open(node(dm.info(name)).toString(), Syscalls.O_RDONLY);
        try {
            // HDIO_GETGEO: struct hd_geometry { u8 heads; u8 sectors; u16 cylinders; unsigned long start; }
            ByteBuffer geo = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
            sys.ioctl(fd, 0x0301, geo);
            assertThat(Byte.toUnsignedInt(geo.get(0))).isEqualTo(16);
            assertThat(Byte.toUnsignedInt(geo.get(1))).isEqualTo(63);
            assertThat(Short.toUnsignedInt(geo.getShort(2))).isEqualTo(1000);
        } finally {
            sys.close(fd);
        }
        assertThatThrownBy(() -> new Geometry(70000, 1, 1, 0)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void imaMeasurementAndArmPoll() throws IOException {
        String name = device("ima", twoLinear());
        assertThat(dm.imaMeasurement(name, TableSlot.LIVE)).contains("target_name=linear")
                .contains("device_name=" + loopA.number());
        // one entry per target, in table order, each with its own device and offset
        List<TargetStatus> measured = dm.imaMeasurements(name, TableSlot.LIVE, false);
        assertThat(measured).extracting(TargetStatus::start, TargetStatus::length, TargetStatus::type)
                .containsExactly(tuple(0L, 8192L, "linear"), tuple(8192L, 8192L, "linear"));
        assertThat(measured.get(1).status()).contains("device_name=" + loopB.number()).contains("start=2048");
        dm.armPoll();
        assertThat(dm.ioctlCount()).isPositive();
    }

    @Test
    void removeAllRemovesEveryClosedDevice() throws IOException {
        assumeTrue(RealKernel.inThrowawayGuest(), "remove-all acts on the whole machine: only run in a vm/run guest");
        assertThat(dm.list()).allSatisfy(e -> assertThat(e.name()).startsWith(RealKernel.prefix()));
        device("all1", twoLinear());
        device("all2", null);
        dm.removeAll(false);
        assertThat(dm.list()).isEmpty();
    }

    @Test
    void validationHappensBeforeAnyIoctl() throws IOException {
        long before = dm.ioctlCount();
        assertThatThrownBy(() -> dm.create("a/b")).isInstanceOfSatisfying(InvalidArgumentException.class,
                e -> assertThat(e.field()).isEqualTo("name"));
        assertThatThrownBy(() -> dm.create("x".repeat(128))).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> dm.create("control")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> dm.load(RealKernel.name("v"), List.of(new TargetLine(0, 10, "zero", ""),
                new TargetLine(11, 10, "zero", "")))).isInstanceOf(InvalidTableException.class);
        assertThatThrownBy(() -> dm.load(RealKernel.name("v"), List.of())).isInstanceOf(InvalidTableException.class);
        assertThatThrownBy(() -> new TargetLine(0, 1, "a-very-long-target-type", ""))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> CreateOptions.defaults().uuid("u".repeat(129)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(dm.ioctlCount()).isEqualTo(before);
    }

    @Test
    void withoutCapSysAdminTheErrorSaysWhatToDo() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // nobody cannot read root's Maven repository: give it a world-readable copy of the classpath.
        Path shared = Files.createTempDirectory(Path.of("/tmp"), "dm4j-cp");
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path copy = shared.resolve(Integer.toString(i++) + (entry.endsWith(".jar") ? ".jar" : ""));
            Commands.check("cp", "-r", entry, copy.toString());
            entries.add(copy.toString());
        }
        Commands.check("chmod", "-R", "a+rX", shared.toString());
        Commands.Result r;
        try {
            r = Commands.run("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", javaBin,
                    "--enable-native-access=ALL-UNNAMED", "-cp", String.join(java.io.File.pathSeparator, entries),
                    PermissionProbe.class.getName());
        } finally {
            Commands.check("rm", "-rf", shared.toString());
        }
        assertThat(r.stdout()).contains("PermissionDeniedException")
                .contains("needs CAP_SYS_ADMIN: run as root or in a privileged container");
    }

    /** Run as an unprivileged user by the test above. */
    public static final class PermissionProbe {
        public static void main(String[] args) {
            try (DeviceMapper dm = DeviceMapper.open()) {
                System.out.println("unexpectedly opened: " + dm.version());
            } catch (IOException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
