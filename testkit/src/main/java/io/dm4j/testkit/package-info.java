/**
 * Testing code that uses dm4j against the real kernel: annotate a test class or method with
 * {@link io.dm4j.testkit.RequiresDeviceMapper} and take what it needs as parameters, a
 * {@link io.dm4j.DeviceMapper}, a {@link io.dm4j.registry.TableRegistry}, {@link io.dm4j.testkit.DeviceNames}
 * and {@link io.dm4j.testkit.Scratch} disks. See {@link io.dm4j.testkit.DeviceMapperExtension}.
 */
package io.dm4j.testkit;
