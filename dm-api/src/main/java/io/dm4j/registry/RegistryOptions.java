package io.dm4j.registry;

import java.time.Duration;

/**
 * How a {@link TableRegistry} behaves.
 *
 * @param tracking what it records about holders
 * @param leakDetection whether a {@link TableRef} or {@link DeviceChannel} that is garbage
 *     collected without being closed is reported and its hold released
 * @param destroyTimeout how long a load, resume, clear or close waits for a replaced table's
 *     holders before it gives up
 */
public record RegistryOptions(HolderTracking tracking, boolean leakDetection, Duration destroyTimeout) {

    /** Checks the options: a tracking level, and a destroy timeout of zero or more. */
    public RegistryOptions {
        if (tracking == null) {
            throw new io.dm4j.InvalidArgumentException("tracking", "must not be null");
        }
        if (destroyTimeout == null || destroyTimeout.isNegative()) {
            throw new io.dm4j.InvalidArgumentException("destroyTimeout", "must be a duration of zero or more, got "
                    + destroyTimeout);
        }
    }

    /**
     * Holder threads tracked (a timed-out destroy names them; acquire+release costs about 50 ns
     * instead of about 23 ns with {@link HolderTracking#COUNT}), leak detection off (a Cleaner
     * registration per reference costs about 25 times the acquire itself: turn it on while
     * hunting a leak), 30 s to drain. Figures: benchmarks/RESULTS.md.
     */
    public static RegistryOptions defaults() {
        return new RegistryOptions(HolderTracking.THREADS, false, Duration.ofSeconds(30));
    }

    /** The same options with another tracking level. */
    public RegistryOptions tracking(HolderTracking value) {
        return new RegistryOptions(value, leakDetection, destroyTimeout);
    }

    /** The same options with leak detection on or off. */
    public RegistryOptions leakDetection(boolean value) {
        return new RegistryOptions(tracking, value, destroyTimeout);
    }

    /** The same options with another destroy timeout. */
    public RegistryOptions destroyTimeout(Duration value) {
        return new RegistryOptions(tracking, leakDetection, value);
    }
}
