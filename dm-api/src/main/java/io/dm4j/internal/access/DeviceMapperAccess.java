package io.dm4j.internal.access;

import io.dm4j.DeviceMapper;
import io.dm4j.DmCommand;
import io.dm4j.DmVersion;
import io.dm4j.UnsupportedCommandException;

/**
 * What dm4j's other packages reach of a {@link DeviceMapper} beyond its public methods: the event
 * monitor polls the client's control descriptor and refuses kernels without global events the way
 * the client refuses a missing feature. {@link DeviceMapper} hands over its {@link Accessor} when
 * its class is initialized, so one is set before any client exists.
 *
 * <p>Internal to dm4j, not API: public only for dm4j's own packages; it may change in any release.
 */
public final class DeviceMapperAccess {
    /** {@link DeviceMapper}'s non-public parts, as its other packages need them. */
    public interface Accessor {
        /** The control descriptor the client issues its ioctls on. */
        int controlFd(DeviceMapper dm);

        /** Refuses, before any ioctl, a feature the kernel's interface version does not have. */
        void requireFeature(DeviceMapper dm, DmCommand command, String device, DmVersion needed, String feature)
                throws UnsupportedCommandException;
    }

    private static volatile Accessor accessor;

    private DeviceMapperAccess() {}

    /** Called by {@link DeviceMapper} alone; a second call fails, so nobody can replace it. */
    public static synchronized void set(Accessor a) {
        if (accessor != null) {
            throw new IllegalStateException("DeviceMapper's accessor is already set");
        }
        accessor = a;
    }

    /** The accessor; whoever holds a {@link DeviceMapper} finds it set. */
    public static Accessor get() {
        return accessor;
    }
}
