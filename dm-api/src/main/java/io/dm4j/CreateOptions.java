package io.dm4j;

import io.dm4j.internal.ioctl.Validation;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How to create a device: {@code CreateOptions.defaults().uuid("...").minor(42)}.
 *
 * @param uuid the device's uuid, if any
 * @param minor a fixed minor number, if any; otherwise the kernel picks one
 * @param visibility what udev rules see of the device. A create itself sends no uevent, so
 *     {@link DeviceMapper#create(String, CreateOptions)} does not use it (pass it to each
 *     {@code resume}, {@code rename} and {@code setUuid} instead); a
 *     {@link io.dm4j.registry.TableRegistry} keeps it and passes it on every one of those it makes
 *     for the device
 */
public record CreateOptions(Optional<String> uuid, OptionalInt minor, Visibility visibility) {

    public CreateOptions {
        if (uuid == null || minor == null || visibility == null) {
            throw new InvalidArgumentException("create options", "uuid, minor and visibility must not be null");
        }
    }

    /** No uuid, any minor, {@link Visibility#PUBLIC}. */
    public static CreateOptions defaults() {
        return new CreateOptions(Optional.empty(), OptionalInt.empty(), Visibility.PUBLIC);
    }

    /** The same options with a uuid. */
    public CreateOptions uuid(String value) {
        Validation.checkUuid(value);
        return new CreateOptions(Optional.of(value), minor, visibility);
    }

    /** The same options with a fixed minor number. */
    public CreateOptions minor(int value) {
        if (value < 0 || value > 0xfffff) {
            throw new InvalidArgumentException("minor", "must be 0..1048575, got " + value);
        }
        return new CreateOptions(uuid, OptionalInt.of(value), visibility);
    }

    /** The same options with another visibility. */
    public CreateOptions visibility(Visibility value) {
        return new CreateOptions(uuid, minor, value);
    }
}
