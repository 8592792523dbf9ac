package io.dm4j;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * How to create a device: {@code CreateOptions.defaults().uuid("...").minor(42)}.
 *
 * @param uuid the device's uuid, if any
 * @param minor a fixed minor number, if any; otherwise the kernel picks one
 */
public record CreateOptions(Optional<String> uuid, OptionalInt minor) {

    /** No uuid, any minor. */
    public static CreateOptions defaults() {
        return new CreateOptions(Optional.empty(), OptionalInt.empty());
    }

    /** The same options with a uuid. */
    public CreateOptions uuid(String value) {
        Validation.checkUuid(value);
        return new CreateOptions(Optional.of(value), minor);
    }

    /** The same options with a fixed minor number. */
    public CreateOptions minor(int value) {
        if (value < 0 || value > 0xfffff) {
            throw new InvalidArgumentException("minor", "must be 0..1048575, got " + value);
        }
        return new CreateOptions(uuid, OptionalInt.of(value));
    }
}
