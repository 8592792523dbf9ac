package io.dm4j.internal.kmsg;

import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads device-mapper's recent lines from the kernel log ({@code /dev/kmsg}): the kernel gives
 * the reason a table was rejected only there. Best effort: an unreadable log gives no lines.
 *
 * <p>Internal to dm4j, not API: public only for dm4j's own packages; it may change in any release.
 */
public final class KernelLog {
    private static final String KMSG = "/dev/kmsg";

    private KernelLog() {}

    /** Lines mentioning device-mapper, logged within the last {@code seconds} seconds. */
    public static List<String> recentDeviceMapperLines(Syscalls sys, double seconds) {
        List<String> lines = new ArrayList<>();
        int fd;
        double now;
        try {
            now = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            fd = sys.open(KMSG, Syscalls.O_RDONLY | Syscalls.O_NONBLOCK);
        } catch (IOException | RuntimeException e) {
            return lines;
        }
        try {
            ByteBuffer record = ByteBuffer.allocateDirect(8192);
            while (true) {
                record.clear();
                try {
                    sys.read(fd, record);
                } catch (ErrnoException e) {
                    if (e.is(Errno.EPIPE)) {
                        continue; // a record was overwritten while we read; go on with the next
                    }
                    break; // EAGAIN: no more records
                }
                record.flip();
                byte[] bytes = new byte[record.remaining()];
                record.get(bytes);
                parse(new String(bytes, StandardCharsets.UTF_8), now - seconds, lines);
            }
        } finally {
            try {
                sys.close(fd);
            } catch (ErrnoException ignored) {
                // Read-only descriptor: nothing is lost if close fails.
            }
        }
        return lines.size() > 5 ? lines.subList(lines.size() - 5, lines.size()) : lines;
    }

    /** A record is {@code "prio,seq,usec,flags;message\n"} followed by continuation lines. */
    private static void parse(String record, double since, List<String> out) {
        int semicolon = record.indexOf(';');
        if (semicolon < 0) {
            return;
        }
        String[] fields = record.substring(0, semicolon).split(",");
        if (fields.length < 3) {
            return;
        }
        String message = record.substring(semicolon + 1).lines().findFirst().orElse("").strip();
        try {
            if (Long.parseLong(fields[2]) / 1e6 >= since && message.contains("device-mapper")) {
                out.add(message);
            }
        } catch (NumberFormatException ignored) {
            // Not a record of the documented format: skip it.
        }
    }
}
