package io.dm4j.registry;

/**
 * Another program (dmsetup, LVM, a second registry) removed the managed device behind the
 * registry's back. The registry noticed when it touched the device, and forgot it: its tables
 * are destroyed once their holders close, and the devices beneath are released.
 */
public class DeviceVanishedException extends NotManagedException {
    private static final long serialVersionUID = 1L;

    DeviceVanishedException(String device, Throwable cause) {
        super(device, "was removed by another program; the registry has forgotten it", cause);
    }
}
