package io.dm4j;

import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code /dev/mapper} nodes under {@link NodePolicy#LIBRARY}. Every path is the device's
 * name resolved inside {@code /dev/mapper} and checked to stay there, whatever the name.
 */
final class DeviceNodes {
    static final Path MAPPER = Path.of("/dev/mapper");
    private static final System.Logger LOG = System.getLogger(DeviceMapper.class.getName());
    private static final List<Path> DM_RULES = List.of(Path.of("/lib/udev/rules.d/95-dm-notify.rules"),
            Path.of("/usr/lib/udev/rules.d/95-dm-notify.rules"), Path.of("/etc/udev/rules.d/95-dm-notify.rules"));

    private final Syscalls sys;
    private final Path dir;
    private final NodePolicy policy;

    DeviceNodes(Syscalls sys, Path dir, NodePolicy requested) {
        this.sys = sys;
        this.dir = dir;
        this.policy = requested == NodePolicy.AUTO ? decide() : requested;
    }

    /** udev is in charge only if it runs and has device-mapper's rules; otherwise nobody is. */
    private static NodePolicy decide() {
        boolean udevRuns = Files.exists(Path.of("/run/udev/control"));
        boolean rules = DM_RULES.stream().anyMatch(Files::exists);
        NodePolicy chosen = udevRuns && rules ? NodePolicy.UDEV : NodePolicy.LIBRARY;
        LOG.log(System.Logger.Level.DEBUG, "dm4j: device nodes by {0} (udev control socket {1}, dm rules {2})",
                chosen, udevRuns ? "present" : "absent", rules ? "present" : "absent");
        return chosen;
    }

    NodePolicy policy() {
        return policy;
    }

    /** The node's path; a name that would leave the directory is refused. */
    Path path(String name) {
        Path p = dir.resolve(name).normalize();
        if (!p.getParent().equals(dir.normalize()) || name.contains("/")) {
            throw new InvalidArgumentException("name", "must name a node inside " + dir + ": " + name);
        }
        return p;
    }

    /** Makes {@code /dev/mapper/control} when the kernel has device-mapper but no node was made. */
    void ensureControl(Path control) throws IOException {
        if (policy != NodePolicy.LIBRARY || Files.exists(control)) {
            return;
        }
        Path misc = Path.of("/sys/class/misc/device-mapper/dev");
        if (!Files.exists(misc)) {
            return; // no device-mapper in this kernel: opening will say so
        }
        String[] mm = Files.readString(misc).strip().split(":");
        Files.createDirectories(control.getParent());
        mknod(control, Syscalls.S_IFCHR | 0600, Integer.parseInt(mm[0]), Integer.parseInt(mm[1]));
    }

    /** After create or resume: the node exists and points at the device. */
    void present(String name, DeviceNumber device) throws IOException {
        if (policy != NodePolicy.LIBRARY) {
            return;
        }
        Path p = path(name);
        if (Files.exists(p)) {
            Object rdev = Files.getAttribute(p, "unix:rdev");
            if (rdev instanceof Long r && decode(r).equals(device)) {
                return;
            }
            Files.delete(p); // a stale node of an earlier device with this name
        }
        Files.createDirectories(dir);
        mknod(p, Syscalls.S_IFBLK | 0600, device.major(), device.minor());
    }

    void renamed(String from, String to, DeviceNumber device) throws IOException {
        if (policy != NodePolicy.LIBRARY) {
            return;
        }
        Files.deleteIfExists(path(from));
        present(to, device);
    }

    void removed(String name) throws IOException {
        if (policy == NodePolicy.LIBRARY) {
            Files.deleteIfExists(path(name));
        }
    }

    /** The names of the block device nodes in the directory (symbolic links and others left out). */
    List<String> blockNodeNames() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> {
                try {
                    Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                    return mode instanceof Integer m && (m & 0170000) == Syscalls.S_IFBLK;
                } catch (IOException e) {
                    return false; // gone while we looked
                }
            }).map(p -> p.getFileName().toString()).toList();
        }
    }

    private void mknod(Path p, int mode, int major, int minor) throws IOException {
        try {
            sys.mknod(p.toString(), mode, major, minor);
        } catch (ErrnoException e) {
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
        }
    }

    /** stat's {@code st_rdev}, in glibc's layout. */
    private static DeviceNumber decode(long rdev) {
        int major = (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
        int minor = (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
        return major > 0xfff || minor > 0xfffff ? new DeviceNumber(0, 0) : new DeviceNumber(major, minor);
    }
}
