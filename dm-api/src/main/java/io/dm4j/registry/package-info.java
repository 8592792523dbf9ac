/**
 * The table registry, for programs that share device-mapper devices across threads: a
 * {@link io.dm4j.registry.TableRegistry} over a {@link io.dm4j.DeviceMapper} creates, loads,
 * resumes and removes the devices it manages (or adopts from the kernel), and hands out
 * {@link io.dm4j.registry.TableRef}s that keep a table from being destroyed while they are held.
 * Each table is destroyed exactly once, when nobody holds it any more; a remove waits for holders,
 * retries while the kernel says busy, and returns a {@link io.dm4j.registry.RemoveResult} only
 * when the device is really gone. When other programs change the kernel underneath, the registry
 * follows or forgets the device and says so, with typed
 * {@link io.dm4j.registry.RegistryException}s and the {@link io.dm4j.registry.Drift}s that
 * {@link io.dm4j.registry.TableRegistry#reconcile()} reports.
 *
 * <pre>{@code
 * try (DeviceMapper dm = DeviceMapper.open(); TableRegistry registry = TableRegistry.open(dm)) {
 *     registry.create("vol0", CreateOptions.defaults(), List.of(new TargetLine(0, 2048, "linear", "7:0 0")));
 *     try (TableRef ref = registry.acquire("vol0")) {   // the table cannot be destroyed meanwhile
 *         System.out.println(ref.lines());
 *     }
 *     RemoveResult gone = registry.remove("vol0");       // waits for holders; returns when really gone
 * }
 * }</pre>
 */
package io.dm4j.registry;
