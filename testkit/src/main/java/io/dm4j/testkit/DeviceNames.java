package io.dm4j.testkit;

import io.dm4j.DeviceMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Device names for one test: each starts with the run's prefix (system property
 * {@code dm4j.test.prefix}, by default {@code dm4jt} and this JVM's process id) and a part unique
 * to the test, so tests running side by side, or another program's devices, never share a name.
 * After the test, {@link DeviceMapperExtension} removes any device that still has one of them (or
 * any name under {@link #prefix()}) and fails the test.
 *
 * <p>Thread-safe.
 */
public final class DeviceNames {
    /** The run's prefix: the same property dm4j's own ITs use, so one run's devices share it. */
    static final String RUN_PREFIX = System.getProperty("dm4j.test.prefix",
            "dm4jt" + Long.toHexString(ProcessHandle.current().pid()) + "-");

    private static final AtomicLong TESTS = new AtomicLong();

    private final String prefix;
    private final Map<String, Integer> bySuffix = new HashMap<>();
    private final List<String> handedOut = new ArrayList<>();

    DeviceNames(String prefix) {
        DeviceMapper.checkName(prefix);
        this.prefix = prefix;
    }

    /** Names for the next test of this run. */
    static DeviceNames forNextTest() {
        return new DeviceNames(RUN_PREFIX + "t" + TESTS.incrementAndGet() + "-");
    }

    /**
     * A new name ending in {@code suffix}, e.g. {@code dm4jt1f2e-t7-pool}; asked again for the same
     * suffix it adds a counter ({@code -pool-2}), so every name it gives is new.
     *
     * @param suffix what the device is, e.g. {@code pool}
     * @return the name
     *
     * @throws io.dm4j.InvalidArgumentException if the name is not one device-mapper accepts
     *     ({@link DeviceMapper#checkName(String)}), e.g. the suffix has a {@code '/'} or makes it
     *     longer than 127 bytes
     */
    public synchronized String next(String suffix) {
        if (suffix.isEmpty()) {
            throw new IllegalArgumentException("a device name suffix must not be empty");
        }
        int n = bySuffix.merge(suffix, 1, Integer::sum);
        String name = prefix + suffix + (n == 1 ? "" : "-" + n);
        DeviceMapper.checkName(name);
        handedOut.add(name);
        return name;
    }

    /**
     * {@return the start of every name this gives, unique to the test} For
     * {@link DeviceMapper#list(String, String)}, or names made some other way that the leak check
     * should cover too.
     */
    public String prefix() {
        return prefix;
    }

    /** The names {@link #next} gave, in order. */
    synchronized List<String> handedOut() {
        return List.copyOf(handedOut);
    }

    @Override
    public String toString() {
        return "DeviceNames[" + prefix + "]";
    }
}
