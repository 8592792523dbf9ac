package io.dm4j.registry;

import io.dm4j.DeviceNumber;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The registry's hot path: {@code try (TableRef r = registry.acquire(name)) {...}} on a live
 * table, the public method as programs call it. The device is registered directly (package
 * access), so no kernel is needed; acquire and release touch no kernel anyway.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class RegistryBench {
    @Param({"COUNT", "THREADS"})
    public HolderTracking tracking;

    @Param({"false", "true"})
    public boolean leakDetection;

    private TableRegistry registry;

    @Setup
    public void setUp() throws java.io.IOException {
        registry = new TableRegistry(null, new RegistryOptions(tracking, leakDetection, Duration.ofSeconds(5)));
        registry.manageForBenchmark("bench", new DeviceNumber(254, 0), List.of(new TargetLine(0, 2048, "zero", "")));
    }

    @Benchmark
    public TableSlot acquireRelease() throws RegistryException {
        try (TableRef ref = registry.acquire("bench")) {
            return ref.slot();
        }
    }
}
