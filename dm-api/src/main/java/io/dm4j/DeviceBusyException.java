package io.dm4j;

import java.util.OptionalInt;

/** The device is in use ({@code EBUSY}), e.g. open while being removed. */
public class DeviceBusyException extends DeviceMapperException {
    private static final long serialVersionUID = 1L;

    private final int openCount;

    DeviceBusyException(DmCommand command, String device, int errno, int openCount, Throwable cause) {
        super(command, device, errno, "the device is in use" + (openCount > 0 ? " (open count " + openCount + ")" : "")
                + ": close whatever holds it open (see 'dmctl holders'), or remove it deferred", cause);
        this.openCount = openCount;
    }

    /** How many openers the device had just after the failure, if known. */
    public OptionalInt openCount() {
        return openCount >= 0 ? OptionalInt.of(openCount) : OptionalInt.empty();
    }
}
