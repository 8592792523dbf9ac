package io.dm4j.registry;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.DeviceNumber;
import io.dm4j.DeviceBusyException;
import io.dm4j.InvalidArgumentException;
import io.dm4j.LoadOption;
import io.dm4j.RemoveOutcome;
import io.dm4j.SuspendOption;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.Visibility;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java-side table registry: device-mapper's table lifetime rules, applied to the program.
 *
 * <ul>
 *   <li>Each managed device has at most one live and one inactive table. A table's owning
 *       reference is its slot and is not counted.
 *   <li>Callers take temporary holder references with {@link #acquire}; closing one only
 *       decrements and never destroys.
 *   <li>A table is destroyed exactly once, only when a load replaces the inactive table, a resume
 *       replaces the live one, the inactive table is cleared, the device is removed, or the
 *       registry closes; destruction first waits, by notification, for its holders to close.
 *   <li>A remove refuses new references, waits for holders and channels, removes the device in the
 *       kernel (retrying while it is busy), and returns only when the device is gone from the
 *       kernel's list, its nodes are gone and what its tables used is released.
 * </ul>
 *
 * <p>Thread-safe. Holders never take the locks under which the registry waits for them. A
 * thread that holds a reference must close it before it changes the same table, or the change
 * times out (the error says so).
 */
public final class TableRegistry implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Pattern MAJOR_MINOR = Pattern.compile("(\\d+):(\\d+)");

    private final DeviceMapper dm;
    private final RegistryOptions options;
    private final Map<String, ManagedDevice> devices = new ConcurrentHashMap<>();
    private final LongAdder destructorRuns = new LongAdder();
    private final LongAdder tablesMade = new LongAdder();
    private volatile boolean closed;

    /** Package-private so that benchmarks can run the holder path without a kernel. */
    TableRegistry(DeviceMapper dm, RegistryOptions options) {
        this.dm = dm;
        this.options = options;
    }

    /** A registry with default options over a device-mapper client the caller keeps open. */
    public static TableRegistry open(DeviceMapper dm) {
        return open(dm, RegistryOptions.defaults());
    }

    /** A registry over a device-mapper client the caller keeps open. */
    public static TableRegistry open(DeviceMapper dm, RegistryOptions options) {
        return new TableRegistry(dm, options);
    }

    /** The names of the managed devices. */
    public Set<String> devices() {
        return Set.copyOf(devices.keySet());
    }

    /** How many table destructors have run: each table's runs exactly once. */
    public long destroyedTables() {
        return destructorRuns.sum();
    }

    /** Makes a device managed; false if its name is taken. */
    boolean manage(ManagedDevice d) {
        return devices.putIfAbsent(d.name, d) == null;
    }

    void destructorRan(Table t) {
        destructorRuns.increment();
    }

    void tableMade() {
        tablesMade.increment();
    }

    /** How many tables were made; once the registry is closed, as many were destroyed. For tests. */
    long tablesMade() {
        return tablesMade.sum();
    }

    /** The managed devices themselves, for tests that check the invariants while others work. */
    Collection<ManagedDevice> managedDevices() {
        return devices.values();
    }

    // ---------------------------------------------------------------- holder references

    /** A holder reference on the device's live table. */
    public TableRef acquire(String name) throws RegistryException {
        return acquire(name, TableSlot.LIVE);
    }

    /**
     * A holder reference on one of the device's tables.
     *
     * @throws DeviceRemovingException at once if a remove of the device has started
     * @throws NoTableException if that slot is empty
     */
    public TableRef acquire(String name, TableSlot slot) throws RegistryException {
        ManagedDevice d = managed(name);
        while (true) {
            if (d.removing) {
                throw new DeviceRemovingException(name);
            }
            Table t = d.slot(slot);
            if (t == null) {
                throw new NoTableException(name, slot);
            }
            if (t.holders.tryAcquire()) {
                return track(new TableRef(t, slot, new Hold(t.holders, t.tracked, options.tracking(),
                        slot == TableSlot.LIVE ? "live table" : "inactive table", name, null)));
            }
            // The table left its slot while we looked: the slot now has its successor, or the
            // device is being removed. Both are seen on the next round.
            Thread.onSpinWait();
        }
    }

    /**
     * Opens the device's block device. The channel holds a reference on the device until it is
     * closed, so a remove waits for it.
     *
     * @throws NoTableException if the device has no live table yet: the kernel makes its block
     *     device only with the first table
     */
    public DeviceChannel openChannel(String name, OpenOption... openOptions) throws IOException {
        ManagedDevice d = managed(name);
        if (d.live == null) {
            throw new NoTableException(name, TableSlot.LIVE);
        }
        if (d.removing || !d.channels.tryAcquire()) {
            throw new DeviceRemovingException(name);
        }
        FileChannel file;
        try {
            file = FileChannel.open(blockNode(d.number), openOptions);
        } catch (IOException | RuntimeException e) {
            d.channels.release();
            throw e;
        }
        return track(new DeviceChannel(name, file,
                new Hold(d.channels, d.trackedChannels, options.tracking(), "channel", name, file)));
    }

    /** With leak detection, a handle that becomes unreachable unclosed releases its hold. */
    private TableRef track(TableRef ref) {
        if (options.leakDetection()) {
            CLEANER.register(ref, ref.hold());
        }
        return ref;
    }

    private DeviceChannel track(DeviceChannel channel) {
        if (options.leakDetection()) {
            CLEANER.register(channel, channel.hold());
        }
        return channel;
    }

    /** The block device node: devtmpfs names device-mapper devices dm-MINOR. */
    private static Path blockNode(DeviceNumber number) throws IOException {
        Path uevent = Path.of("/sys/dev/block/" + number + "/uevent");
        for (String line : Files.readAllLines(uevent)) {
            if (line.startsWith("DEVNAME=")) {
                return Path.of("/dev", line.substring("DEVNAME=".length()));
            }
        }
        return Path.of("/dev/dm-" + number.minor());
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Creates a managed device with no table yet. The registry resumes and renames it with
     * {@code createOptions}' {@link CreateOptions#visibility() visibility}; so do the overloads
     * below.
     */
    public DeviceInfo create(String name, CreateOptions createOptions) throws IOException {
        return create(name, createOptions, null, () -> {
            throw new IllegalStateException("no table to load");
        });
    }

    /**
     * Creates a managed device and makes {@code table} live. If any step fails, the kernel device
     * is removed again: nothing is left half-made.
     */
    public DeviceInfo create(String name, CreateOptions createOptions, List<TargetLine> table, LoadOption... load)
            throws IOException {
        Objects.requireNonNull(table, "table (for a device without one, use create(name, options))");
        return create(name, createOptions, table, () -> dm.load(name, table, load));
    }

    /**
     * Creates a managed device and makes a typed table live, crypt keys passed as bytes (see
     * {@link DeviceMapper#load(String, io.dm4j.target.Table, LoadOption...)}). If any step fails,
     * the kernel device is removed again.
     */
    public DeviceInfo create(String name, CreateOptions createOptions, io.dm4j.target.Table table,
            LoadOption... load) throws IOException {
        return create(name, createOptions, keysHidden(table), () -> dm.load(name, table, load));
    }

    /** The registry's view of a typed table: its lines as the kernel will report them, keys as zeros. */
    private static List<TargetLine> keysHidden(io.dm4j.target.Table table) {
        return table.entries().stream().map(e -> new TargetLine(e.start().count(), e.length().count(),
                e.target().type(), e.target().params())).toList();
    }

    /** How a table reaches the kernel: as text lines, or typed with its keys as bytes. */
    private interface KernelLoad {
        DeviceInfo load() throws IOException;
    }

    private DeviceInfo create(String name, CreateOptions createOptions, List<TargetLine> table, KernelLoad kernel)
            throws IOException {
        checkOpen();
        DeviceMapper.checkName(name);
        if (table != null) {
            DeviceMapper.checkTable(table); // before the kernel device exists: nothing to undo
        }
        if (devices.containsKey(name)) {
            throw new RegistryException(name, "is already managed");
        }
        DeviceInfo created = dm.create(name, createOptions);
        ManagedDevice d = new ManagedDevice(this, name, created.device(), createOptions.visibility(),
                options.tracking() != HolderTracking.COUNT);
        try {
            synchronized (d.mutex) {
                if (!manage(d)) {
                    throw new RegistryException(name, "is already managed");
                }
                if (table != null) {
                    loadLocked(d, table, kernel);
                    resumeLocked(d);
                }
            }
            return dm.info(name);
        } catch (IOException | RuntimeException e) {
            devices.remove(name, d);
            destroyAll(d);
            try {
                dm.remove(name);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /**
     * Loads a table into the inactive slot. The table it replaces is destroyed once its holders
     * are gone.
     */
    public DeviceInfo load(String name, List<TargetLine> table, LoadOption... load) throws IOException {
        return load(name, table, () -> dm.load(name, table, load));
    }

    /** Loads a typed table into the inactive slot, crypt keys passed as bytes. */
    public DeviceInfo load(String name, io.dm4j.target.Table table, LoadOption... load) throws IOException {
        return load(name, keysHidden(table), () -> dm.load(name, table, load));
    }

    private DeviceInfo load(String name, List<TargetLine> table, KernelLoad kernel) throws IOException {
        ManagedDevice d = managed(name);
        synchronized (d.mutex) {
            checkCurrent(d, name);
            return loadLocked(d, table, kernel);
        }
    }

    private DeviceInfo loadLocked(ManagedDevice d, List<TargetLine> table, KernelLoad kernel) throws IOException {
        destroyRetired(d);
        Table fresh = newTable(d, table);
        DeviceInfo info;
        try {
            info = kernel.load();
        } catch (IOException | RuntimeException e) {
            fresh.destroy(); // never owned by a slot: nothing can hold it
            throw e;
        }
        Table old = d.inactive;
        d.inactive = fresh;
        destroyDetached(d, old, "load");
        return info;
    }

    /**
     * Suspends the device, in turn with this registry's loads, resumes and removes of it: a
     * resume with a new table suspends the device itself for the swap, and the kernel refuses a
     * suspend that lands in that moment ({@code EINVAL}, already suspended).
     */
    public DeviceInfo suspend(String name, SuspendOption... suspendOptions) throws IOException {
        ManagedDevice d = managed(name);
        synchronized (d.mutex) {
            checkCurrent(d, name);
            return dm.suspend(name, suspendOptions);
        }
    }

    /** Resumes the device: the inactive table becomes live, and the old live table is destroyed. */
    public DeviceInfo resume(String name) throws IOException {
        ManagedDevice d = managed(name);
        synchronized (d.mutex) {
            checkCurrent(d, name);
            return resumeLocked(d);
        }
    }

    private DeviceInfo resumeLocked(ManagedDevice d) throws IOException {
        destroyRetired(d);
        DeviceInfo info = dm.resume(d.name, d.visibility);
        Table fresh = d.inactive;
        if (fresh != null) {
            Table old = d.live;
            d.live = fresh;
            d.inactive = null;
            destroyDetached(d, old, "resume");
        }
        return info;
    }

    /**
     * Renames a managed device in the kernel and in the registry; its tables, holders and open
     * channels stay as they are. Operations by the old name that started before it fail with
     * {@link NotManagedException} once it is done.
     */
    public DeviceInfo rename(String name, String newName) throws IOException {
        DeviceMapper.checkName(newName);
        ManagedDevice d = managed(name);
        synchronized (d.mutex) {
            checkCurrent(d, name);
            if (devices.putIfAbsent(newName, d) != null) {
                throw new RegistryException(newName, "is already managed");
            }
            DeviceInfo info;
            try {
                info = dm.rename(name, newName, d.visibility);
            } catch (IOException | RuntimeException e) {
                devices.remove(newName, d);
                throw e;
            }
            d.name = newName;
            devices.remove(name, d);
            return info;
        }
    }

    /** Drops the inactive table. */
    public DeviceInfo clear(String name) throws IOException {
        ManagedDevice d = managed(name);
        synchronized (d.mutex) {
            checkCurrent(d, name);
            destroyRetired(d);
            DeviceInfo info = dm.clear(name);
            Table old = d.inactive;
            d.inactive = null;
            destroyDetached(d, old, "clear");
            return info;
        }
    }

    /** A table under construction takes a reference on every managed device its targets name. */
    private Table newTable(ManagedDevice owner, List<TargetLine> table) throws RegistryException {
        Set<ManagedDevice> uses = new LinkedHashSet<>();
        for (TargetLine line : table) {
            for (String word : line.params().split("\\s+")) {
                ManagedDevice u = referenced(word);
                if (u != null && u != owner) {
                    if (u.removing) {
                        throw new DeviceRemovingException(u.name);
                    }
                    uses.add(u);
                }
            }
        }
        return new Table(owner, table, new ArrayList<>(uses), options.tracking() != HolderTracking.COUNT);
    }

    private ManagedDevice referenced(String word) {
        Matcher m = MAJOR_MINOR.matcher(word);
        if (m.matches()) {
            DeviceNumber n;
            try {
                n = new DeviceNumber(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            } catch (IllegalArgumentException e) {
                return null;
            }
            for (ManagedDevice d : devices.values()) {
                if (d.number.equals(n)) {
                    return d;
                }
            }
            return null;
        }
        if (word.startsWith("/dev/mapper/")) {
            return devices.get(word.substring("/dev/mapper/".length()));
        }
        if (word.startsWith("/dev/dm-")) {
            for (ManagedDevice d : devices.values()) {
                if (word.equals("/dev/dm-" + d.number.minor())) {
                    return d;
                }
            }
        }
        return null;
    }

    /**
     * Destroys a table that has just left its slot. If holders outlast the deadline, it stays
     * detached in the device's retired list (no new holder can reach it) and is destroyed at the
     * device's next fixed point; the caller learns who holds it.
     */
    private void destroyDetached(ManagedDevice d, Table t, String operation) throws HoldersTimeoutException {
        if (t == null) {
            return;
        }
        t.holders.close();
        if (!awaitDrained(t.holders, t.tracked, deadline(options.destroyTimeout()))) {
            d.retired.add(t);
            throw timeout(d.name, operation, t.holders, t.tracked);
        }
        t.destroy();
    }

    /** Destroys retired tables whose holders have gone; keeps the others. */
    private void destroyRetired(ManagedDevice d) {
        d.retired.removeIf(t -> {
            if (t.holders.count() == 0) {
                t.destroy();
                return true;
            }
            return false;
        });
    }

    private boolean awaitDrained(Holders holders, HoldSet tracked, long deadline) {
        if (tracked != null) {
            for (Hold h : tracked.snapshot()) {
                if (h.heldBy(Thread.currentThread()) && !h.isReleased()) {
                    return false; // the caller holds it itself: waiting would only time out
                }
            }
        }
        return holders.awaitDrained(deadline);
    }

    private static HoldersTimeoutException timeout(String name, String operation, Holders holders,
            HoldSet tracked) {
        List<Holder> list = new ArrayList<>();
        if (tracked != null) {
            for (Hold h : tracked.snapshot()) {
                list.add(h.describe());
            }
        }
        return new HoldersTimeoutException(name, operation, holders.count(), list);
    }

    private static long deadline(Duration d) {
        return System.nanoTime() + d.toNanos();
    }

    // ---------------------------------------------------------------- remove

    /** Removes the device with the default policy. */
    public RemoveResult remove(String name) throws IOException {
        return remove(name, RemovePolicy.defaults());
    }

    /**
     * Removes the device and returns only when the remove is complete: this program's holders
     * and channels are closed, the kernel removed it (not merely deferred), it is gone from the
     * kernel's device list, its {@code /dev/mapper} node and sysfs directory are gone, and every
     * managed device its tables used has been released. On failure nothing is changed.
     *
     * @throws DeviceInUseException at once if another managed device's table uses it
     * @throws HoldersTimeoutException if holders stay past the policy's deadline
     * @throws RemoveFailedException if the kernel stays busy, naming what holds the device open
     */
    public RemoveResult remove(String name, RemovePolicy policy) throws IOException {
        ManagedDevice d = managed(name);
        synchronized (d.mutex) {
            checkCurrent(d, name);
            List<String> users = d.userNames();
            if (!users.isEmpty()) {
                throw new DeviceInUseException(name, users);
            }
            long start = System.nanoTime();
            // 1. From here on every acquire fails; wait for those that came before.
            d.removing = true;
            List<Table> tables = tablesOf(d);
            for (Table t : tables) {
                t.holders.close();
            }
            d.channels.close();
            long deadline = deadline(policy.holderTimeout());
            for (Table t : tables) {
                if (!awaitDrained(t.holders, t.tracked, deadline)) {
                    reopen(d, tables);
                    throw timeout(name, "remove", t.holders, t.tracked);
                }
            }
            if (!awaitDrained(d.channels, d.trackedChannels, deadline)) {
                reopen(d, tables);
                throw timeout(name, "remove", d.channels, d.trackedChannels);
            }
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            // 2. The kernel's remove, retried while something else keeps the device open.
            int retries;
            boolean deferred;
            try {
                long[] outcome = kernelRemove(d, policy);
                retries = (int) outcome[0];
                deferred = outcome[1] != 0;
            } catch (IOException | RuntimeException e) {
                reopen(d, tables);
                throw e;
            }
            // 3-4. Gone from the kernel's list, and its nodes gone.
            try {
                awaitGone(d, policy);
            } catch (RemoveFailedException e) {
                if (deferred) {
                    // Still open at the deadline: take the scheduled remove back, so nothing changed.
                    try {
                        dm.cancelDeferredRemove(name);
                    } catch (io.dm4j.DeviceNotFoundException goneMeanwhile) {
                        dm.mknodes(name);
                        destroyAndForget(d, tables);
                        return new RemoveResult(name, d.number, waited, retries, true);
                    }
                    reopen(d, tables);
                    throw new RemoveFailedException(name, "still open when the deferred remove's deadline passed",
                            Openers.of(d.number), e);
                }
                // The kernel did remove it; only a node or sysfs entry lingers. The device is no
                // longer ours to manage: finish the Java side, then report what lingers.
                destroyAndForget(d, tables);
                throw e;
            }
            // 5. Destructors: release the managed devices the tables used.
            destroyAndForget(d, tables);
            return new RemoveResult(name, d.number, waited, retries, deferred);
        }
    }

    /** A removed device's tables are destroyed, what they used is released, and it leaves the registry. */
    private void destroyAndForget(ManagedDevice d, List<Table> tables) {
        for (Table t : tables) {
            t.destroy();
        }
        d.retired.clear();
        for (Table t : tables) {
            for (ManagedDevice u : t.uses) {
                if (u.users.contains(t)) {
                    throw new IllegalStateException(u.name + " still lists a destroyed table of " + d.name);
                }
            }
        }
        devices.remove(d.name, d);
    }

    /**
     * Removes the device, then each managed device below it that nothing else uses: a stack,
     * top-down.
     */
    public List<RemoveResult> removeStack(String name) throws IOException {
        return removeStack(name, RemovePolicy.defaults());
    }

    /** {@link #removeStack(String)} with a policy for each remove. */
    public List<RemoveResult> removeStack(String name, RemovePolicy policy) throws IOException {
        ManagedDevice top = managed(name);
        Set<ManagedDevice> below = new LinkedHashSet<>();
        for (Table t : tablesOf(top)) {
            below.addAll(t.uses);
        }
        List<RemoveResult> results = new ArrayList<>();
        results.add(remove(name, policy));
        for (ManagedDevice u : below) {
            if (u.users.isEmpty() && devices.get(u.name) == u) {
                results.addAll(removeStack(u.name, policy));
            }
        }
        return results;
    }

    private static List<Table> tablesOf(ManagedDevice d) {
        List<Table> tables = new ArrayList<>(d.retired);
        if (d.live != null) {
            tables.add(d.live);
        }
        if (d.inactive != null) {
            tables.add(d.inactive);
        }
        return tables;
    }

    private static void reopen(ManagedDevice d, Collection<Table> tables) {
        for (Table t : tables) {
            if (t == d.live || t == d.inactive) {
                t.holders.reopen();
            }
        }
        d.channels.reopen();
        d.removing = false;
    }

    /** Returns {retries, deferred}. */
    private long[] kernelRemove(ManagedDevice d, RemovePolicy policy) throws IOException {
        long deadline = deadline(policy.busyTimeout());
        long backoffMillis = 10;
        int retries = 0;
        while (true) {
            try {
                dm.remove(d.name);
                return new long[] {retries, 0};
            } catch (DeviceBusyException busy) {
                if (System.nanoTime() - deadline >= 0) {
                    if (policy.deferOnBusy() && dm.removeDeferred(d.name) == RemoveOutcome.DEFERRED) {
                        return new long[] {retries, 1};
                    }
                    throw new RemoveFailedException(d.name, "still busy after " + retries + " retries ("
                            + policy.busyTimeout().toMillis() + " ms)", Openers.of(d.number), busy);
                }
                retries++;
                sleep(backoffMillis);
                backoffMillis = Math.min(200, backoffMillis * 2);
            }
        }
    }

    /** Waits until the kernel no longer lists the device and its nodes are gone. */
    private void awaitGone(ManagedDevice d, RemovePolicy policy) throws IOException {
        long deadline = deadline(policy.nodeTimeout().plus(policy.busyTimeout()));
        Path sys = Path.of("/sys/dev/block/" + d.number);
        Path node = Path.of("/dev/mapper", d.name);
        while (true) {
            boolean listed = false;
            for (DeviceListEntry e : dm.list(d.name, "")) {
                listed |= e.name().equals(d.name);
            }
            if (!listed) {
                dm.mknodes(d.name); // a deferred remove ends in the kernel: its node is ours to drop
            }
            boolean inSysfs = stillInSysfs(sys, d.name);
            if (!listed && !inSysfs && !Files.exists(node)) {
                return;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new RemoveFailedException(d.name, "the kernel removed it but "
                        + (listed ? "it is still listed" : inSysfs ? sys + " remains" : node + " remains"),
                        List.of(), null);
            }
            sleep(5);
        }
    }

    /**
     * The device's sysfs entry is still there. The kernel hands a freed minor to the next device
     * at once, so an entry that now belongs to another device (another name) does not count.
     */
    private static boolean stillInSysfs(Path sys, String name) {
        if (!Files.exists(sys)) {
            return false;
        }
        try {
            return Files.readString(sys.resolve("dm/name")).strip().equals(name);
        } catch (IOException e) {
            return true; // half made or half torn down: look again
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while removing");
        }
    }

    // ---------------------------------------------------------------- adoption

    /**
     * Takes over existing kernel devices whose uuid starts with {@code uuidPrefix} (all devices
     * for an empty prefix), rebuilding their live and inactive tables from the kernel: how a
     * restarted program takes over, or cleans up, what a crashed one left. Under
     * {@link io.dm4j.NodePolicy#LIBRARY} each adopted device's {@code /dev/mapper} node is made
     * right; nodes that a crash left for devices already gone are cleared by
     * {@link DeviceMapper#mknodes()}. An adopted device keeps the {@link Visibility} udev
     * recorded for it (without udev, visibility changes nothing, and it is public).
     *
     * @return the names adopted
     */
    public List<String> adopt(String uuidPrefix) throws IOException {
        checkOpen();
        List<ManagedDevice> adopted = new ArrayList<>();
        Map<ManagedDevice, List<TargetLine>[]> tables = new java.util.LinkedHashMap<>();
        for (DeviceListEntry e : dm.list("", uuidPrefix)) {
            if (devices.containsKey(e.name())) {
                continue;
            }
            DeviceInfo info;
            List<TargetLine> live;
            List<TargetLine> inactive;
            try {
                info = dm.info(e.name());
                live = info.hasLiveTable() ? dm.table(e.name(), TableSlot.LIVE) : null;
                inactive = info.hasInactiveTable() ? dm.table(e.name(), TableSlot.INACTIVE) : null;
            } catch (DeviceNotFoundException gone) {
                continue; // removed meanwhile
            }
            ManagedDevice d = new ManagedDevice(this, e.name(), info.device(), recordedVisibility(info.device()),
                    options.tracking() != HolderTracking.COUNT);
            if (manage(d)) {
                dm.mknodes(d.name);
                adopted.add(d);
                @SuppressWarnings("unchecked")
                List<TargetLine>[] pair = new List[] {live, inactive};
                tables.put(d, pair);
            }
        }
        // Tables after all devices, so that stacked references among them resolve.
        for (Map.Entry<ManagedDevice, List<TargetLine>[]> t : tables.entrySet()) {
            ManagedDevice d = t.getKey();
            synchronized (d.mutex) {
                d.live = t.getValue()[0] == null ? null : newTable(d, t.getValue()[0]);
                d.inactive = t.getValue()[1] == null ? null : newTable(d, t.getValue()[1]);
            }
        }
        return adopted.stream().map(d -> d.name).toList();
    }

    /**
     * The visibility udev took from the device's last uevent, as its database keeps it: only
     * {@link Visibility#PRIVATE} sets the disk-rules flag.
     */
    private static Visibility recordedVisibility(DeviceNumber number) throws IOException {
        Path db = Path.of("/run/udev/data/b" + number);
        try {
            return Files.readAllLines(db).contains("E:DM_UDEV_DISABLE_DISK_RULES_FLAG=1")
                    ? Visibility.PRIVATE : Visibility.PUBLIC;
        } catch (java.nio.file.NoSuchFileException noUdevRecord) {
            return Visibility.PUBLIC;
        }
    }

    // ---------------------------------------------------------------- plumbing

    private ManagedDevice managed(String name) throws RegistryException {
        checkOpen();
        if (name == null) {
            throw new InvalidArgumentException("name", "must not be null");
        }
        ManagedDevice d = devices.get(name);
        if (d == null) {
            throw new NotManagedException(name);
        }
        return d;
    }

    /** Under the device's mutex: it is not being removed and still has the name it was looked up by. */
    private static void checkCurrent(ManagedDevice d, String name) throws RegistryException {
        if (d.removing) {
            throw new DeviceRemovingException(d.name);
        }
        if (!d.name.equals(name)) {
            throw new NotManagedException(name); // renamed meanwhile
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the registry is closed");
        }
    }

    private void destroyAll(ManagedDevice d) {
        for (Table t : tablesOf(d)) {
            if (!t.isDestroyed()) {
                t.holders.close();
                t.destroy();
            }
        }
        d.live = null;
        d.inactive = null;
        d.retired.clear();
    }

    /**
     * Closes the registry: every table's destructor runs, after its holders close (within the
     * destroy timeout). Kernel devices stay as they are; the caller's {@link DeviceMapper} stays
     * open.
     *
     * @throws HoldersTimeoutException if some holders did not close; their tables are then left
     *     undestroyed, and the registry is closed all the same
     */
    @Override
    public void close() throws HoldersTimeoutException {
        if (closed) {
            return;
        }
        closed = true;
        HoldersTimeoutException first = null;
        long deadline = deadline(options.destroyTimeout());
        for (ManagedDevice d : devices.values()) {
            synchronized (d.mutex) {
                for (Table t : tablesOf(d)) {
                    if (t.isDestroyed()) {
                        continue;
                    }
                    t.holders.close();
                    if (awaitDrained(t.holders, t.tracked, deadline)) {
                        t.destroy();
                    } else if (first == null) {
                        first = timeout(d.name, "close", t.holders, t.tracked);
                    }
                }
            }
        }
        devices.clear();
        if (first != null) {
            throw first;
        }
    }
}
