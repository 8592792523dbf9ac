/**
 * Internal to dm4j, not API: not exported, and free to change in any release. The one way dm4j's
 * own packages reach non-public parts of {@link io.dm4j.DeviceMapper} across package boundaries
 * (as {@code jdk.internal.access} does for the JDK): the event monitor in {@link io.dm4j.event}
 * polls the client's control descriptor through it. Programs have nothing to do with it.
 */
package io.dm4j.internal.access;
