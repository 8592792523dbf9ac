/**
 * Internal to dm4j, not API: not exported, and free to change in any release. The kernel log
 * ({@code /dev/kmsg}), read for device-mapper's own lines: the kernel says why it rejected a
 * table only there, so {@link io.dm4j.DeviceMapper#load} puts its recent lines into the
 * {@link io.dm4j.TableRejectedException} it raises. Programs read them from that exception.
 */
package io.dm4j.internal.kmsg;
