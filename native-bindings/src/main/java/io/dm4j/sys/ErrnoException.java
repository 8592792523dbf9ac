package io.dm4j.sys;

import java.io.IOException;
import java.util.Optional;

/**
 * A system call failed. Carries the call, its subject (a path or file descriptor) and the
 * {@code errno} value, which every backend captures atomically with the call.
 */
public class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final String subject;
    private final int errno;

    /**
     * @param call the system call that failed, e.g. {@code "ioctl"}
     * @param subject what it was applied to, e.g. a path or {@code "fd 5"}
     * @param errno the error number
     */
    public ErrnoException(String call, String subject, int errno) {
        super(call + "(" + subject + "): " + Errno.describe(errno));
        this.call = call;
        this.subject = subject;
        this.errno = errno;
    }

    /** The system call that failed, e.g. {@code "ioctl"}. */
    public String call() {
        return call;
    }

    /** What the call was applied to: a path, or {@code "fd N"}. */
    public String subject() {
        return subject;
    }

    /** The raw error number. */
    public int errnoValue() {
        return errno;
    }

    /** The error as a known constant, if it is one. */
    public Optional<Errno> errno() {
        return Errno.of(errno);
    }

    /** The symbolic name, e.g. {@code "EBUSY"}, or {@code "errno N"} for an unknown value. */
    public String errnoName() {
        return Errno.nameOf(errno);
    }

    /** True if this failure has the given errno. */
    public boolean is(Errno expected) {
        return expected.number() == errno;
    }
}
