package com.example.volumes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.volumes.VolumeManager.Volume;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapperException;
import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.sys.Errno;
import io.dm4j.testkit.SimulatedKernel;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link VolumeManagerContract} on dm4j's in-memory device-mapper: no root, no kernel module, a
 * fresh kernel per test. Only here: what the manager does when the kernel refuses a step, which a
 * real kernel cannot be made to do on cue.
 */
class VolumeManagerTest extends VolumeManagerContract {
    private SimulatedKernel kernel;

    @BeforeEach
    void simulatedKernel() throws IOException {
        kernel = SimulatedKernel.create();
        DeviceNumber disk = kernel.addDisk("/dev/sim0", DISK);
        dm = kernel.deviceMapper();
        // Nothing probes simulated devices behind our back: a busy device is busy because a test holds it.
        volumes = new VolumeManager(dm, disk, DISK, "vg0-", Duration.ZERO);
    }

    @AfterEach
    void nothingLeftBehind() throws IOException {
        try {
            assertEquals(List.of(), dm.list(), "every test removes the volumes it made");
        } finally {
            dm.close();
        }
    }

    @Override
    protected AutoCloseable holdOpen(String device) throws IOException {
        return kernel.openDevice(device);
    }

    @Test
    void aRefusedLoadLeavesNoDevice() throws IOException {
        kernel.failNext(DmCommand.DM_TABLE_LOAD, 1, Errno.EIO);

        DeviceMapperException e = assertThrows(DeviceMapperException.class, () -> volumes.create("a", 4 * MIB));

        assertTrue(e.is(Errno.EIO), e::getMessage);
        assertEquals(DmCommand.DM_TABLE_LOAD, e.command());
        assertEquals(0, e.getSuppressed().length, "the undo worked");
        assertEquals(List.of(), dm.list());
        assertEquals(DISK, volumes.freeSectors());
        // The kernel refuses once; the next try gets the same space.
        assertEquals(0, volumes.create("a", 4 * MIB).extents().get(0).start());
        volumes.remove("a");
    }

    @Test
    void aRefusedResumeLeavesNoDevice() throws IOException {
        kernel.failNext(DmCommand.DM_DEV_SUSPEND, 1, Errno.EIO);

        DeviceMapperException e = assertThrows(DeviceMapperException.class, () -> volumes.create("a", 4 * MIB));

        assertTrue(e.is(Errno.EIO), e::getMessage);
        assertEquals(DmCommand.DM_DEV_SUSPEND, e.command());
        assertEquals(List.of(), dm.list(), "the device loaded but never resumed is removed");
        assertEquals(DISK, volumes.freeSectors());
    }

    @Test
    void aRefusedResumeOnGrowKeepsTheOldSize() throws IOException {
        Volume a = volumes.create("a", 4 * MIB);
        kernel.failNext(DmCommand.DM_DEV_SUSPEND, 1, Errno.EIO);

        DeviceMapperException e = assertThrows(DeviceMapperException.class, () -> volumes.grow("a", 8 * MIB));

        assertTrue(e.is(Errno.EIO), e::getMessage);
        assertEquals(a, volumes.find("a").orElseThrow());
        DeviceInfo info = dm.info(a.device());
        assertFalse(info.hasInactiveTable(), "the larger table is dropped, not left for the next resume");
        assertFalse(info.suspended());
        assertEquals(DISK - 4 * MIB, volumes.freeSectors());
        assertEquals(8 * MIB, volumes.grow("a", 8 * MIB).sectors());
        volumes.remove("a");
    }

    @Test
    void aRefusedRemoveIsReportedAndTheVolumeStays() throws IOException {
        volumes.create("a", 4 * MIB);
        kernel.failNext(DmCommand.DM_DEV_REMOVE, 1, Errno.ENOMEM);

        DeviceMapperException e = assertThrows(DeviceMapperException.class, () -> volumes.remove("a"));

        assertTrue(e.is(Errno.ENOMEM), e::getMessage);
        assertTrue(volumes.find("a").isPresent());
        volumes.remove("a");
    }

    @Test
    void aGrowIsOneLoadAndOneResume() throws IOException {
        volumes.create("a", 4 * MIB);
        long loads = kernel.calls(DmCommand.DM_TABLE_LOAD);
        long resumes = kernel.calls(DmCommand.DM_DEV_SUSPEND);

        volumes.grow("a", 8 * MIB);

        // No explicit suspend: the resume suspends, swaps the tables and resumes in one ioctl.
        assertEquals(loads + 1, kernel.calls(DmCommand.DM_TABLE_LOAD));
        assertEquals(resumes + 1, kernel.calls(DmCommand.DM_DEV_SUSPEND));
        volumes.remove("a");
    }
}
