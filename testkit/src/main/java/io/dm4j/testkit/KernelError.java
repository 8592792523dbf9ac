package io.dm4j.testkit;

import io.dm4j.sys.Errno;

/** A refusal inside the simulator: the errno the ioctl returns and the line the kernel would log. */
final class KernelError extends Exception {
    private static final long serialVersionUID = 1L;
    final Errno errno;

    KernelError(Errno errno, String log) {
        super(log, null, false, false);
        this.errno = errno;
    }

    static KernelError inval(String log) {
        return new KernelError(Errno.EINVAL, log);
    }
}
