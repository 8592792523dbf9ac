package io.dm4j.sys.ffm;

import io.dm4j.sys.spi.BackendProvider;
import io.dm4j.sys.spi.NativeBackend;

/**
 * Finds the FFM backend. The backend itself is compiled for Java 22 and sits under
 * {@code META-INF/versions/22} of this multi-release jar, so an older JDK never sees its classes.
 */
public final class FfmProvider implements BackendProvider {

    static final int MINIMUM_JDK = 22;

    /** Called by {@link java.util.ServiceLoader}. */
    public FfmProvider() {}

    @Override
    public String name() {
        return "ffm";
    }

    @Override
    public int priority() {
        return 300;
    }

    @Override
    public NativeBackend create() throws ReflectiveOperationException {
        int jdk = Runtime.version().feature();
        if (jdk < MINIMUM_JDK) {
            throw new UnsupportedOperationException("needs JDK " + MINIMUM_JDK + "+, running " + jdk);
        }
        // Reflection, because on the JDK this class is compiled for the backend does not exist.
        return (NativeBackend) Class.forName(FfmProvider.class.getPackageName() + ".FfmBackend")
                .getDeclaredConstructor().newInstance();
    }
}
