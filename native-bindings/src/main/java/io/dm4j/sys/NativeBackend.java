package io.dm4j.sys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What the three backends share. A backend only performs the raw call and reports the errno;
 * argument checks and error reporting happen here, once, so the backends cannot drift apart.
 */
abstract class NativeBackend implements Syscalls {
    static final int O_CLOEXEC = 02000000;

    /**
     * Raw {@code open}.
     *
     * @param path NUL-terminated path bytes
     * @return the descriptor, or {@code -errno} on failure
     */
    abstract int rawOpen(byte[] path, int flags);

    /** Raw {@code close}: 0, or {@code -errno} on failure. */
    abstract int rawClose(int fd);

    /** Raw {@code ioctl} on the address of the buffer's position: the result, or {@code -errno}. */
    abstract int rawIoctl(int fd, long request, ByteBuffer argument);

    @Override
    public final int open(String path, int flags) throws ErrnoException {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        byte[] cPath = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, cPath, 0, bytes.length);
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("path contains a NUL byte: " + path.replace("\0", "\\0"));
            }
        }
        int fd = rawOpen(cPath, flags | O_CLOEXEC);
        if (fd < 0) {
            throw new ErrnoException("open", path, -fd);
        }
        return fd;
    }

    @Override
    public final void close(int fd) throws ErrnoException {
        int r = rawClose(fd);
        if (r < 0) {
            throw new ErrnoException("close", "fd " + fd, -r);
        }
    }

    @Override
    public final int ioctl(int fd, long request, ByteBuffer argument) throws ErrnoException {
        if (!argument.isDirect()) {
            throw new IllegalArgumentException("ioctl needs a direct buffer");
        }
        int r = rawIoctl(fd, request, argument);
        if (r < 0) {
            throw new ErrnoException("ioctl", "fd " + fd + ", request 0x" + Long.toHexString(request), -r);
        }
        return r;
    }

    @Override
    public String toString() {
        return "Syscalls[" + backend() + "]";
    }
}
