/** Internal, not API: the Foreign Function and Memory backend of {@link io.dm4j.sys.Syscalls}. */
package io.dm4j.sys.ffm;
