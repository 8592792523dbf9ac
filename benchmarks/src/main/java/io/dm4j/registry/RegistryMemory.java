package io.dm4j.registry;

import io.dm4j.DeviceNumber;
import io.dm4j.TargetLine;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Retained heap of a registry managing many devices, each with a live table of one linear target
 * line, registered through package access as {@link RegistryBench} does (no kernel). For each
 * holder-tracking level, in this JVM: heap used after full GCs, before and after building the
 * registry, with the registry still reachable; the smallest of several rounds.
 *
 * <p>Everything the registry keeps per device is counted: the device and table objects, the name
 * string, the {@link DeviceNumber}, the table line and its parameter string (the target type
 * string is one shared literal, as a constant in a program would be). Run in a JVM of its own
 * (benchmarks/run does), so that no benchmark garbage is around.
 *
 * <p>Usage: {@code RegistryMemory [DEVICES [ROUNDS]]}; prints one tab-separated line per level:
 * {@code memory TRACKING DEVICES RETAINED_BYTES BYTES_PER_DEVICE}.
 */
public final class RegistryMemory {
    private RegistryMemory() {}

    public static void main(String[] args) {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        // Warm-up: load and initialize every class the measured rounds use.
        for (HolderTracking t : HolderTracking.values()) {
            build(t, 100);
        }
        for (HolderTracking tracking : new HolderTracking[] {HolderTracking.COUNT, HolderTracking.THREADS}) {
            long best = Long.MAX_VALUE;
            for (int r = 0; r < rounds; r++) {
                best = Math.min(best, retained(memory, tracking, devices));
            }
            System.out.printf(Locale.ROOT, "memory\t%s\t%d\t%d\t%.1f%n", tracking, devices, best,
                    (double) best / devices);
        }
    }

    /** One round; the registry is a local of this frame only, so that it is garbage afterwards. */
    private static long retained(MemoryMXBean memory, HolderTracking tracking, int devices) {
        long before = usedAfterGc(memory);
        TableRegistry registry = build(tracking, devices);
        long after = usedAfterGc(memory);
        if (registry.devices().size() != devices) {
            throw new IllegalStateException("registry lost devices");
        }
        Reference.reachabilityFence(registry);
        return after - before;
    }

    static TableRegistry build(HolderTracking tracking, int devices) {
        TableRegistry registry = new TableRegistry(null, new RegistryOptions(tracking, false, Duration.ofSeconds(30)));
        long sectors = 2048;
        for (int i = 0; i < devices; i++) {
            try {
                registry.manageForBenchmark(String.format("dm4j-mem-%05d", i), new DeviceNumber(253, i),
                        List.of(new TargetLine(0, sectors, "linear", "7:0 " + i * sectors)));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return registry;
    }

    /** Heap in use after full collections, once it stops shrinking. */
    private static long usedAfterGc(MemoryMXBean memory) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (now >= used && i >= 3) {
                return Math.min(now, used);
            }
            used = Math.min(used, now);
        }
        return used;
    }
}
