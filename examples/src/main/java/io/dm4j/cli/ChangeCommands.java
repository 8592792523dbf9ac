package io.dm4j.cli;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceBusyException;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.InvalidArgumentException;
import io.dm4j.LoadOption;
import io.dm4j.Opener;
import io.dm4j.Openers;
import io.dm4j.RemoveOutcome;
import io.dm4j.SuspendOption;
import io.dm4j.TargetLine;
import io.dm4j.target.Table;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that change devices. Like dmsetup they print nothing on success, unless --json. */
final class ChangeCommands {
    private ChangeCommands() {}

    static LoadOption[] loadOptions(boolean readOnly) {
        return readOnly ? new LoadOption[] {LoadOption.READ_ONLY} : new LoadOption[0];
    }

    /** A command dmsetup repeats for each device named (and stops at the first that fails). */
    interface EachDevice {}

    /**
     * A command on a device, named as dmsetup lets it be ({@link DeviceArg}), followed by the
     * positional arguments of the command ({@link #extra()}); or, for the commands dmsetup repeats
     * ({@link #repeatable()}), on each device named in turn, stopping at the first that fails.
     */
    abstract static class OnDevice extends DeviceCommand {
        @Mixin
        DeviceArg device;

        @Parameters(paramLabel = "DEVICE", description = "The device: NAME, /dev/mapper/NAME, /dev/dm-N (or -u/-j/-m).")
        List<String> args = new ArrayList<>();

        private List<DeviceArg.Selector> selectors;

        /** The device's name in the kernel, once the command runs. */
        String name;

        /** How many positional arguments may follow the device. */
        int maxExtra() {
            return 0;
        }

        /** Whether every positional argument is a device to do the command on, in turn. */
        final boolean repeatable() {
            return this instanceof EachDevice;
        }

        /** The positional arguments after the device. */
        final List<String> extra() {
            return repeatable() ? List.of() : device.rest(args);
        }

        @Override
        final AutoCloseable beforeKernel() throws IOException {
            selectors = new ArrayList<>();
            if (repeatable() && !args.isEmpty()) {
                for (String a : args) {
                    selectors.add(DeviceArg.parse(a));
                }
            } else {
                selectors.add(device.select(args));
            }
            dmctl().device = selectors.get(0);
            if (extra().size() > maxExtra()) {
                throw new InvalidArgumentException(spec.name(), "takes " + (maxExtra() == 0 ? "no argument"
                        : "at most " + maxExtra() + " arguments") + " after the device, not " + extra());
            }
            return prepare();
        }

        /** What the command checks and reads before the kernel; see {@link #beforeKernel()}. */
        AutoCloseable prepare() throws IOException {
            return null;
        }

        @Override
        final int run(DeviceMapper dm) throws IOException {
            for (DeviceArg.Selector s : selectors) {
                dmctl().device = s;
                name = s.resolve(dm);
                int status = onDevice(dm);
                if (status != 0) {
                    return status;
                }
            }
            return 0;
        }

        /** The command's work on {@link #name}. */
        abstract int onDevice(DeviceMapper dm) throws IOException;
    }

    /** A change whose result is simply the device's new state. */
    abstract static class StateChange extends OnDevice {
        @Override
        final int onDevice(DeviceMapper dm) throws IOException {
            printState(change(dm));
            return 0;
        }

        abstract DeviceInfo change(DeviceMapper dm) throws IOException;
    }

    @Command(name = "create", description = "Create a device, load its table and resume it, like 'dmsetup create'.")
    static final class Create extends DeviceCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The new device's name.")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "TABLE_FILE", description = "Read the table from this file.")
        Path tableFile;

        @Mixin
        TableSource source;

        @Option(names = {"-u", "--uuid"}, paramLabel = "UUID", description = "The device's uuid.")
        String uuid;

        @Option(names = {"-r", "--readonly"}, description = "Make the device read-only.")
        boolean readOnly;

        @Option(names = {"-n", "--notable"}, description = "Create the device without a table.")
        boolean noTable;

        private Table table;
        private CreateOptions options;

        @Override
        AutoCloseable beforeKernel() throws IOException {
            if (noTable && (source.given() || tableFile != null)) {
                throw new InvalidArgumentException("--notable", "cannot be combined with a table");
            }
            options = uuid == null ? CreateOptions.defaults() : CreateOptions.defaults().uuid(uuid);
            DeviceMapper.checkName(name);
            // Last, so that no failed check leaves it unclosed; closing it wipes keys.
            table = noTable ? null : source.read(this, tableFile);
            return table;
        }

        @Override
        int run(DeviceMapper dm) throws IOException {
            dmctl().device = new DeviceArg.Creating(name, uuid, null);
            DeviceInfo info = dm.create(name, options);
            dmctl().device = new DeviceArg.Creating(name, uuid, info.device());
            if (table != null) {
                try {
                    dm.load(name, table, loadOptions(readOnly));
                    info = dm.resume(name);
                } catch (IOException | RuntimeException e) {
                    // Like dmsetup: a device whose table failed is removed, so nothing is left.
                    try {
                        dm.remove(name);
                    } catch (IOException | RuntimeException cleanup) {
                        e.addSuppressed(cleanup);
                    }
                    throw e;
                }
            }
            printState(info);
            return 0;
        }
    }

    @Command(name = "load", aliases = "reload", description = "Load a table into a device's inactive slot, like 'dmsetup load' (or reload).")
    static final class Load extends StateChange {
        @Mixin
        TableSource source;

        @Option(names = {"-r", "--readonly"}, description = "The device becomes read-only with this table.")
        boolean readOnly;

        private Table table;

        @Override
        int maxExtra() {
            return 1; // a table file, as with dmsetup
        }

        @Override
        AutoCloseable prepare() throws IOException {
            table = source.read(this, extra().isEmpty() ? null : Path.of(extra().get(0)));
            return table;
        }

        @Override
        DeviceInfo change(DeviceMapper dm) throws IOException {
            return dm.load(name, table, loadOptions(readOnly));
        }
    }

    @Command(name = "clear", description = "Drop a device's inactive table, like 'dmsetup clear'.")
    static final class Clear extends StateChange implements EachDevice {
        @Override
        DeviceInfo change(DeviceMapper dm) throws IOException {
            return dm.clear(name);
        }
    }

    @Command(name = "suspend", description = "Suspend a device: I/O queues until resume.")
    static final class Suspend extends StateChange implements EachDevice {
        @Option(names = "--noflush", description = "Do not flush queued I/O first.")
        boolean noFlush;

        @Option(names = "--nolockfs", description = "Do not freeze a filesystem on the device.")
        boolean noLockFs;

        @Override
        DeviceInfo change(DeviceMapper dm) throws IOException {
            List<SuspendOption> options = new ArrayList<>();
            if (noFlush) {
                options.add(SuspendOption.NO_FLUSH);
            }
            if (noLockFs) {
                options.add(SuspendOption.SKIP_LOCKFS);
            }
            return dm.suspend(name, options.toArray(SuspendOption[]::new));
        }
    }

    @Command(name = "resume", description = "Resume a device, making a loaded inactive table live.")
    static final class Resume extends StateChange implements EachDevice {
        @Override
        DeviceInfo change(DeviceMapper dm) throws IOException {
            return dm.resume(name);
        }
    }

    @Command(name = "rename", customSynopsis = {"dmctl rename DEVICE NEW_NAME", "dmctl rename DEVICE --setuuid NEW_UUID"},
            description = "Rename a device, or set the uuid of a device that has none, like 'dmsetup rename'.")
    static final class Rename extends StateChange {
        @Option(names = "--setuuid", description = "The new value is a uuid, for a device that has none.")
        boolean setUuid;

        private String newName;
        private String newUuid;

        @Override
        int maxExtra() {
            return 1;
        }

        @Override
        AutoCloseable prepare() throws IOException {
            if (extra().isEmpty()) {
                throw new InvalidArgumentException("rename", "needs a new name (or --setuuid and a uuid)");
            }
            newName = setUuid ? null : extra().get(0);
            newUuid = setUuid ? extra().get(0) : null;
            if (newName != null) {
                DeviceMapper.checkName(newName);
            } else {
                DeviceMapper.checkUuid(newUuid);
            }
            return null;
        }

        @Override
        DeviceInfo change(DeviceMapper dm) throws IOException {
            return newName != null ? dm.rename(name, newName) : dm.setUuid(name, newUuid);
        }
    }

    /**
     * dmsetup's {@code --force} step and its {@code wipe_table}: the table becomes one {@code error}
     * target over the whole device, resumed without flushing or freezing (nothing waits on I/O
     * that cannot finish), so openers' I/O fails and they let go. If the resume fails the loaded
     * table is cleared again.
     */
    static void wipe(DeviceMapper dm, String name) throws IOException {
        long sectors = dm.table(name).stream().mapToLong(TargetLine::length).sum();
        if (sectors == 0) {
            // the kernel refuses an empty error table (EINVAL); dmctl does not ask
            throw new InvalidArgumentException("wipe", name + " has no live table to replace");
        }
        dm.load(name, List.of(new TargetLine(0, sectors, "error", "")));
        try {
            // the swap's own suspend must not wait for I/O that cannot finish, nor freeze a filesystem
            dm.suspend(name, SuspendOption.NO_FLUSH, SuspendOption.SKIP_LOCKFS);
            dm.resume(name);
        } catch (IOException | RuntimeException e) {
            try {
                dm.clear(name);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @Command(name = "wipe_table", aliases = "wipe-table",
            description = "Replace each device's table with an 'error' target, like 'dmsetup wipe_table'.")
    static final class WipeTable extends StateChange implements EachDevice {
        @Option(names = {"-f", "--force"}, description = "Accepted as dmsetup does (the resume never flushes).")
        boolean force;

        @Option(names = "--noflush", description = "Accepted as dmsetup does (the resume never flushes).")
        boolean noFlush;

        @Option(names = "--nolockfs", description = "Accepted as dmsetup does (the resume never freezes).")
        boolean noLockFs;

        @Override
        DeviceInfo change(DeviceMapper dm) throws IOException {
            wipe(dm, name);
            return dm.info(name);
        }
    }

    @Command(name = "remove", description = "Remove devices and check they are gone, like 'dmsetup remove'.")
    static final class Remove extends OnDevice implements EachDevice {
        @Option(names = "--deferred", description = "If the device is open, remove it when its last opener closes it.")
        boolean deferred;

        @Option(names = "--cancel-deferred", description = "Cancel a deferred remove.")
        boolean cancelDeferred;

        @Option(names = "--retry", description = "While the device is busy, keep trying: as dmsetup, 25 tries 0.2 s apart (or see --timeout).")
        boolean retry;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long --retry keeps trying (implies --retry).")
        Double timeoutSeconds;

        @Option(names = {"-f", "--force"}, description = "First replace the table with 'error' (as wipe_table), so openers' I/O fails and they let go.")
        boolean force;

        /** libdevmapper's retry of a busy remove: 25 tries, 0.2 s apart. */
        static final int DMSETUP_TRIES = 25;
        static final Duration RETRY_DELAY = Duration.ofMillis(200);

        private Duration timeout;

        @Override
        AutoCloseable prepare() {
            if (deferred && cancelDeferred) {
                throw new InvalidArgumentException("--deferred", "cannot be combined with --cancel-deferred");
            }
            timeout = timeoutSeconds == null ? RETRY_DELAY.multipliedBy(DMSETUP_TRIES - 1)
                    : WatchCommands.timeout(timeoutSeconds, "--timeout");
            return null;
        }

        @Override
        int onDevice(DeviceMapper dm) throws IOException {
            if (cancelDeferred) {
                dm.cancelDeferredRemove(name);
                printState(dm.info(name));
                return 0;
            }
            if (force) {
                try {
                    wipe(dm, name);
                } catch (IOException | RuntimeException e) {
                    // as dmsetup: the remove is still tried, and says what is wrong if it fails
                    warn(e);
                }
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", name);
            if (deferred) {
                RemoveOutcome outcome = dm.removeDeferred(name);
                json.put("outcome", outcome.name());
                if (outcome == RemoveOutcome.DEFERRED && dmctl().personality == Dmctl.Personality.DMCTL) {
                    progress(name + " is open; it will be removed when its last opener closes it");
                }
                print("", json);
                return 0;
            }
            removeRetrying(dm);
            // Reported complete only once the kernel no longer knows the device.
            try {
                DeviceInfo still = dm.info(name);
                throw new IOException("remove " + name + ": the kernel still lists it (" + still.device()
                        + ") after the remove");
            } catch (DeviceNotFoundException gone) {
                json.put("outcome", RemoveOutcome.REMOVED.name());
            }
            print("", json);
            return 0;
        }

        private void warn(Exception e) {
            if (dmctl().personality == Dmctl.Personality.DMSETUP) {
                err().print(DmsetupErrors.lines(e, "remove", dmctl().device));
            } else {
                progress("remove " + name + ": --force could not replace the table first: " + e.getMessage());
            }
            err().flush();
        }

        private void removeRetrying(DeviceMapper dm) throws IOException {
            boolean keepTrying = retry || timeoutSeconds != null;
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean toldRetrying = false;
            for (int tries = 1;; tries++) {
                try {
                    dm.remove(name);
                    return;
                } catch (DeviceBusyException busy) {
                    boolean over = timeoutSeconds == null ? tries >= DMSETUP_TRIES : System.nanoTime() - deadline >= 0;
                    if (!keepTrying || over) {
                        if (dmctl().personality == Dmctl.Personality.DMSETUP) {
                            throw busy;
                        }
                        throw inUse(dm, busy, keepTrying ? "still in use after " + seconds(timeout) : "in use");
                    }
                    if (dmctl().personality == Dmctl.Personality.DMSETUP) {
                        warn(busy); // libdevmapper reports every busy try
                    } else if (!toldRetrying) {
                        progress(name + " is open" + openCount(busy) + "; retrying for up to " + seconds(timeout));
                        toldRetrying = true;
                    }
                    sleep();
                }
            }
        }

        /** The failure names what holds the device open, so the person knows what to close. */
        private IOException inUse(DeviceMapper dm, DeviceBusyException busy, String state) throws IOException {
            List<Opener> openers = Openers.of(dm.info(name).device());
            String who = openers.isEmpty()
                    ? "no opener this user can see (other users' processes, other mount namespaces)"
                    : "held open by " + openers.stream().map(Opener::toString).collect(Collectors.joining(", "));
            return new IOException("remove " + name + ": " + state + " (" + busy.errnoName()
                    + openCount(busy) + "): " + who + "; close it, or remove it with --deferred", busy);
        }

        private static String openCount(DeviceBusyException busy) {
            OptionalInt count = busy.openCount();
            return count.isPresent() ? ", open count " + count.getAsInt() : "";
        }

        private static String seconds(Duration d) {
            return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
        }

        private static void sleep() throws IOException {
            try {
                Thread.sleep(RETRY_DELAY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while retrying the remove");
            }
        }
    }

    @Command(name = "remove-all", aliases = "remove_all", description = "Remove every device that is not open. Touches devices others own: use with care.")
    static final class RemoveAll extends DeviceCommand {
        @Option(names = "--deferred", description = "Schedule open devices for removal when they are closed.")
        boolean deferred;

        @Override
        int run(DeviceMapper dm) throws IOException {
            dm.removeAll(deferred);
            print("", Map.of("remaining", dm.list().stream().map(JsonViews::entry).toList()));
            return 0;
        }
    }

    @Command(name = "message", customSynopsis = "dmctl message DEVICE SECTOR MESSAGE...",
            description = "Send a message to a target, like 'dmsetup message'.")
    static final class Message extends OnDevice {
        private long sector;
        private String text;

        @Override
        int maxExtra() {
            return Integer.MAX_VALUE;
        }

        @Override
        AutoCloseable prepare() throws IOException {
            List<String> words = extra();
            if (words.size() < 2) {
                throw new InvalidArgumentException("message", "needs a SECTOR and a MESSAGE after the device");
            }
            try {
                sector = Long.parseUnsignedLong(words.get(0));
            } catch (NumberFormatException e) {
                throw new CompatException("SECTOR", "must be a number, not '" + words.get(0) + "'", "Invalid sector.");
            }
            // dmsetup joins the words with single spaces
            text = String.join(" ", words.subList(1, words.size()));
            DeviceMapper.checkMessage(sector, text);
            return null;
        }

        @Override
        int onDevice(DeviceMapper dm) throws IOException {
            java.util.Optional<String> reply = dm.message(name, sector, text);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", name);
            json.put("reply", reply);
            print(reply.map(r -> r.endsWith("\n") ? r : r + "\n").orElse(""), json);
            return 0;
        }
    }

    @Command(name = "setgeometry", customSynopsis = "dmctl setgeometry DEVICE CYLINDERS HEADS SECTORS START",
            description = "Set the legacy disk geometry a device reports, like 'dmsetup setgeometry'.")
    static final class SetGeometry extends OnDevice {
        private io.dm4j.Geometry geometry;

        @Override
        int maxExtra() {
            return 4;
        }

        @Override
        AutoCloseable prepare() {
            List<String> g = extra();
            if (g.size() != 4) {
                throw new InvalidArgumentException("setgeometry", "needs CYLINDERS HEADS SECTORS START after the device");
            }
            try {
                geometry = new io.dm4j.Geometry(Long.parseLong(g.get(0)), Integer.parseInt(g.get(1)),
                        Integer.parseInt(g.get(2)), Long.parseLong(g.get(3)));
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException("geometry", "must be four numbers, not " + g);
            }
            return null;
        }

        @Override
        int onDevice(DeviceMapper dm) throws IOException {
            dm.setGeometry(name, geometry);
            printState(dm.info(name));
            return 0;
        }
    }

    @Command(name = "mknodes", description = "Make /dev/mapper nodes right for one or all devices.")
    static final class Mknodes extends DeviceCommand {
        @Mixin
        DeviceArg device;

        @Parameters(arity = "0..1", paramLabel = "DEVICE", description = "The device (all if omitted).")
        List<String> args = new ArrayList<>();

        private java.util.Optional<DeviceArg.Selector> selected;

        @Override
        AutoCloseable beforeKernel() throws IOException {
            selected = device.selectIfAny(args);
            return null;
        }

        @Override
        int run(DeviceMapper dm) throws IOException {
            List<String> names;
            if (selected.isPresent()) {
                String name = selected.get().resolve(dm);
                names = List.of(name);
                dm.mknodes(name);
            } else {
                // The library's sweep, like dmsetup mknodes: also drops nodes of devices that are gone.
                names = dm.list().stream().map(io.dm4j.DeviceListEntry::name).toList();
                dm.mknodes();
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("nodePolicy", dm.nodePolicy().name());
            json.put("devices", names);
            print(dm.nodePolicy() == io.dm4j.NodePolicy.LIBRARY ? ""
                    : "nodes are made by " + dm.nodePolicy().name().toLowerCase(java.util.Locale.ROOT)
                            + " here; nothing to do\n", json);
            return 0;
        }
    }
}
