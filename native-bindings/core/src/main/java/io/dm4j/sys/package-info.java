/**
 * The system calls dm4j makes ({@link io.dm4j.sys.Syscalls}) and how their failures are reported
 * ({@link io.dm4j.sys.ErrnoException}, {@link io.dm4j.sys.Errno}). Applications rarely need more
 * from here than {@link io.dm4j.sys.Syscalls#get()} to pick a backend explicitly.
 */
package io.dm4j.sys;
