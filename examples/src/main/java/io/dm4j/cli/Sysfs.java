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

    /** The kernel's name of a block device ({@code dm-0}, {@code loop3}), from its sysfs link. */
    static java.util.Optional<String> blockName(DeviceNumber d) {
        try {
            return java.util.Optional.of(Files.readSymbolicLink(Path.of("/sys/dev/block/" + d.major() + ":" + d.minor()))
                    .getFileName().toString());
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** A device-mapper device's name, from sysfs; empty for other block devices. */
    static java.util.Optional<String> dmName(DeviceNumber d) {
        try {
            return java.util.Optional.of(Files.readString(Path.of("/sys/dev/block/" + d.major() + ":" + d.minor()
                    + "/dm/name")).strip());
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }
}
