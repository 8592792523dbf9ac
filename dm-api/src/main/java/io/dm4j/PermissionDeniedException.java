package io.dm4j;

/** The caller lacks {@code CAP_SYS_ADMIN} ({@code EACCES} or {@code EPERM}). */
public class PermissionDeniedException extends DeviceMapperException {
    private static final long serialVersionUID = 1L;

    PermissionDeniedException(DmCommand command, String device, int errno, Throwable cause) {
        super(command, device, errno, "needs CAP_SYS_ADMIN: run as root or in a privileged container", cause);
    }
}
