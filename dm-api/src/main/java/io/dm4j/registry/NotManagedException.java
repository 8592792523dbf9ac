package io.dm4j.registry;

/** The device is not managed by this registry: create or adopt it first. */
public class NotManagedException extends RegistryException {
    private static final long serialVersionUID = 1L;

    NotManagedException(String device) {
        this(device, "not managed by this registry: create it through the registry, or adopt it", null);
    }

    NotManagedException(String device, String message, Throwable cause) {
        super(device, message, false, cause);
    }
}
