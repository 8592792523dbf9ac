/**
 * Internal to dm4j, not API: not exported, and free to change in any release. The device-mapper
 * control interface as bytes, under {@link io.dm4j.DeviceMapper}: {@link io.dm4j.internal.ioctl.DmIoctl}
 * encodes requests and decodes replies of {@code struct dm_ioctl} and its payloads, laid out as in
 * {@code <linux/dm-ioctl.h>}; {@link io.dm4j.internal.ioctl.Validation} holds names, uuids, event numbers
 * and tables to the kernel's rules before anything is encoded; {@link io.dm4j.internal.ioctl.KeyMask}
 * hides the keys in table replies as {@code dmsetup table} does. Programs use
 * {@link io.dm4j.DeviceMapper}, whose {@code check*} methods expose the same rules.
 */
package io.dm4j.internal.ioctl;
