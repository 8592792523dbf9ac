package io.dm4j;

/**
 * A target type the kernel has loaded, and its version.
 *
 * @param name target type, e.g. {@code thin-pool}
 * @param version its version
 */
public record TargetVersion(String name, DmVersion version) {}
