package io.dm4j.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceBusyException;
import io.dm4j.DeviceExistsException;
import io.dm4j.DeviceFlag;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapperException;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.InvalidTableException;
import io.dm4j.LoadOption;
import io.dm4j.RemoveOutcome;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.Visibility;
import io.dm4j.registry.InMemoryKernel.ResumeStage;
import io.dm4j.sys.Errno;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The model's device-mapper rules, each as dm-ioctl.c has it and DeviceMapper reports it. */
class InMemoryKernelTest {
    private static final List<TargetLine> ZERO = List.of(new TargetLine(0, 2048, "zero", ""));
    private static final List<TargetLine> ERROR = List.of(new TargetLine(0, 4096, "error", ""));

    private final InMemoryKernel kernel = new InMemoryKernel();

    @AfterEach
    void close() throws IOException {
        kernel.close();
    }

    private DeviceInfo active(String name) throws IOException {
        kernel.create(name, CreateOptions.defaults());
        kernel.load(name, ZERO);
        return kernel.resume(name, Visibility.PUBLIC);
    }

    @Test
    void theLowestFreeMinorGoesToTheNextDeviceAtOnce() throws IOException {
        assertThat(kernel.create("a", CreateOptions.defaults()).device()).isEqualTo(new DeviceNumber(254, 0));
        assertThat(kernel.create("b", CreateOptions.defaults()).device()).isEqualTo(new DeviceNumber(254, 1));
        kernel.remove("a");
        assertThat(kernel.create("c", CreateOptions.defaults()).device()).isEqualTo(new DeviceNumber(254, 0));
        assertThat(kernel.create("d", CreateOptions.defaults()).device()).isEqualTo(new DeviceNumber(254, 2));
        assertThat(kernel.create("e", CreateOptions.defaults().minor(7)).device().minor()).isEqualTo(7);
        assertThatThrownBy(() -> kernel.create("f", CreateOptions.defaults().minor(7)))
                .isInstanceOf(DeviceExistsException.class);
        // The stale number now names another device: nothing of "a" is left under it.
        assertThat(kernel.inSysfs(new DeviceNumber(254, 0), "a")).isFalse();
        assertThat(kernel.inSysfs(new DeviceNumber(254, 0), "c")).isTrue();
    }

    @Test
    void namesAndUuidsAreUnique() throws IOException {
        kernel.create("a", CreateOptions.defaults().uuid("U-1"));
        assertThatThrownBy(() -> kernel.create("a", CreateOptions.defaults()))
                .isInstanceOf(DeviceExistsException.class)
                .satisfies(e -> assertThat(((DeviceMapperException) e).is(Errno.EBUSY)).isTrue());
        assertThatThrownBy(() -> kernel.create("b", CreateOptions.defaults().uuid("U-1")))
                .isInstanceOf(DeviceExistsException.class);
        assertThat(kernel.snapshot().devices()).containsOnlyKeys("a");
        assertThat(kernel.list("U-")).extracting(e -> e.name()).containsExactly("a");
        assertThat(kernel.list("V-")).isEmpty();
    }

    @Test
    void aMissingDeviceIsDeviceNotFoundForEveryCommand() {
        assertThatThrownBy(() -> kernel.info("x")).isInstanceOf(DeviceNotFoundException.class)
                .satisfies(e -> assertThat(((DeviceMapperException) e).command()).isEqualTo(DmCommand.DM_DEV_STATUS));
        assertThatThrownBy(() -> kernel.load("x", ZERO)).isInstanceOf(DeviceNotFoundException.class);
        assertThatThrownBy(() -> kernel.resume("x", Visibility.PUBLIC)).isInstanceOf(DeviceNotFoundException.class);
        assertThatThrownBy(() -> kernel.remove("x")).isInstanceOf(DeviceNotFoundException.class);
        assertThatThrownBy(() -> kernel.removeDeferred("x")).isInstanceOf(DeviceNotFoundException.class);
        assertThatThrownBy(() -> kernel.cancelDeferredRemove("x")).isInstanceOf(DeviceNotFoundException.class)
                .satisfies(e -> assertThat(((DeviceMapperException) e).command()).isEqualTo(DmCommand.DM_TARGET_MSG));
        assertThatThrownBy(() -> kernel.table("x", TableSlot.LIVE)).isInstanceOf(DeviceNotFoundException.class);
        assertThatThrownBy(() -> kernel.clear("x")).isInstanceOf(DeviceNotFoundException.class);
    }

    @Test
    void loadResumeAndClearMoveTablesBetweenTheSlots() throws IOException {
        DeviceInfo created = kernel.create("a", CreateOptions.defaults());
        assertThat(created.flags()).isEmpty();

        DeviceInfo loaded = kernel.load("a", ZERO);
        assertThat(loaded.flags()).containsExactly(DeviceFlag.INACTIVE_TABLE_PRESENT);
        assertThat(kernel.table("a", TableSlot.INACTIVE)).isEqualTo(ZERO);
        assertThat(kernel.table("a", TableSlot.LIVE)).isEmpty();
        assertThat(kernel.nodePresent("a")).isFalse();

        DeviceInfo resumed = kernel.resume("a", Visibility.PUBLIC);
        assertThat(resumed.flags()).containsExactly(DeviceFlag.LIVE_TABLE_PRESENT);
        assertThat(resumed.targetCount()).isEqualTo(1);
        assertThat(kernel.table("a", TableSlot.LIVE)).isEqualTo(ZERO);
        assertThat(kernel.table("a", TableSlot.INACTIVE)).isEmpty();
        assertThat(kernel.nodePresent("a")).isTrue();

        kernel.load("a", ERROR, LoadOption.READ_ONLY);
        assertThat(kernel.info("a").flags())
                .containsExactlyInAnyOrder(DeviceFlag.LIVE_TABLE_PRESENT, DeviceFlag.INACTIVE_TABLE_PRESENT);
        assertThat(kernel.clear("a").hasInactiveTable()).isFalse();
        assertThat(kernel.table("a", TableSlot.INACTIVE)).isEmpty();
        assertThat(kernel.table("a", TableSlot.LIVE)).isEqualTo(ZERO);

        assertThat(kernel.suspend("a").suspended()).isTrue();
        assertThat(kernel.suspend("a").suspended()).isTrue(); // do_suspend: already so, just the status
        kernel.load("a", ERROR, LoadOption.READ_ONLY);
        DeviceInfo swapped = kernel.resume("a", Visibility.PRIVATE);
        assertThat(swapped.flags()).containsExactlyInAnyOrder(DeviceFlag.LIVE_TABLE_PRESENT, DeviceFlag.READ_ONLY);
        assertThat(kernel.table("a", TableSlot.LIVE)).isEqualTo(ERROR);
        assertThat(kernel.recordedVisibility(swapped.device())).isEqualTo(Visibility.PRIVATE);
    }

    @Test
    void resumeFailuresLeaveWhatDoResumeLeaves() throws IOException {
        active("a");
        kernel.load("a", ERROR);
        kernel.failResume("a", ResumeStage.SWAP, Errno.EINVAL);
        assertThatThrownBy(() -> kernel.resume("a", Visibility.PUBLIC)).isInstanceOf(DeviceMapperException.class)
                .satisfies(e -> assertThat(((DeviceMapperException) e).is(Errno.EINVAL)).isTrue());
        InMemoryKernel.DeviceState swapFailed = kernel.state("a").orElseThrow();
        assertThat(swapFailed.inactive()).isEmpty(); // unhooked before the swap, then destroyed
        assertThat(swapFailed.live()).contains(ZERO);
        assertThat(swapFailed.suspended()).isTrue();

        kernel.load("a", ERROR);
        kernel.failResume("a", ResumeStage.RESUME, Errno.EINVAL);
        assertThatThrownBy(() -> kernel.resume("a", Visibility.PUBLIC)).isInstanceOf(DeviceMapperException.class);
        InMemoryKernel.DeviceState resumeFailed = kernel.state("a").orElseThrow();
        assertThat(resumeFailed.live()).contains(ERROR); // swapped, but left suspended
        assertThat(resumeFailed.inactive()).isEmpty();
        assertThat(resumeFailed.suspended()).isTrue();

        assertThat(kernel.resume("a", Visibility.PUBLIC).suspended()).isFalse();
    }

    @Test
    void aSuspendedDeviceWithoutATableCannotResume() throws IOException {
        kernel.create("a", CreateOptions.defaults());
        assertThat(kernel.resume("a", Visibility.PUBLIC).suspended()).isFalse(); // nothing to do: no uevent
        kernel.suspend("a");
        assertThatThrownBy(() -> kernel.resume("a", Visibility.PUBLIC)).isInstanceOf(DeviceMapperException.class)
                .satisfies(e -> assertThat(((DeviceMapperException) e).is(Errno.EINVAL)).isTrue());
        assertThat(kernel.info("a").suspended()).isTrue();
    }

    @Test
    void removingAnOpenDeviceIsBusyWithItsOpenCount() throws IOException {
        DeviceNumber number = active("a").device();
        kernel.open("a");
        kernel.open("a");
        assertThat(kernel.openers(number)).extracting(Object::toString).containsExactly("pid 4242 (holder) fd 3");
        assertThatThrownBy(() -> kernel.remove("a")).isInstanceOfSatisfying(DeviceBusyException.class,
                e -> assertThat(e.openCount()).hasValue(2));
        assertThat(kernel.info("a").openCount()).isEqualTo(2);
        kernel.close("a");
        kernel.close("a");
        assertThat(kernel.openers(number)).isEmpty();
        kernel.remove("a");
        assertThat(kernel.snapshot().devices()).isEmpty();
        assertThat(kernel.nodePresent("a")).isFalse();
        assertThat(kernel.inSysfs(number, "a")).isFalse();
    }

    @Test
    void aDeferredRemoveCompletesAtTheLastCloseAndLeavesTheNodeForMknodes() throws IOException {
        DeviceNumber number = active("a").device();
        kernel.open("a");
        kernel.open("a");
        assertThat(kernel.removeDeferred("a")).isEqualTo(RemoveOutcome.DEFERRED);
        assertThat(kernel.info("a").flags()).contains(DeviceFlag.DEFERRED_REMOVE);
        kernel.close("a");
        assertThat(kernel.state("a")).isPresent();
        kernel.close("a");
        assertThat(kernel.state("a")).isEmpty();
        assertThat(kernel.inSysfs(number, "a")).isFalse();
        assertThat(kernel.nodePresent("a")).isTrue(); // under LIBRARY nobody drops it but a look
        kernel.mknodes("a");
        assertThat(kernel.nodePresent("a")).isFalse();
        assertThat(kernel.create("b", CreateOptions.defaults()).device()).isEqualTo(number);

        active("c");
        assertThat(kernel.removeDeferred("c")).isEqualTo(RemoveOutcome.REMOVED); // not open: at once
        assertThat(kernel.nodePresent("c")).isFalse();
    }

    @Test
    void cancellingADeferredRemoveClearsTheFlagAndIsHarmlessWithoutOne() throws IOException {
        active("a");
        kernel.open("a");
        kernel.removeDeferred("a");
        kernel.cancelDeferredRemove("a");
        assertThat(kernel.info("a").flags()).doesNotContain(DeviceFlag.DEFERRED_REMOVE);
        kernel.cancelDeferredRemove("a"); // dm_cancel_deferred_remove: 0 when nothing is scheduled
        kernel.close("a");
        assertThat(kernel.state("a")).isPresent();
    }

    @Test
    void renameChecksTheNewNameFirst() throws IOException {
        DeviceNumber number = active("a").device();
        kernel.create("b", CreateOptions.defaults().uuid("U-b"));
        assertThatThrownBy(() -> kernel.rename("a", "b", Visibility.PUBLIC)).isInstanceOf(DeviceExistsException.class);
        assertThatThrownBy(() -> kernel.rename("a", "a", Visibility.PUBLIC)).isInstanceOf(DeviceExistsException.class);
        assertThatThrownBy(() -> kernel.rename("x", "b", Visibility.PUBLIC)).isInstanceOf(DeviceExistsException.class);
        assertThatThrownBy(() -> kernel.rename("x", "y", Visibility.PUBLIC)).isInstanceOf(DeviceNotFoundException.class);

        kernel.load("a", ERROR);
        DeviceInfo renamed = kernel.rename("a", "c", Visibility.PUBLIC);
        assertThat(renamed.name()).isEqualTo("c");
        assertThat(renamed.hasInactiveTable()).isFalse(); // the reply is __dev_status only
        assertThat(renamed.eventNr()).isEqualTo(1);
        assertThat(kernel.info("c").hasInactiveTable()).isTrue();
        assertThat(kernel.nodePresent("a")).isFalse();
        assertThat(kernel.nodePresent("c")).isTrue();
        assertThat(kernel.inSysfs(number, "c")).isTrue();
        assertThat(kernel.inSysfs(number, "a")).isFalse();
        assertThat(kernel.rename("b", "d", Visibility.PUBLIC).uuid()).isEqualTo(Optional.empty());
        assertThat(kernel.info("d").uuid()).contains("U-b");
    }

    @Test
    void nodesAndSysfsEntriesCanOutliveTheirDevice() throws IOException {
        DeviceNumber number = active("a").device();
        kernel.lingerNode("a");
        kernel.lingerSysfs("a");
        try (FileChannel c = FileChannel.open(kernel.blockNode(number))) {
            assertThat(c.size()).isZero();
        }
        kernel.remove("a");
        assertThat(kernel.nodePresent("a")).isTrue();
        assertThat(kernel.inSysfs(number, "a")).isTrue();
        kernel.settleSysfs();
        assertThat(kernel.inSysfs(number, "a")).isFalse();
        assertThatThrownBy(() -> kernel.blockNode(number)).isInstanceOf(NoSuchFileException.class);
        kernel.mknodes("a");
        assertThat(kernel.nodePresent("a")).isFalse();

        DeviceNumber reused = active("b").device();
        assertThat(reused).isEqualTo(number);
        kernel.lingerSysfs("b");
        kernel.remove("b");
        kernel.create("c", CreateOptions.defaults()); // the freed minor at once: the entry is c's now
        assertThat(kernel.inSysfs(number, "b")).isFalse();
        assertThat(kernel.recordedVisibility(number)).isEqualTo(Visibility.PUBLIC);
    }

    @Test
    void keysReadBackAsZerosAndBadTablesFailAsInDeviceMapper() throws IOException {
        kernel.create("a", CreateOptions.defaults());
        kernel.load("a", List.of(new TargetLine(0, 8, "crypt", "aes-xts-plain64 0123456789abcdef 0 7:0 0")));
        assertThat(kernel.table("a", TableSlot.INACTIVE).get(0).params())
                .isEqualTo("aes-xts-plain64 0000000000000000 0 7:0 0");
        assertThatThrownBy(() -> kernel.load("a", List.of(new TargetLine(8, 8, "zero", ""))))
                .isInstanceOf(InvalidTableException.class);
        assertThatThrownBy(() -> kernel.load("a", List.of(new TargetLine(0, 8, "verity", "1 7:0 7:1 4096 4096 1 1 sha256 aa bb"))))
                .isInstanceOf(InvalidTableException.class);
        kernel.load("a", io.dm4j.target.Table.of(ZERO));
        assertThat(kernel.table("a", TableSlot.INACTIVE)).isEqualTo(ZERO);
    }

    @Test
    void callsAreCountedExceptThoseMadeBehindTheRegistrysBack() throws IOException {
        active("a");
        kernel.info("a");
        kernel.createBehindBack("b", CreateOptions.defaults());
        kernel.loadBehindBack("b", ZERO);
        kernel.resumeBehindBack("b");
        kernel.renameBehindBack("b", "c");
        kernel.behindBack(() -> kernel.suspend("c"));
        assertThat(kernel.calls()).containsExactly(java.util.Map.entry("create", 1), java.util.Map.entry("info", 1),
                java.util.Map.entry("load", 1), java.util.Map.entry("resume", 1));
        InMemoryKernel.Snapshot s = kernel.snapshot();
        assertThat(s.devices()).containsOnlyKeys("a", "c");
        assertThat(s.devices().get("c").suspended()).isTrue();
        assertThat(s.devices().get("c").live()).contains(ZERO);
        assertThat(s.nodes()).containsExactly("a", "c");
        kernel.removeBehindBack("a");
        assertThat(kernel.calls("remove")).isZero();
        kernel.resetCalls();
        assertThat(kernel.calls()).isEmpty();
    }
}
