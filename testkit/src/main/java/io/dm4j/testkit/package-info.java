/**
 * Testing code that uses dm4j against the real kernel: annotate a test class or method with
 * {@link io.dm4j.testkit.RequiresDeviceMapper} and take what it needs as parameters, a
 * {@link io.dm4j.DeviceMapper}, a {@link io.dm4j.registry.TableRegistry}, {@link io.dm4j.testkit.DeviceNames}
 * and {@link io.dm4j.testkit.Scratch} disks. See {@link io.dm4j.testkit.DeviceMapperExtension}.
 *
 * <p>Testing it without root or a kernel: {@link io.dm4j.testkit.SimulatedKernel}, an in-memory
 * device-mapper that a {@link io.dm4j.DeviceMapper} opens like the real one. dm4j's build runs one
 * contract suite against both and lists where they differ in its Javadoc.
 */
package io.dm4j.testkit;
