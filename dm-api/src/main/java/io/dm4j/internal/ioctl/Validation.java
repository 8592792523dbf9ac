package io.dm4j.internal.ioctl;

import io.dm4j.InvalidArgumentException;
import io.dm4j.InvalidTableException;
import io.dm4j.TargetLine;
import java.util.List;

/**
 * The kernel's rules for names, uuids and tables, checked before any ioctl, plus dm4j's own:
 * text must be well-formed UTF-16 (an unpaired surrogate would silently become {@code '?'} in
 * UTF-8 and address another device), and names and uuids carry no control characters (which
 * libdevmapper would have mangled, and which break {@code /dev/mapper} listings and logs).
 *
 * <p>Internal to dm4j, not API: public only for dm4j's own packages; it may change in any release.
 */
public final class Validation {
    private Validation() {}

    /** {@code check_name()} in dm-ioctl.c, plus the header's field size. */
    public static void checkName(String name) {
        checkIdentifier("name", name, 1, DmIoctl.NAME_LEN - 1);
        if (name.indexOf('/') >= 0) {
            throw new InvalidArgumentException("name", "must not contain '/': " + name);
        }
        if (name.equals(".") || name.equals("..") || name.equals("control")) {
            throw new InvalidArgumentException("name", "must not be '.', '..' or 'control': " + name);
        }
    }

    /** The header's field size; the kernel has no other rule for uuids. */
    public static void checkUuid(String uuid) {
        checkIdentifier("uuid", uuid, 1, DmIoctl.UUID_LEN - 1);
    }

    /** Device event counters are 32 bits: any other number could never be the current one. */
    public static void checkEventNr(long eventNr) {
        if (eventNr < 0 || eventNr > 0xffffffffL) {
            throw new InvalidArgumentException("event number", "must be 0..4294967295, got " + eventNr);
        }
    }

    /** A name, uuid or prefix of one: a C string without control characters. */
    public static void checkIdentifier(String field, String value, int minBytes, int maxBytes) {
        checkCString(field, value, minBytes, maxBytes);
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new InvalidArgumentException(field, "must not contain control characters, found U+"
                        + String.format("%04X", (int) value.charAt(i)) + " at index " + i);
            }
        }
    }

    /** A string that the kernel reads as NUL-terminated UTF-8 bytes, within a size limit. */
    public static void checkCString(String field, String value, int minBytes, int maxBytes) {
        long bytes = checkText(field, value);
        if (bytes < minBytes || bytes > maxBytes) {
            throw new InvalidArgumentException(field, "must be " + minBytes + ".." + maxBytes
                    + " bytes of UTF-8, got " + bytes);
        }
    }

    /**
     * Text that becomes UTF-8 bytes for the kernel: not null, no NUL, no unpaired surrogate.
     *
     * @return its length in UTF-8 bytes, counted without encoding it
     */
    public static long checkText(String field, String value) {
        if (value == null) {
            throw new InvalidArgumentException(field, "must not be null");
        }
        long bytes = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                throw new InvalidArgumentException(field, "must not contain a NUL character");
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1))) {
                    bytes += 4;
                    i++;
                    continue;
                }
                throw new InvalidArgumentException(field, "must be well-formed UTF-16: unpaired surrogate U+"
                        + String.format("%04X", (int) c) + " at index " + i);
            }
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        return bytes;
    }

    /**
     * Lines must start at sector 0 and follow each other with no gap or overlap, and the load
     * request must fit in dm4j's largest ioctl buffer.
     */
    public static void checkTable(List<TargetLine> lines) {
        if (lines.isEmpty()) {
            throw new InvalidTableException("table", "must have at least one target");
        }
        long next = 0;
        long requestBytes = DmIoctl.SIZE;
        for (int i = 0; i < lines.size(); i++) {
            TargetLine line = lines.get(i);
            if (line.start() != next) {
                throw new InvalidTableException("line " + (i + 1) + " start",
                        "must be " + next + " (contiguous from sector 0), got " + line.start());
            }
            try {
                next = Math.addExact(line.start(), line.length());
            } catch (ArithmeticException e) {
                throw new InvalidTableException("line " + (i + 1) + " length", "overflows the sector range");
            }
            requestBytes += DmIoctl.specStride(checkText("params", line.params()));
        }
        checkRequestSize(requestBytes);
    }

    /** A load request larger than dm4j's buffer limit is refused before it is encoded. */
    static void checkRequestSize(long bytes) {
        if (bytes > DmIoctl.MAX_BUFFER) {
            throw new InvalidTableException("table", "needs a " + bytes + "-byte request, more than the "
                    + DmIoctl.MAX_BUFFER + " bytes dm4j sends in one ioctl");
        }
    }
}
