package io.dm4j;

/** A kernel reply that does not follow the device-mapper protocol: a bug, or corrupt memory. */
public class DmProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong with the reply */
    public DmProtocolException(String message) {
        super(message);
    }
}
