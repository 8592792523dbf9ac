package io.dm4j.registry;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceMapper;
import io.dm4j.DeviceNotFoundException;
import io.dm4j.InvalidArgumentException;
import io.dm4j.LoadOption;
import io.dm4j.OperationInterruptedException;
import io.dm4j.SuspendOption;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.Visibility;
import io.dm4j.event.EventMonitor;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The Java-side table registry: device-mapper's table lifetime rules, applied to the program.
 *
 * <ul>
 *   <li>Each managed device has at most one live and one inactive table. A table's owning
 *       reference is its slot and is not counted.
 *   <li>Callers take temporary holder references with {@link #acquire}; closing one only
 *       decrements and never destroys.
 *   <li>A table is destroyed exactly once, only when a load replaces the inactive table, a resume
 *       replaces the live one, the inactive table is cleared, the device is removed or found gone,
 *       or the registry closes; destruction first waits, by notification, for its holders to close.
 *   <li>A remove refuses new references, waits for holders and channels, removes the device in the
 *       kernel (retrying while it is busy), and returns only when the device is gone from the
 *       kernel's list, its nodes are gone and what its tables used is released.
 * </ul>
 *
 * <p><b>When the world interferes.</b> Every wait (for the device's lock, for holders, for a busy
 * device, for nodes) answers {@link Thread#interrupt()} at once with an
 * {@link OperationInterruptedException} that keeps the interrupt status and says whether the
 * kernel had already changed. Every failure leaves the registry equal to the kernel:
 * {@link RegistryException#kernelChanged()} says whether the change took effect before it failed.
 * When another program removes, renames or reloads a managed device, the registry notices the
 * next time an operation touches it (the operation then fails with
 * {@link DeviceVanishedException} or {@link DeviceRenamedException}, and the registry has
 * forgotten or followed the device), and whenever {@link #reconcile()} runs: call it from an
 * {@link io.dm4j.event.EventMonitor} listener to follow the kernel continuously. {@link #close()} makes
 * every operation in flight fail promptly with {@link RegistryClosedException}.
 *
 * <p>Thread-safe. Holders never take the locks under which the registry waits for them. A
 * thread that holds a reference must close it before it changes the same table, or the change
 * times out (the error says so).
 *
 * <p>The parts, each with one job: {@link ManagedDevice} (a device's state machine and slots),
 * {@link Directory} (names), {@link StackGraph} (which devices a table uses), {@link Reaper}
 * (destruction), {@link Remover} (the kernel's remove), {@link GoneProbe} (is it gone),
 * {@link Adopter} (taking over kernel devices) and {@link Reconciler} (following the kernel),
 * all over the {@link Kernel} seam.
 */
public final class TableRegistry implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TableRegistry.class.getName());

    private static final Cleaner CLEANER = Cleaner.create();

    private final Kernel kernel;
    private final RegistryOptions options;
    private final Directory directory = new Directory();
    private final Ledger ledger = new Ledger();
    private final StackGraph graph;
    private final Reaper reaper;
    private final Remover remover;
    private final Reconciler reconciler;
    private final Adopter adopter;

    /** Package-private: tests put an in-memory or fault-injecting kernel here. */
    TableRegistry(Kernel kernel, RegistryOptions options) {
        this.kernel = kernel;
        this.options = Objects.requireNonNull(options, "options");
        boolean track = options.tracking() != HolderTracking.COUNT;
        this.graph = new StackGraph(track);
        this.reaper = new Reaper(options.destroyTimeout(), directory::isClosed);
        this.reconciler = new Reconciler(kernel, directory, reaper, graph);
        this.remover = new Remover(kernel, directory, reaper, reconciler, options.destroyTimeout());
        this.adopter = new Adopter(kernel, directory, graph, ledger, track);
    }

    /** A registry with default options over a device-mapper client the caller keeps open. */
    public static TableRegistry open(DeviceMapper dm) {
        return open(dm, RegistryOptions.defaults());
    }

    /** A registry over a device-mapper client the caller keeps open. */
    public static TableRegistry open(DeviceMapper dm, RegistryOptions options) {
        return new TableRegistry(new DeviceMapperKernel(Objects.requireNonNull(dm, "dm")), options);
    }

    /** The names of the managed devices. */
    public Set<String> devices() {
        return directory.names();
    }

    /** How many table destructors have run: each table's runs exactly once. */
    public long destroyedTables() {
        return ledger.destroyedCount();
    }

    /** How many tables were made; once the registry is closed, as many were destroyed. For tests. */
    long tablesMade() {
        return ledger.madeCount();
    }

    /** The managed devices themselves, for tests that check the invariants while others work. */
    Collection<ManagedDevice> managedDevices() {
        return directory.all();
    }

    /** The tables that left their slot and wait for their holders, for tests. */
    List<Table> retiredTables() {
        return reaper.retired();
    }

    /** A device made without the kernel (benchmarks of the holder path): managed, with a live table. */
    ManagedDevice manageForBenchmark(String name, io.dm4j.DeviceNumber number, List<TargetLine> live)
            throws IOException {
        ManagedDevice d = newDevice(name, number, java.util.Optional.empty(), Visibility.PUBLIC);
        d.live = graph.newTable(d, live, List.of());
        directory.publish(d);
        return d;
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
     * @throws NotManagedException if the device is not managed, or was renamed meanwhile
     * @throws RegistryClosedException if the registry is closed
     */
    public TableRef acquire(String name, TableSlot slot) throws RegistryException {
        ManagedDevice d = directory.get(name);
        while (true) {
            if (d.state != ManagedDevice.State.ACTIVE) {
                d.checkUsable(name);
            }
            Table t = d.slot(slot);
            if (t == null) {
                d.checkUsable(name); // a remove or close that emptied the slot meanwhile says so
                throw new NoTableException(name, slot);
            }
            if (t.holders.tryAcquire()) {
                TableRef ref = new TableRef(t, slot, new Hold(t.holders, t.tracked, options.tracking(),
                        slot == TableSlot.LIVE ? "live table" : "inactive table", name, null));
                if (!name.equals(d.name)) {
                    ref.close(); // renamed between the lookup and the hold: the old name is no longer valid
                    throw new NotManagedException(name);
                }
                return track(ref);
            }
            // The table left its slot while we looked: the slot now has its successor, or the
            // device's state changed. Both are seen on the next round.
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
        ManagedDevice d = directory.get(name);
        d.checkUsable(name);
        if (d.live == null) {
            d.checkUsable(name); // a remove or close that emptied the slot meanwhile says so
            throw new NoTableException(name, TableSlot.LIVE);
        }
        if (!d.channels.tryAcquire()) {
            d.checkUsable(name);
            throw new DeviceRemovingException(name);
        }
        if (d.state != ManagedDevice.State.ACTIVE || !name.equals(d.name)) {
            d.channels.release(); // a close, remove or rename came between the check and the hold
            d.checkUsable(name);
            throw new DeviceRemovingException(name); // a remove that started and ended meanwhile
        }
        FileChannel file;
        try {
            file = FileChannel.open(kernel.blockNode(d.number), openOptions);
        } catch (IOException | RuntimeException | Error e) {
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

    // ---------------------------------------------------------------- lifecycle

    /**
     * Creates a managed device with no table yet. The registry resumes and renames it with
     * {@code createOptions}' {@link CreateOptions#visibility() visibility}; so do the overloads
     * below.
     */
    public DeviceInfo create(String name, CreateOptions createOptions) throws IOException {
        return make(name, createOptions, null, null);
    }

    /**
     * Creates a managed device and makes {@code table} live. If any step fails, the kernel device
     * is removed again: nothing is left half-made (if even that fails, the device stays managed,
     * as the kernel has it, and the failure says so).
     */
    public DeviceInfo create(String name, CreateOptions createOptions, List<TargetLine> table, LoadOption... load)
            throws IOException {
        Objects.requireNonNull(table, "table (for a device without one, use create(name, options))");
        return make(name, createOptions, table, () -> kernel.load(name, table, load));
    }

    /**
     * Creates a managed device and makes a typed table live, crypt keys passed as bytes (see
     * {@link DeviceMapper#load(String, io.dm4j.target.Table, LoadOption...)}). If any step fails,
     * the kernel device is removed again.
     */
    public DeviceInfo create(String name, CreateOptions createOptions, io.dm4j.target.Table table,
            LoadOption... load) throws IOException {
        return make(name, createOptions, keysHidden(table), () -> kernel.load(name, table, load));
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

    private DeviceInfo make(String name, CreateOptions createOptions, List<TargetLine> table, KernelLoad load)
            throws IOException {
        DeviceMapper.checkName(name);
        Objects.requireNonNull(createOptions, "createOptions");
        if (table != null) {
            DeviceMapper.checkTable(table); // before the kernel device exists: nothing to undo
        }
        directory.checkOpen(name);
        if (directory.contains(name)) {
            throw new RegistryException(name, "is already managed");
        }
        DeviceInfo created;
        try {
            created = kernel.create(name, createOptions);
        } catch (io.dm4j.DeviceMapperException | InvalidArgumentException notMade) {
            throw notMade; // the ioctl itself failed: the kernel made nothing (and a device of that name is not ours)
        } catch (IOException | RuntimeException | Error e) {
            DeviceInfo madeAnyway = reconciler.created(name, createOptions.uuid(), e);
            if (madeAnyway != null) {
                remover.removeStray(newDevice(name, madeAnyway.device(), createOptions.uuid(), createOptions.visibility()), e);
            }
            throw e;
        }
        ManagedDevice d = newDevice(name, created.device(), createOptions.uuid(), createOptions.visibility());
        d.lock.lock(); // new, so free: operations that find it once published wait for the table
        try {
            try {
                directory.publish(d);
            } catch (RegistryException | RuntimeException | Error e) {
                remover.removeStray(d, e);
                throw e;
            }
            try {
                if (load != null) {
                    loadLocked(d, table, load);
                    resumeLocked(d);
                }
                return kernel.info(name);
            } catch (IOException | RuntimeException | Error e) {
                remover.rollBackCreate(d, e);
                throw e;
            }
        } finally {
            d.lock.unlock();
        }
    }

    private ManagedDevice newDevice(String name, io.dm4j.DeviceNumber number, java.util.Optional<String> uuid,
            Visibility visibility) {
        return new ManagedDevice(ledger, name, number, uuid, visibility, options.tracking() != HolderTracking.COUNT);
    }

    /**
     * Loads a table into the inactive slot. The table it replaces is destroyed once its holders
     * are gone.
     *
     * @throws HoldersTimeoutException with {@link RegistryException#kernelChanged()} true if the
     *     table was loaded but the replaced one's holders stayed: do not load it again
     */
    public DeviceInfo load(String name, List<TargetLine> table, LoadOption... load) throws IOException {
        DeviceMapper.checkTable(table);
        return load(name, table, () -> kernel.load(name, table, load));
    }

    /** Loads a typed table into the inactive slot, crypt keys passed as bytes. */
    public DeviceInfo load(String name, io.dm4j.target.Table table, LoadOption... load) throws IOException {
        return load(name, keysHidden(table), () -> kernel.load(name, table, load));
    }

    private DeviceInfo load(String name, List<TargetLine> table, KernelLoad kernelLoad) throws IOException {
        return locked(name, "load", d -> loadLocked(d, table, kernelLoad));
    }

    private DeviceInfo loadLocked(ManagedDevice d, List<TargetLine> table, KernelLoad kernelLoad) throws IOException {
        reaper.reap();
        Table fresh = graph.newTable(d, table, directory.all());
        DeviceInfo info;
        try {
            info = kernelLoad.load();
        } catch (IOException | RuntimeException | Error e) {
            fresh.destroy(); // never owned by a slot: nothing can hold it
            throw failed(d, "load", e);
        }
        Table old = d.inactive;
        d.inactive = fresh;
        reaper.detach(d, old, "load", true);
        return info;
    }

    /**
     * Suspends the device, in turn with this registry's loads, resumes and removes of it: a
     * resume with a new table suspends the device itself for the swap, and the kernel refuses a
     * suspend that lands in that moment ({@code EINVAL}, already suspended).
     */
    public DeviceInfo suspend(String name, SuspendOption... suspendOptions) throws IOException {
        return locked(name, "suspend", d -> {
            try {
                return kernel.suspend(d.name, suspendOptions);
            } catch (IOException | RuntimeException | Error e) {
                throw failed(d, "suspend", e);
            }
        });
    }

    /** Resumes the device: the inactive table becomes live, and the old live table is destroyed. */
    public DeviceInfo resume(String name) throws IOException {
        return locked(name, "resume", this::resumeLocked);
    }

    private DeviceInfo resumeLocked(ManagedDevice d) throws IOException {
        reaper.reap();
        DeviceInfo info;
        try {
            info = kernel.resume(d.name, d.visibility);
        } catch (IOException | RuntimeException | Error e) {
            throw failed(d, "resume", e);
        }
        if (d.inactive != null) {
            reaper.detach(d, swapLive(d), "resume", true);
        }
        return info;
    }

    /** The inactive table becomes live; returns the live table it replaced. */
    private static Table swapLive(ManagedDevice d) {
        Table old = d.live;
        d.live = d.inactive;
        d.inactive = null;
        return old;
    }

    /**
     * Renames a managed device in the kernel and in the registry; its tables, holders and open
     * channels stay as they are. Operations by the old name that started before it fail with
     * {@link NotManagedException} once it is done.
     */
    public DeviceInfo rename(String name, String newName) throws IOException {
        DeviceMapper.checkName(newName);
        return locked(name, "rename", d -> {
            directory.reserve(newName, d);
            DeviceInfo info;
            try {
                info = kernel.rename(name, newName, d.visibility);
            } catch (IOException | RuntimeException | Error e) {
                if (!(e instanceof DeviceNotFoundException) && reconciler.renamed(d, newName, e)) {
                    directory.renamed(d, name, newName);
                    throw Reconciler.changed(d, "rename", "it is now " + newName, e);
                }
                directory.release(newName, d);
                throw failed(d, "rename", e);
            }
            directory.renamed(d, name, newName);
            return info;
        });
    }

    /** Drops the inactive table. */
    public DeviceInfo clear(String name) throws IOException {
        return locked(name, "clear", d -> {
            reaper.reap();
            DeviceInfo info;
            try {
                info = kernel.clear(d.name);
            } catch (IOException | RuntimeException | Error e) {
                throw failed(d, "clear", e);
            }
            Table old = d.inactive;
            d.inactive = null;
            reaper.detach(d, old, "clear", true);
            return info;
        });
    }

    /**
     * What to throw for a failed kernel call on a managed device. The kernel is asked what it has
     * now, and the registry follows it first: if the device is gone from that name, it is
     * forgotten or followed ({@link DeviceVanishedException}, {@link DeviceRenamedException});
     * if the call changed the device's tables before it failed (a resume that swapped tables but
     * could not resume, a udev wait after the ioctl), the slots take the kernel's tables and
     * a {@link KernelChangedException} says so. Otherwise nothing changed: the failure itself.
     */
    private IOException failed(ManagedDevice d, String operation, Throwable failure) {
        if (failure instanceof DeviceNotFoundException nf) {
            return reconciler.notFound(d, nf);
        }
        Drift drift = reconciler.resync(d, failure);
        if (drift != null) {
            return Reconciler.changed(d, operation, drift.detail(), failure);
        }
        if (failure instanceof IOException io) {
            return io;
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        throw (Error) failure;
    }

    /** An operation on one device, under its lock. */
    private interface DeviceOperation<T> {
        T run(ManagedDevice d) throws IOException;
    }

    /**
     * Runs {@code op} with the device's lock held, after checking (under it) that the device is
     * still usable by that name. Waiting for the lock answers interrupts.
     */
    private <T> T locked(String name, String operation, DeviceOperation<T> op) throws IOException {
        ManagedDevice d = directory.get(name);
        try {
            d.lock.lockInterruptibly();
        } catch (InterruptedException e) {
            throw new OperationInterruptedException(operation, name, false,
                    "while waiting for another operation on the device to end");
        }
        try {
            d.checkUsable(name);
            return op.run(d);
        } finally {
            d.lock.unlock();
        }
    }

    // ---------------------------------------------------------------- remove

    /** Removes the device with the default policy. */
    public RemoveResult remove(String name) throws IOException {
        return remove(name, RemovePolicy.defaults());
    }

    /**
     * Removes the device and returns only when the remove is complete: this program's holders
     * and channels are closed, the kernel removed it (not merely deferred), it is gone from the
     * kernel's device list, its {@code /dev/mapper} node (or udev's link, dangling or not) and
     * sysfs directory are gone, and every managed device its tables used has been released.
     *
     * <p>Until the kernel removed it, a failure or an interrupt changes nothing: the device stays
     * managed and usable. After, the registry has forgotten it, and the exception says so
     * ({@link RegistryException#kernelChanged()}, {@link OperationInterruptedException#kernelChanged()}).
     *
     * @throws DeviceInUseException at once if another managed device's table uses it
     * @throws HoldersTimeoutException if holders stay past the policy's deadline
     * @throws RemoveFailedException if the kernel stays busy, naming what holds the device open,
     *     or if its nodes stay after the kernel removed it
     * @throws DeviceVanishedException if another program removed it first: it is forgotten
     * @throws OperationInterruptedException if the calling thread was interrupted
     */
    public RemoveResult remove(String name, RemovePolicy policy) throws IOException {
        Objects.requireNonNull(policy, "policy");
        return locked(name, "remove", d -> remover.remove(d, policy));
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
        ManagedDevice top = directory.get(name);
        Set<ManagedDevice> below = new LinkedHashSet<>();
        for (Table t : top.slotted()) {
            below.addAll(t.uses);
        }
        for (Table t : reaper.retiredOf(top)) {
            below.addAll(t.uses);
        }
        List<RemoveResult> results = new ArrayList<>();
        results.add(remove(name, policy));
        for (ManagedDevice u : below) {
            if (u.users.isEmpty() && u.state == ManagedDevice.State.ACTIVE && directory.contains(u.name)) {
                results.addAll(removeStack(u.name, policy));
            }
        }
        return results;
    }

    // ---------------------------------------------------------------- following the kernel

    /**
     * Takes over existing kernel devices whose uuid starts with {@code uuidPrefix} (all devices
     * for an empty prefix), rebuilding their live and inactive tables from the kernel: how a
     * restarted program takes over, or cleans up, what a crashed one left. Each device is
     * published only once its tables are built. Under {@link io.dm4j.NodePolicy#LIBRARY} each
     * adopted device's {@code /dev/mapper} node is made right; nodes that a crash left for devices
     * already gone are cleared by {@link DeviceMapper#mknodes()}. An adopted device keeps the
     * {@link Visibility} udev recorded for it (without udev, visibility changes nothing, and it
     * is public).
     *
     * @return the names adopted
     */
    public List<String> adopt(String uuidPrefix) throws IOException {
        directory.checkOpen(uuidPrefix);
        return adopter.adopt(uuidPrefix);
    }

    /**
     * Compares every managed device with the kernel and follows what other programs changed: a
     * device removed is forgotten (its tables destroyed once unheld, the devices beneath released),
     * a device renamed is managed by its new name (told apart from a new device at the same number
     * by its uuid or, without one, by its tables' shape), and tables loaded, made live or cleared
     * are taken into the slots. One device list, then per device its status and tables. Safe to
     * call at any time, e.g. from an {@link io.dm4j.event.EventMonitor} listener.
     *
     * @return what was found and followed
     */
    public List<Drift> reconcile() throws IOException {
        directory.checkOpen("(registry)");
        return reconciler.all();
    }

    /**
     * Follows the kernel as an {@link EventMonitor} reports it: every event and every
     * {@link io.dm4j.event.EventKind#MAYBE_MISSED} marker makes the registry {@link #reconcile()}
     * on a thread of its own, once per burst, so a device another program removes or renames is
     * forgotten or followed without waiting for the next operation on it.
     *
     * @param drifts told of each drift found, on that thread
     * @return closing it stops following: a reconcile in progress is interrupted (it answers at
     *     once) and awaited
     * @throws RegistryClosedException if the registry is closed
     */
    public AutoCloseable follow(EventMonitor monitor, Consumer<Drift> drifts) throws RegistryClosedException {
        Objects.requireNonNull(drifts, "drifts");
        directory.checkOpen("(registry)");
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dm4j-registry-follow");
            t.setDaemon(true);
            return t;
        });
        AtomicBoolean queued = new AtomicBoolean();
        AtomicReference<AutoCloseable> subscription = new AtomicReference<>();
        subscription.set(monitor.subscribe(event -> {
            if (!queued.compareAndSet(false, true)) {
                return;
            }
            try {
                worker.execute(() -> {
                    queued.set(false);
                    try {
                        reconcile().forEach(drifts);
                    } catch (RegistryClosedException | OperationInterruptedException e) {
                        stopFollowing(subscription.get(), worker);
                    } catch (IOException | RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "dm4j: following " + event + " failed", e);
                    }
                });
            } catch (RejectedExecutionException stopped) {
                // following has ended; the monitor may deliver a last event meanwhile
            }
        }));
        return () -> {
            subscription.get().close();
            worker.shutdownNow();
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                throw new IOException("follow: a reconcile still runs 5 s after it was interrupted");
            }
        };
    }

    private static void stopFollowing(AutoCloseable subscription, ExecutorService worker) {
        try {
            subscription.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "dm4j: ending a follow failed", e);
        }
        worker.shutdown();
    }

    // ---------------------------------------------------------------- close

    /**
     * Closes the registry: none starts, operations in flight end with {@link RegistryClosedException}
     * at their next wait (within 100 ms; one already inside a kernel call finishes that call, and
     * says so with {@link RegistryException#kernelChanged()}), no channel opens, and every table's
     * destructor runs, after its holders close (within the destroy timeout). Kernel devices stay
     * as they are; the caller's {@link DeviceMapper} stays open.
     *
     * @throws HoldersTimeoutException if some holders did not close; their tables are then left
     *     undestroyed (and counted as such), and the registry is closed all the same
     * @throws OperationInterruptedException if interrupted while waiting; tables not yet
     *     destroyed stay so, and the registry is closed all the same
     */
    @Override
    public void close() throws IOException {
        if (directory.isClosed()) {
            return;
        }
        List<ManagedDevice> all = directory.close();
        for (ManagedDevice d : all) {
            d.close();
            d.wakeWaiters();
        }
        HoldersTimeoutException held = reaper.destroyAll(all);
        if (held != null) {
            throw held;
        }
    }
}
