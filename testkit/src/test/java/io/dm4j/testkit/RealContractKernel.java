package io.dm4j.testkit;

import io.dm4j.DeviceBusyException;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.DeviceNumber;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kernel's own device-mapper for {@link DeviceMapperContract}: devices named under this run's
 * prefix (one sub-prefix per case, so a case sees only its own devices in a list), disks that are
 * loop devices over sparse files, and holders that are open block device nodes.
 */
final class RealContractKernel implements ContractKernel {
    private static final AtomicInteger CASES = new AtomicInteger();

    private final String prefix = RealKernel.name("k" + CASES.incrementAndGet() + "-");
    private final DeviceMapper dm;
    private final Set<String> names = new LinkedHashSet<>();
    private final List<ScratchDisk> disks = new ArrayList<>();
    private final List<FileChannel> holders = new ArrayList<>();

    RealContractKernel() throws IOException {
        dm = DeviceMapper.open();
    }

    @Override
    public DeviceMapper dm() {
        return dm;
    }

    @Override
    public String name(String hint) {
        String name = prefix + hint;
        DeviceMapper.checkName(name);
        if (!names.add(name)) {
            throw new IllegalArgumentException("the case asked twice for the name " + name);
        }
        return name;
    }

    @Override
    public DeviceNumber disk(long sectors) throws IOException {
        ScratchDisk disk = ScratchDisk.create(Path.of(System.getProperty("java.io.tmpdir")), "contract",
                sectors * 512);
        disks.add(disk);
        return disk.number();
    }

    /**
     * Opens the device's block node, which the kernel adds with the device's first table (a
     * device that never had one has no block device to open).
     */
    @Override
    public AutoCloseable hold(String deviceName) throws IOException {
        DeviceNumber number = dm.info(deviceName).device();
        Path sys = Path.of("/sys/dev/block/" + number);
        if (!Files.exists(sys)) {
            throw new IOException(deviceName + " (" + number + ") has no block device yet: load a table first");
        }
        Path node = Path.of("/dev", sys.toRealPath().getFileName().toString());
        FileChannel open = FileChannel.open(node, StandardOpenOption.READ);
        holders.add(open);
        return () -> {
            holders.remove(open);
            open.close();
        };
    }

    @Override
    public boolean simulated() {
        return false;
    }

    /**
     * Removes every device under this kernel's prefix, stacked ones first (a device below another
     * stays busy until the one above is gone, whatever order the list gives), detaches the disks,
     * and fails naming whatever the case left.
     */
    @Override
    public void close() throws Exception {
        List<String> left = new ArrayList<>();
        try {
            for (FileChannel open : List.copyOf(holders)) {
                left.add("an open holder of a device");
                open.close();
            }
            holders.clear();
            List<String> remaining = new ArrayList<>(dm.list(prefix, "").stream().map(DeviceListEntry::name).toList());
            left.addAll(remaining);
            for (int round = 0; !remaining.isEmpty() && round < 50; round++) {
                for (String name : List.copyOf(remaining)) {
                    try {
                        dm.remove(name);
                        remaining.remove(name);
                    } catch (DeviceNotFoundException gone) {
                        remaining.remove(name); // a deferred remove finished meanwhile
                    } catch (DeviceBusyException held) {
                        // above another device, or still closing: the next round
                    }
                }
                if (!remaining.isEmpty()) {
                    Thread.sleep(100);
                }
            }
            // A node made under NodePolicy.LIBRARY outlives a device that a deferred remove took away.
            for (String name : names) {
                dm.mknodes(name);
            }
            if (!remaining.isEmpty()) {
                throw new AssertionError("could not remove the devices " + remaining + " a contract case left");
            }
        } finally {
            for (ScratchDisk disk : disks) {
                disk.close();
                if (disk.attached()) {
                    left.add("loop device " + disk + " (still attached)");
                }
            }
            dm.close();
        }
        if (!left.isEmpty()) {
            throw new AssertionError("the case left " + left.size() + " thing(s) behind, now removed: " + left);
        }
    }
}
