package io.dm4j.registry;

/**
 * Another program renamed the managed device behind the registry's back. The registry noticed
 * when it touched the device by its old name, and follows the rename: the device is managed
 * under {@link #newName()}, with its tables and holders. The operation asked for was not done.
 */
public class DeviceRenamedException extends NotManagedException {
    private static final long serialVersionUID = 1L;

    private final String newName;

    DeviceRenamedException(String device, String newName, Throwable cause) {
        super(device, "was renamed to " + newName + " by another program; the registry now manages it by that name",
                cause);
        this.newName = newName;
    }

    /** The name the device has now. */
    public String newName() {
        return newName;
    }
}
