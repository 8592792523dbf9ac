package io.dm4j.target;

/** Whether a table read from the kernel shows the crypt keys it holds. */
public enum KeyDisclosure {
    /** Keys stay hidden ({@link CryptTarget.Key.Hidden}), as {@code dmsetup table} hides them. */
    HIDDEN,
    /**
     * Keys come back as {@link CryptKey}s, decoded from the ioctl reply without passing through a
     * {@code String}; close the table to wipe them, as with {@code dmsetup table --showkeys}.
     */
    REVEALED
}
