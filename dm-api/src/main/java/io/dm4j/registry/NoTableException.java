package io.dm4j.registry;

import io.dm4j.TableSlot;

/** The requested table slot of the device is empty. */
public class NoTableException extends RegistryException {
    private static final long serialVersionUID = 1L;

    NoTableException(String device, TableSlot slot) {
        super(device, "has no " + slot.name().toLowerCase(java.util.Locale.ROOT) + " table");
    }
}
