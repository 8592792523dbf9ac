package com.example.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.volumes.VolumeManager.Extent;
import com.example.volumes.VolumeManager.NoSpaceException;
import com.example.volumes.VolumeManager.Volume;
import io.dm4j.DeviceBusyException;
import io.dm4j.DeviceExistsException;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.RemoveOutcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link VolumeManager} does, written once: {@code VolumeManagerTest} runs it on dm4j's
 * simulated kernel (no root, on every build), {@code VolumeManagerIT} on the real one. A subclass
 * sets {@link #dm} and {@link #volumes} before each test (a disk of {@link #DISK} sectors) and says
 * how a volume is held open. Every test removes what it made: both subclasses fail a test that
 * leaves a device behind.
 */
abstract class VolumeManagerContract {
    static final long MIB = 2048;
    static final long DISK = 16 * MIB;

    protected DeviceMapper dm;
    protected VolumeManager volumes;

    /** Opens the volume's device as a mounted filesystem or a process would; closing lets go. */
    protected abstract AutoCloseable holdOpen(String device) throws IOException;

    @Test
    void createsAVolumeAtTheStartOfTheDisk() throws IOException {
        Volume v = volumes.create("data", 4 * MIB);

        assertEquals(4 * MIB, v.sectors());
        assertEquals(List.of(new Extent(0, 4 * MIB)), v.extents());
        DeviceInfo info = dm.info(v.device());
        assertTrue(info.hasLiveTable() && !info.suspended() && !info.hasInactiveTable(), info::toString);
        assertEquals(List.of(v), volumes.list());
        assertEquals(DISK - 4 * MIB, volumes.freeSectors());

        volumes.remove("data");
        assertEquals(List.of(), volumes.list());
        assertEquals(DISK, volumes.freeSectors());
    }

    @Test
    void carvesVolumesSideBySideAndReusesFreedSpace() throws IOException {
        volumes.create("a", 4 * MIB);
        Volume b = volumes.create("b", 6 * MIB);
        assertEquals(List.of(new Extent(4 * MIB, 6 * MIB)), b.extents());

        volumes.remove("a");
        Volume c = volumes.create("c", 2 * MIB);
        assertEquals(List.of(new Extent(0, 2 * MIB)), c.extents(), "the first free space");
        assertEquals(DISK - 8 * MIB, volumes.freeSectors());

        volumes.remove("b");
        volumes.remove("c");
    }

    @Test
    void refusesWhatDoesNotFitAndMakesNoDevice() throws IOException {
        volumes.create("a", 10 * MIB);

        assertThrows(NoSpaceException.class, () -> volumes.create("b", 7 * MIB));
        assertTrue(volumes.find("b").isEmpty());
        assertThrows(NoSpaceException.class, () -> volumes.grow("a", 17 * MIB));
        assertEquals(10 * MIB, volumes.find("a").orElseThrow().sectors());

        volumes.remove("a");
    }

    @Test
    void refusesANameInUse() throws IOException {
        volumes.create("a", 2 * MIB);

        // The kernel's answer (EBUSY on create), as dm4j types it.
        assertThrows(DeviceExistsException.class, () -> volumes.create("a", 2 * MIB));
        assertEquals(1, volumes.list().size());
        assertEquals(DISK - 2 * MIB, volumes.freeSectors());

        volumes.remove("a");
    }

    @Test
    void growsInPlaceWhereTheSpaceAfterItIsFree() throws IOException {
        volumes.create("a", 4 * MIB);

        Volume a = volumes.grow("a", 8 * MIB);

        assertEquals(List.of(new Extent(0, 8 * MIB)), a.extents(), "one longer extent");
        DeviceInfo info = dm.info(a.device());
        assertTrue(!info.suspended() && !info.hasInactiveTable(), info::toString);
        assertEquals(8 * MIB, dm.table(a.device()).get(0).length());

        volumes.remove("a");
    }

    @Test
    void growsAcrossAnotherVolume() throws IOException {
        volumes.create("a", 4 * MIB);
        volumes.create("b", 4 * MIB);

        Volume a = volumes.grow("a", 6 * MIB);

        assertEquals(List.of(new Extent(0, 4 * MIB), new Extent(8 * MIB, 2 * MIB)), a.extents());
        assertEquals(2, dm.table(a.device()).size());
        assertEquals(6 * MIB, a.sectors());
        assertEquals(DISK - 10 * MIB, volumes.freeSectors());

        volumes.remove("a");
        volumes.remove("b");
    }

    @Test
    void anOpenVolumeIsNotRemoved() throws Exception {
        Volume v = volumes.create("busy", 4 * MIB);

        try (AutoCloseable user = holdOpen(v.device())) {
            DeviceBusyException e = assertThrows(DeviceBusyException.class, () -> volumes.remove("busy"));
            assertEquals(1, e.openCount().orElse(-1), e::getMessage);
            assertTrue(volumes.find("busy").isPresent());
        }
        volumes.remove("busy");
        assertTrue(volumes.find("busy").isEmpty());
    }

    @Test
    void anOpenVolumeIsRemovedWhenItsLastUserCloses() throws Exception {
        Volume v = volumes.create("busy", 4 * MIB);

        AutoCloseable user = holdOpen(v.device());
        try {
            assertEquals(RemoveOutcome.DEFERRED, volumes.removeWhenClosed("busy"));
            assertTrue(volumes.find("busy").orElseThrow().removalPending());
            assertEquals(DISK - 4 * MIB, volumes.freeSectors(), "its space stays in use until it is gone");
        } finally {
            user.close();
        }
        assertTrue(volumes.awaitGone("busy", Duration.ofSeconds(10)));
        assertFalse(volumes.find("busy").isPresent());
        assertEquals(DISK, volumes.freeSectors());
    }
}
