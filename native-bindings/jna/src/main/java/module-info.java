/** The JNA backend of dm4j's native layer, for JDK 17 and 21 (JDK 22+ uses FFM). */
module io.dm4j.sys.jna {
    requires io.dm4j.sys;
    requires com.sun.jna;

    provides io.dm4j.sys.spi.BackendProvider with io.dm4j.sys.jna.JnaProvider;
}
