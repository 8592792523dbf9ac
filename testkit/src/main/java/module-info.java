/**
 * dm4j's testkit: a JUnit Jupiter extension for tests of programs that use dm4j
 * ({@link io.dm4j.testkit.RequiresDeviceMapper}, {@link io.dm4j.testkit.DeviceMapperExtension}),
 * with scratch loop devices ({@link io.dm4j.testkit.ScratchDisk}), per-test device names
 * ({@link io.dm4j.testkit.DeviceNames}) and a check that each test leaves none of its devices behind;
 * and an in-memory device-mapper for unit tests without root ({@link io.dm4j.testkit.SimulatedKernel}).
 */
module io.dm4j.testkit {
    requires transitive io.dm4j;
    requires transitive org.junit.jupiter.api;

    exports io.dm4j.testkit;
}
