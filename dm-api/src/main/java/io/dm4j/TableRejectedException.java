package io.dm4j;

import java.util.List;

/**
 * The kernel refused a table: {@code EINVAL} on load, or {@code ENXIO} when a device it
 * references does not exist. The reason is only in the kernel log; when it is readable, the
 * matching lines are attached.
 */
public class TableRejectedException extends DeviceMapperException {
    private static final long serialVersionUID = 1L;

    private final String table;
    private final List<String> kernelLog;

    TableRejectedException(String device, int errno, String table, List<String> kernelLog, Throwable cause) {
        super(DmCommand.DM_TABLE_LOAD, device, errno, kernelLog.isEmpty()
                ? "the kernel rejected the table; its log ('dmesg') says why"
                : "the kernel rejected the table: " + String.join(" / ", kernelLog), cause);
        this.table = table;
        this.kernelLog = List.copyOf(kernelLog);
    }

    /** The rejected table, in {@code dmsetup} text form. */
    public String table() {
        return table;
    }

    /** The kernel's device-mapper log lines written just before the failure, if readable. */
    public List<String> kernelLog() {
        return kernelLog;
    }
}
