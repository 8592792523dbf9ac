/**
 * The client of the Linux kernel's device-mapper: {@link io.dm4j.DeviceMapper} speaks
 * device-mapper's ioctl protocol on a control descriptor, in plain Java over a native backend
 * ({@code io.dm4j.sys}), and covers all 18 control commands: create, load, resume, suspend,
 * rename, remove and the rest, list, status, table, deps, target messages and events. Arguments are
 * checked before any ioctl ({@link io.dm4j.InvalidArgumentException}), the kernel's failures raise
 * typed {@link io.dm4j.DeviceMapperException}s, and what the kernel reports comes back as records
 * ({@link io.dm4j.DeviceInfo}, {@link io.dm4j.DeviceListEntry}, {@link io.dm4j.TargetLine},
 * {@link io.dm4j.TargetStatus}). A {@link io.dm4j.NodePolicy} says who makes the
 * {@code /dev/mapper} nodes, and {@link io.dm4j.Openers} tells what keeps a device open.
 *
 * <pre>{@code
 * try (DeviceMapper dm = DeviceMapper.open()) {
 *     dm.create("vol0", CreateOptions.defaults());
 *     dm.load("vol0", List.of(new TargetLine(0, 2048, "linear", "7:0 0")));
 *     dm.resume("vol0");
 * }
 * }</pre>
 *
 * <p>Typed tables are in {@link io.dm4j.target}, typed statuses in {@link io.dm4j.status}, typed
 * messages in {@link io.dm4j.message}, the event monitor in {@link io.dm4j.event}, and the table
 * registry, for programs that share devices across threads, in {@link io.dm4j.registry}. The
 * packages under {@code io.dm4j.internal} are dm4j's own and not API.
 */
package io.dm4j;
