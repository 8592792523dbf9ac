package io.dm4j.internal.ioctl;

import io.dm4j.DeviceFlag;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.DmProtocolException;
import io.dm4j.DmVersion;
import io.dm4j.TargetLine;
import io.dm4j.TargetStatus;
import io.dm4j.TargetVersion;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The pure-Java codec for {@code struct dm_ioctl} and its payloads, over a native-ordered buffer.
 * Offsets follow {@code <linux/dm-ioctl.h>}; a test checks them against the C header.
 *
 * <p>Internal to dm4j, not API: public only for dm4j's own packages; it may change in any release.
 */
public final class DmIoctl {
    private DmIoctl() {}

    private static final long IOWR_DM_IOCTL = 0xC138FD00L;

    /** The most bytes one request may take: replies are capped the same way. */
    public static final int MAX_BUFFER = 256 * 1024 * 1024;

    public static final int NAME_LEN = 128;
    public static final int UUID_LEN = 129;
    public static final int MAX_TYPE_NAME = 16;

    // struct dm_ioctl
    static final int VERSION = 0;
    static final int DATA_SIZE = 12;
    static final int DATA_START = 16;
    public static final int TARGET_COUNT = 20;
    static final int OPEN_COUNT = 24;
    static final int FLAGS = 28;
    public static final int EVENT_NR = 32;
    public static final int DEV = 40;
    static final int NAME = 48;
    static final int UUID = 176;
    static final int DATA = 305;
    /** {@code sizeof(struct dm_ioctl)}; payloads start here, 8-aligned. */
    public static final int SIZE = 312;

    // struct dm_target_spec
    static final int SPEC_SECTOR_START = 0;
    static final int SPEC_LENGTH = 8;
    static final int SPEC_STATUS = 16;
    static final int SPEC_NEXT = 20;
    static final int SPEC_TARGET_TYPE = 24;
    static final int SPEC_SIZE = 40;

    // dm_ioctl.flags
    public static final int READONLY_FLAG = 1;
    public static final int SUSPEND_FLAG = 1 << 1;
    public static final int PERSISTENT_DEV_FLAG = 1 << 3;
    public static final int STATUS_TABLE_FLAG = 1 << 4;
    public static final int ACTIVE_PRESENT_FLAG = 1 << 5;
    static final int INACTIVE_PRESENT_FLAG = 1 << 6;
    public static final int BUFFER_FULL_FLAG = 1 << 8;
    public static final int SKIP_LOCKFS_FLAG = 1 << 10;
    public static final int NOFLUSH_FLAG = 1 << 11;
    public static final int QUERY_INACTIVE_TABLE_FLAG = 1 << 12;
    public static final int UEVENT_GENERATED_FLAG = 1 << 13;
    public static final int UUID_FLAG = 1 << 14;
    public static final int SECURE_DATA_FLAG = 1 << 15;
    public static final int DATA_OUT_FLAG = 1 << 16;
    public static final int DEFERRED_REMOVE = 1 << 17;
    static final int INTERNAL_SUSPEND_FLAG = 1 << 18;
    public static final int IMA_MEASUREMENT_FLAG = 1 << 19;

    // struct dm_name_list: the name is at offsetof(name) = 12, not sizeof = 16
    static final int NAME_LIST_DEV = 0;
    static final int NAME_LIST_NEXT = 8;
    static final int NAME_LIST_NAME = 12;
    static final int NAME_LIST_FLAG_HAS_UUID = 1;

    // struct dm_target_versions
    static final int VERSIONS_NEXT = 0;
    static final int VERSIONS_VERSION = 4;
    static final int VERSIONS_NAME = 16;

    // struct dm_target_deps
    static final int DEPS_COUNT = 0;
    static final int DEPS_DEV = 8;

    // struct dm_target_msg
    static final int MSG_SECTOR = 0;
    public static final int MSG_MESSAGE = 8;

    /** The ioctl request code of a command: {@code _IOWR(0xfd, nr, struct dm_ioctl)}. */
    public static long request(DmCommand command) {
        return IOWR_DM_IOCTL | command.number();
    }

    /**
     * Whether the kernel answers the request in {@code request} (a header as written, its flags
     * included) without sleeping for long, so that it may go through
     * {@link io.dm4j.sys.Syscalls#ioctlNonBlocking}. From dm-ioctl.c: the version check returns
     * before anything else; the list of target types is read under a lock that only module
     * (un)loading takes for writing; device status, the device list and a table's dependencies
     * read in-memory state under the hash lock, whose writers hold it briefly (a remove waits for
     * RCU after releasing it). A table in its table form only formats each target's parameters.
     * Everything else may sleep for long: suspend and resume flush and wait for I/O, remove waits
     * for RCU grace periods, a wait waits for an event, a load allocates and opens devices, a
     * message runs target code, and the status (info) and IMA forms call each target's status,
     * which for thin pools, caches and era devices commits metadata or waits for a worker.
     */
    public static boolean cannotBlock(DmCommand command, ByteBuffer request) {
        return switch (command) {
            case DM_VERSION, DM_LIST_VERSIONS, DM_DEV_STATUS, DM_LIST_DEVICES, DM_TABLE_DEPS -> true;
            case DM_TABLE_STATUS -> {
                int flags = request.getInt(FLAGS);
                yield (flags & STATUS_TABLE_FLAG) != 0 && (flags & IMA_MEASUREMENT_FLAG) == 0;
            }
            default -> false;
        };
    }

    /** The data_size field of a request or reply header. */
    public static int dataSize(ByteBuffer b) {
        return b.getInt(DATA_SIZE);
    }

    /** The decoded header of a reply. */
    public record Header(DmVersion version, int dataSize, int dataStart, int targetCount, int openCount, int flags,
            int eventNr, long dev, String name, String uuid) {

        /** True if the reply's {@code flags} carry {@code flag}, one of the {@code *_FLAG} bits. */
        public boolean has(int flag) {
            return (flags & flag) != 0;
        }

        /** The device status this header reports. */
        public DeviceInfo toDeviceInfo() {
            Set<DeviceFlag> set = EnumSet.noneOf(DeviceFlag.class);
            for (DeviceFlag f : DeviceFlag.values()) {
                if (has(bit(f))) {
                    set.add(f);
                }
            }
            return new DeviceInfo(name, uuid.isEmpty() ? Optional.empty() : Optional.of(uuid),
                    DeviceNumber.decode(dev), openCount, Integer.toUnsignedLong(eventNr), targetCount, set);
        }
    }

    /** The {@code dm_ioctl.flags} bit that reports a device flag. */
    private static int bit(DeviceFlag flag) {
        return switch (flag) {
            case READ_ONLY -> READONLY_FLAG;
            case SUSPENDED -> SUSPEND_FLAG;
            case LIVE_TABLE_PRESENT -> ACTIVE_PRESENT_FLAG;
            case INACTIVE_TABLE_PRESENT -> INACTIVE_PRESENT_FLAG;
            case DEFERRED_REMOVE -> DEFERRED_REMOVE;
            case INTERNALLY_SUSPENDED -> INTERNAL_SUSPEND_FLAG;
        };
    }

    /**
     * Writes a request header over a zeroed buffer: the interface version the command needs, the
     * total buffer size, payload start, flags and the device's name or uuid (at most one of them).
     */
    public static void putHeader(ByteBuffer b, DmVersion version, int dataSize, int flags, String name, String uuid) {
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

    /** The header at the start of a reply (or of a request). */
    public static Header readHeader(ByteBuffer b) {
        return new Header(new DmVersion(b.getInt(VERSION), b.getInt(VERSION + 4), b.getInt(VERSION + 8)),
                b.getInt(DATA_SIZE), b.getInt(DATA_START), b.getInt(TARGET_COUNT), b.getInt(OPEN_COUNT),
                b.getInt(FLAGS), b.getInt(EVENT_NR), b.getLong(DEV), getCString(b, NAME, NAME_LEN),
                getCString(b, UUID, UUID_LEN));
    }

    /**
     * One table line ready for a load: its parameters as the bytes the kernel gets, which may
     * include a key. Whoever builds one wipes {@code params} after the call.
     */
    public record Line(long start, long length, String type, byte[] params) {
        /** A line whose parameters are the UTF-8 bytes of the text line's. */
        public static Line of(TargetLine line) {
            return new Line(line.start(), line.length(), line.type(), line.params().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** {@link #linesSize} of text lines, for tests and the codec benchmark. */
    static int targetsSize(List<TargetLine> lines) {
        return linesSize(lines.stream().map(Line::of).toList());
    }

    /**
     * Bytes the target specs of a load take, each followed by its padded parameter string; a load
     * bigger than {@link #MAX_BUFFER} is refused.
     */
    public static int linesSize(List<Line> lines) {
        long size = 0;
        for (Line line : lines) {
            size += specStride(line.params().length);
        }
        Validation.checkRequestSize(SIZE + size);
        return (int) size;
    }

    /** Bytes one target spec takes with a parameter string of {@code paramBytes} bytes. */
    static long specStride(long paramBytes) {
        return (SPEC_SIZE + paramBytes + 1 + 7) & ~7L;
    }

    /** {@link #putLines} of text lines, for tests and the codec benchmark. */
    static void putTargets(ByteBuffer b, int offset, List<TargetLine> lines) {
        putLines(b, offset, lines.stream().map(Line::of).toList());
    }

    /**
     * Writes {@code dm_target_spec}s for a load at {@code offset}; on input, {@code next} is
     * relative to the current spec.
     */
    public static void putLines(ByteBuffer b, int offset, List<Line> lines) {
        for (Line line : lines) {
            int stride = (int) specStride(line.params().length);
            b.putLong(offset + SPEC_SECTOR_START, line.start());
            b.putLong(offset + SPEC_LENGTH, line.length());
            b.putInt(offset + SPEC_NEXT, stride);
            putCString(b, offset + SPEC_TARGET_TYPE, line.type(), MAX_TYPE_NAME);
            b.put(offset + SPEC_SIZE, line.params());
            offset += stride;
        }
    }

    /** Writes a NUL-terminated string payload (rename, geometry) at the payload start. */
    public static int putStringPayload(ByteBuffer b, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        b.put(SIZE, bytes);
        return align8(SIZE + bytes.length + 1);
    }

    /** Bytes a string payload takes, header included. */
    public static int stringPayloadSize(String value) {
        return align8(SIZE + value.getBytes(StandardCharsets.UTF_8).length + 1);
    }

    /** Writes a {@code dm_target_msg} at the payload start. */
    public static int putMessage(ByteBuffer b, long sector, String message) {
        b.putLong(SIZE + MSG_SECTOR, sector);
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        b.put(SIZE + MSG_MESSAGE, bytes);
        return align8(SIZE + MSG_MESSAGE + bytes.length + 1);
    }

    /** Bytes a message request takes, header included. */
    public static int messageSize(String message) {
        return align8(SIZE + MSG_MESSAGE + message.getBytes(StandardCharsets.UTF_8).length + 1);
    }

    /** The reply's payload bounds must lie inside the buffer before anything is read. */
    static void checkReply(ByteBuffer b, Header h) {
        if (h.dataSize() < DATA || h.dataSize() > b.capacity()) {
            throw new DmProtocolException("reply data_size " + h.dataSize() + " outside 305.." + b.capacity());
        }
        if (h.dataSize() > h.dataStart() && h.dataStart() < SIZE) {
            throw new DmProtocolException("reply data_start " + h.dataStart() + " inside the header");
        }
    }

    /** True if the reply carries payload bytes. */
    static boolean hasPayload(Header h) {
        return h.dataSize() > h.dataStart();
    }

    /** One {@code dm_target_spec} of a reply with the string that follows it. */
    record Spec(long start, long length, String type, String text) {}

    /**
     * Reads the specs of a status or table reply. On output, {@code next} is relative to the first
     * spec, and the count comes from the reply header.
     */
    static List<Spec> readSpecs(ByteBuffer b, Header h) {
        return readSpecs(b, h, false, null);
    }

    /**
     * @param table the strings are table parameters: keys in them are hidden
     * @param keys if not null, receives per spec the crypt key it holds, decoded from the reply's
     *     hex bytes (null for specs without one)
     */
    private static List<Spec> readSpecs(ByteBuffer b, Header h, boolean table, List<byte[]> keys) {
        checkReply(b, h);
        if (h.targetCount() < 0 || (h.targetCount() > 0 && !hasPayload(h))) {
            throw new DmProtocolException("reply claims " + h.targetCount() + " targets without a payload");
        }
        List<Spec> specs = new ArrayList<>(Math.min(h.targetCount(), 1024));
        int offset = h.dataStart();
        for (int i = 0; i < h.targetCount(); i++) {
            checkInside(h, offset, SPEC_SIZE);
            String type = getCString(b, offset + SPEC_TARGET_TYPE, MAX_TYPE_NAME);
            String text = table ? readParams(b, h, offset + SPEC_SIZE, type, keys) : readCString(b, h, offset + SPEC_SIZE);
            specs.add(new Spec(b.getLong(offset + SPEC_SECTOR_START), b.getLong(offset + SPEC_LENGTH), type, text));
            if (i + 1 < h.targetCount()) {
                long next = h.dataStart() + Integer.toUnsignedLong(b.getInt(offset + SPEC_NEXT));
                if (next <= offset || next > h.dataSize()) {
                    throw new DmProtocolException("target spec " + i + " points to offset " + next
                            + ", not forward inside the reply");
                }
                offset = (int) next;
            }
        }
        return specs;
    }

    /** The table lines of a table reply, keys hidden as {@code dmsetup table} hides them. */
    public static List<TargetLine> readTable(ByteBuffer b, Header h) {
        return readTable(b, h, null);
    }

    /**
     * The table lines of a table reply, keys hidden; with {@code keys} not null, it receives one
     * entry per line: the line's crypt key as bytes, or null.
     */
    public static List<TargetLine> readTable(ByteBuffer b, Header h, List<byte[]> keys) {
        List<TargetLine> lines = new ArrayList<>();
        for (Spec s : readSpecs(b, h, true, keys)) {
            try {
                lines.add(new TargetLine(s.start(), s.length(), s.type(), s.text()));
            } catch (IllegalArgumentException e) {
                throw new DmProtocolException("invalid table line in reply: " + e.getMessage());
            }
        }
        return Collections.unmodifiableList(lines);
    }

    /** The status lines of a status reply. */
    public static List<TargetStatus> readStatus(ByteBuffer b, Header h) {
        List<TargetStatus> lines = new ArrayList<>();
        for (Spec s : readSpecs(b, h)) {
            lines.add(new TargetStatus(s.start(), s.length(), s.type(), s.text()));
        }
        return Collections.unmodifiableList(lines);
    }

    /**
     * Walks a {@code dm_name_list} chain. Since 4.37 each entry has an aligned trailer with the
     * event number and flags, followed by the uuid when it was asked for and exists.
     */
    public static List<DeviceListEntry> readNameList(ByteBuffer b, Header h, boolean hasTrailer) {
        checkReply(b, h);
        List<DeviceListEntry> entries = new ArrayList<>();
        if (!hasPayload(h)) {
            return Collections.unmodifiableList(entries);
        }
        int offset = h.dataStart();
        while (true) {
            checkInside(h, offset, NAME_LIST_NAME + 1);
            long dev = b.getLong(offset + NAME_LIST_DEV);
            if (dev == 0 && entries.isEmpty()) {
                break; // the kernel's "no devices" marker
            }
            long next = Integer.toUnsignedLong(b.getInt(offset + NAME_LIST_NEXT));
            int nameEnd = cStringEnd(b, h, offset + NAME_LIST_NAME);
            String name = readCString(b, h, offset + NAME_LIST_NAME);
            OptionalLong eventNr = OptionalLong.empty();
            Optional<String> uuid = Optional.empty();
            if (hasTrailer) {
                // After the name's bytes: a name that is not UTF-8 decodes to more bytes (U+FFFD).
                int trailer = align8(nameEnd + 1);
                checkInside(h, trailer, 8);
                eventNr = OptionalLong.of(Integer.toUnsignedLong(b.getInt(trailer)));
                if ((b.getInt(trailer + 4) & NAME_LIST_FLAG_HAS_UUID) != 0) {
                    uuid = Optional.of(readCString(b, h, trailer + 8));
                }
            }
            entries.add(new DeviceListEntry(name, decodeDevice(dev), eventNr, uuid));
            if (next == 0) {
                break;
            }
            if (next < NAME_LIST_NAME + 1 || offset + next >= h.dataSize()) {
                throw new DmProtocolException("name list entry at " + offset + " has next " + next);
            }
            offset += (int) next;
        }
        return Collections.unmodifiableList(entries);
    }

    /** Walks a {@code dm_target_versions} chain. */
    public static List<TargetVersion> readVersions(ByteBuffer b, Header h) {
        checkReply(b, h);
        List<TargetVersion> versions = new ArrayList<>();
        if (!hasPayload(h)) {
            return Collections.unmodifiableList(versions);
        }
        int offset = h.dataStart();
        while (true) {
            checkInside(h, offset, VERSIONS_NAME + 1);
            long next = Integer.toUnsignedLong(b.getInt(offset + VERSIONS_NEXT));
            DmVersion version = new DmVersion(b.getInt(offset + VERSIONS_VERSION), b.getInt(offset + VERSIONS_VERSION + 4),
                    b.getInt(offset + VERSIONS_VERSION + 8));
            versions.add(new TargetVersion(readCString(b, h, offset + VERSIONS_NAME), version));
            if (next == 0) {
                break;
            }
            if (next < VERSIONS_NAME + 1 || offset + next >= h.dataSize()) {
                throw new DmProtocolException("target version entry at " + offset + " has next " + next);
            }
            offset += (int) next;
        }
        return Collections.unmodifiableList(versions);
    }

    /** Reads {@code dm_target_deps}. */
    public static List<DeviceNumber> readDeps(ByteBuffer b, Header h) {
        checkReply(b, h);
        if (!hasPayload(h)) {
            return List.of(); // a device without the table asked for: the kernel writes no deps record
        }
        checkInside(h, h.dataStart(), DEPS_DEV);
        long count = Integer.toUnsignedLong(b.getInt(h.dataStart() + DEPS_COUNT));
        if (count * 8 > h.dataSize() - h.dataStart() - DEPS_DEV) {
            throw new DmProtocolException("deps reply claims " + count + " devices, more than it holds");
        }
        List<DeviceNumber> devices = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            devices.add(decodeDevice(b.getLong(h.dataStart() + DEPS_DEV + 8 * i)));
        }
        return Collections.unmodifiableList(devices);
    }

    /** The output string of a message or IMA reply, if the kernel wrote one. */
    public static Optional<String> readStringPayload(ByteBuffer b, Header h) {
        checkReply(b, h);
        return hasPayload(h) ? Optional.of(readCString(b, h, h.dataStart())) : Optional.empty();
    }

    private static DeviceNumber decodeDevice(long encoded) {
        if ((encoded >>> 32) != 0) {
            throw new DmProtocolException("device number 0x" + Long.toHexString(encoded) + " is not huge_encode_dev");
        }
        return DeviceNumber.decode(encoded);
    }

    private static void checkInside(Header h, int offset, int length) {
        if (offset < h.dataStart() || offset > h.dataSize() - length) {
            throw new DmProtocolException("reply record at offset " + offset + " (+" + length
                    + ") lies outside the " + h.dataSize() + "-byte reply");
        }
    }

    /** Table parameters with their keys hidden before they become a string. */
    private static String readParams(ByteBuffer b, Header h, int offset, String type, List<byte[]> keys) {
        int end = cStringEnd(b, h, offset);
        byte[] bytes = new byte[end - offset];
        b.get(offset, bytes);
        try {
            if (keys != null) {
                int[] key = type.equals("crypt") ? KeyMask.cryptKey(bytes, bytes.length) : null;
                keys.add(key == null ? null : decodeHex(bytes, key[0], key[1]));
            }
            if (KeyMask.mayCarryKeys(type)) {
                KeyMask.mask(type, bytes, bytes.length);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
        }
    }

    private static byte[] decodeHex(byte[] text, int from, int to) {
        if ((to - from) % 2 != 0) {
            throw new DmProtocolException("crypt key in the reply has an odd number of hex digits");
        }
        byte[] key = new byte[(to - from) / 2];
        for (int i = 0; i < key.length; i++) {
            int hi = Character.digit(text[from + 2 * i], 16);
            int lo = Character.digit(text[from + 2 * i + 1], 16);
            if (hi < 0 || lo < 0) {
                java.util.Arrays.fill(key, (byte) 0);
                throw new DmProtocolException("crypt key in the reply is not hex");
            }
            key[i] = (byte) (hi << 4 | lo);
        }
        return key;
    }

    private static int cStringEnd(ByteBuffer b, Header h, int offset) {
        int end = offset;
        while (end < h.dataSize() && b.get(end) != 0) {
            end++;
        }
        if (end >= h.dataSize()) {
            throw new DmProtocolException("string at offset " + offset + " is not terminated inside the reply");
        }
        return end;
    }

    /** A NUL-terminated string that must end inside the reply. */
    static String readCString(ByteBuffer b, Header h, int offset) {
        int end = cStringEnd(b, h, offset);
        byte[] bytes = new byte[end - offset];
        b.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
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

    /** A string in a fixed-size field: it ends at the first NUL, or at the field's end. */
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
