package io.dm4j.testkit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The simulator's copy of one {@code struct dm_ioctl} and its payload, read and written the way
 * {@code drivers/md/dm-ioctl.c} does: the kernel works on a copy of the caller's buffer and copies
 * {@code data_size} bytes back only on success. The offsets are the UAPI header's; this is written
 * apart from dm4j's client codec so that a mistake in one does not hide in the other.
 */
final class Param {
    static final int FLAGS = 28;
    static final int DATA_START = 16;
    static final int DATA_SIZE = 12;
    static final int TARGET_COUNT = 20;
    static final int OPEN_COUNT = 24;
    static final int EVENT_NR = 32;
    static final int DEV = 40;
    static final int NAME = 48;
    static final int NAME_LEN = 128;
    static final int UUID = 176;
    static final int UUID_LEN = 129;
    /** {@code offsetof(struct dm_ioctl, data)}: the smallest {@code data_size} the kernel takes. */
    static final int MIN_SIZE = 305;
    /** {@code align8(sizeof(struct dm_ioctl))}: where the kernel puts every result. */
    static final int RESULT_START = 312;

    static final int READONLY = 1;
    static final int SUSPEND = 1 << 1;
    static final int PERSISTENT_DEV = 1 << 3;
    static final int STATUS_TABLE = 1 << 4;
    static final int ACTIVE_PRESENT = 1 << 5;
    static final int INACTIVE_PRESENT = 1 << 6;
    static final int BUFFER_FULL = 1 << 8;
    static final int QUERY_INACTIVE = 1 << 12;
    static final int UEVENT_GENERATED = 1 << 13;
    static final int UUID_FLAG = 1 << 14;
    static final int SECURE_DATA = 1 << 15;
    static final int DATA_OUT = 1 << 16;
    static final int DEFERRED_REMOVE = 1 << 17;
    static final int INTERNAL_SUSPEND = 1 << 18;
    static final int IMA_MEASUREMENT = 1 << 19;

    final ByteBuffer b;
    /** What the caller gave as {@code data_size}: the room results may fill. */
    final int size;

    private Param(ByteBuffer b, int size) {
        this.b = b;
        this.size = size;
    }

    /** A copy of the caller's first {@code size} bytes. */
    static Param copyOf(ByteBuffer caller, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        b.put(0, caller, caller.position(), size);
        return new Param(b, size);
    }

    int flags() {
        return b.getInt(FLAGS);
    }

    boolean has(int flag) {
        return (flags() & flag) != 0;
    }

    void set(int flag, boolean on) {
        b.putInt(FLAGS, on ? flags() | flag : flags() & ~flag);
    }

    int eventNr() {
        return b.getInt(EVENT_NR);
    }

    long dev() {
        return b.getLong(DEV);
    }

    String name() {
        return cString(NAME, NAME_LEN);
    }

    String uuid() {
        return cString(UUID, UUID_LEN);
    }

    /** Terminates name and uuid inside their fields, as {@code validate_params} does. */
    void terminateStrings() {
        b.put(NAME + NAME_LEN - 1, (byte) 0);
        b.put(UUID + UUID_LEN - 1, (byte) 0);
    }

    void name(String name) {
        putField(NAME, NAME_LEN, name);
    }

    void uuid(String uuid) {
        putField(UUID, UUID_LEN, uuid == null ? "" : uuid);
    }

    void status(int openCount, long eventNr, long dev, int targetCount) {
        b.putInt(OPEN_COUNT, openCount).putInt(EVENT_NR, (int) eventNr).putLong(DEV, dev).putInt(TARGET_COUNT, targetCount);
    }

    int dataStart() {
        return b.getInt(DATA_START);
    }

    void dataSize(int n) {
        b.putInt(DATA_SIZE, n);
    }

    int dataSize() {
        return b.getInt(DATA_SIZE);
    }

    /** {@code get_result_buffer}: results start at 312; returns the room there is. */
    int resultRoom() {
        b.putInt(DATA_START, RESULT_START);
        return Math.max(0, size - RESULT_START);
    }

    /**
     * A NUL-terminated string inside the caller's data, or null if it runs past the end ({@code
     * invalid_str}).
     */
    String stringAt(int offset) {
        if (offset < MIN_SIZE || offset >= size) {
            return null;
        }
        for (int end = offset; end < size; end++) {
            if (b.get(end) == 0) {
                byte[] bytes = new byte[end - offset];
                b.get(offset, bytes);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private String cString(int offset, int capacity) {
        int end = offset;
        while (end < offset + capacity && b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - offset];
        b.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void putField(int offset, int capacity, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(bytes.length, capacity - 1);
        for (int i = 0; i < capacity; i++) {
            b.put(offset + i, i < n ? bytes[i] : 0);
        }
    }

    static int align8(int n) {
        return (n + 7) & ~7;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
