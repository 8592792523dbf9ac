package io.dm4j;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The pure-Java codec for {@code struct dm_ioctl} and its payloads, over a native-ordered buffer.
 * Offsets follow {@code <linux/dm-ioctl.h>}; a test checks them against the C header.
 */
final class DmIoctl {
    private DmIoctl() {}

    static final int NAME_LEN = 128;
    static final int UUID_LEN = 129;
    static final int MAX_TYPE_NAME = 16;

    // struct dm_ioctl
    static final int VERSION = 0;
    static final int DATA_SIZE = 12;
    static final int DATA_START = 16;
    static final int TARGET_COUNT = 20;
    static final int OPEN_COUNT = 24;
    static final int FLAGS = 28;
    static final int EVENT_NR = 32;
    static final int DEV = 40;
    static final int NAME = 48;
    static final int UUID = 176;
    static final int DATA = 305;
    /** {@code sizeof(struct dm_ioctl)}; payloads start here, 8-aligned. */
    static final int SIZE = 312;

    // struct dm_target_spec
    static final int SPEC_SECTOR_START = 0;
    static final int SPEC_LENGTH = 8;
    static final int SPEC_STATUS = 16;
    static final int SPEC_NEXT = 20;
    static final int SPEC_TARGET_TYPE = 24;
    static final int SPEC_SIZE = 40;

    // dm_ioctl.flags
    static final int READONLY_FLAG = 1;
    static final int SUSPEND_FLAG = 1 << 1;
    static final int PERSISTENT_DEV_FLAG = 1 << 3;
    static final int STATUS_TABLE_FLAG = 1 << 4;
    static final int ACTIVE_PRESENT_FLAG = 1 << 5;
    static final int INACTIVE_PRESENT_FLAG = 1 << 6;
    static final int BUFFER_FULL_FLAG = 1 << 8;
    static final int SKIP_LOCKFS_FLAG = 1 << 10;
    static final int NOFLUSH_FLAG = 1 << 11;
    static final int QUERY_INACTIVE_TABLE_FLAG = 1 << 12;
    static final int UUID_FLAG = 1 << 14;
    static final int SECURE_DATA_FLAG = 1 << 15;
    static final int DEFERRED_REMOVE = 1 << 17;
    static final int INTERNAL_SUSPEND_FLAG = 1 << 18;

    /** The decoded header of a reply. */
    record Header(DmVersion version, int dataSize, int dataStart, int targetCount, int openCount, int flags,
            int eventNr, long dev, String name, String uuid) {

        boolean has(int flag) {
            return (flags & flag) != 0;
        }

        DeviceInfo toDeviceInfo() {
            Set<DeviceFlag> set = EnumSet.noneOf(DeviceFlag.class);
            for (DeviceFlag f : DeviceFlag.values()) {
                if (has(f.bit)) {
                    set.add(f);
                }
            }
            return new DeviceInfo(name, uuid.isEmpty() ? Optional.empty() : Optional.of(uuid),
                    DeviceNumber.decode(dev), openCount, Integer.toUnsignedLong(eventNr), targetCount, set);
        }
    }

    /**
     * Writes a request header over a zeroed buffer: the interface version the command needs, the
     * total buffer size, payload start, flags and the device's name or uuid (at most one of them).
     */
    static void putHeader(ByteBuffer b, DmVersion version, int dataSize, int flags, String name, String uuid) {
        b.putInt(VERSION, version.major()).putInt(VERSION + 4, version.minor()).putInt(VERSION + 8, version.patch());
        b.putInt(DATA_SIZE, dataSize);
        b.putInt(DATA_START, SIZE);
        b.putInt(FLAGS, flags);
        if (name != null) {
            putCString(b, NAME, name, NAME_LEN);
        }
        if (uuid != null) {
            putCString(b, UUID, uuid, UUID_LEN);
        }
    }

    static Header readHeader(ByteBuffer b) {
        return new Header(new DmVersion(b.getInt(VERSION), b.getInt(VERSION + 4), b.getInt(VERSION + 8)),
                b.getInt(DATA_SIZE), b.getInt(DATA_START), b.getInt(TARGET_COUNT), b.getInt(OPEN_COUNT),
                b.getInt(FLAGS), b.getInt(EVENT_NR), b.getLong(DEV), getCString(b, NAME, NAME_LEN),
                getCString(b, UUID, UUID_LEN));
    }

    /** Bytes the target specs of a load take, each followed by its padded parameter string. */
    static int targetsSize(List<TargetLine> lines) {
        int size = 0;
        for (TargetLine line : lines) {
            size += specStride(line);
        }
        return size;
    }

    private static int specStride(TargetLine line) {
        return align8(SPEC_SIZE + line.params().getBytes(StandardCharsets.UTF_8).length + 1);
    }

    /**
     * Writes {@code dm_target_spec}s for a load at {@code offset}; on input, {@code next} is
     * relative to the current spec.
     */
    static void putTargets(ByteBuffer b, int offset, List<TargetLine> lines) {
        for (TargetLine line : lines) {
            int stride = specStride(line);
            b.putLong(offset + SPEC_SECTOR_START, line.start());
            b.putLong(offset + SPEC_LENGTH, line.length());
            b.putInt(offset + SPEC_NEXT, stride);
            putCString(b, offset + SPEC_TARGET_TYPE, line.type(), MAX_TYPE_NAME);
            byte[] params = line.params().getBytes(StandardCharsets.UTF_8);
            b.put(offset + SPEC_SIZE, params);
            offset += stride;
        }
    }

    /**
     * Reads the specs of a status or table reply. On output, {@code next} is relative to the first
     * spec, and the count comes from the reply header.
     */
    static List<TargetLine> readTargets(ByteBuffer b, Header h) {
        List<TargetLine> lines = new ArrayList<>(h.targetCount());
        int offset = h.dataStart();
        for (int i = 0; i < h.targetCount(); i++) {
            checkInside(h, offset, SPEC_SIZE);
            String type = getCString(b, offset + SPEC_TARGET_TYPE, MAX_TYPE_NAME);
            String text = getCString(b, offset + SPEC_SIZE, h.dataSize() - offset - SPEC_SIZE);
            lines.add(new TargetLine(b.getLong(offset + SPEC_SECTOR_START), b.getLong(offset + SPEC_LENGTH), type,
                    text));
            offset = h.dataStart() + b.getInt(offset + SPEC_NEXT);
        }
        return Collections.unmodifiableList(lines);
    }

    private static void checkInside(Header h, int offset, int length) {
        if (offset < h.dataStart() || offset > h.dataSize() - length) {
            throw new DmProtocolException("reply record at offset " + offset + " (+" + length
                    + ") lies outside the " + h.dataSize() + "-byte reply");
        }
    }

    static int align8(int n) {
        return (n + 7) & ~7;
    }

    private static void putCString(ByteBuffer b, int offset, String value, int capacity) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= capacity) {
            throw new IllegalArgumentException("string of " + bytes.length + " bytes does not fit " + capacity);
        }
        b.put(offset, bytes);
        b.put(offset + bytes.length, (byte) 0);
    }

    /** A NUL-terminated string of at most {@code capacity} bytes; a missing NUL ends at capacity. */
    static String getCString(ByteBuffer b, int offset, int capacity) {
        int end = offset;
        int limit = Math.min(b.capacity(), offset + Math.max(capacity, 0));
        while (end < limit && b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - offset];
        b.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
