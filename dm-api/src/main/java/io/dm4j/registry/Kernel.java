package io.dm4j.registry;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceNumber;
import io.dm4j.LoadOption;
import io.dm4j.RemoveOutcome;
import io.dm4j.SuspendOption;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.Visibility;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the registry asks of the kernel and of the machine's device nodes: the one seam
 * between the registry's rules and the world, so that tests can put an in-memory kernel, or one
 * that fails any call on demand, behind a real registry. {@link DeviceMapperKernel} is the real
 * one. The methods throw what {@link io.dm4j.DeviceMapper} throws.
 */
interface Kernel {
    DeviceInfo create(String name, CreateOptions options) throws IOException;

    DeviceInfo load(String name, List<TargetLine> table, LoadOption... options) throws IOException;

    /** A typed table, crypt keys passed as bytes. */
    DeviceInfo load(String name, io.dm4j.target.Table table, LoadOption... options) throws IOException;

    DeviceInfo suspend(String name, SuspendOption... options) throws IOException;

    DeviceInfo resume(String name, Visibility visibility) throws IOException;

    DeviceInfo rename(String name, String newName, Visibility visibility) throws IOException;

    DeviceInfo clear(String name) throws IOException;

    DeviceInfo info(String name) throws IOException;

    List<TargetLine> table(String name, TableSlot slot) throws IOException;

    /** Every device whose uuid starts with {@code uuidPrefix} (all for an empty prefix). */
    List<DeviceListEntry> list(String uuidPrefix) throws IOException;

    void remove(String name) throws IOException;

    RemoveOutcome removeDeferred(String name) throws IOException;

    void cancelDeferredRemove(String name) throws IOException;

    /** Makes the device's {@code /dev/mapper} node right (drops it if the device is gone). */
    void mknodes(String name) throws IOException;

    /** {@code /dev/mapper/NAME} exists as a node or as a link, dangling or not. */
    boolean nodePresent(String name);

    /**
     * The device's sysfs entry is still there under this name. The kernel hands a freed minor to
     * the next device at once, so an entry that now belongs to another name does not count.
     */
    boolean inSysfs(DeviceNumber number, String name);

    /** The block device node to open. */
    Path blockNode(DeviceNumber number) throws IOException;

    /** The visibility udev recorded for the device's last uevent. */
    Visibility recordedVisibility(DeviceNumber number) throws IOException;

    /** What keeps the device open, for errors: processes, mounts, stacked and loop devices. */
    List<io.dm4j.Opener> openers(DeviceNumber number);
}
