package io.dm4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What keeps a block device open, the question behind every {@link DeviceBusyException}: block
 * devices stacked on it, loop devices backed by it, mounts of it, swap on it, and processes with
 * descriptors on it.
 *
 * <p>Best effort: a snapshot read from {@code /proc} and {@code /sys}, never an exception. What it
 * may not read it skips, so it can miss openers, and misses them silently:
 * <ul>
 *   <li>processes this user may not inspect: without root, other users' {@code /proc/PID/fd};
 *   <li>mounts in other mount namespaces (e.g. containers), and file systems that report a device
 *       number other than the device's (e.g. btrfs);
 *   <li>loop devices and swap whose device node was deleted or lives in another mount namespace;
 *   <li>kernel users that leave no trace in sysfs, and memory mappings whose descriptor was closed.
 * </ul>
 * Only block device descriptors count: a character device with the same numbers is not an opener.
 * Openers that come or go while it looks may or may not be listed.
 */
public final class Openers {
    private static final Path PROC = Path.of("/proc");
    private static final Path SYS_BLOCK = Path.of("/sys/block");

    private Openers() {}

    /**
     * The openers of a block device that this user can see: stacked devices, loop devices, mounts,
     * swap, then processes. Empty if the device does not exist.
     */
    public static List<Opener> of(DeviceNumber device) {
        List<Opener> found = new ArrayList<>();
        found.addAll(stackedDevices(device));
        found.addAll(loopDevices(device));
        found.addAll(mounts(read(PROC.resolve("self/mountinfo")), device));
        for (String path : swapAreas(read(PROC.resolve("swaps")))) {
            if (isNodeOf(path, device)) {
                found.add(new Opener.Swap(path));
            }
        }
        found.addAll(processes(device));
        return found;
    }

    private static List<Opener> stackedDevices(DeviceNumber device) {
        List<Opener> found = new ArrayList<>();
        try (DirectoryStream<Path> holders = Files.newDirectoryStream(
                Path.of("/sys/dev/block", device.toString(), "holders"))) {
            for (Path holder : holders) {
                Optional<DeviceNumber> number = readLine(holder.resolve("dev")).map(DeviceNumber::parse);
                if (number.isPresent()) {
                    found.add(new Opener.StackedDevice(holder.getFileName().toString(), number.get(),
                            readLine(holder.resolve("dm/name"))));
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // No such device, or nothing stacked on it.
        }
        return found;
    }

    /** The kernel holds a loop device's backing file itself: no descriptor, no sysfs holder. */
    private static List<Opener> loopDevices(DeviceNumber device) {
        List<Opener> found = new ArrayList<>();
        try (DirectoryStream<Path> loops = Files.newDirectoryStream(SYS_BLOCK, "loop*")) {
            for (Path loop : loops) {
                // backing_file exists only while attached; the path is raw, one per line.
                Optional<String> backing = readLine(loop.resolve("loop/backing_file"));
                Optional<DeviceNumber> number = readLine(loop.resolve("dev")).map(DeviceNumber::parse);
                if (backing.isPresent() && number.isPresent() && isNodeOf(backing.get(), device)) {
                    found.add(new Opener.LoopDevice(loop.getFileName().toString(), number.get()));
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // No loop driver.
        }
        return found;
    }

    private static List<Opener> processes(DeviceNumber device) {
        List<Opener> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, Openers::isPid)) {
            for (Path proc : procs) {
                List<Integer> fds = descriptorsOn(proc.resolve("fd"), device);
                if (!fds.isEmpty()) {
                    found.add(new Opener.Process(Long.parseLong(proc.getFileName().toString()),
                            readLine(proc.resolve("comm")).orElse("?"), fds));
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // No /proc: no process is found.
        }
        return found;
    }

    private static boolean isPid(Path p) {
        String n = p.getFileName().toString();
        return !n.isEmpty() && n.length() < 10 && n.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static List<Integer> descriptorsOn(Path fdDir, DeviceNumber device) {
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(fdDir)) {
            for (Path fd : all) {
                try {
                    // Sockets, pipes and anonymous inodes link to "type:[inode]": only a path can be a node.
                    if (Files.readSymbolicLink(fd).toString().startsWith("/") && isNodeOf(fd, device)) {
                        fds.add(Integer.parseInt(fd.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // Closed while we looked.
                }
            }
        } catch (IOException | DirectoryIteratorException e) {
            // The process exited, or it is not ours to inspect.
        }
        fds.sort(null);
        return fds;
    }

    private static boolean isNodeOf(String path, DeviceNumber device) {
        try {
            return isNodeOf(Path.of(path), device);
        } catch (IllegalArgumentException notAPath) {
            return false;
        }
    }

    /** Through symbolic links, and through {@code /proc/PID/fd} links to the open file itself. */
    private static boolean isNodeOf(Path path, DeviceNumber device) {
        try {
            return DeviceNumber.ofBlockDevice(path).equals(device);
        } catch (IOException | IllegalArgumentException notABlockDevice) {
            return false;
        }
    }

    /**
     * The mounts of {@code device} listed in {@code mountinfo}, the text of {@code /proc/PID/mountinfo}
     * (proc(5)): field 3 is the file system's device number, field 5 the mount point, and the first
     * field after the {@code -} that ends the optional fields is its type.
     */
    static List<Opener.Mount> mounts(String mountinfo, DeviceNumber device) {
        List<Opener.Mount> found = new ArrayList<>();
        String number = device.toString();
        for (String line : mountinfo.split("\n")) {
            List<String> f = List.of(line.split(" "));
            if (f.size() < 7 || !f.get(2).equals(number)) {
                continue;
            }
            int dash = f.subList(6, f.size()).indexOf("-") + 6;
            if (dash >= 6 && dash + 1 < f.size()) {
                found.add(new Opener.Mount(unescape(f.get(4)), unescape(f.get(dash + 1))));
            }
        }
        return found;
    }

    /** The file names in {@code swaps}, the text of {@code /proc/swaps}: the first field after the header. */
    static List<String> swapAreas(String swaps) {
        List<String> found = new ArrayList<>();
        for (String line : swaps.split("\n")) {
            String first = line.split("[ \t]", 2)[0];
            if (!first.isEmpty() && !line.startsWith("Filename\t")) {
                found.add(unescape(first));
            }
        }
        return found;
    }

    /**
     * Undoes the kernel's octal escapes ({@code \ooo}) in mountinfo and swaps fields. The kernel
     * escapes only space, tab, newline and backslash that way (its {@code seq_escape}), all ASCII,
     * so each escape stands for one character; a backslash not followed by three octal digits is
     * kept as it is.
     */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1) && isOctal(field, i + 2) && isOctal(field, i + 3)) {
                out.append((char) Integer.parseInt(field, i + 1, i + 4, 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7';
    }

    /**
     * The whole of a /proc or /sys file; empty if it cannot be read. Paths are bytes, not always
     * UTF-8: what does not decode is replaced rather than failing the read.
     */
    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** A one-line file without its newline; empty if it cannot be read (gone, or not ours). */
    private static Optional<String> readLine(Path file) {
        String text = read(file);
        return text.isEmpty() ? Optional.empty() : Optional.of(text.endsWith("\n")
                ? text.substring(0, text.length() - 1) : text);
    }
}
