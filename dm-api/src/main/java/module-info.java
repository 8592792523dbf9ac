/**
 * dm4j: Linux device-mapper through its ioctls. {@link io.dm4j.DeviceMapper} is the client;
 * {@link io.dm4j.registry.TableRegistry} manages table lifetimes on top of it. On JDK 22+ run with
 * {@code --enable-native-access=io.dm4j.sys}; on JDK 17 and 21 add the module {@code io.dm4j.sys.jnr}
 * or {@code io.dm4j.sys.jna} (artifacts {@code dm4j-native-jnr}, {@code dm4j-native-jna}) to the
 * module path, or their jars to the class path.
 */
module io.dm4j {
    requires transitive io.dm4j.sys;

    exports io.dm4j;
    exports io.dm4j.event;
    exports io.dm4j.message;
    exports io.dm4j.registry;
    exports io.dm4j.status;
    exports io.dm4j.target;
    // Loop devices for the testkit's scratch disks; not API.
    exports io.dm4j.internal.loop to io.dm4j.testkit;
}
