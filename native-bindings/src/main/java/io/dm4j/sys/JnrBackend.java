package io.dm4j.sys;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;

/** jnr-ffi binding; {@code @SaveError} makes jnr store errno per thread as part of the call. */
final class JnrBackend extends NativeBackend {

    /** The libc functions, bound by jnr-ffi. Public only because jnr generates its implementation. */
    public interface LibC {
        @SaveError
        int open(@In byte[] path, int flags, int mode);

        @SaveError
        int close(int fd);

        @SaveError
        int ioctl(int fd, long request, long address);
    }

    private final LibC libc;
    private final Runtime runtime;

    JnrBackend() {
        libc = LibraryLoader.create(LibC.class).load("c");
        runtime = Runtime.getRuntime(libc);
    }

    @Override
    public String backend() {
        return "jnr";
    }

    @Override
    int rawOpen(byte[] path, int flags) {
        int r = libc.open(path, flags, 0);
        return r < 0 ? -runtime.getLastError() : r;
    }

    @Override
    int rawClose(int fd) {
        int r = libc.close(fd);
        return r < 0 ? -runtime.getLastError() : r;
    }

    @Override
    int rawIoctl(int fd, long request, ByteBuffer argument) {
        // jnr's pointer to a direct buffer already starts at its position.
        long address = runtime.getMemoryManager().newPointer(argument).address();
        int r = libc.ioctl(fd, request, address);
        return r < 0 ? -runtime.getLastError() : r;
    }
}
