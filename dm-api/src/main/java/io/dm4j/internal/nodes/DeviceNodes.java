package io.dm4j.internal.nodes;

import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.InvalidArgumentException;
import io.dm4j.NodePolicy;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code /dev/mapper} nodes under {@link NodePolicy#LIBRARY}. Every path is the device's name
 * resolved inside {@code /dev/mapper} and checked to stay there, whatever the name.
 *
 * <p>As libdevmapper does by default, a node appears when the device is resumed (when it gets a
 * live table, which is also when udev makes its link), not when it is created: a device without a
 * table has nothing to read. It follows renames and goes with the device.
 *
 * <p>Internal to dm4j, not API: public only for dm4j's own packages; it may change in any release.
 */
public final class DeviceNodes {
    /** Where device-mapper's nodes live. */
    public static final Path MAPPER = Path.of("/dev/mapper");
    // Under DeviceMapper's name: that is the logger programs configure for dm4j's client.
    private static final System.Logger LOG = System.getLogger(DeviceMapper.class.getName());
    /** Where udev looks for rules, highest priority first. */
    private static final List<String> RULE_DIRS = List.of("etc/udev/rules.d", "run/udev/rules.d",
            "usr/lib/udev/rules.d", "lib/udev/rules.d");
    /** device-mapper's rules: upstream's name and Debian's. */
    private static final List<String> DM_RULES = List.of("10-dm.rules", "55-dm.rules");
    /** The rule that completes cookies; without it every wait would time out. */
    private static final String NOTIFY_RULES = "95-dm-notify.rules";

    private static final int NODE_MODE = Syscalls.S_IFBLK | 0600;

    private final Syscalls sys;
    private final Path dir;
    private final NodePolicy policy;

    /** The nodes in {@code dir} under the {@code requested} policy; {@link NodePolicy#AUTO} is decided here, once. */
    public DeviceNodes(Syscalls sys, Path dir, NodePolicy requested) {
        this.sys = sys;
        this.dir = dir;
        this.policy = requested == NodePolicy.AUTO ? decide(System.getenv(), Path.of("/")) : requested;
    }

    /**
     * udev is in charge only if it runs, has device-mapper's rules, and {@code DM_DISABLE_UDEV}
     * (libdevmapper's switch, honoured by LVM2 and cryptsetup alike) is not set; otherwise dm4j is.
     *
     * @param root the file system root, so tests can build one
     */
    public static NodePolicy decide(Map<String, String> env, Path root) {
        boolean disabled = env.containsKey("DM_DISABLE_UDEV");
        boolean udevRuns = Files.exists(root.resolve("run/udev/control"));
        boolean rules = hasRule(root, List.of(NOTIFY_RULES)) && hasRule(root, DM_RULES);
        NodePolicy chosen = !disabled && udevRuns && rules ? NodePolicy.UDEV : NodePolicy.LIBRARY;
        LOG.log(System.Logger.Level.DEBUG,
                "dm4j: device nodes by {0} (udev control socket {1}, dm rules {2}, DM_DISABLE_UDEV {3})", chosen,
                udevRuns ? "present" : "absent", rules ? "present" : "absent", disabled ? "set" : "unset");
        return chosen;
    }

    private static boolean hasRule(Path root, List<String> names) {
        return RULE_DIRS.stream().anyMatch(d -> names.stream().anyMatch(n -> Files.exists(root.resolve(d).resolve(n))));
    }

    /** The policy in force: {@link NodePolicy#AUTO} resolved. */
    public NodePolicy policy() {
        return policy;
    }

    /** The node's path; a name that would leave the directory is refused. */
    Path path(String name) {
        Path p;
        try {
            p = dir.resolve(name).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidArgumentException("name", "cannot be a file name here (" + e.getReason()
                    + "): dm4j makes the /dev/mapper nodes, and the JVM's file name encoding "
                    + System.getProperty("sun.jnu.encoding") + " cannot hold it; run with a UTF-8 locale");
        }
        if (p.getParent() == null || !p.getParent().equals(dir.normalize()) || name.contains("/")
                || name.equals("control")) {
            throw new InvalidArgumentException("name", "must name a device node inside " + dir + ": " + name);
        }
        return p;
    }

    /** Makes {@code /dev/mapper/control} when the kernel has device-mapper but no node was made. */
    public void ensureControl(Path control) throws IOException {
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

    /**
     * After a resume: the node exists and is the device. One {@code mknod} when it is new; a
     * node already there (an earlier resume's, or a stale one of another device) is checked.
     */
    public void present(String name, DeviceNumber device) throws IOException {
        if (policy != NodePolicy.LIBRARY) {
            return;
        }
        Path p = path(name);
        try {
            sys.mknod(p.toString(), NODE_MODE, device.major(), device.minor());
            return;
        } catch (ErrnoException e) {
            if (e.is(Errno.ENOENT)) {
                Files.createDirectories(dir);
                mknod(p, NODE_MODE, device.major(), device.minor());
                return;
            }
            if (!e.is(Errno.EEXIST)) {
                throw e;
            }
        }
        if (!isNodeOf(p, device)) {
            Files.delete(p);
            mknod(p, NODE_MODE, device.major(), device.minor());
        }
    }

    private static boolean isNodeOf(Path p, DeviceNumber device) throws IOException {
        try {
            return Files.getAttribute(p, "unix:rdev") instanceof Long r && decode(r).equals(device);
        } catch (NoSuchFileException dangling) {
            return false; // a link whose target is gone
        }
    }

    /** After a rename: the node moves along, if the device had one. */
    public void renamed(String from, String to) throws IOException {
        if (policy != NodePolicy.LIBRARY) {
            return;
        }
        try {
            Files.move(path(from), path(to), StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException neverResumed) {
            // No live table yet, so no node: the resume will make it under the new name.
        }
    }

    /**
     * Under {@link NodePolicy#LIBRARY}, refuses before any ioctl a name dm4j could not make a node
     * for: one the JVM's file name encoding ({@code sun.jnu.encoding}, from the locale) cannot hold.
     */
    public void checkNodeName(String name) {
        if (policy == NodePolicy.LIBRARY) {
            path(name);
        }
    }

    /** After a remove: the node goes, if there was one. */
    public void removed(String name) throws IOException {
        if (policy == NodePolicy.LIBRARY) {
            Files.deleteIfExists(path(name));
        }
    }

    /** The names of the block device nodes in the directory (symbolic links and others left out). */
    public List<String> blockNodeNames() throws IOException {
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
