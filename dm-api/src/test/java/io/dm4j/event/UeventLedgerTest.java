package io.dm4j.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DeviceNumber;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The uevent mode's books, one situation at a time, with uevents as the kernel sends them. */
class UeventLedgerTest {
    private static final DeviceNumber DM0 = new DeviceNumber(253, 0);

    /** A datagram as Linux 6.1 sends it for a dm device (captured in the test VM). */
    private static Uevent uevent(String action, int minor, long diskseq, long seqnum, String... extra) {
        StringBuilder b = new StringBuilder(action + "@/devices/virtual/block/dm-" + minor + "\0ACTION=" + action
                + "\0DEVPATH=/devices/virtual/block/dm-" + minor + "\0SUBSYSTEM=block\0");
        for (String e : extra) {
            b.append(e).append('\0');
        }
        b.append("MAJOR=253\0MINOR=" + minor + "\0DEVNAME=dm-" + minor + "\0DEVTYPE=disk\0DISKSEQ=" + diskseq
                + "\0SEQNUM=" + seqnum + "\0");
        return Uevent.parse(ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8))).orElseThrow();
    }

    private static UeventLedger.Arrival arrival(Uevent u) {
        return new UeventLedger.Arrival(u, Optional.empty());
    }

    private static Seen listed(String name, long eventNr) {
        return new Seen(Optional.of(name), Optional.empty(), eventNr, 0);
    }

    @Test
    void parsesTheKernelsDatagramAndRefusesUdevsOwn() {
        Uevent u = uevent("remove", 3, 9, 768, "DM_COOKIE=4390912");
        assertThat(u.action()).isEqualTo("remove");
        assertThat(u.seqnum()).isEqualTo(768);
        assertThat(u.device()).isEqualTo(new DeviceNumber(253, 3));
        assertThat(u.diskseq()).isEqualTo(9);
        assertThat(u.isDeviceMapper()).isTrue();
        assertThat(u.properties()).containsEntry("DM_COOKIE", "4390912");
        byte[] udev = "libudev\0\1\2\3".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Uevent.parse(ByteBuffer.wrap(udev))).isEmpty();
        byte[] loop = "add@/devices/virtual/block/loop0\0SUBSYSTEM=block\0DEVNAME=loop0\0DEVTYPE=disk\0SEQNUM=5\0"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(Uevent.parse(ByteBuffer.wrap(loop)).orElseThrow().isDeviceMapper()).isFalse();
    }

    @Test
    void aRemoveAndACreateAtOneMinorAreTwoDevicesAndTheSecondRemoveUeventIsNotNews() {
        UeventLedger ledger = new UeventLedger(Map.of(DM0, new Seen(Optional.of("a"), Optional.empty(), 0, 9)));
        List<DeviceEvent> events = ledger.round(List.of(arrival(uevent("remove", 0, 9, 768, "DM_COOKIE=1")),
                arrival(uevent("remove", 0, 9, 770)), arrival(uevent("add", 0, 10, 771)),
                arrival(uevent("change", 0, 10, 772, "DM_COOKIE=2"))), Map.of(DM0, listed("b", 0)), Set.of());
        assertThat(events).extracting(DeviceEvent::toString)
                .containsExactly("REMOVED a (253:0) seq 768", "CREATED b (253:0) seq 771");
    }

    @Test
    void aGapIsReportedWhereItHappened() {
        UeventLedger ledger = new UeventLedger(Map.of());
        List<DeviceEvent> events = ledger.round(List.of(new UeventLedger.Gap(100, "uevents 100..101 never arrived"),
                arrival(uevent("add", 0, 10, 102))), Map.of(DM0, listed("b", 0)), Set.of());
        assertThat(events).extracting(DeviceEvent::kind).containsExactly(EventKind.MAYBE_MISSED, EventKind.CREATED);
        assertThat(events.get(0).detail()).contains("100..101");
        assertThat(events.get(0).sequence()).hasValue(100);
    }

    @Test
    void aDeviceGoneBeforeItsNameCouldBeReadHasNoNameAndOneSettledLaterWaits() {
        UeventLedger ledger = new UeventLedger(Map.of());
        List<DeviceEvent> events = ledger.round(List.of(arrival(uevent("add", 0, 10, 5)),
                arrival(uevent("remove", 0, 10, 6))), Map.of(DM0, listed("other", 0)), Set.of(DM0));
        assertThat(events).extracting(DeviceEvent::toString)
                .containsExactly("CREATED (name unknown) (253:0) seq 5", "REMOVED (name unknown) (253:0) seq 6");
        // 253:0 was touched while the list was taken: the list's "other" is left for the next round.
        assertThat(ledger.known()).isEmpty();
    }

    @Test
    void aRenameIsProvenByTheSameBlockDevice() {
        UeventLedger ledger = new UeventLedger(Map.of(DM0, new Seen(Optional.of("a"), Optional.empty(), 1, 9)));
        List<DeviceEvent> events = ledger.round(List.of(arrival(uevent("change", 0, 9, 20, "DM_COOKIE=3"))),
                Map.of(DM0, listed("b", 2)), Set.of());
        assertThat(events).extracting(DeviceEvent::toString)
                .containsExactly("RENAMED b (253:0) was a event 1 seq 20", "TABLE_EVENT b (253:0) event 2");
    }

    @Test
    void aDeviceCreatedWithoutATableThenLoadedAndRenamedIsOneDevice() {
        UeventLedger ledger = new UeventLedger(Map.of());
        Seen a = new Seen(Optional.of("a"), Optional.of("U"), 0, 0);
        assertThat(ledger.round(List.of(), Map.of(DM0, a), Set.of())).extracting(DeviceEvent::toString)
                .containsExactly("CREATED a (253:0)");
        assertThat(ledger.round(List.of(arrival(uevent("add", 0, 11, 30)), arrival(uevent("change", 0, 11, 31))),
                Map.of(DM0, a), Set.of())).isEmpty();
        Seen b = new Seen(Optional.of("b"), Optional.of("U"), 1, 0);
        assertThat(ledger.round(List.of(arrival(uevent("change", 0, 11, 32))), Map.of(DM0, b), Set.of()))
                .extracting(DeviceEvent::toString).containsExactly("RENAMED b (253:0) was a seq 32",
                        "TABLE_EVENT b (253:0) event 1");
    }

    @Test
    void theKernelUnlistsADeviceBeforeItsRemoveUeventAndThatIsNoLoss() {
        UeventLedger ledger = new UeventLedger(Map.of(DM0, new Seen(Optional.of("a"), Optional.empty(), 0, 9)));
        assertThat(ledger.round(List.of(), Map.of(), Set.of())).isEmpty();
        assertThat(ledger.round(List.of(arrival(uevent("remove", 0, 9, 40))), Map.of(), Set.of()))
                .extracting(DeviceEvent::toString).containsExactly("REMOVED a (253:0) seq 40");
        UeventLedger lost = new UeventLedger(Map.of(DM0, new Seen(Optional.of("a"), Optional.empty(), 0, 9)));
        assertThat(lost.round(List.of(), Map.of(), Set.of())).isEmpty();
        assertThat(lost.round(List.of(), Map.of(), Set.of())).as("still waiting for its remove uevent").isEmpty();
        assertThat(lost.round(List.of(new UeventLedger.Gap(50, "uevents #50 never arrived")), Map.of(), Set.of()))
                .extracting(DeviceEvent::toString).containsExactly("MAYBE_MISSED seq 50: uevents #50 never arrived",
                        "REMOVED a (253:0)");
    }

    /** Load, resume and rename before the monitor looks: the uuid says it is one device; a name alone cannot. */
    @Test
    void aDeviceLoadedAndRenamedBeforeTheNextLookIsFollowedByItsUuidOnly() {
        for (boolean withUuid : new boolean[] {true, false}) {
            Optional<String> uuid = withUuid ? Optional.of("U") : Optional.empty();
            UeventLedger ledger = new UeventLedger(Map.of());
            ledger.round(List.of(), Map.of(DM0, new Seen(Optional.of("ev"), uuid, 0, 0)), Set.of());
            List<DeviceEvent> events = ledger.round(List.of(arrival(uevent("add", 0, 211, 2182)),
                    arrival(uevent("change", 0, 211, 2183)), arrival(uevent("change", 0, 211, 2184))),
                    Map.of(DM0, new Seen(Optional.of("ev2"), uuid, 1, 0)), Set.of());
            assertThat(events).extracting(DeviceEvent::toString).as("uuid %s", withUuid).containsExactly(withUuid
                    ? new String[] {"RENAMED ev2 (253:0) was ev event 1 seq 2182"}
                    : new String[] {"REMOVED ev (253:0) seq 2182", "CREATED ev2 (253:0) event 1 seq 2182"});
        }
    }
}
