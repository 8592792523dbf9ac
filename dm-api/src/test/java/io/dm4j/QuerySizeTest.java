package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.internal.ioctl.DmIoctl;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A query sends a data_size of twice the largest reply it has seen (at least one page), not its
 * whole buffer, since the kernel copies in data_size bytes; when a reply does not fit, the next
 * try sends the whole buffer, then a doubled one, as before. The kernel here answers
 * DM_TABLE_DEPS as dm-ioctl.c does: DM_BUFFER_FULL_FLAG with data_size unchanged when the
 * devices do not fit, else data_size = data_start + what it wrote.
 */
class QuerySizeTest {
    private int devices;
    private final List<Integer> sent = new ArrayList<>();

    private Syscalls kernel() {
        return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "backend" -> "fake";
                    case "open" -> 1000;
                    case "close" -> null;
                    case "ioctl", "ioctlNonBlocking" -> answer((Long) args[1], (ByteBuffer) args[2]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private int answer(long request, ByteBuffer b) throws ErrnoException {
        int size = DmIoctl.dataSize(b);
        if (request == DmIoctl.request(DmCommand.DM_VERSION)) {
            DmIoctl.putHeader(b, new DmVersion(4, 47, 0), size, 0, null, null);
            return 0;
        }
        sent.add(size);
        int needed = 8 + 8 * devices;
        if (size - DmIoctl.SIZE < needed) {
            DmIoctl.putHeader(b, new DmVersion(4, 47, 0), size, DmIoctl.BUFFER_FULL_FLAG | DmIoctl.ACTIVE_PRESENT_FLAG,
                    null, null);
            return 0;
        }
        DmIoctl.putHeader(b, new DmVersion(4, 47, 0), DmIoctl.SIZE + needed, DmIoctl.ACTIVE_PRESENT_FLAG, null, null);
        b.putInt(DmIoctl.SIZE, devices);
        for (int i = 0; i < devices; i++) {
            b.putLong(DmIoctl.SIZE + 8 + 8 * i, new DeviceNumber(7, i).encode());
        }
        return 0;
    }

    @Test
    void queriesSendWhatTheirRepliesNeedAndGrowWhenTheyDoNot() throws Exception {
        try (DeviceMapper dm = DeviceMapper.open(Path.of("/nonexistent/control"), kernel(), NodePolicy.NONE)) {
            devices = 2;
            assertThat(dm.deps("a", TableSlot.LIVE)).hasSize(2);
            assertThat(sent).as("a small reply: one page").containsExactly(4096);

            sent.clear();
            devices = 1000; // 8,008 bytes after the header: more than a page, less than the buffer
            assertThat(dm.deps("a", TableSlot.LIVE)).hasSize(1000).last().isEqualTo(new DeviceNumber(7, 999));
            assertThat(sent).as("the page, then the whole 16 KiB buffer").containsExactly(4096, 16384);

            sent.clear();
            devices = 5000; // 40,008 bytes: the buffer doubles twice
            assertThat(dm.deps("a", TableSlot.LIVE)).hasSize(5000);
            assertThat(sent).containsExactly(16384, 32768, 65536);

            sent.clear();
            devices = 2;
            assertThat(dm.deps("a", TableSlot.LIVE)).hasSize(2);
            assertThat(sent).as("twice the largest reply, within this thread's buffer").containsExactly(65536);
        }
    }
}
