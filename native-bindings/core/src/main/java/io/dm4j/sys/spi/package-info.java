/**
 * The service interface behind {@link io.dm4j.sys.Syscalls}: what a native backend implements
 * ({@link io.dm4j.sys.spi.NativeBackend}, the raw calls returning {@code -errno}) and how it is found
 * ({@link io.dm4j.sys.spi.BackendProvider}). For backend modules; applications use {@code Syscalls}
 * and never this package.
 */
package io.dm4j.sys.spi;
