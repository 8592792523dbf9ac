package io.dm4j.status;

import java.util.List;

/**
 * The status of a {@code striped} target, printed by {@code stripe_status()} in
 * {@code dm-stripe.c}.
 *
 * @param devices the stripes' devices, {@code major:minor}, in table order
 * @param health for each device, whether an I/O error was seen on it
 */
public record StripedStatus(List<String> devices, List<Health> health) implements StatusReport {

    /** The kernel's target type name. */
    public static final String TYPE = "striped";

    /** Checks the fields for consistency. */
    public StripedStatus {
        devices = Checks.list("devices", devices);
        health = Checks.perDevice("health", health, devices.size());
    }

    /**
     * Parses the status text of a striped target.
     *
     * @throws StatusParseException if the text does not have the striped form
     */
    public static StripedStatus parse(String text) {
        Tokens t = new Tokens(TYPE, text);
        List<String> devices = t.counted("stripes");
        List<String> letters = t.counted("health");
        if (letters.size() != 1) {
            throw t.error("health", "expected one word of letters, got " + letters.size());
        }
        List<Health> health = t.letters("health", letters.get(0), Words.STRIPE_HEALTH);
        return t.build(() -> new StripedStatus(devices, health));
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** A stripe device's health letter. */
    public enum Health {
        /** {@code A}: no I/O error seen. */
        ALIVE,
        /** {@code D}: I/O errors seen. */
        DEAD
    }
}
