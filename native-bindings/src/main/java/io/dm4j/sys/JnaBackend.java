package io.dm4j.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;

/** JNA direct mapping; errno arrives with {@link LastErrorException}, thrown by the call itself. */
final class JnaBackend extends NativeBackend {

    private static final class LibC {
        static {
            Native.register(LibC.class, NativeLibrary.getInstance("c"));
        }

        static native int open(byte[] path, int flags, int mode) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native int ioctl(int fd, long request, long address) throws LastErrorException;
    }

    JnaBackend() throws ClassNotFoundException {
        // Register now, so that an unusable JNA shows as "unavailable" when backends are chosen.
        Class.forName(LibC.class.getName(), true, JnaBackend.class.getClassLoader());
    }

    @Override
    public String backend() {
        return "jna";
    }

    @Override
    int rawOpen(byte[] path, int flags) {
        try {
            return LibC.open(path, flags, 0);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    int rawClose(int fd) {
        try {
            return LibC.close(fd);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    int rawIoctl(int fd, long request, ByteBuffer argument) {
        long address = Pointer.nativeValue(Native.getDirectBufferPointer(argument)) + argument.position();
        try {
            return LibC.ioctl(fd, request, address);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }
}
