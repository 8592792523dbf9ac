package io.dm4j.sys.spi;

import io.dm4j.sys.Syscalls;

/**
 * A native backend that {@link java.util.ServiceLoader} can find. dm4j ships three: {@code ffm}
 * (in {@code dm4j-native-bindings}, JDK 22+), {@code jnr} ({@code dm4j-native-jnr}) and {@code jna}
 * ({@code dm4j-native-jna}). {@link Syscalls#get()} asks every provider on the class or module path,
 * best {@link #priority()} first, and uses the first whose {@link #create()} succeeds, so the choice
 * depends only on what is installed and this JVM, never on the order in which jars were found.
 */
public interface BackendProvider {

    /** The short name {@code -Ddm4j.native} takes, e.g. {@code jnr}. */
    String name();

    /** Higher is preferred when no backend is forced: ffm 300, jnr 200, jna 100. */
    int priority();

    /**
     * Binds the backend's native functions.
     *
     * @throws Exception (or a {@link LinkageError}) whose message says why the backend cannot be
     *     used on this JVM, for example a missing library or a JDK that is too old
     */
    NativeBackend create() throws Exception;
}
