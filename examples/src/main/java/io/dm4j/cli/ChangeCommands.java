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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
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

    /** A command on one named device. */
    abstract static class OnDevice extends DeviceCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The device.")
        String name;

        @Override
        AutoCloseable beforeKernel() throws IOException {
            DeviceMapper.checkName(name);
            return null;
        }

        /** The device's state after the change, as the --json document. */
        void done(DeviceInfo info) {
            print("", JsonViews.info(info, OptionalInt.empty()));
        }
    }

    /** A change whose result is simply the device's new state. */
    abstract static class StateChange extends OnDevice {
        @Override
        final int run(DeviceMapper dm) throws IOException {
            done(change(dm));
            return 0;
        }

        abstract DeviceInfo change(DeviceMapper dm) throws IOException;
    }

    @Command(name = "create", description = "Create a device, load its table and resume it, like 'dmsetup create'.")
    static final class Create extends OnDevice {
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
            if (noTable && source.given()) {
                throw new InvalidArgumentException("--notable", "cannot be combined with a table");
            }
            options = uuid == null ? CreateOptions.defaults() : CreateOptions.defaults().uuid(uuid);
            super.beforeKernel();
            // Last, so that no failed check leaves it unclosed; closing it wipes keys.
            table = noTable ? null : source.read(this);
            return table;
        }

        @Override
        int run(DeviceMapper dm) throws IOException {
            DeviceInfo info = dm.create(name, options);
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
            done(info);
            return 0;
        }
    }

    @Command(name = "load", description = "Load a table into a device's inactive slot, like 'dmsetup load'.")
    static final class Load extends StateChange {
        @Mixin
        TableSource source;

        @Option(names = {"-r", "--readonly"}, description = "The device becomes read-only with this table.")
        boolean readOnly;

        private Table table;

        @Override
        AutoCloseable beforeKernel() throws IOException {
            super.beforeKernel();
            table = source.read(this); // last, as for create
            return table;
        }

        @Override
        DeviceInfo change(DeviceMapper dm) throws IOException {
            return dm.load(name, table, loadOptions(readOnly));
        }
    }

    @Command(name = "clear", description = "Drop a device's inactive table, like 'dmsetup clear'.")
    static final class Clear extends StateChange {
        @Override
        DeviceInfo change(DeviceMapper dm) throws IOException {
            return dm.clear(name);
        }
    }

    @Command(name = "suspend", description = "Suspend a device: I/O queues until resume.")
    static final class Suspend extends StateChange {
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
    static final class Resume extends StateChange {
        @Override
        DeviceInfo change(DeviceMapper dm) throws IOException {
            return dm.resume(name);
        }
    }

    @Command(name = "rename", description = "Rename a device (NAME NEW), or set its uuid (NAME --set-uuid UUID).")
    static final class Rename extends StateChange {
        @Parameters(index = "1", arity = "0..1", paramLabel = "NEW", description = "The new name.")
        String newName;

        @Option(names = "--set-uuid", paramLabel = "UUID", description = "Set the uuid of a device that has none.")
        String newUuid;

        @Override
        AutoCloseable beforeKernel() throws IOException {
            if ((newName == null) == (newUuid == null)) {
                throw new InvalidArgumentException("rename", "needs either a new name or --set-uuid UUID");
            }
            super.beforeKernel();
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

    @Command(name = "remove", description = "Remove a device and check it is gone, like 'dmsetup remove'.")
    static final class Remove extends OnDevice {
        @ArgGroup(exclusive = true)
        Mode mode = new Mode();

        static final class Mode {
            @Option(names = "--deferred", description = "If the device is open, remove it when its last opener closes it.")
            boolean deferred;

            @Option(names = "--cancel-deferred", description = "Cancel a deferred remove.")
            boolean cancelDeferred;
        }

        @Option(names = "--retry", description = "While the device is open, keep trying (see --timeout).")
        boolean retry;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long --retry keeps trying (default 5; implies --retry).")
        Double timeoutSeconds;

        @Option(names = {"-f", "--force"}, description = "First replace the table with 'error', so openers' I/O fails and they let go.")
        boolean force;

        private Duration timeout;

        @Override
        AutoCloseable beforeKernel() throws IOException {
            timeout = timeoutSeconds == null ? Duration.ofSeconds(5) : WatchCommands.timeout(timeoutSeconds, "--timeout");
            return super.beforeKernel();
        }

        @Override
        int run(DeviceMapper dm) throws IOException {
            if (mode.cancelDeferred) {
                dm.cancelDeferredRemove(name);
                done(dm.info(name));
                return 0;
            }
            if (force) {
                replaceWithError(dm);
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", name);
            if (mode.deferred) {
                RemoveOutcome outcome = dm.removeDeferred(name);
                json.put("outcome", outcome.name());
                print(outcome == RemoveOutcome.DEFERRED ? name + ": open; removal deferred until it is closed\n" : "",
                        json);
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

        private void removeRetrying(DeviceMapper dm) throws IOException {
            boolean keepTrying = retry || timeoutSeconds != null;
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean toldRetrying = false;
            while (true) {
                try {
                    dm.remove(name);
                    return;
                } catch (DeviceBusyException busy) {
                    if (!keepTrying || System.nanoTime() - deadline >= 0) {
                        throw inUse(dm, busy, keepTrying ? "still in use after " + seconds(timeout) : "in use");
                    }
                    if (!toldRetrying) {
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

        private void replaceWithError(DeviceMapper dm) throws IOException {
            DeviceInfo info = dm.info(name);
            if (!info.hasLiveTable()) {
                return;
            }
            long sectors = dm.table(name).stream().mapToLong(TargetLine::length).sum();
            dm.load(name, List.of(new TargetLine(0, sectors, "error", "")));
            dm.resume(name);
        }

        private static void sleep() throws IOException {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while retrying the remove");
            }
        }
    }

    @Command(name = "remove-all", description = "Remove every device that is not open. Touches devices others own: use with care.")
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

    @Command(name = "message", description = "Send a message to a target, like 'dmsetup message'.")
    static final class Message extends OnDevice {
        @Parameters(index = "1", paramLabel = "SECTOR", description = "A sector inside the target (0 for the first).")
        long sector;

        @Parameters(index = "2..*", arity = "1..*", paramLabel = "WORDS", description = "The message.")
        List<String> words;

        private String text;

        @Override
        AutoCloseable beforeKernel() throws IOException {
            super.beforeKernel();
            text = String.join(" ", words);
            DeviceMapper.checkMessage(sector, text);
            return null;
        }

        @Override
        int run(DeviceMapper dm) throws IOException {
            java.util.Optional<String> reply = dm.message(name, sector, text);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", name);
            json.put("reply", reply);
            print(reply.map(r -> r.endsWith("\n") ? r : r + "\n").orElse(""), json);
            return 0;
        }
    }

    @Command(name = "mknodes", description = "Make /dev/mapper nodes right for one or all devices.")
    static final class Mknodes extends DeviceCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "The device (all if omitted).")
        String name;

        @Override
        AutoCloseable beforeKernel() throws IOException {
            if (name != null) {
                DeviceMapper.checkName(name);
            }
            return null;
        }

        @Override
        int run(DeviceMapper dm) throws IOException {
            List<String> names;
            if (name != null) {
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
