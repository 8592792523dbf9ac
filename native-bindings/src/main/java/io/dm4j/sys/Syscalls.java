package io.dm4j.sys;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The system calls dm4j needs, and nothing more. Every method may be called from many threads at
 * once; a failure raises {@link ErrnoException} with the errno captured together with the call.
 *
 * <p>Three implementations exist: FFM ({@code java.lang.foreign}, JDK 22+), jnr-ffi and JNA.
 * {@link #get()} returns the best available one (in that order) unless the system property
 * {@value #BACKEND_PROPERTY} names one. The FFM backend needs native access to be enabled
 * ({@code --enable-native-access=ALL-UNNAMED} on the class path).
 */
public interface Syscalls {

    /** System property that forces a backend: {@code ffm}, {@code jnr} or {@code jna}. */
    String BACKEND_PROPERTY = "dm4j.native";

    /** {@code open} flag: read only. */
    int O_RDONLY = 0;
    /** {@code open} flag: write only. */
    int O_WRONLY = 1;
    /** {@code open} flag: read and write. */
    int O_RDWR = 2;
    /** {@code open} flag: fail with {@code EEXIST} instead of creating over an existing file. */
    int O_EXCL = 0200;
    /** {@code open} flag: non-blocking. */
    int O_NONBLOCK = 04000;

    /** The backend's short name: {@code ffm}, {@code jnr} or {@code jna}. */
    String backend();

    /**
     * Opens a file. {@code O_CLOEXEC} is always added, so descriptors never leak into child
     * processes.
     *
     * @return the file descriptor
     */
    int open(String path, int flags) throws ErrnoException;

    /** Closes a file descriptor. */
    void close(int fd) throws ErrnoException;

    /**
     * Issues {@code ioctl(fd, request, address)} where the address is that of the buffer's
     * current position. The buffer must be direct; the kernel reads and writes it in place.
     *
     * @return the ioctl's non-negative result
     */
    int ioctl(int fd, long request, ByteBuffer argument) throws ErrnoException;

    /** The backend chosen by {@value #BACKEND_PROPERTY}, or else the best available one. */
    static Syscalls get() {
        return Backends.selected();
    }

    /**
     * A specific backend.
     *
     * @throws IllegalStateException naming the reason and the available backends if it cannot
     *     be used here
     * @throws IllegalArgumentException if there is no backend of that name
     */
    static Syscalls get(String backend) {
        return Backends.byName(backend);
    }

    /** Each backend with whether it can be used here and, if not, why. */
    static List<BackendStatus> backends() {
        return Backends.statuses();
    }

    /**
     * Whether a backend can be used on this JVM.
     *
     * @param name the backend's short name
     * @param unavailableReason why it cannot be used, or {@code null} if it can
     */
    record BackendStatus(String name, String unavailableReason) {
        /** True if the backend can be used here. */
        public boolean available() {
            return unavailableReason == null;
        }
    }
}
