/** The jnr-ffi backend of dm4j's native layer, for JDK 17 and 21 (JDK 22+ uses FFM). */
module io.dm4j.sys.jnr {
    requires io.dm4j.sys;
    requires org.jnrproject.ffi;

    provides io.dm4j.sys.spi.BackendProvider with io.dm4j.sys.jnr.JnrProvider;
}
