package io.dm4j.registry;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNumber;
import io.dm4j.LoadOption;
import io.dm4j.RemoveOutcome;
import io.dm4j.SuspendOption;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.Visibility;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** The real kernel, through a {@link DeviceMapper} the caller keeps open, and the real /dev and /sys. */
final class DeviceMapperKernel implements Kernel {
    private final DeviceMapper dm;

    DeviceMapperKernel(DeviceMapper dm) {
        this.dm = dm;
    }

    @Override
    public DeviceInfo create(String name, CreateOptions options) throws IOException {
        return dm.create(name, options);
    }

    @Override
    public DeviceInfo load(String name, List<TargetLine> table, LoadOption... options) throws IOException {
        return dm.load(name, table, options);
    }

    @Override
    public DeviceInfo load(String name, io.dm4j.target.Table table, LoadOption... options) throws IOException {
        return dm.load(name, table, options);
    }

    @Override
    public DeviceInfo suspend(String name, SuspendOption... options) throws IOException {
        return dm.suspend(name, options);
    }

    @Override
    public DeviceInfo resume(String name, Visibility visibility) throws IOException {
        return dm.resume(name, visibility);
    }

    @Override
    public DeviceInfo rename(String name, String newName, Visibility visibility) throws IOException {
        return dm.rename(name, newName, visibility);
    }

    @Override
    public DeviceInfo clear(String name) throws IOException {
        return dm.clear(name);
    }

    @Override
    public DeviceInfo info(String name) throws IOException {
        return dm.info(name);
    }

    @Override
    public List<TargetLine> table(String name, TableSlot slot) throws IOException {
        return dm.table(name, slot);
    }

    @Override
    public List<DeviceListEntry> list(String uuidPrefix) throws IOException {
        return dm.list("", uuidPrefix);
    }

    @Override
    public void remove(String name) throws IOException {
        dm.remove(name);
    }

    @Override
    public RemoveOutcome removeDeferred(String name) throws IOException {
        return dm.removeDeferred(name);
    }

    @Override
    public void cancelDeferredRemove(String name) throws IOException {
        dm.cancelDeferredRemove(name);
    }

    @Override
    public void mknodes(String name) throws IOException {
        dm.mknodes(name);
    }

    @Override
    public boolean nodePresent(String name) {
        // udev's /dev/mapper entries are links to ../dm-N: a dangling one still names the device.
        return Files.exists(Path.of("/dev/mapper", name), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public boolean inSysfs(DeviceNumber number, String name) {
        Path sys = Path.of("/sys/dev/block/" + number);
        if (!Files.exists(sys)) {
            return false;
        }
        try {
            // Another driver may hold the number (zram0 is often 253:0 where dm has another major).
            if (!sys.toRealPath().getFileName().toString().startsWith("dm-")) {
                return false;
            }
            return Files.readString(sys.resolve("dm/name")).strip().equals(name);
        } catch (IOException e) {
            return true; // half made or half torn down: look again
        }
    }

    /** devtmpfs names device-mapper devices dm-MINOR; the uevent file says so for sure. */
    @Override
    public Path blockNode(DeviceNumber number) throws IOException {
        Path uevent = Path.of("/sys/dev/block/" + number + "/uevent");
        for (String line : Files.readAllLines(uevent)) {
            if (line.startsWith("DEVNAME=")) {
                return Path.of("/dev", line.substring("DEVNAME=".length()));
            }
        }
        return Path.of("/dev/dm-" + number.minor());
    }

    /** udev's database keeps the flags of the last uevent: only PRIVATE sets the disk-rules flag. */
    @Override
    public Visibility recordedVisibility(DeviceNumber number) throws IOException {
        Path db = Path.of("/run/udev/data/b" + number);
        try {
            return Files.readAllLines(db).contains("E:DM_UDEV_DISABLE_DISK_RULES_FLAG=1")
                    ? Visibility.PRIVATE : Visibility.PUBLIC;
        } catch (NoSuchFileException noUdevRecord) {
            return Visibility.PUBLIC;
        }
    }

    @Override
    public List<io.dm4j.Opener> openers(DeviceNumber number) {
        return io.dm4j.Openers.of(number);
    }
}
