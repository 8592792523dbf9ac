/**
 * Internal to dm4j, not API: not exported, and free to change in any release. The
 * {@code /dev/mapper} nodes of devices: who makes them ({@link io.dm4j.NodePolicy#AUTO} decided
 * from the environment), and, under {@link io.dm4j.NodePolicy#LIBRARY}, making, moving and removing
 * them as {@link io.dm4j.DeviceMapper} resumes, renames and removes devices, with every path held
 * inside {@code /dev/mapper} whatever the device's name. Programs choose a policy when they open a
 * {@link io.dm4j.DeviceMapper} and call its {@code mknodes} methods.
 */
package io.dm4j.internal.nodes;
