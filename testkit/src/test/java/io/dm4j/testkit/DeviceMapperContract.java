package io.dm4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceBusyException;
import io.dm4j.DeviceExistsException;
import io.dm4j.DeviceFlag;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceMapperException;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.Geometry;
import io.dm4j.InvalidArgumentException;
import io.dm4j.InvalidTableException;
import io.dm4j.LoadOption;
import io.dm4j.RemoveOutcome;
import io.dm4j.SuspendOption;
import io.dm4j.TableRejectedException;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.TargetStatus;
import io.dm4j.TargetVersion;
import io.dm4j.status.EmptyStatus;
import io.dm4j.status.StatusReport;
import io.dm4j.status.StripedStatus;
import io.dm4j.status.ThinPoolStatus;
import io.dm4j.status.ThinStatus;
import io.dm4j.sys.Errno;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * What device-mapper does, command by command, as seen through {@link DeviceMapper}: one suite
 * that runs against the real kernel ({@link KernelContractIT}, in the VM) and against the
 * in-memory simulator, so that the simulator is shown to behave as the kernel does rather than
 * assumed to. Each case states one rule of the kernel's 18 commands (which slot a table goes to,
 * which flags a device reports, which refusal carries which errno, the text a target reads back
 * as) in terms both kernels must meet; the expectations were taken from the real kernel (Debian's
 * 6.1 in the VM), not from the simulator.
 *
 * <p>Where a number is the kernel's own business (the metadata blocks a thin pool uses, its
 * metadata low-water mark), a case checks only what a program may rely on. Nothing here touches a
 * device the case did not make: {@link DeviceMapper#removeAll} is left out, since on the real
 * kernel it would remove other tests' devices.
 */
abstract class DeviceMapperContract {
    /** Sectors in a MiB. */
    static final long MIB = 2048;

    /** A new kernel for one case; the case closes it, which also checks it left nothing behind. */
    protected abstract ContractKernel kernel() throws Exception;

    // ------------------------------------------------------------------ create

    @Test
    void aNewDeviceHasNoTableNoOpenerAndEventNumberZero() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("fresh");
            DeviceInfo created = k.dm().create(name);
            DeviceInfo info = k.dm().info(name);
            for (DeviceInfo i : List.of(created, info)) {
                assertThat(i.name()).isEqualTo(name);
                assertThat(i.uuid()).isEmpty();
                assertThat(i.flags()).as("a device without a table is neither suspended nor loaded").isEmpty();
                assertThat(i.openCount()).isZero();
                assertThat(i.eventNr()).isZero();
                assertThat(i.targetCount()).isZero();
            }
            assertThat(created.device()).isEqualTo(info.device());
            remove(k, name);
        }
    }

    @Test
    void devicesShareOneMajorAndGetMinorsOfTheirOwn() throws Exception {
        try (ContractKernel k = kernel()) {
            String first = k.name("a");
            String second = k.name("b");
            DeviceNumber a = k.dm().create(first).device();
            DeviceNumber b = k.dm().create(second).device();
            assertThat(b.major()).isEqualTo(a.major());
            assertThat(b.minor()).isNotEqualTo(a.minor());
            remove(k, first, second);
        }
    }

    /** Minors come from an allocator that hands out the lowest free one, so a freed minor comes back. */
    @Test
    void theMinorOfARemovedDeviceIsTheNextOneGiven() throws Exception {
        try (ContractKernel k = kernel()) {
            String first = k.name("reuse-a");
            String second = k.name("reuse-b");
            String third = k.name("reuse-c");
            DeviceNumber freed = k.dm().create(first).device();
            k.dm().create(second);
            k.dm().remove(first);
            assertThat(k.dm().create(third).device()).isEqualTo(freed);
            remove(k, second, third);
        }
    }

    @Test
    void aUuidGivenAtCreateIsReportedAndListedUnderIt() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("withuuid");
            String uuid = "CONTRACT-" + name;
            assertThat(k.dm().create(name, CreateOptions.defaults().uuid(uuid)).uuid()).contains(uuid);
            assertThat(k.dm().info(name).uuid()).contains(uuid);
            assertThat(k.dm().list("", uuid)).extracting(DeviceListEntry::name).containsExactly(name);
            assertThat(k.dm().list("", uuid.substring(0, uuid.length() - 2))).extracting(DeviceListEntry::name)
                    .containsExactly(name);
            remove(k, name);
        }
    }

    @Test
    void aTakenNameIsRefusedWithEbusyAndTheDeviceKeepsItsIdentity() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("taken");
            DeviceInfo first = k.dm().create(name);
            String uuid = "CONTRACT-" + name;
            DeviceMapperException e = refused(() -> k.dm().create(name, CreateOptions.defaults().uuid(uuid)),
                    DeviceExistsException.class, Errno.EBUSY);
            assertThat(e.command()).isEqualTo(DmCommand.DM_DEV_CREATE);
            assertThat(e.device()).contains(name);
            DeviceInfo after = k.dm().info(name);
            assertThat(after.device()).isEqualTo(first.device());
            assertThat(after.uuid()).as("the refused create's uuid went nowhere").isEmpty();
            assertThat(k.dm().list("", uuid)).isEmpty();
            remove(k, name);
        }
    }

    @Test
    void aTakenUuidIsRefusedWithEbusyAndNoDeviceIsMade() throws Exception {
        try (ContractKernel k = kernel()) {
            String first = k.name("uuid-owner");
            String second = k.name("uuid-copier");
            String uuid = "CONTRACT-" + first;
            k.dm().create(first, CreateOptions.defaults().uuid(uuid));
            refused(() -> k.dm().create(second, CreateOptions.defaults().uuid(uuid)), DeviceExistsException.class,
                    Errno.EBUSY);
            refused(() -> k.dm().info(second), DeviceNotFoundException.class, Errno.ENXIO);
            assertThat(k.dm().list("", uuid)).extracting(DeviceListEntry::name).containsExactly(first);
            remove(k, first);
        }
    }

    /**
     * The kernel's create reports every failure to set up the device, a taken minor among them, as
     * ENXIO, which dm4j reads as a missing device.
     */
    @Test
    void aChosenMinorIsGivenATakenOneIsEnxioAndAFreedOneCanBeTakenAgain() throws Exception {
        try (ContractKernel k = kernel()) {
            int minor = freeMinor(k.dm());
            String a = k.name("minor-a");
            String b = k.name("minor-b");
            assertThat(k.dm().create(a, CreateOptions.defaults().minor(minor)).device().minor()).isEqualTo(minor);
            assertThat(k.dm().info(a).device().minor()).isEqualTo(minor);
            DeviceMapperException e = refused(() -> k.dm().create(b, CreateOptions.defaults().minor(minor)),
                    DeviceNotFoundException.class, Errno.ENXIO);
            assertThat(e.command()).isEqualTo(DmCommand.DM_DEV_CREATE);
            refused(() -> k.dm().info(b), DeviceNotFoundException.class, Errno.ENXIO);
            k.dm().remove(a);
            assertThat(k.dm().create(b, CreateOptions.defaults().minor(minor)).device().minor()).isEqualTo(minor);
            remove(k, b);
        }
    }

    /** dm4j refuses these names itself; the kernel never sees them, and nothing is made. */
    @Test
    void reservedAndMalformedNamesNeverReachTheKernel() throws Exception {
        try (ContractKernel k = kernel()) {
            String prefix = k.name("probe");
            for (String bad : List.of("control", ".", "..", prefix + "/x", prefix + "x".repeat(128), "")) {
                assertThatThrownBy(() -> k.dm().create(bad)).as(bad).isInstanceOf(InvalidArgumentException.class);
            }
            assertThat(k.dm().list(prefix, "")).isEmpty();
        }
    }

    // ------------------------------------------------------------------ missing devices, info, list

    @Test
    void everyCommandOnAMissingDeviceIsEnxio() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceMapper dm = k.dm();
            String missing = k.name("missing");
            String free = k.name("free");
            List<TargetLine> zero = List.of(zero(0, MIB));
            expectMissing(() -> dm.info(missing), DmCommand.DM_DEV_STATUS);
            expectMissing(() -> dm.remove(missing), DmCommand.DM_DEV_REMOVE);
            expectMissing(() -> dm.removeDeferred(missing), DmCommand.DM_DEV_REMOVE);
            expectMissing(() -> dm.suspend(missing), DmCommand.DM_DEV_SUSPEND);
            expectMissing(() -> dm.resume(missing), DmCommand.DM_DEV_SUSPEND);
            expectMissing(() -> dm.load(missing, zero), DmCommand.DM_TABLE_LOAD);
            expectMissing(() -> dm.clear(missing), DmCommand.DM_TABLE_CLEAR);
            expectMissing(() -> dm.table(missing), DmCommand.DM_TABLE_STATUS);
            expectMissing(() -> dm.table(missing, TableSlot.INACTIVE), DmCommand.DM_TABLE_STATUS);
            expectMissing(() -> dm.status(missing), DmCommand.DM_TABLE_STATUS);
            expectMissing(() -> dm.deps(missing, TableSlot.LIVE), DmCommand.DM_TABLE_DEPS);
            expectMissing(() -> dm.rename(missing, free), DmCommand.DM_DEV_RENAME);
            expectMissing(() -> dm.setUuid(missing, "CONTRACT-" + missing), DmCommand.DM_DEV_RENAME);
            expectMissing(() -> dm.message(missing, 0, "@cancel_deferred_remove"), DmCommand.DM_TARGET_MSG);
            expectMissing(() -> dm.setGeometry(missing, new Geometry(1, 1, 1, 0)), DmCommand.DM_DEV_SET_GEOMETRY);
            expectMissing(() -> dm.waitEvent(missing, 0), DmCommand.DM_DEV_WAIT);
            refused(() -> dm.info(free), DeviceNotFoundException.class, Errno.ENXIO);
        }
    }

    @Test
    void listComesSortedByName() throws Exception {
        try (ContractKernel k = kernel()) {
            List<String> made = new ArrayList<>();
            for (String hint : List.of("m", "b", "Z", "x-2", "x10", "a")) {
                String name = k.name(hint);
                k.dm().create(name);
                made.add(name);
            }
            List<String> listed = k.dm().list(commonPrefix(made), "").stream().map(DeviceListEntry::name).toList();
            assertThat(listed).containsExactlyInAnyOrderElementsOf(made);
            assertThat(listed).as("the kernel keeps names in a tree ordered by strcmp").isSorted();
            remove(k, made.toArray(String[]::new));
        }
    }

    @Test
    void listEntriesCarryTheNumberEventNumberAndUuidInfoReports() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceNumber disk = k.disk(MIB);
            String plain = k.name("plain");
            String tagged = k.name("tagged");
            k.dm().create(plain);
            k.dm().create(tagged, CreateOptions.defaults().uuid("CONTRACT-" + tagged));
            k.dm().load(tagged, List.of(linear(0, MIB, disk, 0)));
            k.dm().resume(tagged);
            String renamed = k.name("tagged-renamed");
            k.dm().rename(tagged, renamed); // an event, so the numbers differ from the default
            List<DeviceListEntry> listed = k.dm().list(commonPrefix(List.of(plain, renamed)), "");
            assertThat(listed).hasSize(2);
            for (DeviceListEntry e : listed) {
                DeviceInfo info = k.dm().info(e.name());
                assertThat(e.device()).isEqualTo(info.device());
                assertThat(e.eventNr()).hasValue(info.eventNr());
                assertThat(e.uuid()).isEqualTo(info.uuid());
            }
            assertThat(listed).filteredOn(e -> e.name().equals(renamed)).singleElement()
                    .satisfies(e -> assertThat(e.eventNr()).hasValue(1));
            remove(k, plain, renamed);
        }
    }

    // ------------------------------------------------------------------ load, resume, clear

    @Test
    void aLoadFillsOnlyTheInactiveSlot() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("inactive");
            k.dm().create(name);
            List<TargetLine> table = List.of(zero(0, MIB));
            DeviceInfo loaded = k.dm().load(name, table);
            assertThat(loaded.flags()).containsExactly(DeviceFlag.INACTIVE_TABLE_PRESENT);
            assertThat(loaded.targetCount()).as("target_count counts the live table").isZero();
            DeviceInfo info = k.dm().info(name);
            assertThat(info.flags()).containsExactly(DeviceFlag.INACTIVE_TABLE_PRESENT);
            assertThat(info.targetCount()).isZero();
            assertThat(info.eventNr()).isZero();
            assertThat(k.dm().table(name, TableSlot.INACTIVE)).isEqualTo(table);
            assertThat(k.dm().table(name, TableSlot.LIVE)).isEmpty();
            assertThat(k.dm().status(name)).isEmpty();
            assertThat(k.dm().status(name, TableSlot.INACTIVE, false))
                    .containsExactly(new TargetStatus(0, MIB, "zero", ""));
            remove(k, name);
        }
    }

    @Test
    void resumeMakesTheInactiveTableLive() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("swap");
            k.dm().create(name);
            List<TargetLine> table = List.of(zero(0, MIB), zero(MIB, MIB));
            k.dm().load(name, table);
            DeviceInfo resumed = k.dm().resume(name);
            DeviceInfo info = k.dm().info(name);
            for (DeviceInfo i : List.of(resumed, info)) {
                assertThat(i.flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
                assertThat(i.targetCount()).isEqualTo(2);
            }
            assertThat(info.eventNr()).as("a table swap is no event").isZero();
            assertThat(k.dm().table(name)).isEqualTo(table);
            assertThat(k.dm().table(name, TableSlot.INACTIVE)).isEmpty();
            remove(k, name);
        }
    }

    @Test
    void aLoadOverALiveTableLeavesItServingUntilTheNextResume() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "reload", zero(0, MIB));
            List<TargetLine> next = List.of(error(0, 2 * MIB));
            DeviceInfo loaded = k.dm().load(name, next);
            assertThat(loaded.flags()).containsExactlyInAnyOrder(DeviceFlag.LIVE_TABLE_PRESENT,
                    DeviceFlag.INACTIVE_TABLE_PRESENT);
            assertThat(loaded.targetCount()).isEqualTo(1);
            assertThat(k.dm().table(name)).containsExactly(zero(0, MIB));
            assertThat(k.dm().status(name)).extracting(TargetStatus::type).containsExactly("zero");
            assertThat(k.dm().table(name, TableSlot.INACTIVE)).isEqualTo(next);
            k.dm().resume(name);
            assertThat(k.dm().table(name)).isEqualTo(next);
            assertThat(k.dm().info(name).flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            remove(k, name);
        }
    }

    @Test
    void aSecondLoadReplacesTheInactiveTable() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("twice");
            k.dm().create(name);
            k.dm().load(name, List.of(zero(0, MIB)));
            List<TargetLine> second = List.of(error(0, 3 * MIB));
            k.dm().load(name, second);
            assertThat(k.dm().table(name, TableSlot.INACTIVE)).isEqualTo(second);
            k.dm().resume(name);
            assertThat(k.dm().table(name)).isEqualTo(second);
            remove(k, name);
        }
    }

    @Test
    void clearDropsTheInactiveTableAndLeavesTheLiveOne() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "clear", zero(0, MIB));
            k.dm().load(name, List.of(error(0, MIB)));
            DeviceInfo cleared = k.dm().clear(name);
            assertThat(cleared.flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            assertThat(k.dm().info(name).flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            assertThat(k.dm().table(name, TableSlot.INACTIVE)).isEmpty();
            assertThat(k.dm().table(name)).containsExactly(zero(0, MIB));
            assertThat(k.dm().clear(name).flags()).as("clearing an empty slot is no error")
                    .containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            k.dm().resume(name);
            assertThat(k.dm().table(name)).as("a resume after a clear keeps the live table")
                    .containsExactly(zero(0, MIB));
            remove(k, name);
        }
    }

    @Test
    void aRefusedLoadLeavesBothSlotsAsTheyWere() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "refused", zero(0, MIB));
            List<TargetLine> waiting = List.of(error(0, MIB));
            k.dm().load(name, waiting);
            refused(() -> k.dm().load(name, List.of(new TargetLine(0, MIB, "no-such-target", ""))),
                    TableRejectedException.class, Errno.EINVAL);
            assertThat(k.dm().table(name, TableSlot.INACTIVE)).isEqualTo(waiting);
            assertThat(k.dm().table(name)).containsExactly(zero(0, MIB));
            assertThat(k.dm().info(name).flags()).containsExactlyInAnyOrder(DeviceFlag.LIVE_TABLE_PRESENT,
                    DeviceFlag.INACTIVE_TABLE_PRESENT);
            remove(k, name);
        }
    }

    @Test
    void queriesOfEmptySlotsAreEmpty() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("empty");
            k.dm().create(name);
            for (TableSlot slot : TableSlot.values()) {
                assertThat(k.dm().table(name, slot)).as("table %s", slot).isEmpty();
                assertThat(k.dm().status(name, slot, false)).as("status %s", slot).isEmpty();
                assertThat(k.dm().deps(name, slot)).as("deps %s", slot).isEmpty();
            }
            remove(k, name);
        }
    }

    // ------------------------------------------------------------------ target tables and status

    @Test
    void aLinearTableReadsBackAsMajorMinorAndOffsetAndReportsNoStatus() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceNumber disk = k.disk(4 * MIB);
            String name = live(k, "linear", linear(0, 2 * MIB, disk, 2048));
            assertThat(k.dm().table(name)).singleElement().satisfies(line -> {
                assertThat(line.type()).isEqualTo("linear");
                assertThat(line.params()).isEqualTo(disk + " 2048");
            });
            assertThat(k.dm().status(name)).containsExactly(new TargetStatus(0, 2 * MIB, "linear", ""));
            assertThat(StatusReport.parse(k.dm().status(name).get(0))).isEqualTo(new EmptyStatus("linear"));
            assertThat(k.dm().deps(name, TableSlot.LIVE)).containsExactly(disk);
            k.dm().load(name, List.of(new TargetLine(0, MIB, "linear", " " + disk + "   0012 ")));
            assertThat(k.dm().table(name, TableSlot.INACTIVE)).as("the kernel prints what it parsed")
                    .containsExactly(linear(0, MIB, disk, 12));
            remove(k, name);
        }
    }

    @Test
    void aStripedTableReadsBackWithItsChunkAndReportsEachStripeAlive() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceNumber a = k.disk(2 * MIB);
            DeviceNumber b = k.disk(2 * MIB);
            String name = live(k, "striped", new TargetLine(0, 2 * MIB, "striped", "2 8 " + a + " 0 " + b + " 0"));
            assertThat(k.dm().table(name)).singleElement().extracting(TargetLine::params)
                    .isEqualTo("2 8 " + a + " 0 " + b + " 0");
            assertThat(k.dm().status(name)).singleElement().extracting(TargetStatus::status)
                    .isEqualTo("2 " + a + " " + b + " 1 AA");
            assertThat(StatusReport.parse(k.dm().status(name).get(0))).isEqualTo(new StripedStatus(
                    List.of(a.toString(), b.toString()), List.of(StripedStatus.Health.ALIVE, StripedStatus.Health.ALIVE)));
            assertThat(k.dm().deps(name, TableSlot.LIVE)).containsExactlyInAnyOrder(a, b);
            // A chunk need not be a power of two, and one stripe is a stripe set too.
            k.dm().load(name, List.of(new TargetLine(0, 2046, "striped", "2 3 " + a + " 0 " + b + " 0")));
            k.dm().resume(name);
            assertThat(k.dm().table(name)).extracting(TargetLine::params).containsExactly("2 3 " + a + " 0 " + b + " 0");
            k.dm().load(name, List.of(new TargetLine(0, MIB, "striped", "1 8 " + b + " 16")));
            assertThat(k.dm().table(name, TableSlot.INACTIVE)).extracting(TargetLine::params)
                    .containsExactly("1 8 " + b + " 16");
            assertThat(k.dm().deps(name, TableSlot.INACTIVE)).containsExactly(b);
            remove(k, name);
        }
    }

    @Test
    void zeroAndErrorTargetsReadBackWithoutParamsAndReportNoStatus() throws Exception {
        try (ContractKernel k = kernel()) {
            List<TargetLine> table = List.of(zero(0, MIB), error(MIB, MIB));
            String name = live(k, "zero-error", table.toArray(TargetLine[]::new));
            assertThat(k.dm().table(name)).isEqualTo(table);
            assertThat(k.dm().status(name)).containsExactly(new TargetStatus(0, MIB, "zero", ""),
                    new TargetStatus(MIB, MIB, "error", ""));
            assertThat(k.dm().deps(name, TableSlot.LIVE)).isEmpty();
            remove(k, name);
        }
    }

    /** zero refuses arguments; error ignores them and reads back without them. */
    @Test
    void zeroRefusesParamsAndErrorDropsThem() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("params");
            k.dm().create(name);
            refused(() -> k.dm().load(name, List.of(new TargetLine(0, MIB, "zero", "junk"))),
                    TableRejectedException.class, Errno.EINVAL);
            k.dm().load(name, List.of(new TargetLine(0, MIB, "error", "junk 1 2")));
            assertThat(k.dm().table(name, TableSlot.INACTIVE)).containsExactly(error(0, MIB));
            remove(k, name);
        }
    }

    @Test
    void aMixedTableReadsBackLineByLine() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceNumber disk = k.disk(MIB);
            List<TargetLine> table = List.of(zero(0, 100), linear(100, 900, disk, 7), error(1000, 24),
                    linear(1024, 100, disk, 0));
            String name = live(k, "mixed", table.toArray(TargetLine[]::new));
            assertThat(k.dm().table(name)).isEqualTo(table);
            assertThat(k.dm().info(name).targetCount()).isEqualTo(4);
            assertThat(k.dm().status(name)).extracting(TargetStatus::start, TargetStatus::length, TargetStatus::type)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 100L, "zero"),
                            org.assertj.core.groups.Tuple.tuple(100L, 900L, "linear"),
                            org.assertj.core.groups.Tuple.tuple(1000L, 24L, "error"),
                            org.assertj.core.groups.Tuple.tuple(1024L, 100L, "linear"));
            assertThat(k.dm().deps(name, TableSlot.LIVE)).as("one entry per device, not per line")
                    .containsExactly(disk);
            remove(k, name);
        }
    }

    @Test
    void aBigTableSurvivesTheBufferFullRetries() throws Exception {
        try (ContractKernel k = kernel()) {
            int lines = 2000;
            DeviceNumber disk = k.disk(lines * 8L);
            List<TargetLine> table = new ArrayList<>();
            for (int i = 0; i < lines; i++) {
                table.add(linear(i * 8L, 8, disk, (lines - 1 - i) * 8L));
            }
            String name = live(k, "big", table.toArray(TargetLine[]::new));
            assertThat(k.dm().table(name)).isEqualTo(table);
            assertThat(k.dm().status(name)).hasSize(lines).allSatisfy(s -> assertThat(s.status()).isEmpty());
            assertThat(k.dm().info(name).targetCount()).isEqualTo(lines);
            assertThat(k.dm().deps(name, TableSlot.LIVE)).containsExactly(disk);
            remove(k, name);
        }
    }

    @Test
    void anUnknownTargetTypeIsEinval() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("unknown-type");
            k.dm().create(name);
            TableRejectedException e = (TableRejectedException) refused(
                    () -> k.dm().load(name, List.of(new TargetLine(0, MIB, "no-such-target", "x"))),
                    TableRejectedException.class, Errno.EINVAL);
            assertThat(e.table()).isEqualTo("0 2048 no-such-target x");
            assertThat(k.dm().info(name).flags()).isEmpty();
            remove(k, name);
        }
    }

    @Test
    void linearWithBadParametersIsEinval() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceNumber disk = k.disk(MIB);
            String name = k.name("bad-linear");
            k.dm().create(name);
            for (String params : List.of(disk.toString(), disk + " abc", disk + " 0 extra", "")) {
                refused(() -> k.dm().load(name, List.of(new TargetLine(0, MIB, "linear", params))),
                        TableRejectedException.class, Errno.EINVAL);
            }
            assertThat(k.dm().info(name).flags()).isEmpty();
            remove(k, name);
        }
    }

    @Test
    void linearOverAMissingDeviceIsEnxioAndBlamesTheTable() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("no-disk");
            DeviceNumber own = k.dm().create(name).device();
            DeviceNumber nothing = new DeviceNumber(own.major(), freeMinor(k.dm()));
            refused(() -> k.dm().load(name, List.of(linear(0, MIB, nothing, 0))), TableRejectedException.class,
                    Errno.ENXIO);
            assertThat(k.dm().info(name).flags()).isEmpty();
            remove(k, name);
        }
    }

    /**
     * The first table a device gets sets up its queue, and that checks each target against the
     * size of the devices below; later tables are checked only when they go live.
     */
    @Test
    void aFirstTableBeyondTheEndOfItsDeviceIsRefusedAtLoad() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceNumber disk = k.disk(MIB);
            String name = k.name("too-big");
            k.dm().create(name);
            refused(() -> k.dm().load(name, List.of(linear(0, 2 * MIB, disk, 0))), TableRejectedException.class,
                    Errno.EINVAL);
            assertThat(k.dm().info(name).flags()).isEmpty();
            refused(() -> k.dm().load(name, List.of(linear(0, MIB, disk, 1))), TableRejectedException.class,
                    Errno.EINVAL);
            assertThat(k.dm().info(name).flags()).isEmpty();
            k.dm().load(name, List.of(linear(0, MIB, disk, 0)));
            k.dm().resume(name);
            assertThat(k.dm().table(name)).containsExactly(linear(0, MIB, disk, 0));
            try (AutoCloseable held = k.hold(name)) {
                assertThat(k.dm().info(name).openCount()).as("a usable block device").isEqualTo(1);
            }
            remove(k, name);
        }
    }

    @Test
    void aLaterTableBeyondTheEndOfItsDeviceLoadsButFailsToGoLive() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceNumber disk = k.disk(MIB);
            String name = live(k, "later-too-big", linear(0, MIB, disk, 0));
            k.dm().load(name, List.of(linear(0, 2 * MIB, disk, 0)));
            refused(() -> k.dm().resume(name), DeviceMapperException.class, Errno.EINVAL);
            DeviceInfo after = k.dm().info(name);
            assertThat(after.flags()).as("the refused table is dropped; the device stays suspended")
                    .containsExactlyInAnyOrder(DeviceFlag.LIVE_TABLE_PRESENT, DeviceFlag.SUSPENDED);
            assertThat(k.dm().table(name)).containsExactly(linear(0, MIB, disk, 0));
            assertThat(k.dm().resume(name).flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            remove(k, name);
        }
    }

    /** Stripes must divide the length, the chunk the length of one stripe, and the count the devices. */
    @Test
    void aStripedTableThatDoesNotAddUpIsEinval() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceNumber a = k.disk(MIB);
            DeviceNumber b = k.disk(MIB);
            String name = k.name("bad-striped");
            k.dm().create(name);
            refused(() -> k.dm().load(name, List.of(new TargetLine(0, 1001, "striped", "2 8 " + a + " 0 " + b + " 0"))),
                    TableRejectedException.class, Errno.EINVAL);
            refused(() -> k.dm().load(name, List.of(new TargetLine(0, 1000, "striped", "2 8 " + a + " 0 " + b + " 0"))),
                    TableRejectedException.class, Errno.EINVAL);
            refused(() -> k.dm().load(name, List.of(new TargetLine(0, 1024, "striped", "3 8 " + a + " 0 " + b + " 0"))),
                    TableRejectedException.class, Errno.EINVAL);
            refused(() -> k.dm().load(name, List.of(new TargetLine(0, 1024, "striped", "2 0 " + a + " 0 " + b + " 0"))),
                    TableRejectedException.class, Errno.EINVAL);
            remove(k, name);
        }
    }

    /** dm4j checks these itself; the kernel never sees them. */
    @Test
    void gapsOverlapsZeroLengthsAndEmptyTablesNeverReachTheKernel() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("gaps");
            k.dm().create(name);
            assertThatThrownBy(() -> k.dm().load(name, List.of(zero(0, 10), zero(11, 10))))
                    .isInstanceOf(InvalidTableException.class);
            assertThatThrownBy(() -> k.dm().load(name, List.of(zero(0, 10), zero(5, 10))))
                    .isInstanceOf(InvalidTableException.class);
            assertThatThrownBy(() -> k.dm().load(name, List.of(zero(1, 10)))).isInstanceOf(InvalidTableException.class);
            assertThatThrownBy(() -> k.dm().load(name, List.of())).isInstanceOf(InvalidTableException.class);
            assertThatThrownBy(() -> zero(0, 0)).isInstanceOf(InvalidTableException.class);
            assertThat(k.dm().info(name).flags()).isEmpty();
            remove(k, name);
        }
    }

    @Test
    void aReadOnlyTableMakesTheDeviceReadOnlyWhenItGoesLive() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("ro");
            k.dm().create(name);
            DeviceInfo loaded = k.dm().load(name, List.of(zero(0, MIB)), LoadOption.READ_ONLY);
            assertThat(loaded.flags()).as("READ_ONLY describes the live table").doesNotContain(DeviceFlag.READ_ONLY);
            assertThat(k.dm().resume(name).flags()).contains(DeviceFlag.READ_ONLY);
            assertThat(k.dm().info(name).flags()).containsExactlyInAnyOrder(DeviceFlag.READ_ONLY,
                    DeviceFlag.LIVE_TABLE_PRESENT);
            k.dm().load(name, List.of(zero(0, MIB)));
            assertThat(k.dm().info(name).flags()).as("until the writable table goes live").contains(DeviceFlag.READ_ONLY);
            k.dm().resume(name);
            assertThat(k.dm().info(name).flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            remove(k, name);
        }
    }

    @Test
    void depsReportEachSlotsDevices() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceNumber a = k.disk(MIB);
            DeviceNumber b = k.disk(MIB);
            String name = live(k, "deps", linear(0, MIB, a, 0));
            k.dm().load(name, List.of(linear(0, MIB, b, 0)));
            assertThat(k.dm().deps(name, TableSlot.LIVE)).containsExactly(a);
            assertThat(k.dm().deps(name, TableSlot.INACTIVE)).containsExactly(b);
            k.dm().resume(name);
            assertThat(k.dm().deps(name, TableSlot.LIVE)).containsExactly(b);
            assertThat(k.dm().deps(name, TableSlot.INACTIVE)).isEmpty();
            remove(k, name);
        }
    }

    /** A table holds the devices it maps open, from its load on, live or not. */
    @Test
    void aDeviceUnderAnotherIsHeldOpenByItsTable() throws Exception {
        try (ContractKernel k = kernel()) {
            String lower = live(k, "lower", zero(0, MIB));
            DeviceNumber lowerNumber = k.dm().info(lower).device();
            String upper = k.name("upper");
            k.dm().create(upper);
            k.dm().load(upper, List.of(linear(0, MIB, lowerNumber, 0)));
            assertThat(k.dm().info(lower).openCount()).as("held by an inactive table").isEqualTo(1);
            assertThat(k.dm().deps(upper, TableSlot.INACTIVE)).containsExactly(lowerNumber);
            k.dm().resume(upper);
            assertThat(k.dm().info(lower).openCount()).isEqualTo(1);
            refused(() -> k.dm().remove(lower), DeviceBusyException.class, Errno.EBUSY);
            k.dm().remove(upper);
            assertThat(k.dm().info(lower).openCount()).isZero();
            k.dm().remove(lower);
        }
    }

    // ------------------------------------------------------------------ suspend and resume

    @Test
    void suspendAndResumeTurnTheSuspendedFlagOnAndOff() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "suspend", zero(0, MIB));
            assertThat(k.dm().suspend(name).flags()).containsExactlyInAnyOrder(DeviceFlag.SUSPENDED,
                    DeviceFlag.LIVE_TABLE_PRESENT);
            assertThat(k.dm().info(name).suspended()).isTrue();
            assertThat(k.dm().resume(name).suspended()).isFalse();
            assertThat(k.dm().suspend(name, SuspendOption.NO_FLUSH, SuspendOption.SKIP_LOCKFS).suspended()).isTrue();
            assertThat(k.dm().resume(name).flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            assertThat(k.dm().info(name).eventNr()).as("suspend and resume are no events").isZero();
            k.dm().suspend(name);
            k.dm().remove(name);
            refused(() -> k.dm().info(name), DeviceNotFoundException.class, Errno.ENXIO);
        }
    }

    @Test
    void suspendingASuspendedDeviceIsNoError() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "suspend-twice", zero(0, MIB));
            k.dm().suspend(name);
            assertThat(k.dm().suspend(name).suspended()).isTrue();
            assertThat(k.dm().resume(name).suspended()).isFalse();
            assertThat(k.dm().resume(name).suspended()).as("resuming a running device is no error either").isFalse();
            remove(k, name);
        }
    }

    @Test
    void resumingADeviceThatHasNoTableAndIsNotSuspendedChangesNothing() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("resume-empty");
            k.dm().create(name);
            assertThat(k.dm().resume(name).flags()).isEmpty();
            assertThat(k.dm().info(name).flags()).isEmpty();
            remove(k, name);
        }
    }

    /** A suspended device resumes into a table; with none, live or loaded, it cannot resume. */
    @Test
    void aSuspendedDeviceWithoutATableCannotResumeUntilItGetsOne() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("suspend-empty");
            k.dm().create(name);
            assertThat(k.dm().suspend(name).flags()).containsExactly(DeviceFlag.SUSPENDED);
            refused(() -> k.dm().resume(name), DeviceMapperException.class, Errno.EINVAL);
            assertThat(k.dm().info(name).flags()).containsExactly(DeviceFlag.SUSPENDED);
            k.dm().load(name, List.of(zero(0, MIB)));
            assertThat(k.dm().resume(name).flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            remove(k, name);
        }
    }

    @Test
    void aSuspendedDeviceTakesATableAndResumesIntoIt() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "suspended-load", zero(0, MIB));
            k.dm().suspend(name);
            k.dm().load(name, List.of(error(0, MIB)));
            assertThat(k.dm().info(name).flags()).containsExactlyInAnyOrder(DeviceFlag.SUSPENDED,
                    DeviceFlag.LIVE_TABLE_PRESENT, DeviceFlag.INACTIVE_TABLE_PRESENT);
            assertThat(k.dm().resume(name).flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            assertThat(k.dm().table(name)).containsExactly(error(0, MIB));
            remove(k, name);
        }
    }

    // ------------------------------------------------------------------ open count and remove

    @Test
    void theOpenCountFollowsTheHolders() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "opened", zero(0, MIB));
            assertThat(k.dm().info(name).openCount()).isZero();
            try (AutoCloseable first = k.hold(name)) {
                assertThat(k.dm().info(name).openCount()).isEqualTo(1);
                try (AutoCloseable second = k.hold(name)) {
                    assertThat(k.dm().info(name).openCount()).isEqualTo(2);
                }
                assertThat(k.dm().info(name).openCount()).isEqualTo(1);
            }
            assertThat(k.dm().info(name).openCount()).isZero();
            remove(k, name);
        }
    }

    @Test
    void removeMakesTheDeviceAndItsNameGo() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "removed", zero(0, MIB));
            k.dm().remove(name);
            refused(() -> k.dm().info(name), DeviceNotFoundException.class, Errno.ENXIO);
            assertThat(k.dm().list(name, "")).isEmpty();
            assertThat(k.dm().create(name).flags()).as("the name is free again").isEmpty();
            remove(k, name);
        }
    }

    @Test
    void anOpenDeviceIsNotRemovedAndSaysHowOftenItIsOpen() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "busy", zero(0, MIB));
            try (AutoCloseable held = k.hold(name)) {
                DeviceBusyException e = (DeviceBusyException) refused(() -> k.dm().remove(name),
                        DeviceBusyException.class, Errno.EBUSY);
                assertThat(e.command()).isEqualTo(DmCommand.DM_DEV_REMOVE);
                assertThat(e.openCount()).hasValue(1);
                assertThat(k.dm().info(name).flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            }
            k.dm().remove(name);
        }
    }

    @Test
    void aDeferredRemoveWaitsForTheLastHolder() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "deferred", zero(0, MIB));
            try (AutoCloseable held = k.hold(name)) {
                assertThat(k.dm().removeDeferred(name)).isEqualTo(RemoveOutcome.DEFERRED);
                DeviceInfo info = k.dm().info(name);
                assertThat(info.flags()).containsExactlyInAnyOrder(DeviceFlag.LIVE_TABLE_PRESENT,
                        DeviceFlag.DEFERRED_REMOVE);
                assertThat(info.openCount()).isEqualTo(1);
                assertThat(k.dm().table(name)).as("still working meanwhile").containsExactly(zero(0, MIB));
                assertThat(k.dm().removeDeferred(name)).as("asked again").isEqualTo(RemoveOutcome.DEFERRED);
            }
            awaitGone(k, name);
        }
    }

    @Test
    void aCancelledDeferredRemoveKeepsTheDevice() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "cancelled", zero(0, MIB));
            try (AutoCloseable held = k.hold(name)) {
                k.dm().removeDeferred(name);
                k.dm().cancelDeferredRemove(name);
                assertThat(k.dm().info(name).flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            }
            Thread.sleep(200); // time for a removal the kernel should not make
            assertThat(k.dm().info(name).flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
            k.dm().cancelDeferredRemove(name); // none scheduled: no error
            k.dm().remove(name);
        }
    }

    @Test
    void aDeferredRemoveOfAClosedDeviceRemovesItAtOnce() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "deferred-closed", zero(0, MIB));
            assertThat(k.dm().removeDeferred(name)).isEqualTo(RemoveOutcome.REMOVED);
            refused(() -> k.dm().info(name), DeviceNotFoundException.class, Errno.ENXIO);
        }
    }

    // ------------------------------------------------------------------ rename and uuid

    @Test
    void renameMovesTheNameAndKeepsEverythingElse() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("old");
            String uuid = "CONTRACT-" + name;
            k.dm().create(name, CreateOptions.defaults().uuid(uuid));
            k.dm().load(name, List.of(zero(0, MIB)));
            k.dm().resume(name);
            DeviceInfo before = k.dm().info(name);
            String renamed = k.name("new");
            assertThat(k.dm().rename(name, renamed).name()).isEqualTo(renamed);
            refused(() -> k.dm().info(name), DeviceNotFoundException.class, Errno.ENXIO);
            DeviceInfo after = k.dm().info(renamed);
            assertThat(after.device()).isEqualTo(before.device());
            assertThat(after.uuid()).contains(uuid);
            assertThat(k.dm().table(renamed)).containsExactly(zero(0, MIB));
            assertThat(k.dm().list("", uuid)).extracting(DeviceListEntry::name).containsExactly(renamed);
            remove(k, renamed);
        }
    }

    /** The kernel looks for the new name before the old one: a missing device renamed to a taken name is EBUSY. */
    @Test
    void renameToATakenNameIsEbusyAndChangesNothing() throws Exception {
        try (ContractKernel k = kernel()) {
            String a = k.name("rename-a");
            String b = k.name("rename-b");
            DeviceNumber na = k.dm().create(a).device();
            DeviceNumber nb = k.dm().create(b).device();
            DeviceMapperException e = refused(() -> k.dm().rename(a, b), DeviceExistsException.class, Errno.EBUSY);
            assertThat(e.command()).isEqualTo(DmCommand.DM_DEV_RENAME);
            refused(() -> k.dm().rename(a, a), DeviceExistsException.class, Errno.EBUSY);
            String missing = k.name("rename-missing");
            refused(() -> k.dm().rename(missing, b), DeviceExistsException.class, Errno.EBUSY);
            assertThat(k.dm().info(a).device()).isEqualTo(na);
            assertThat(k.dm().info(b).device()).isEqualTo(nb);
            remove(k, a, b);
        }
    }

    @Test
    void renameAndSetUuidRaiseAnEventOnlyOnADeviceWithALiveTable() throws Exception {
        try (ContractKernel k = kernel()) {
            String bare = k.name("event-bare");
            k.dm().create(bare);
            k.dm().load(bare, List.of(zero(0, MIB))); // inactive only: no table to raise the event on
            String bare2 = k.name("event-bare-2");
            k.dm().rename(bare, bare2);
            k.dm().setUuid(bare2, "CONTRACT-" + bare2);
            assertThat(k.dm().info(bare2).eventNr()).isZero();

            String busy = live(k, "event-live", zero(0, MIB));
            String busy2 = k.name("event-live-2");
            k.dm().rename(busy, busy2);
            assertThat(k.dm().info(busy2).eventNr()).isEqualTo(1);
            k.dm().setUuid(busy2, "CONTRACT-" + busy2);
            assertThat(k.dm().info(busy2).eventNr()).isEqualTo(2);
            remove(k, bare2, busy2);
        }
    }

    @Test
    void aUuidIsSetOnceOnly() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("uuid-once");
            k.dm().create(name);
            String uuid = "CONTRACT-" + name;
            assertThat(k.dm().setUuid(name, uuid).uuid()).contains(uuid);
            assertThat(k.dm().info(name).uuid()).contains(uuid);
            DeviceMapperException e = refused(() -> k.dm().setUuid(name, uuid + "-2"), DeviceMapperException.class,
                    Errno.EINVAL);
            assertThat(e.command()).isEqualTo(DmCommand.DM_DEV_RENAME);
            refused(() -> k.dm().setUuid(name, uuid), DeviceExistsException.class, Errno.EBUSY);
            assertThat(k.dm().info(name).uuid()).contains(uuid);

            String given = k.name("uuid-given");
            k.dm().create(given, CreateOptions.defaults().uuid("CONTRACT-" + given));
            refused(() -> k.dm().setUuid(given, "CONTRACT-other-" + given), DeviceMapperException.class, Errno.EINVAL);
            remove(k, name, given);
        }
    }

    @Test
    void aUuidAnotherDeviceHasIsEbusy() throws Exception {
        try (ContractKernel k = kernel()) {
            String owner = k.name("uuid-a");
            String other = k.name("uuid-b");
            String uuid = "CONTRACT-" + owner;
            k.dm().create(owner, CreateOptions.defaults().uuid(uuid));
            k.dm().create(other);
            refused(() -> k.dm().setUuid(other, uuid), DeviceExistsException.class, Errno.EBUSY);
            assertThat(k.dm().info(other).uuid()).isEmpty();
            assertThat(k.dm().list("", uuid)).extracting(DeviceListEntry::name).containsExactly(owner);
            remove(k, owner, other);
        }
    }

    // ------------------------------------------------------------------ events

    @Test
    void waitEventReturnsAtOnceForAnOldNumberAndOtherwiseWaitsForTheNextEvent() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "wait", zero(0, MIB));
            long now = k.dm().info(name).eventNr();
            assertThat(k.dm().waitEvent(name, now + 7).eventNr()).isEqualTo(now);
            CompletableFuture<DeviceInfo> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return k.dm().waitEvent(name, now);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            assertThat(waiter).as("no event yet").isNotDone();
            String renamed = k.name("wait-renamed");
            k.dm().rename(name, renamed);
            assertThat(waiter.get(30, TimeUnit.SECONDS).eventNr()).isEqualTo(now + 1);
            remove(k, renamed);
        }
    }

    @Test
    void awaitEventTimesOutWithoutAnEventAndSeesARename() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "await", zero(0, MIB));
            long now = k.dm().info(name).eventNr();
            assertThat(k.dm().awaitEvent(name, now, Duration.ofMillis(200))).isEmpty();
            assertThat(k.dm().awaitEvent(name, now + 1, Duration.ofMillis(200))).as("already different")
                    .hasValueSatisfying(i -> assertThat(i.eventNr()).isEqualTo(now));
            String renamed = k.name("await-renamed");
            CompletableFuture<Optional<DeviceInfo>> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    return k.dm().awaitEvent(name, now, Duration.ofSeconds(30));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            k.dm().rename(name, renamed);
            assertThat(waiter.get(40, TimeUnit.SECONDS)).hasValueSatisfying(i -> {
                assertThat(i.name()).as("followed by number across the rename").isEqualTo(renamed);
                assertThat(i.eventNr()).isEqualTo(now + 1);
            });
            remove(k, renamed);
        }
    }

    // ------------------------------------------------------------------ targets and messages

    @Test
    void theTargetsThisSuiteUsesAreListedWithTheirVersions() throws Exception {
        try (ContractKernel k = kernel()) {
            List<TargetVersion> versions = k.dm().targetVersions();
            Set<String> names = versions.stream().map(TargetVersion::name).collect(Collectors.toSet());
            assertThat(names).contains("linear", "striped", "zero", "error", "thin-pool", "thin");
            assertThat(versions).extracting(TargetVersion::name).doesNotHaveDuplicates();
            for (String type : List.of("linear", "striped", "zero", "error", "thin-pool", "thin")) {
                TargetVersion listed = versions.stream().filter(v -> v.name().equals(type)).findFirst().orElseThrow();
                assertThat(k.dm().targetVersion(type)).isEqualTo(listed);
            }
            DeviceMapperException e = refused(() -> k.dm().targetVersion("no-such-target"),
                    DeviceMapperException.class, Errno.EINVAL);
            assertThat(e.command()).isEqualTo(DmCommand.DM_GET_TARGET_VERSION);
            refused(() -> k.dm().targetVersion("Linear"), DeviceMapperException.class, Errno.EINVAL);
        }
    }

    @Test
    void aTargetWithoutMessagesRefusesThemWithEinval() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceNumber disk = k.disk(MIB);
            String name = live(k, "msg-linear", linear(0, MIB, disk, 0));
            DeviceMapperException e = refused(() -> k.dm().message(name, 0, "hello"), DeviceMapperException.class,
                    Errno.EINVAL);
            assertThat(e.command()).isEqualTo(DmCommand.DM_TARGET_MSG);
            refused(() -> k.dm().message(name, MIB, "hello"), DeviceMapperException.class, Errno.EINVAL);
            remove(k, name);
        }
    }

    @Test
    void aMessageToADeviceWithoutALiveTableIsEinval() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = k.name("msg-empty");
            k.dm().create(name);
            DeviceMapperException e = refused(() -> k.dm().message(name, 0, "hello"), DeviceMapperException.class,
                    Errno.EINVAL);
            assertThat(e.command()).isEqualTo(DmCommand.DM_TARGET_MSG);
            k.dm().load(name, List.of(zero(0, MIB)));
            refused(() -> k.dm().message(name, 0, "hello"), DeviceMapperException.class, Errno.EINVAL);
            remove(k, name);
        }
    }

    /** The kernel checks a geometry only against itself, not against the device's size. */
    @Test
    void aGeometryIsTakenIfItsStartLiesWithinIt() throws Exception {
        try (ContractKernel k = kernel()) {
            String name = live(k, "geometry", zero(0, MIB));
            k.dm().setGeometry(name, new Geometry(65535, 255, 255, 0));
            k.dm().setGeometry(name, new Geometry(2, 1, 1, 2));
            k.dm().setGeometry(name, new Geometry(0, 0, 0, 0));
            refused(() -> k.dm().setGeometry(name, new Geometry(1, 1, 1, 2)), DeviceMapperException.class,
                    Errno.EINVAL);
            String empty = k.name("geometry-empty");
            k.dm().create(empty);
            k.dm().setGeometry(empty, new Geometry(1000, 16, 63, 0));
            remove(k, name, empty);
        }
    }

    // ------------------------------------------------------------------ thin provisioning

    @Test
    void aNewThinPoolReadsBackItsTableAndStartsEmpty() throws Exception {
        try (ContractKernel k = kernel()) {
            Pool pool = pool(k, "pool");
            assertThat(k.dm().table(pool.name)).singleElement().satisfies(line -> {
                assertThat(line.type()).isEqualTo("thin-pool");
                assertThat(line.params()).isEqualTo(pool.metadata + " " + pool.data + " 128 0 0 ");
            });
            String text = k.dm().status(pool.name).get(0).status();
            assertThat(text).as("metadata blocks and the low-water mark are the pool's own business")
                    .matches("0 \\d+/2048 0/1024 - rw discard_passdown queue_if_no_space - \\d+ ");
            ThinPoolStatus.Working status = poolStatus(k, pool);
            assertThat(status.transactionId()).isZero();
            assertThat(status.totalMetadataBlocks()).as("4 KiB blocks").isEqualTo(pool.metadataSectors / 8);
            assertThat(status.usedMetadataBlocks()).isPositive().isLessThan(status.totalMetadataBlocks());
            assertThat(status.discards()).isEqualTo(ThinPoolStatus.Discards.PASSDOWN);
            assertThat(status.noSpace()).isEqualTo(ThinPoolStatus.NoSpace.QUEUE);
            assertThat(status.usedDataBlocks()).isZero();
            assertThat(status.totalDataBlocks()).isEqualTo(pool.dataSectors / 128);
            assertThat(status.mode()).isEqualTo(ThinPoolStatus.Mode.READ_WRITE);
            assertThat(status.heldMetadataRoot()).isEmpty();
            assertThat(status.needsCheck()).isFalse();
            assertThat(k.dm().deps(pool.name, TableSlot.LIVE)).containsExactlyInAnyOrder(pool.metadata, pool.data);
            remove(k, pool.name);
        }
    }

    @Test
    void poolMessagesCreateSnapshotAndDeleteThinDevices() throws Exception {
        try (ContractKernel k = kernel()) {
            Pool pool = pool(k, "pool-msg");
            assertThat(k.dm().message(pool.name, 0, "create_thin 0")).isEmpty();
            DeviceMapperException again = refused(() -> k.dm().message(pool.name, 0, "create_thin 0"),
                    DeviceMapperException.class, Errno.EEXIST);
            assertThat(again.command()).isEqualTo(DmCommand.DM_TARGET_MSG);
            assertThat(k.dm().message(pool.name, 0, "create_snap 1 0")).isEmpty();
            refused(() -> k.dm().message(pool.name, 0, "create_snap 1 0"), DeviceMapperException.class, Errno.EEXIST);
            refused(() -> k.dm().message(pool.name, 0, "create_snap 2 9"), DeviceMapperException.class,
                    Errno.ENODATA);
            assertThat(k.dm().message(pool.name, 0, "delete 1")).isEmpty();
            refused(() -> k.dm().message(pool.name, 0, "delete 1"), DeviceMapperException.class, Errno.ENODATA);
            assertThat(k.dm().message(pool.name, 0, "create_thin 1")).as("a deleted id can be used again").isEmpty();
            assertThat(poolStatus(k, pool).usedDataBlocks()).as("thin devices take no data until written").isZero();
            remove(k, pool.name);
        }
    }

    @Test
    void poolMessagesThatDoNotParseOrMissThePoolAreEinval() throws Exception {
        try (ContractKernel k = kernel()) {
            Pool pool = pool(k, "pool-bad-msg");
            for (String text : List.of("no_such_message", "create_thin", "create_thin x", "create_thin 0 1",
                    "delete", "set_transaction_id 0")) {
                refused(() -> k.dm().message(pool.name, 0, text), DeviceMapperException.class, Errno.EINVAL);
            }
            refused(() -> k.dm().message(pool.name, 0, "create_thin 16777216"), DeviceMapperException.class,
                    Errno.EINVAL);
            assertThat(k.dm().message(pool.name, 0, "create_thin 16777215")).as("the largest 24-bit id").isEmpty();
            assertThat(k.dm().message(pool.name, 1, "create_thin 1")).as("any sector of the pool's target").isEmpty();
            refused(() -> k.dm().message(pool.name, pool.dataSectors, "create_thin 2"), DeviceMapperException.class,
                    Errno.EINVAL);
            remove(k, pool.name);
        }
    }

    @Test
    void theTransactionIdMovesOnlyFromItsCurrentValue() throws Exception {
        try (ContractKernel k = kernel()) {
            Pool pool = pool(k, "pool-tid");
            k.dm().message(pool.name, 0, "set_transaction_id 0 1");
            assertThat(poolStatus(k, pool).transactionId()).isEqualTo(1);
            refused(() -> k.dm().message(pool.name, 0, "set_transaction_id 0 2"), DeviceMapperException.class,
                    Errno.EINVAL);
            assertThat(poolStatus(k, pool).transactionId()).isEqualTo(1);
            k.dm().message(pool.name, 0, "set_transaction_id 1 7");
            assertThat(poolStatus(k, pool).transactionId()).isEqualTo(7);
            remove(k, pool.name);
        }
    }

    @Test
    void oneMetadataSnapshotCanBeHeldAtATime() throws Exception {
        try (ContractKernel k = kernel()) {
            Pool pool = pool(k, "pool-snap");
            k.dm().message(pool.name, 0, "reserve_metadata_snap");
            assertThat(poolStatus(k, pool).heldMetadataRoot()).isPresent();
            refused(() -> k.dm().message(pool.name, 0, "reserve_metadata_snap"), DeviceMapperException.class,
                    Errno.EBUSY);
            k.dm().message(pool.name, 0, "release_metadata_snap");
            assertThat(poolStatus(k, pool).heldMetadataRoot()).isEmpty();
            refused(() -> k.dm().message(pool.name, 0, "release_metadata_snap"), DeviceMapperException.class,
                    Errno.EINVAL);
            remove(k, pool.name);
        }
    }

    @Test
    void aThinVolumeMapsItsIdInThePoolAndStartsUnmapped() throws Exception {
        try (ContractKernel k = kernel()) {
            Pool pool = pool(k, "pool-thin");
            k.dm().message(pool.name, 0, "create_thin 0");
            DeviceNumber poolDev = k.dm().info(pool.name).device();
            String thin = live(k, "thin", new TargetLine(0, 64 * MIB, "thin", poolDev + " 0"));
            assertThat(k.dm().table(thin)).containsExactly(new TargetLine(0, 64 * MIB, "thin", poolDev + " 0"));
            assertThat(k.dm().status(thin)).singleElement().extracting(TargetStatus::status).isEqualTo("0 -");
            assertThat(ThinStatus.parse(k.dm().status(thin).get(0).status()))
                    .isEqualTo(new ThinStatus.Working(0, OptionalLong.empty()));
            assertThat(k.dm().deps(thin, TableSlot.LIVE)).containsExactly(poolDev);
            assertThat(k.dm().info(pool.name).openCount()).isEqualTo(1);
            refused(() -> k.dm().message(pool.name, 0, "delete 0"), DeviceMapperException.class, Errno.EBUSY);
            refused(() -> k.dm().remove(pool.name), DeviceBusyException.class, Errno.EBUSY);
            k.dm().remove(thin);
            k.dm().message(pool.name, 0, "delete 0");
            remove(k, pool.name);
        }
    }

    @Test
    void aThinVolumeForAnIdThePoolLacksIsRefused() throws Exception {
        try (ContractKernel k = kernel()) {
            Pool pool = pool(k, "pool-noid");
            DeviceNumber poolDev = k.dm().info(pool.name).device();
            String thin = k.name("thin-noid");
            k.dm().create(thin);
            refused(() -> k.dm().load(thin, List.of(new TargetLine(0, MIB, "thin", poolDev + " 5"))),
                    DeviceMapperException.class, Errno.ENODATA);
            assertThat(k.dm().info(thin).flags()).isEmpty();
            remove(k, thin, pool.name);
        }
    }

    @Test
    void aThinPoolMustBeAloneInItsTable() throws Exception {
        try (ContractKernel k = kernel()) {
            DeviceNumber metadata = k.disk(8 * MIB);
            DeviceNumber data = k.disk(16 * MIB);
            String name = k.name("pool-mixed");
            k.dm().create(name);
            refused(() -> k.dm().load(name, List.of(
                    new TargetLine(0, 16 * MIB, "thin-pool", metadata + " " + data + " 128 0"), zero(16 * MIB, MIB))),
                    TableRejectedException.class, Errno.EINVAL);
            refused(() -> k.dm().load(name, List.of(zero(0, MIB),
                    new TargetLine(MIB, 16 * MIB, "thin-pool", metadata + " " + data + " 128 0"))),
                    TableRejectedException.class, Errno.EINVAL);
            refused(() -> k.dm().load(name, List.of(new TargetLine(0, 16 * MIB, "thin-pool",
                    metadata + " " + data + " 128 0")), LoadOption.READ_ONLY), TableRejectedException.class, Errno.EINVAL);
            remove(k, name);
        }
    }

    /** A pool's target type cannot be swapped for another, except for error, which stands in for any. */
    @Test
    void aPoolDeviceTakesNoOtherTargetTypeButError() throws Exception {
        try (ContractKernel k = kernel()) {
            Pool pool = pool(k, "pool-immutable");
            refused(() -> k.dm().load(pool.name, List.of(zero(0, pool.dataSectors))), TableRejectedException.class,
                    Errno.EINVAL);
            assertThat(k.dm().info(pool.name).hasInactiveTable()).isFalse();
            k.dm().load(pool.name, List.of(error(0, pool.dataSectors)));
            assertThat(k.dm().table(pool.name, TableSlot.INACTIVE)).containsExactly(error(0, pool.dataSectors));
            remove(k, pool.name);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A thin pool over two new disks: 8 MiB metadata, 64 MiB data in 64 KiB blocks. */
    static Pool pool(ContractKernel k, String hint) throws Exception {
        long metadataSectors = 8 * MIB;
        DeviceNumber metadata = k.disk(metadataSectors);
        long dataSectors = 64 * MIB;
        DeviceNumber data = k.disk(dataSectors);
        String name = live(k, hint, new TargetLine(0, dataSectors, "thin-pool", metadata + " " + data + " 128 0"));
        return new Pool(name, metadata, metadataSectors, data, dataSectors);
    }

    static final class Pool {
        final String name;
        final DeviceNumber metadata;
        final long metadataSectors;
        final DeviceNumber data;
        final long dataSectors;

        Pool(String name, DeviceNumber metadata, long metadataSectors, DeviceNumber data, long dataSectors) {
            this.name = name;
            this.metadata = metadata;
            this.metadataSectors = metadataSectors;
            this.data = data;
            this.dataSectors = dataSectors;
        }
    }

    static ThinPoolStatus.Working poolStatus(ContractKernel k, Pool pool) throws Exception {
        List<TargetStatus> status = k.dm().status(pool.name);
        assertThat(status).hasSize(1);
        assertThat(status.get(0).type()).isEqualTo("thin-pool");
        ThinPoolStatus parsed = ThinPoolStatus.parse(status.get(0).status());
        assertThat(parsed).as(status.get(0).status()).isInstanceOf(ThinPoolStatus.Working.class);
        return (ThinPoolStatus.Working) parsed;
    }

    /** Creates a device, loads the table and resumes it. */
    static String live(ContractKernel k, String hint, TargetLine... table) throws Exception {
        String name = k.name(hint);
        k.dm().create(name);
        k.dm().load(name, List.of(table));
        k.dm().resume(name);
        return name;
    }

    static TargetLine linear(long start, long length, DeviceNumber disk, long offset) {
        return new TargetLine(start, length, "linear", disk + " " + offset);
    }

    static TargetLine zero(long start, long length) {
        return new TargetLine(start, length, "zero", "");
    }

    static TargetLine error(long start, long length) {
        return new TargetLine(start, length, "error", "");
    }

    /**
     * Asserts the call fails with exactly this exception type (or a subtype, for
     * {@link DeviceMapperException}) and errno.
     */
    static DeviceMapperException refused(ThrowingCallable call, Class<? extends DeviceMapperException> type,
            Errno errno) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("expected %s with %s", type.getSimpleName(), errno).isInstanceOf(type);
        DeviceMapperException e = (DeviceMapperException) thrown;
        assertThat(e.errnoName()).as(e.getMessage()).isEqualTo(errno.name());
        return e;
    }

    private static void expectMissing(ThrowingCallable call, DmCommand command) {
        DeviceMapperException e = refused(call, DeviceNotFoundException.class, Errno.ENXIO);
        assertThat(e.command()).as(e.getMessage()).isEqualTo(command);
    }

    /** A minor no device has: the kernel's choice, or another case's, must not collide with it. */
    static int freeMinor(DeviceMapper dm) throws Exception {
        Set<Integer> used = new HashSet<>();
        for (DeviceListEntry e : dm.list()) {
            used.add(e.device().minor());
        }
        int minor = 4000;
        while (used.contains(minor)) {
            minor++;
        }
        return minor;
    }

    /** The longest common start of the names: a list filter that finds them and no other case's. */
    static String commonPrefix(List<String> names) {
        String prefix = names.get(0);
        for (String n : names) {
            int i = 0;
            while (i < prefix.length() && i < n.length() && prefix.charAt(i) == n.charAt(i)) {
                i++;
            }
            prefix = prefix.substring(0, i);
        }
        return prefix;
    }

    /** Removes the devices in this order, as a case must before it ends. */
    static void remove(ContractKernel k, String... names) throws Exception {
        for (String name : names) {
            k.dm().remove(name);
        }
    }

    /** A deferred remove finishes on the kernel's time, after the last close. */
    static void awaitGone(ContractKernel k, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!k.dm().list(name, "").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        refused(() -> k.dm().info(name), DeviceNotFoundException.class, Errno.ENXIO);
    }
}
