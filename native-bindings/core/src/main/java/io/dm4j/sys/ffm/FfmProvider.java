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
        Class<?> backend;
        try {
            // Reflection, because on the JDK this class is compiled for the backend does not exist.
            backend = Class.forName(FfmProvider.class.getPackageName() + ".FfmBackend");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the FFM classes are missing: they sit under META-INF/versions/22 of "
                    + "dm4j-native-bindings, which must stay a multi-release jar (a shaded or repacked jar needs "
                    + "'Multi-Release: true' in its manifest)", e);
        }
        return (NativeBackend) backend.getDeclaredConstructor().newInstance();
    }
}
