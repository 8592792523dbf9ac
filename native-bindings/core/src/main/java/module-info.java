/**
 * dm4j's native layer: the few system calls device-mapper needs ({@link io.dm4j.sys.Syscalls}),
 * with errno captured as part of each call. On JDK 22+ the FFM backend in this module needs
 * {@code --enable-native-access=io.dm4j.sys}; on JDK 17 and 21 add {@code io.dm4j.sys.jnr} or
 * {@code io.dm4j.sys.jna}.
 */
module io.dm4j.sys {
    exports io.dm4j.sys;
    // The backend SPI is for dm4j's own backend modules only.
    exports io.dm4j.sys.spi to io.dm4j.sys.jnr, io.dm4j.sys.jna;

    uses io.dm4j.sys.spi.BackendProvider;

    provides io.dm4j.sys.spi.BackendProvider with io.dm4j.sys.ffm.FfmProvider;
}
