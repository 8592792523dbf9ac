package io.dm4j.sys;

import java.io.IOException;

/**
 * A system call failed. Carries the call, its subject (a path or file descriptor) and the
 * {@code errno} value, which every backend captures atomically with the call.
 */
public class ErrnoException extends IOException implements HasErrno {
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

    @Override
    public int errnoValue() {
        return errno;
    }
}
