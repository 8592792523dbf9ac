package io.dm4j.registry;

import io.dm4j.DeviceNumber;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Who keeps a block device open: processes (through /proc/PID/fd) and stacked devices (sysfs). */
final class Openers {
    private Openers() {}

    static List<String> of(DeviceNumber device) {
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isPid(p))) {
            for (Path proc : procs) {
                if (opens(proc, device)) {
                    found.add("pid " + proc.getFileName() + " (" + comm(proc) + ")");
                }
            }
        } catch (IOException e) {
            // /proc unreadable: report what sysfs says.
        }
        Path holders = Path.of("/sys/dev/block/" + device + "/holders");
        try (DirectoryStream<Path> stacked = Files.newDirectoryStream(holders)) {
            for (Path h : stacked) {
                Path dmName = h.resolve("dm/name");
                String name = Files.exists(dmName) ? Files.readString(dmName).strip() : h.getFileName().toString();
                found.add("device " + name + " (stacked on it)");
            }
        } catch (IOException e) {
            // No holders directory: nothing is stacked on it.
        }
        return found;
    }

    private static boolean isPid(Path p) {
        String n = p.getFileName().toString();
        return !n.isEmpty() && n.chars().allMatch(Character::isDigit);
    }

    private static boolean opens(Path proc, DeviceNumber device) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    // A block device node only: a character device can carry the same numbers.
                    if (Files.readSymbolicLink(fd).toString().startsWith("/dev/")
                            && DeviceNumber.ofBlockDevice(fd).equals(device)) {
                        return true;
                    }
                } catch (IOException | RuntimeException e) {
                    // The descriptor closed while we looked, or it is not a block device.
                }
            }
        } catch (IOException e) {
            // The process exited, or we may not look at it.
        }
        return false;
    }

    private static String comm(Path proc) {
        try {
            return Files.readString(proc.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
