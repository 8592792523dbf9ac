package io.dm4j.cli;

import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.InvalidArgumentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/**
 * How a command names its device, as dmsetup lets it: a name, a path ({@code /dev/mapper/NAME},
 * {@code /dev/dm-N}, any block device node), {@code -u UUID}, or {@code -j MAJOR -m MINOR}. With
 * {@code -u} or {@code -j}/{@code -m} the device takes no place among the positional arguments.
 */
final class DeviceArg {
    @Option(names = {"-u", "--uuid"}, paramLabel = "UUID", description = "The device with this uuid.")
    String uuid;

    @Option(names = {"-j", "--major"}, paramLabel = "MAJOR", description = "The device with this major number (with -m).")
    Integer major;

    @Option(names = {"-m", "--minor"}, paramLabel = "MINOR", description = "The device with this minor number (with -j).")
    Integer minor;

    /** A device as the command line named it; {@link #resolve} finds its name in the kernel. */
    sealed interface Selector {
        /** What the command line said, for messages. */
        String given();

        /** The device's name in the kernel now. */
        String resolve(DeviceMapper dm) throws IOException;
    }

    /** A device known by its name from the start: the name is what was given and what resolves. */
    sealed interface Named extends Selector {
        String name();

        @Override
        default String given() {
            return name();
        }

        @Override
        default String resolve(DeviceMapper dm) {
            return name();
        }
    }

    record ByName(String name) implements Named {}

    record ByUuid(String uuid) implements Selector {
        @Override
        public String given() {
            return uuid;
        }

        @Override
        public String resolve(DeviceMapper dm) throws IOException {
            return find(dm, e -> e.uuid().filter(uuid::equals).isPresent(), this);
        }
    }

    record ByNumber(DeviceNumber device, String given) implements Selector {
        @Override
        public String resolve(DeviceMapper dm) throws IOException {
            return find(dm, e -> e.device().equals(device), this);
        }
    }

    /**
     * A device this command is creating: its name, the uuid given for it, and its number once the
     * kernel has made it (libdevmapper's errors name all three).
     */
    record Creating(String name, String uuid, DeviceNumber device) implements Named {}

    private static String find(DeviceMapper dm, Predicate<DeviceListEntry> which, Selector selector)
            throws IOException {
        return dm.list().stream().filter(which).map(DeviceListEntry::name).findFirst()
                .orElseThrow(() -> new NoSuchDeviceException(selector));
    }

    /** No device answers to the uuid or number the command line gave. */
    static final class NoSuchDeviceException extends IOException {
        private static final long serialVersionUID = 1L;
        final transient Selector selector;

        NoSuchDeviceException(Selector selector) {
            super("no device-mapper device " + (selector instanceof ByUuid ? "with uuid " : "numbered ")
                    + selector.given() + " (see 'dmctl ls')");
            this.selector = selector;
        }
    }

    /** A path names no device-mapper device (libdevmapper's "Device X not found"). */
    static final class NotFoundException extends InvalidArgumentException {
        private static final long serialVersionUID = 1L;
        final String shown;

        NotFoundException(String given, String shown) {
            super("device", given + " is not a device-mapper device: no node in /dev/mapper has its device number");
            this.shown = shown;
        }
    }

    /** True when the device comes from options, so no positional argument names it. */
    boolean byOption() {
        return uuid != null || major != null || minor != null;
    }

    /**
     * The device, from the options or else the first positional argument; checked as far as it can be
     * without the kernel.
     *
     * @param positional the command's positional arguments; the device's is the first unless
     *     {@link #byOption()}
     */
    Selector select(List<String> positional) throws IOException {
        if (uuid != null) {
            DeviceMapper.checkUuid(uuid);
            return new ByUuid(uuid);
        }
        if (major != null || minor != null) {
            if (major == null || minor == null) {
                throw new InvalidArgumentException("-j/-m", "must be given together");
            }
            DeviceNumber n = new DeviceNumber(major, minor);
            return new ByNumber(n, n.toString());
        }
        if (positional.isEmpty()) {
            throw new CompatException("device", "is missing: give NAME, a path, -u UUID or -j MAJOR -m MINOR", "No device specified.");
        }
        return parse(positional.get(0));
    }

    /** The positional arguments that follow the device. */
    List<String> rest(List<String> positional) {
        return byOption() || positional.isEmpty() ? positional : positional.subList(1, positional.size());
    }

    /**
     * A device named by a name or a path, resolved as libdevmapper resolves a path: the node's
     * device number, matched against the nodes in /dev/mapper (a path with one slash that does not
     * exist is tried under /dev, so {@code mapper/NAME} works).
     */
    static Selector parse(String text) throws IOException {
        int slash = text.lastIndexOf('/');
        if (slash < 0) {
            DeviceMapper.checkName(text);
            return new ByName(text);
        }
        String base = text.substring(slash + 1);
        Path path = Path.of(text);
        if (!Files.exists(path)) {
            if (text.length() < 3 || text.startsWith("/") || text.indexOf('/') != slash) {
                throw new NotFoundException(text, text);
            }
            path = MAPPER.resolveSibling(text);
            if (!Files.exists(path)) {
                throw new NotFoundException(text, text);
            }
        }
        long rdev = rdev(path);
        Path same = MAPPER.resolve(base);
        if (Files.exists(same) && rdev(same) == rdev) {
            return new ByName(base);
        }
        try (java.util.stream.Stream<Path> nodes = Files.list(MAPPER)) {
            for (Path n : (Iterable<Path>) nodes::iterator) {
                if (rdev(n) == rdev) {
                    return new ByName(n.getFileName().toString());
                }
            }
        } catch (IOException unreadable) {
            // as if empty: nothing matches
        }
        throw new NotFoundException(text, base);
    }

    private static final Path MAPPER = Path.of("/dev/mapper");

    private static long rdev(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:rdev")).longValue();
    }

    /** The selector for an optional device: empty when neither an option nor an argument names one. */
    Optional<Selector> selectIfAny(List<String> positional) throws IOException {
        return byOption() || !positional.isEmpty() ? Optional.of(select(positional)) : Optional.empty();
    }
}
