/**
 * Typed target status: {@link io.dm4j.status.StatusReport#parse(io.dm4j.TargetStatus)} turns a line
 * of {@link io.dm4j.DeviceMapper#status} into a record of its target's type (thin-pool, thin,
 * snapshot, cache, writecache, era, raid, mirror, multipath, integrity, verity, delay, striped,
 * log-writes), an {@link io.dm4j.status.EmptyStatus} for targets that report nothing, or an
 * {@link io.dm4j.status.UnknownStatus} that keeps the text. The formats are those of the kernel's
 * {@code *_status()} functions, checked against lines recorded from Linux 6.1.
 */
package io.dm4j.status;
