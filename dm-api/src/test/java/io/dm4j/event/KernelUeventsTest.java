package io.dm4j.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the socket reader makes of what the kernel sends: every uevent counts for the sequence,
 * only device-mapper ones are kept, and skipped numbers and a receive overflow become gaps.
 */
class KernelUeventsTest {

    /** A socket that answers reads from a script: a datagram, or an errno. */
    private static Syscalls socket(Deque<Object> script) {
        return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("read")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Object next = script.isEmpty() ? Errno.EAGAIN : script.poll();
                    if (next instanceof Errno e) {
                        throw new ErrnoException("read", "fd 9", e.number());
                    }
                    byte[] bytes = ((String) next).getBytes(StandardCharsets.UTF_8);
                    ((ByteBuffer) args[1]).put(bytes);
                    return bytes.length;
                });
    }

    private static String uevent(String action, String dev, long seq) {
        boolean dm = dev.startsWith("dm-");
        return action + "@/devices/virtual/block/" + dev + "\0ACTION=" + action + "\0SUBSYSTEM=block\0DEVTYPE=disk\0"
                + "DEVNAME=" + dev + "\0MAJOR=" + (dm ? 253 : 7) + "\0MINOR=0\0DISKSEQ=4\0SEQNUM=" + seq + "\0";
    }

    @Test
    void skippedNumbersAndAnOverflowAreGapsAndOnlyDeviceMapperIsKept() throws Exception {
        Deque<Object> script = new ArrayDeque<>(List.of(uevent("add", "dm-0", 11), uevent("add", "loop0", 12),
                uevent("change", "dm-0", 15), "libudev\0junk", Errno.ENOBUFS, uevent("remove", "dm-0", 16),
                uevent("remove", "dm-0", 10)));
        KernelUevents k = new KernelUevents(socket(script), 9);
        k.skipThrough(10);
        List<UeventLedger.Step> steps = new ArrayList<>();
        k.drain(steps);
        assertThat(steps).extracting(s -> s instanceof UeventLedger.Gap g ? "gap " + g.seq() + ": " + g.detail()
                : ((UeventLedger.Arrival) s).uevent().action() + " " + s.seq()).containsExactly(
                        "add 11", "gap 13: uevents 13..14 never arrived", "change 15",
                        "gap 16: the uevent socket's receive buffer overflowed", "remove 16");
        assertThat(k.lastSeq()).isEqualTo(16);
        assertThat(k.received()).as("every kernel uevent counts, udev's own does not").isEqualTo(5);
    }
}
