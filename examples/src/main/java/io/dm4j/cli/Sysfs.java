package io.dm4j.cli;

import io.dm4j.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/** What dmctl reads from sysfs, where dmsetup reads it too. */
final class Sysfs {
    private Sysfs() {}

    /**
     * The read-ahead in sectors, as libdevmapper reads it: {@code bdi/read_ahead_kb} times two.
     * A device that never had a table has no bdi yet, and then (like dmsetup) none is shown.
     */
    static OptionalInt readAheadSectors(DeviceNumber d) {
        Path p = Path.of("/sys/dev/block/" + d.major() + ":" + d.minor() + "/bdi/read_ahead_kb");
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(p).strip()) * 2);
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
