package io.dm4j.sys.jnr;

import io.dm4j.sys.spi.BackendProvider;
import io.dm4j.sys.spi.NativeBackend;

/** Finds the jnr-ffi backend, dm4j's fallback where FFM is missing (JDK 17 to 21). */
public final class JnrProvider implements BackendProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public JnrProvider() {}

    @Override
    public String name() {
        return "jnr";
    }

    @Override
    public int priority() {
        return 200;
    }

    @Override
    public NativeBackend create() throws ReflectiveOperationException {
        return new JnrBackend();
    }
}
