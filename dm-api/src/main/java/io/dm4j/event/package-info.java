/**
 * Device-mapper events, as they happen: an {@link io.dm4j.event.EventMonitor} watches every
 * device on one thread of its own (kernel interface 4.37+) and hands each change, a
 * {@link io.dm4j.event.DeviceEvent} of some {@link io.dm4j.event.EventKind} (a device created,
 * removed or renamed, or a target's event such as a thin pool crossing its low-water mark), to the
 * listeners subscribed to that device or to all. It follows the kernel's uevents where they reach the
 * process ({@link io.dm4j.event.EventMonitor.Mode#UEVENT}: exact, in the kernel's order) and device
 * lists otherwise ({@link io.dm4j.event.EventMonitor.Mode#POLL}); wherever events may have been lost
 * it says so with a {@link io.dm4j.event.EventKind#MAYBE_MISSED} marker. Table events coalesce, so
 * a listener re-reads whatever state it cares about. To wait for one device's next event instead, call
 * {@link io.dm4j.DeviceMapper#awaitEvent}.
 *
 * <pre>{@code
 * try (EventMonitor monitor = EventMonitor.start()) {
 *     monitor.subscribe("pool0", event -> grow("pool0")); // e.g. read the pool's status, extend it
 *     ...
 * }
 * }</pre>
 */
package io.dm4j.event;
