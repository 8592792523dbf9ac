package io.dm4j.sys.jna;

import io.dm4j.sys.spi.NativeBackend;

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

        static native int mknod(byte[] path, int mode, long dev) throws LastErrorException;

        static native int ioctl(int fd, long request, long address) throws LastErrorException;

        static native int poll(long fds, long count, int timeout) throws LastErrorException;

        static native int eventfd(int initialValue, int flags) throws LastErrorException;

        static native long read(int fd, long address, long count) throws LastErrorException;

        static native long write(int fd, long address, long count) throws LastErrorException;

        static native int semget(int key, int count, int flags) throws LastErrorException;

        static native int semctl(int semid, int semaphore, int command, long argument) throws LastErrorException;

        static native int semtimedop(int semid, long sembuf, long count, long timeout) throws LastErrorException;

        static native int socket(int domain, int type, int protocol) throws LastErrorException;

        static native int bind(int fd, long address, int length) throws LastErrorException;

        static native int setsockopt(int fd, int level, int option, long value, int length)
                throws LastErrorException;
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
    protected int rawOpen(byte[] path, int flags) {
        try {
            return LibC.open(path, flags, 0);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected int rawMknod(byte[] path, int mode, long dev) {
        try {
            return LibC.mknod(path, mode, dev);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected int rawClose(int fd) {
        try {
            return LibC.close(fd);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    private static long address(ByteBuffer buffer) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(buffer)) + buffer.position();
    }

    @Override
    protected int rawIoctl(int fd, long request, ByteBuffer argument) {
        try {
            return LibC.ioctl(fd, request, address(argument));
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected int rawPoll(ByteBuffer pollfds, int count, int timeoutMillis) {
        try {
            return LibC.poll(address(pollfds), count, timeoutMillis);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected int rawEventfd(int initialValue, int flags) {
        try {
            return LibC.eventfd(initialValue, flags);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected long rawRead(int fd, ByteBuffer buffer) {
        try {
            return LibC.read(fd, address(buffer), buffer.remaining());
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected long rawWrite(int fd, ByteBuffer buffer) {
        try {
            return LibC.write(fd, address(buffer), buffer.remaining());
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected int rawSemget(int key, int count, int flags) {
        try {
            return LibC.semget(key, count, flags);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected int rawSemctl(int semid, int semaphore, int command, int argument) {
        try {
            return LibC.semctl(semid, semaphore, command, argument);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected int rawSemtimedop(int semid, ByteBuffer sembufAndTimeout, boolean withTimeout) {
        long base = address(sembufAndTimeout);
        try {
            return LibC.semtimedop(semid, base, 1, withTimeout ? base + TIMESPEC_OFFSET : 0L);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected int rawSocket(int domain, int type, int protocol) {
        try {
            return LibC.socket(domain, type, protocol);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected int rawBind(int fd, ByteBuffer address) {
        try {
            return LibC.bind(fd, address(address), address.remaining());
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    @Override
    protected int rawSetsockopt(int fd, int level, int option, ByteBuffer value) {
        try {
            return LibC.setsockopt(fd, level, option, address(value), value.remaining());
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }
}
