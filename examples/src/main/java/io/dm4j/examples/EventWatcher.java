package io.dm4j.examples;

import io.dm4j.CreateOptions;
import io.dm4j.event.DeviceEvent;
import io.dm4j.event.EventKind;
import io.dm4j.event.EventMonitor;
import io.dm4j.target.Sectors;
import io.dm4j.target.Table;
import io.dm4j.target.ZeroTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Watching device-mapper events: an {@link EventMonitor} reports a device being created, renamed
 * and removed, as they happen. Table events coalesce, so a real program re-reads the state it cares
 * about on each one. Usage: {@code examples/run EventWatcher}.
 */
public final class EventWatcher {
    private EventWatcher() {}

    /** The kinds of the events seen for the example's device, in order. */
    public record Result(List<EventKind> kinds) {}

    public static Result run(java.io.PrintStream out) throws Exception {
        try (Workspace ws = Workspace.open("events", out); EventMonitor monitor = EventMonitor.start()) {
            String name = ws.name("watched");
            String renamed = ws.name("renamed");
            LinkedBlockingQueue<DeviceEvent> events = new LinkedBlockingQueue<>();
            List<EventKind> kinds = new ArrayList<>();
            try (AutoCloseable subscription = monitor.subscribe(name, events::add)) {
                // The uuid lets the monitor follow the device through changes made faster than it
                // can look (load, resume and rename here): a name alone cannot show that a device
                // without a table was not removed and replaced meanwhile.
                ws.dm().create(name, CreateOptions.defaults().uuid(ws.name("watched-uuid")));
                await(ws, events, kinds, EventKind.CREATED);
                ws.dm().load(name, Table.builder().append(Sectors.of(2048), new ZeroTarget()).build());
                ws.dm().resume(name);
                ws.dm().rename(name, renamed);
                await(ws, events, kinds, EventKind.RENAMED);
                ws.dm().remove(renamed);
                await(ws, events, kinds, EventKind.REMOVED);
            } finally {
                for (String n : List.of(name, renamed)) {
                    if (ws.dm().list(n, "").stream().anyMatch(d -> d.name().equals(n))) {
                        ws.dm().remove(n);
                    }
                }
            }
            return new Result(kinds);
        }
    }

    /** Prints events as they come until one of the wanted kind arrives (at most 30 s). */
    private static void await(Workspace ws, LinkedBlockingQueue<DeviceEvent> events, List<EventKind> kinds,
            EventKind wanted) throws InterruptedException {
        DeviceEvent e;
        do {
            e = events.poll(30, TimeUnit.SECONDS);
            if (e == null) {
                throw new IllegalStateException("no " + wanted + " event within 30 s");
            }
            kinds.add(e.kind());
            ws.say("event: " + e.kind() + " " + e.name().orElse("?") + " (" + e.device().map(Object::toString).orElse("?")
                    + ", event number " + e.eventNr() + ")"
                    + e.previousName().map(p -> ", was " + p).orElse(""));
        } while (e.kind() != wanted);
    }

    public static void main(String[] args) throws Exception {
        Result r = run(System.out);
        System.exit(r.kinds().contains(EventKind.RENAMED) ? 0 : 1);
    }
}
