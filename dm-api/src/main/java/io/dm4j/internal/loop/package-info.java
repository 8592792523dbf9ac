/**
 * Internal to dm4j, not API: exported only to the testkit, and free to change in any release.
 * Loop devices over files through the loop driver's ioctls (attach with auto-clear, detach, check),
 * for the testkit's scratch disks and dm4j's own tests, so that none of them runs {@code losetup}.
 */
package io.dm4j.internal.loop;
