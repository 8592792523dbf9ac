package io.dm4j.sys.jnr;

import io.dm4j.sys.spi.NativeBackend;

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
        int mknod(@In byte[] path, int mode, long dev);

        @SaveError
        int ioctl(int fd, long request, long address);

        @SaveError
        int poll(long fds, long count, int timeout);

        @SaveError
        int eventfd(int initialValue, int flags);

        @SaveError
        long read(int fd, long address, long count);

        @SaveError
        long write(int fd, long address, long count);

        @SaveError
        int semget(int key, int count, int flags);

        @SaveError
        int semctl(int semid, int semaphore, int command, long argument);

        @SaveError
        int semtimedop(int semid, long sembuf, long count, long timeout);

        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int bind(int fd, long address, int length);

        @SaveError
        int setsockopt(int fd, int level, int option, long value, int length);
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
    protected int rawOpen(byte[] path, int flags) {
        return check(libc.open(path, flags, 0));
    }

    @Override
    protected int rawMknod(byte[] path, int mode, long dev) {
        return check(libc.mknod(path, mode, dev));
    }

    @Override
    protected int rawClose(int fd) {
        return check(libc.close(fd));
    }

    /** jnr's pointer to a direct buffer already starts at the buffer's position. */
    private long address(ByteBuffer buffer) {
        return runtime.getMemoryManager().newPointer(buffer).address();
    }

    private int check(int r) {
        return r < 0 ? -runtime.getLastError() : r;
    }

    private long check(long r) {
        return r < 0 ? -runtime.getLastError() : r;
    }

    @Override
    protected int rawIoctl(int fd, long request, ByteBuffer argument) {
        return check(libc.ioctl(fd, request, address(argument)));
    }

    @Override
    protected int rawPoll(ByteBuffer pollfds, int count, int timeoutMillis) {
        return check(libc.poll(address(pollfds), count, timeoutMillis));
    }

    @Override
    protected int rawEventfd(int initialValue, int flags) {
        return check(libc.eventfd(initialValue, flags));
    }

    @Override
    protected long rawRead(int fd, ByteBuffer buffer) {
        return check(libc.read(fd, address(buffer), buffer.remaining()));
    }

    @Override
    protected long rawWrite(int fd, ByteBuffer buffer) {
        return check(libc.write(fd, address(buffer), buffer.remaining()));
    }

    @Override
    protected int rawSemget(int key, int count, int flags) {
        return check(libc.semget(key, count, flags));
    }

    @Override
    protected int rawSemctl(int semid, int semaphore, int command, int argument) {
        return check(libc.semctl(semid, semaphore, command, argument));
    }

    @Override
    protected int rawSemtimedop(int semid, ByteBuffer sembufAndTimeout, boolean withTimeout) {
        long base = address(sembufAndTimeout);
        return check(libc.semtimedop(semid, base, 1, withTimeout ? base + TIMESPEC_OFFSET : 0L));
    }

    @Override
    protected int rawSocket(int domain, int type, int protocol) {
        return check(libc.socket(domain, type, protocol));
    }

    @Override
    protected int rawBind(int fd, ByteBuffer address) {
        return check(libc.bind(fd, address(address), address.remaining()));
    }

    @Override
    protected int rawSetsockopt(int fd, int level, int option, ByteBuffer value) {
        return check(libc.setsockopt(fd, level, option, address(value), value.remaining()));
    }
}
