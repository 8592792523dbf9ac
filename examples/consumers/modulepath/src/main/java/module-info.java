/** A modular dm4j program: io.dm4j brings io.dm4j.sys, and the JNA backend is bound as a service. */
module com.example.modulepath {
    requires io.dm4j;
}
