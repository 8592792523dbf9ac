package io.dm4j.cli;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.InvalidArgumentException;
import io.dm4j.event.DeviceEvent;
import io.dm4j.event.EventKind;
import io.dm4j.event.EventMonitor;
import io.dm4j.sys.ErrnoException;
import io.dm4j.sys.Syscalls;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands that wait for the kernel: one device's next event, or a stream of all events. */
final class WatchCommands {
    private WatchCommands() {}

    static Duration timeout(Double seconds, String option) {
        if (seconds == null) {
            return Duration.ofDays(365);
        }
        if (!(seconds >= 0)) {
            throw new InvalidArgumentException(option, "must be a number of seconds, zero or more");
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    @Command(name = "wait", customSynopsis = "dmctl wait [--timeout SECONDS] DEVICE [EVENT_NR]", description = "Wait for a device's event counter to pass EVENT_NR (default: its current value).")
    static final class Wait extends ChangeCommands.OnDevice {
        private Long eventNr;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up after this long (exit status 1).")
        Double timeoutSeconds;

        private Duration timeout;

        @Override
        int maxExtra() {
            return 1;
        }

        @Override
        AutoCloseable prepare() {
            timeout = timeout(timeoutSeconds, "--timeout");
            eventNr = null;
            if (!extra().isEmpty()) {
                try {
                    eventNr = Long.parseLong(extra().get(0));
                } catch (NumberFormatException e) {
                    throw new InvalidArgumentException("EVENT_NR", "must be a number, not '" + extra().get(0) + "'");
                }
                DeviceMapper.checkEventNr(eventNr);
            }
            return null;
        }

        @Override
        int onDevice(DeviceMapper dm) throws IOException {
            long after = eventNr != null ? eventNr : dm.info(name).eventNr();
            Optional<DeviceInfo> info = dm.awaitEvent(name, after, timeout);
            if (info.isEmpty()) {
                throw new IOException("wait " + name + ": no event after number " + after + " within "
                        + timeout.toSeconds() + " s");
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", name);
            json.put("eventNr", info.get().eventNr());
            print("", json);
            return 0;
        }
    }

    @Command(name = "events", description = {
            "Print device-mapper events as they happen, until interrupted.",
            "Once listening, prints 'dmctl: ready: watching WHAT in MODE mode' on stderr and, with"
                    + " --ready-fd N, writes 'READY=1' and a newline to descriptor N and closes it:"
                    + " a script may change devices after that and miss nothing.",
            "Modes: uevent (kernel uevents in their order: exact) or poll (device lists: a"
                    + " maybe-missed marker precedes each look). Events with an unknown name"
                    + " print '?'. --json adds the mode, the uevent sequence number and, for"
                    + " markers, the reason."})
    static final class Events extends DeviceCommand {
        @Option(names = "--device", paramLabel = "NAME|UUID", description = "Only this device's events (and markers).")
        String device;

        @Option(names = "--count", paramLabel = "N", description = "Stop after N events.")
        Integer count;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop after this long.")
        Double timeoutSeconds;

        @Option(names = "--mode", paramLabel = "MODE", description = "uevent, poll or auto (default: auto, uevent where it works).")
        String mode;

        @Option(names = "--ready-fd", paramLabel = "N", description = "Write READY=1 to this open descriptor once listening, then close it.")
        Integer readyFd;

        private Duration timeout;
        private Optional<EventMonitor.Mode> forced = Optional.empty();

        @Override
        AutoCloseable beforeKernel() {
            forced = Optional.empty();
            if (count != null && count < 1) {
                throw new InvalidArgumentException("--count", "must be at least 1");
            }
            if (readyFd != null && readyFd < 3) {
                throw new InvalidArgumentException("--ready-fd", "must be a descriptor of its own, 3 or more"
                        + " (0-2 are stdin, stdout and stderr)");
            }
            // Checked before this process opens any descriptor of its own, which could take the number.
            if (readyFd != null && !Files.exists(Path.of("/proc/self/fd/" + readyFd), LinkOption.NOFOLLOW_LINKS)) {
                throw new InvalidArgumentException("--ready-fd", "descriptor " + readyFd
                        + " is not open: open it for writing when starting dmctl, e.g. 3>ready.fifo");
            }
            if (mode != null && !mode.equalsIgnoreCase("auto")) {
                try {
                    forced = Optional.of(EventMonitor.Mode.valueOf(mode.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidArgumentException("--mode", "must be uevent, poll or auto");
                }
            }
            timeout = timeout(timeoutSeconds, "--timeout");
            return null;
        }

        @Override
        int run(DeviceMapper dm) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            LinkedBlockingQueue<DeviceEvent> queue = new LinkedBlockingQueue<>();
            try (EventMonitor monitor = forced.isPresent() ? EventMonitor.start(forced.get()) : EventMonitor.start()) {
                AutoCloseable subscription = device == null ? monitor.subscribe(queue::add)
                        : monitor.subscribe(device, queue::add);
                progress("ready: watching " + (device == null ? "all devices" : device) + " in "
                        + monitor.mode().name().toLowerCase(Locale.ROOT) + " mode (table events coalesce: re-read status on each)");
                if (readyFd != null) {
                    signalReady(readyFd);
                }
                int seen = 0;
                while (count == null || seen < count) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    DeviceEvent e = queue.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
                    if (e == null) {
                        if (monitor.failure().isPresent()) {
                            throw new IOException("events: the monitor stopped", monitor.failure().get());
                        }
                        continue;
                    }
                    seen++;
                    Map<String, Object> json = JsonViews.event(e);
                    json.put("mode", monitor.mode().name());
                    print(text(e), json);
                }
                subscription.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("events: interrupted");
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
            return 0;
        }

        private static String text(DeviceEvent e) {
            String kind = e.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
            if (e.kind() == EventKind.MAYBE_MISSED) {
                return kind + e.device().map(d -> " (" + d + ")").orElse("") + ": " + e.detail() + "\n";
            }
            return kind + " " + e.name().orElse("?") + e.device().map(d -> " (" + d + ")").orElse("") + " event "
                    + e.eventNr() + e.previousName().map(p -> " was " + p).orElse("") + "\n";
        }

        /** The readiness protocol of systemd-notify and bwrap: one line, then end of file. */
        private static void signalReady(int fd) throws IOException {
            Syscalls sys = Syscalls.get();
            ByteBuffer line = ByteBuffer.allocateDirect(8);
            line.put("READY=1\n".getBytes(StandardCharsets.US_ASCII)).flip();
            try {
                while (line.hasRemaining()) {
                    sys.write(fd, line);
                }
                sys.close(fd);
            } catch (ErrnoException e) {
                throw new IOException("events --ready-fd " + fd + ": " + e.errnoName()
                        + ": pass a descriptor open for writing, e.g. 3>ready.fifo", e);
            }
        }
    }
}
