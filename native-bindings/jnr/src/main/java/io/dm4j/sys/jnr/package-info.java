/** Internal, not API: the jnr-ffi backend of {@link io.dm4j.sys.Syscalls}, found through {@link java.util.ServiceLoader}. */
package io.dm4j.sys.jnr;
