/**
 * dm4j's native layer: the few system calls device-mapper needs ({@link io.dm4j.sys.Syscalls}),
 * with errno captured as part of each call. On JDK 22+ the FFM backend in this module needs
 * {@code --enable-native-access=io.dm4j.sys}; on JDK 17 and 21 add the module {@code io.dm4j.sys.jnr}
 * or {@code io.dm4j.sys.jna} (artifacts {@code dm4j-native-jnr}, {@code dm4j-native-jna}) to the
 * module path, or their jars to the class path.
 */
module io.dm4j.sys {
    exports io.dm4j.sys;
    // The backend SPI, for the backend modules; open to all, since a backend jar may also sit on
    // the class path of an application that has dm4j on its module path.
    exports io.dm4j.sys.spi;

    uses io.dm4j.sys.spi.BackendProvider;

    provides io.dm4j.sys.spi.BackendProvider with io.dm4j.sys.ffm.FfmProvider;
}
