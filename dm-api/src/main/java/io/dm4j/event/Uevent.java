package io.dm4j.event;

import io.dm4j.DeviceNumber;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One kernel uevent as the kernel sends it on {@code NETLINK_KOBJECT_UEVENT}: a header
 * {@code ACTION@DEVPATH}, then NUL-separated {@code KEY=VALUE} pairs, among them {@code SEQNUM}
 * (one counter for all of the kernel's uevents) and, for a block device, {@code MAJOR},
 * {@code MINOR}, {@code DEVNAME} and {@code DISKSEQ}.
 *
 * @param action {@code add}, {@code change}, {@code remove}, ...
 * @param seqnum the kernel's sequence number
 * @param properties every {@code KEY=VALUE}
 */
record Uevent(String action, String devpath, long seqnum, Map<String, String> properties) {

    /** Parses one datagram; empty if it is not a kernel uevent (e.g. udev's own, which start "libudev"). */
    static Optional<Uevent> parse(ByteBuffer datagram) {
        byte[] bytes = new byte[datagram.remaining()];
        datagram.get(bytes);
        String[] fields = new String(bytes, StandardCharsets.UTF_8).split("\0");
        int at = fields.length > 0 ? fields[0].indexOf('@') : -1;
        if (at <= 0) {
            return Optional.empty();
        }
        Map<String, String> props = new HashMap<>();
        for (int i = 1; i < fields.length; i++) {
            int eq = fields[i].indexOf('=');
            if (eq > 0) {
                props.put(fields[i].substring(0, eq), fields[i].substring(eq + 1));
            }
        }
        long seq = number(props.get("SEQNUM"));
        if (seq < 0) {
            return Optional.empty();
        }
        return Optional.of(new Uevent(fields[0].substring(0, at), fields[0].substring(at + 1), seq, props));
    }

    private static long number(String s) {
        if (s == null) {
            return -1;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether this is about a device-mapper block device ({@code dm-N}). */
    boolean isDeviceMapper() {
        return "block".equals(properties.get("SUBSYSTEM")) && "disk".equals(properties.get("DEVTYPE"))
                && properties.getOrDefault("DEVNAME", "").startsWith("dm-")
                && number(properties.get("MAJOR")) >= 0 && number(properties.get("MINOR")) >= 0;
    }

    DeviceNumber device() {
        return new DeviceNumber((int) number(properties.get("MAJOR")), (int) number(properties.get("MINOR")));
    }

    /** {@code DISKSEQ} (Linux 5.15+), 0 if the kernel does not send it. */
    long diskseq() {
        return Math.max(0, number(properties.get("DISKSEQ")));
    }
}
