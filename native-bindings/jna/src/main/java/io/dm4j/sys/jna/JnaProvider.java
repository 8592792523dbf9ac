package io.dm4j.sys.jna;

import io.dm4j.sys.spi.BackendProvider;
import io.dm4j.sys.spi.NativeBackend;

/** Finds the JNA backend, dm4j's fallback where FFM is missing (JDK 17 to 21). */
public final class JnaProvider implements BackendProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public JnaProvider() {}

    @Override
    public String name() {
        return "jna";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public NativeBackend create() throws ReflectiveOperationException {
        return new JnaBackend();
    }
}
