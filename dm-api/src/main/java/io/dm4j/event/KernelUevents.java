package io.dm4j.event;

import io.dm4j.DeviceNumber;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's uevents, read from a non-blocking {@code NETLINK_KOBJECT_UEVENT} socket bound to the
 * kernel's group, and the sysfs files that place them: {@code /sys/kernel/uevent_seqnum} (the last
 * sequence number the kernel gave out) and each block device's {@code diskseq}, {@code dm/name} and
 * {@code dm/uuid}. Every uevent of every subsystem arrives here, so a skipped sequence number is a
 * lost uevent (or one the kernel sent only to another network namespace: either way, a gap).
 */
final class KernelUevents implements Closeable {
    /** The kernel's multicast group (udev re-sends on group 2; those are not the kernel's). */
    private static final int KERNEL_GROUP = 1;
    /** Room for bursts: 200 devices created and removed at once are ~1,000 uevents. */
    private static final int RECEIVE_BUFFER = 8 << 20;
    private static final Path SEQNUM = Path.of("/sys/kernel/uevent_seqnum");
    private static final Path SYS = Path.of("/sys");
    private static final int SYSFS_ATTEMPTS = 10;

    private final Syscalls sys;
    private final int fd;
    private final ByteBuffer datagram = ByteBuffer.allocateDirect(64 << 10).order(ByteOrder.nativeOrder());
    private long lastSeq;
    private long received;

    KernelUevents(Syscalls sys, int fd) {
        this.sys = sys;
        this.fd = fd;
    }

    /** Opens the socket; the error says why uevents cannot be had here. */
    static KernelUevents open(Syscalls sys) throws IOException {
        if (!Files.isReadable(SEQNUM)) {
            throw new IOException(SEQNUM + " is not readable (is /sys mounted?)");
        }
        int fd = sys.socket(Syscalls.AF_NETLINK, Syscalls.SOCK_DGRAM | Syscalls.SOCK_NONBLOCK,
                Syscalls.NETLINK_KOBJECT_UEVENT);
        try {
            try {
                sys.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVBUFFORCE, RECEIVE_BUFFER);
            } catch (ErrnoException e) {
                sys.setsockopt(fd, Syscalls.SOL_SOCKET, Syscalls.SO_RCVBUF, RECEIVE_BUFFER);
            }
            // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
            ByteBuffer address = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder())
                    .putShort(0, (short) Syscalls.AF_NETLINK).putInt(4, 0).putInt(8, KERNEL_GROUP);
            sys.bind(fd, address);
            KernelUevents k = new KernelUevents(sys, fd);
            k.lastSeq = k.kernelSeqnum();
            return k;
        } catch (IOException | RuntimeException e) {
            sys.close(fd);
            throw e;
        }
    }

    int fd() {
        return fd;
    }

    /** How many uevents (of any subsystem) arrived so far. */
    long received() {
        return received;
    }

    long lastSeq() {
        return lastSeq;
    }

    /** The last sequence number the kernel gave out. */
    long kernelSeqnum() throws IOException {
        return Long.parseLong(Files.readString(SEQNUM).trim());
    }

    /**
     * Reads every queued uevent; appends the device-mapper ones, each with what sysfs says of
     * the device now, and a {@link UeventLedger.Gap} wherever sequence numbers were skipped or the
     * receive buffer overflowed.
     */
    void drain(List<UeventLedger.Step> out) throws IOException {
        while (true) {
            datagram.clear();
            try {
                sys.read(fd, datagram);
            } catch (ErrnoException e) {
                if (e.is(Errno.EAGAIN)) {
                    return;
                }
                if (e.is(Errno.ENOBUFS)) {
                    out.add(new UeventLedger.Gap(lastSeq + 1, "the uevent socket's receive buffer overflowed"));
                    continue;
                }
                throw e;
            }
            datagram.flip();
            Optional<Uevent> parsed = Uevent.parse(datagram);
            if (parsed.isEmpty()) {
                continue;
            }
            Uevent u = parsed.get();
            received++;
            if (u.seqnum() <= lastSeq) {
                continue; // announced before this monitor's snapshot
            }
            if (u.seqnum() > lastSeq + 1) {
                out.add(gap(lastSeq + 1, u.seqnum() - 1, "never arrived"));
            }
            lastSeq = u.seqnum();
            if (u.isDeviceMapper()) {
                out.add(new UeventLedger.Arrival(u, "remove".equals(u.action()) ? Optional.empty() : sysfs(u)));
            }
        }
    }

    /**
     * Drains until every uevent up to {@code seq} arrived, waiting at most {@code timeoutMillis}
     * for stragglers (the kernel numbers a uevent just before it sends it). What does not arrive
     * becomes a gap.
     *
     * @return whether all arrived
     */
    boolean drainThrough(long seq, int timeoutMillis, List<UeventLedger.Step> out) throws IOException {
        drain(out);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        int[] fds = {fd};
        short[] events = {Syscalls.POLLIN};
        short[] revents = new short[1];
        while (lastSeq < seq) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                out.add(gap(lastSeq + 1, seq, "were numbered by the kernel but never delivered to this socket"));
                lastSeq = seq;
                return false;
            }
            sys.poll(fds, events, revents, (int) left);
            drain(out);
        }
        return true;
    }

    /** Skips ahead: uevents up to {@code seq} are already reflected in what the caller knows. */
    void skipThrough(long seq) {
        lastSeq = Math.max(lastSeq, seq);
    }

    private static UeventLedger.Gap gap(long first, long last, String what) {
        return new UeventLedger.Gap(first, "uevents " + (first == last ? "#" + first : first + ".." + last) + " " + what);
    }

    /**
     * The device's name, uuid and diskseq from sysfs, read as one: diskseq before and after, so
     * a device removed and another created meanwhile cannot lend the first its name.
     */
    static Optional<Seen> sysfs(Uevent u) {
        return sysfs(SYS.resolve(u.devpath().substring(1)));
    }

    private static Optional<Seen> sysfs(Path dir) {
        // The kernel sends "add" before it makes the dm/ directory: give it a moment.
        for (int attempt = 0; attempt < SYSFS_ATTEMPTS; attempt++) {
            try {
                long before = diskseqFile(dir);
                if (!Files.isDirectory(dir.resolve("dm"))) {
                    Thread.sleep(1);
                    continue;
                }
                String name = Files.readString(dir.resolve("dm/name")).trim();
                String uuid = Files.readString(dir.resolve("dm/uuid")).trim();
                long after = diskseqFile(dir);
                if (before != after) {
                    return Optional.empty();
                }
                return Optional.of(new Seen(Optional.of(name), Optional.of(uuid).filter(x -> !x.isEmpty()),
                        Seen.UNKNOWN, after));
            } catch (IOException | NumberFormatException e) {
                return Optional.empty(); // gone already, or no sysfs here: the caller says "unknown"
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** 0 on a kernel before 5.15, which has no diskseq; the device itself must exist. */
    private static long diskseqFile(Path dir) throws IOException {
        Path file = dir.resolve("diskseq");
        if (!Files.exists(file) && Files.isDirectory(dir)) {
            return 0;
        }
        return Long.parseLong(Files.readString(file).trim());
    }

    /**
     * The diskseq of the block device at a number if it still bears the listed name (a device
     * removed and another made there since must not lend the first its diskseq); 0 if it has none
     * (no table yet, no sysfs, a kernel before 5.15) or bears another name.
     */
    static long diskseq(DeviceNumber d, String listedName) {
        return sysfs(SYS.resolve("dev/block/" + d.major() + ":" + d.minor()))
                .filter(s -> s.name().equals(Optional.of(listedName))).map(Seen::diskseq).orElse(0L);
    }

    @Override
    public void close() throws IOException {
        sys.close(fd);
    }
}
