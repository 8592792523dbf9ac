package io.dm4j;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The kernel's rules for names, uuids and tables, checked before any ioctl. */
final class Validation {
    private Validation() {}

    /** {@code check_name()} in dm-ioctl.c, plus the header's field size. */
    static void checkName(String name) {
        checkCString("name", name, 1, DmIoctl.NAME_LEN - 1);
        if (name.indexOf('/') >= 0) {
            throw new InvalidArgumentException("name", "must not contain '/': " + name);
        }
        if (name.equals(".") || name.equals("..") || name.equals("control")) {
            throw new InvalidArgumentException("name", "must not be '.', '..' or 'control': " + name);
        }
    }

    static void checkUuid(String uuid) {
        checkCString("uuid", uuid, 1, DmIoctl.UUID_LEN - 1);
    }

    /** A string that the kernel reads as NUL-terminated UTF-8 bytes, within a size limit. */
    static void checkCString(String field, String value, int minBytes, int maxBytes) {
        if (value == null) {
            throw new InvalidArgumentException(field, "must not be null");
        }
        checkNoNul(field, value);
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < minBytes || bytes > maxBytes) {
            throw new InvalidArgumentException(field, "must be " + minBytes + ".." + maxBytes
                    + " bytes of UTF-8, got " + bytes);
        }
    }

    static void checkNoNul(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new InvalidArgumentException(field, "must not contain a NUL character");
        }
    }

    /** Lines must start at sector 0 and follow each other with no gap or overlap. */
    static void checkTable(List<TargetLine> lines) {
        if (lines.isEmpty()) {
            throw new InvalidTableException("table", "must have at least one target");
        }
        long next = 0;
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
        }
    }
}
