/**
 * Internal to dm4j, not API: not exported, and free to change in any release. LVM2's udev cookie
 * protocol, by which {@link io.dm4j.DeviceMapper} waits under {@link io.dm4j.NodePolicy#UDEV}
 * until udev has finished with the uevent of a resume, remove, rename or uuid change: a SysV
 * semaphore whose key travels in the ioctl and which udev's rules release, and the udev flags that
 * {@link io.dm4j.Visibility} and the node policy put beside it. Programs see each wait as a
 * {@link io.dm4j.UdevSync} through {@link io.dm4j.DeviceMapper#onUdevSync}.
 */
package io.dm4j.internal.udev;
