package io.dm4j;

/**
 * One target's status, as {@code dmsetup status} prints it.
 *
 * @param start first sector of the target
 * @param length sectors it maps
 * @param type target type
 * @param status the target's status text, in its own format
 */
public record TargetStatus(long start, long length, String type, String status) {
    /** {@code start length type status}, as {@code dmsetup status} prints it. */
    @Override
    public String toString() {
        return start + " " + length + " " + type + (status.isEmpty() ? "" : " " + status);
    }
}
