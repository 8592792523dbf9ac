/**
 * Typed target messages ({@code DM_TARGET_MSG}): thin-pool, raid, multipath, writecache, era and
 * cache messages, checked when built and sent to the target they are for; and
 * {@link io.dm4j.message.DeviceStats}, device-mapper's own statistics, whose replies are parsed.
 */
package io.dm4j.message;
