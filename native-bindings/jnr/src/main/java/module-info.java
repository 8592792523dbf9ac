/** The jnr-ffi backend of dm4j's native layer, for JDK 17 and 21 (JDK 22+ uses FFM). */
module io.dm4j.sys.jnr {
    requires io.dm4j.sys;
    requires org.jnrproject.ffi;
    // jnr-ffi is an automatic module and cannot say that it needs ASM: without these the module
    // system never loads the ASM it generates its bindings with.
    requires org.objectweb.asm;
    requires org.objectweb.asm.commons;
    requires org.objectweb.asm.tree;
    requires org.objectweb.asm.tree.analysis;
    requires org.objectweb.asm.util;

    // jnr-ffi implements JnrBackend.LibC with a class it makes in an unnamed module.
    exports io.dm4j.sys.jnr;

    provides io.dm4j.sys.spi.BackendProvider with io.dm4j.sys.jnr.JnrProvider;
}
