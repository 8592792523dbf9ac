package io.dm4j.registry;

import java.util.List;

/** Other managed devices' tables use this device; remove them first (or use removeStack). */
public class DeviceInUseException extends RegistryException {
    private static final long serialVersionUID = 1L;

    private final List<String> users;

    DeviceInUseException(String device, List<String> users) {
        super(device, "is used by the table(s) of " + users + ": remove those first, or remove them together "
                + "with removeStack");
        this.users = List.copyOf(users);
    }

    /** The devices whose tables use it. */
    public List<String> users() {
        return users;
    }
}
