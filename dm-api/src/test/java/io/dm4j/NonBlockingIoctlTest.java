package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.internal.ioctl.DmIoctl;
import io.dm4j.sys.Syscalls;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which requests go through {@link Syscalls#ioctlNonBlocking} (FFM: no thread-state transition,
 * so a safepoint waits for the call): only those the kernel answers without sleeping for long.
 * Everything that may wait for I/O, RCU, an event or target code takes the ordinary call.
 */
class NonBlockingIoctlTest {
    private static final Set<DmCommand> NEVER_SLEEP = EnumSet.of(DmCommand.DM_VERSION, DmCommand.DM_LIST_VERSIONS,
            DmCommand.DM_DEV_STATUS, DmCommand.DM_LIST_DEVICES, DmCommand.DM_TABLE_DEPS);

    @Test
    void onlyRequestsThatCannotSleepQualify() {
        ByteBuffer header = ByteBuffer.allocateDirect(DmIoctl.SIZE).order(java.nio.ByteOrder.nativeOrder());
        for (DmCommand command : DmCommand.values()) {
            for (int flags : new int[] {0, DmIoctl.STATUS_TABLE_FLAG, DmIoctl.NOFLUSH_FLAG,
                    DmIoctl.IMA_MEASUREMENT_FLAG, DmIoctl.STATUS_TABLE_FLAG | DmIoctl.IMA_MEASUREMENT_FLAG}) {
                DmIoctl.putHeader(header, new DmVersion(4, 0, 0), DmIoctl.SIZE, flags, null, null);
                boolean tableForm = command == DmCommand.DM_TABLE_STATUS && flags == DmIoctl.STATUS_TABLE_FLAG;
                assertThat(DmIoctl.cannotBlock(command, header)).as("%s with flags 0x%x", command, flags)
                        .isEqualTo(NEVER_SLEEP.contains(command) || tableForm);
            }
        }
    }

    @Test
    void theClientSendsQueriesThroughTheNonBlockingCallAndChangesThroughTheOrdinaryOne() throws Exception {
        List<String> calls = new ArrayList<>();
        Syscalls recording = (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(),
                new Class<?>[] {Syscalls.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "backend" -> "recording";
                    case "open" -> 1000;
                    case "close" -> null;
                    case "ioctl", "ioctlNonBlocking" -> {
                        int nr = (int) ((Long) args[1] & 0xff);
                        calls.add(method.getName() + " " + DmCommand.values()[nr]);
                        ByteBuffer b = (ByteBuffer) args[2];
                        int flags = DmIoctl.readHeader(b).flags();
                        DmIoctl.putHeader(b, new DmVersion(4, 47, 0), DmIoctl.SIZE,
                                flags & DmIoctl.STATUS_TABLE_FLAG, null, null);
                        yield 0;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        try (DeviceMapper dm = DeviceMapper.open(Path.of("/nonexistent/control"), recording, NodePolicy.NONE)) {
            dm.info("a");
            dm.table("a");
            dm.status("a");
            dm.resume("a");
            dm.remove("a");
        }
        assertThat(calls).containsExactly("ioctlNonBlocking DM_VERSION", "ioctlNonBlocking DM_DEV_STATUS",
                "ioctlNonBlocking DM_TABLE_STATUS", "ioctl DM_TABLE_STATUS", "ioctl DM_DEV_SUSPEND",
                "ioctl DM_DEV_REMOVE");
    }
}
