package io.dm4j.cli;

import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.InvalidArgumentException;
import io.dm4j.event.DeviceEvent;
import io.dm4j.event.EventMonitor;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
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

    @Command(name = "wait", description = "Wait for a device's event counter to pass EVENT_NR (default: its current value).")
    static final class Wait extends DeviceCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "The device.")
        String name;

        @Parameters(index = "1", arity = "0..1", paramLabel = "EVENT_NR", description = "Wait until the counter differs from this.")
        Long eventNr;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Give up after this long (exit status 1).")
        Double timeoutSeconds;

        private Duration timeout;

        @Override
        AutoCloseable beforeKernel() {
            timeout = timeout(timeoutSeconds, "--timeout");
            DeviceMapper.checkName(name);
            if (eventNr != null) {
                DeviceMapper.checkEventNr(eventNr);
            }
            return null;
        }

        @Override
        int run(DeviceMapper dm) throws IOException {
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

    @Command(name = "events", description = "Print device-mapper events as they happen, until interrupted.")
    static final class Events extends DeviceCommand {
        @Option(names = "--device", paramLabel = "NAME|UUID", description = "Only this device's events.")
        String device;

        @Option(names = "--count", paramLabel = "N", description = "Stop after N events.")
        Integer count;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop after this long.")
        Double timeoutSeconds;

        private Duration timeout;

        @Override
        AutoCloseable beforeKernel() {
            if (count != null && count < 1) {
                throw new InvalidArgumentException("--count", "must be at least 1");
            }
            timeout = timeout(timeoutSeconds, "--timeout");
            return null;
        }

        @Override
        int run(DeviceMapper dm) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            LinkedBlockingQueue<DeviceEvent> queue = new LinkedBlockingQueue<>();
            try (EventMonitor monitor = EventMonitor.start()) {
                AutoCloseable subscription = device == null ? monitor.subscribe(queue::add)
                        : monitor.subscribe(device, queue::add);
                progress("watching " + (device == null ? "all devices" : device)
                        + " (events may be coalesced: re-read status on each)");
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
                    print(e.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " " + e.name()
                            + " (" + e.device() + ") event " + e.eventNr()
                            + e.previousName().map(p -> " was " + p).orElse("") + "\n", JsonViews.event(e));
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
    }
}
