package io.dm4j;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * One device of {@link DeviceMapper#list}.
 *
 * @param name the device's name
 * @param device its block device number
 * @param eventNr its event counter; absent on kernels before interface 4.37
 * @param uuid its uuid; empty if it has none, or if the kernel cannot report uuids in lists
 */
public record DeviceListEntry(String name, DeviceNumber device, OptionalLong eventNr, Optional<String> uuid) {}
