package io.dm4j.registry;

import io.dm4j.CreateOptions;
import io.dm4j.DeviceInfo;
import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.KernelErrors;
import io.dm4j.LoadOption;
import io.dm4j.RemoveOutcome;
import io.dm4j.SuspendOption;
import io.dm4j.TableSlot;
import io.dm4j.TargetLine;
import io.dm4j.Visibility;
import io.dm4j.registry.InMemoryKernel.ResumeStage;
import io.dm4j.sys.Errno;
import io.dm4j.sys.ErrnoException;
import io.dm4j.target.Table;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A {@link Kernel} that fails on demand: a test arms "the Nth call of method M" to throw, to run a
 * hook first (change the model behind the registry's back, interrupt the thread, block until
 * released), or to throw after the delegate succeeded. {@link #failurePoints} lists, per method,
 * the ways the real one fails, from {@code drivers/md/dm-ioctl.c} and DeviceMapper's udev and node
 * steps, so a test can walk them all.
 *
 * <pre>{@code
 * faulty.on("remove", 1).fail(Errno.EBUSY);                      // the next remove: DeviceBusyException
 * faulty.on("resume", 2).after().fail(Errno.EIDRM);              // resumed, then the call throws
 * faulty.on("load", 1).hook(c -> model.removeBehindBack(c.name())).proceed();
 * faulty.on("info", 1).hook(c -> gate.await()).proceed();        // blocks until the test opens the gate
 * }</pre>
 */
final class FaultyKernel implements Kernel {
    /** The {@link Kernel} methods by name; both loads are "load", as they are one ioctl. */
    static final List<String> METHODS = List.of("create", "load", "suspend", "resume", "rename", "clear", "info",
            "table", "list", "remove", "removeDeferred", "cancelDeferredRemove", "mknodes", "nodePresent", "inSysfs",
            "blockNode", "recordedVisibility", "openers");

    /** The methods that declare no IOException: only unchecked faults fit them. */
    private static final Set<String> UNCHECKED_ONLY = Set.of("nodePresent", "inSysfs", "openers");

    private static final Map<String, DmCommand> COMMANDS = Map.ofEntries(
            Map.entry("create", DmCommand.DM_DEV_CREATE), Map.entry("load", DmCommand.DM_TABLE_LOAD),
            Map.entry("suspend", DmCommand.DM_DEV_SUSPEND), Map.entry("resume", DmCommand.DM_DEV_SUSPEND),
            Map.entry("rename", DmCommand.DM_DEV_RENAME), Map.entry("clear", DmCommand.DM_TABLE_CLEAR),
            Map.entry("info", DmCommand.DM_DEV_STATUS), Map.entry("table", DmCommand.DM_TABLE_STATUS),
            Map.entry("list", DmCommand.DM_LIST_DEVICES), Map.entry("remove", DmCommand.DM_DEV_REMOVE),
            Map.entry("removeDeferred", DmCommand.DM_DEV_REMOVE),
            Map.entry("cancelDeferredRemove", DmCommand.DM_TARGET_MSG),
            // mknodes asks DM_DEV_STATUS before it touches the node
            Map.entry("mknodes", DmCommand.DM_DEV_STATUS));

    /** When an armed fault strikes. */
    enum Phase {
        /** Before the delegate is called: the kernel is unchanged. */
        BEFORE,
        /**
         * Inside the kernel: the fault's effect makes the model fail part way (see
         * {@link InMemoryKernel#failResume}); it counts as fired only if the call then fails.
         */
        DURING,
        /** After the delegate succeeded: the kernel changed, then the call threw (udev, nodes). */
        AFTER
    }

    /** One call as the registry made it: the Nth of its method, 1-based, since this kernel began. */
    record Call(String method, int number, List<Object> args) {
        /** The device name the call addresses (a rename's old name), or null for list. */
        String name() {
            return method.equals("list") ? null
                    : args.stream().filter(String.class::isInstance).map(String.class::cast).findFirst().orElse(null);
        }
    }

    /** Test code run at a fault: it may block, interrupt, or change the model. */
    @FunctionalInterface
    interface Hook {
        void run(Call call) throws Exception;
    }

    /** Thrown by a fault that stands for a bug below the registry. */
    static final class InjectedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedException(String message) {
            super(message);
        }
    }

    /** Thrown by a fault that stands for an Error (out of memory, a stack overflow) below the registry. */
    static final class InjectedError extends Error {
        private static final long serialVersionUID = 1L;

        InjectedError(String message) {
            super(message);
        }
    }

    /** An armed fault; {@link #fired} says whether it struck. */
    static final class Fault {
        final String method;
        final String label;
        final Phase phase;
        private final int callNumber;
        private final Hook hook;
        private final Function<Call, Throwable> failure;
        private volatile boolean fired;

        private Fault(String method, String label, Phase phase, int callNumber, Hook hook,
                Function<Call, Throwable> failure) {
            this.method = method;
            this.label = label;
            this.phase = phase;
            this.callNumber = callNumber;
            this.hook = hook;
            this.failure = failure;
        }

        boolean fired() {
            return fired;
        }

        @Override
        public String toString() {
            return label + " on call " + callNumber;
        }
    }

    /** Arms one fault: {@code on(method, n)}, optionally {@code after()} or a hook, then fail or proceed. */
    final class Arming {
        private final String method;
        private final int nth;
        private Phase phase = Phase.BEFORE;
        private Hook hook;
        private String label;

        private Arming(String method, int nth) {
            this.method = method;
            this.nth = nth;
        }

        /** Strike after the delegate call succeeded. */
        Arming after() {
            phase = Phase.AFTER;
            return this;
        }

        /** The hook makes the delegate fail part way ({@link Phase#DURING}). */
        Arming during(Hook inside) {
            phase = Phase.DURING;
            return hook(inside);
        }

        /** Runs first, at the fault's phase. */
        Arming hook(Hook h) {
            hook = h;
            return this;
        }

        /** Names the fault in {@link #firedCounts}. */
        Arming as(String name) {
            label = name;
            return this;
        }

        /** Throws what DeviceMapper throws for this errno from this method. */
        Fault fail(Errno errno) {
            if (UNCHECKED_ONLY.contains(method)) {
                throw new IllegalArgumentException(method + " reports no errno");
            }
            return arm(errno.name(), c -> error(c, errno));
        }

        /** Throws this (an IOException, a RuntimeException or an Error). */
        Fault fail(Throwable t) {
            boolean checked = !(t instanceof RuntimeException || t instanceof Error);
            if (checked && (!(t instanceof IOException) || UNCHECKED_ONLY.contains(method))) {
                throw new IllegalArgumentException(method + " cannot throw " + t);
            }
            return arm(t.getClass().getSimpleName(), c -> t);
        }

        /** Throws what {@code failure} builds for the call. */
        Fault fail(String what, Function<Call, Throwable> failure) {
            return arm(what, failure);
        }

        /** Only runs the hook; the call goes on. */
        Fault proceed() {
            return arm("hook", null);
        }

        private Fault arm(String what, Function<Call, Throwable> failure) {
            String name = label != null ? label
                    : method + " " + what + (phase == Phase.BEFORE ? "" : " " + phase.name().toLowerCase());
            synchronized (FaultyKernel.this) {
                Fault f = new Fault(method, name, phase, callsSoFar(method) + nth, hook, failure);
                armed.add(f);
                return f;
            }
        }
    }

    /**
     * A way a method fails on a real machine.
     *
     * @param what the errno or step, e.g. {@code "EBUSY"} or {@code "udev wait EIDRM"}
     * @param why where the kernel or DeviceMapper fails so
     * @param failure what the call throws (null for {@link Phase#DURING}: the model throws)
     * @param effect what the failure leaves on the model besides (null: nothing), applied before
     *     the delegate for DURING, after it for AFTER
     */
    record FailurePoint(String method, String what, Phase phase, String why, Function<Call, Throwable> failure,
            BiConsumer<InMemoryKernel, Call> effect) {

        /** Arms this failure on the Nth call of its method from now. */
        Fault arm(FaultyKernel kernel, int nth) {
            Arming a = kernel.on(method, nth).as(method + " " + what + (phase == Phase.BEFORE ? "" : " " + phase.name().toLowerCase()));
            return switch (phase) {
                case BEFORE -> a.fail(what, failure);
                case DURING -> a.during(c -> effect.accept(kernel.model(), c)).proceed();
                case AFTER -> a.after().hook(c -> {
                    if (effect != null) {
                        effect.accept(kernel.model(), c);
                    }
                }).fail(what, failure);
            };
        }

        @Override
        public String toString() {
            return method + " " + what + " (" + phase + ": " + why + ")";
        }
    }

    private final Kernel delegate;
    private final List<Fault> armed = new ArrayList<>();
    private final Map<String, AtomicInteger> calls = new LinkedHashMap<>();
    private final SortedMap<String, Integer> fired = new TreeMap<>();

    FaultyKernel(Kernel delegate) {
        this.delegate = Objects.requireNonNull(delegate);
    }

    /** Arms the Nth call of {@code method} (1-based) counted from now. */
    Arming on(String method, int nth) {
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("no Kernel method " + method + "; one of " + METHODS);
        }
        if (nth < 1) {
            throw new IllegalArgumentException("calls count from 1, got " + nth);
        }
        return new Arming(method, nth);
    }

    /** The delegate, for failure points with an effect on the model. */
    InMemoryKernel model() {
        if (delegate instanceof InMemoryKernel m) {
            return m;
        }
        throw new IllegalStateException("this failure acts on an InMemoryKernel, not on " + delegate);
    }

    /** Drops the faults that have not struck. */
    synchronized void disarm() {
        armed.clear();
    }

    synchronized List<Fault> armed() {
        return List.copyOf(armed);
    }

    /** Calls of {@code method} seen so far. */
    synchronized int callsSoFar(String method) {
        AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    /** How often each fault label struck: the (method, failure point) pairs a test covered. */
    synchronized SortedMap<String, Integer> firedCounts() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(fired));
    }

    synchronized int totalFired() {
        return fired.values().stream().mapToInt(Integer::intValue).sum();
    }

    // ------------------------------------------------------------ the failure points

    private static final Map<String, List<FailurePoint>> POINTS = points();

    /** The ways {@code method} fails on a real machine, errno ones first, then a bug and an Error. */
    static List<FailurePoint> failurePoints(String method) {
        return POINTS.get(method);
    }

    /** All of them, method by method. */
    static List<FailurePoint> failurePoints() {
        return POINTS.values().stream().flatMap(List::stream).toList();
    }

    private static Map<String, List<FailurePoint>> points() {
        Map<String, List<FailurePoint>> all = new LinkedHashMap<>();
        for (String m : METHODS) {
            all.put(m, new ArrayList<>());
        }
        String noCap = "ctl_ioctl: no CAP_SYS_ADMIN (PermissionDeniedException)";
        String paramCopy = "copy_params: kvmalloc of the request buffer";
        String gone = "no such device, or removed meanwhile";
        for (String m : COMMANDS.keySet()) {
            errno(all, m, Errno.EACCES, noCap);
        }
        errno(all, "create", Errno.EBUSY, "dm_hash_insert: name or uuid taken; dm_create: the asked minor taken");
        errno(all, "create", Errno.EINVAL, "check_name");
        errno(all, "create", Errno.ENOMEM, "alloc_dev");

        errno(all, "load", Errno.ENXIO, gone);
        point(all, "load", "ENXIO table", Phase.BEFORE, "a device the table names is missing (TableRejectedException)",
                c -> KernelErrors.tableRejected(c.name(), Errno.ENXIO, tableText(c)), null);
        errno(all, "load", Errno.EINVAL, "populate_table, a target's constructor, device type change");
        errno(all, "load", Errno.EBUSY, "a device the table names is held exclusively by another");
        errno(all, "load", Errno.ENOMEM, paramCopy);

        errno(all, "suspend", Errno.ENXIO, gone);
        errno(all, "suspend", Errno.EINTR, "dm_suspend: a signal while waiting for I/O; the suspend is undone");
        errno(all, "suspend", Errno.EBUSY, "lock_fs: the filesystem on it could not be frozen");

        errno(all, "resume", Errno.ENXIO, gone);
        during(all, "resume", ResumeStage.SWAP, Errno.EINVAL, "dm_swap_table refused the table: it is destroyed");
        during(all, "resume", ResumeStage.SWAP, Errno.ENOMEM, "dm_swap_table: no memory; the table is destroyed");
        during(all, "resume", ResumeStage.RESUME, Errno.EINVAL, "dm_resume: a target's preresume failed");
        point(all, "resume", "mknod EACCES", Phase.AFTER, "LIBRARY: resumed, then the node could not be made",
                c -> new ErrnoException("mknod", "/dev/mapper/" + c.name(), Errno.EACCES.number()),
                (m, c) -> m.dropNode(c.name()));

        errno(all, "rename", Errno.EBUSY, "dm_hash_rename: the new name is taken (DeviceExistsException)");
        errno(all, "rename", Errno.ENXIO, gone);
        errno(all, "rename", Errno.EINVAL, "dev_rename: bad new name");
        errno(all, "rename", Errno.ENOMEM, "kstrdup of the new name");

        errno(all, "clear", Errno.ENXIO, gone);
        errno(all, "info", Errno.ENXIO, gone);
        errno(all, "table", Errno.ENXIO, gone);
        errno(all, "table", Errno.ENOMEM, paramCopy);
        errno(all, "list", Errno.ENOMEM, paramCopy);

        errno(all, "remove", Errno.ENXIO, gone);
        errno(all, "remove", Errno.EBUSY, "dm_lock_for_deletion: open (DeviceBusyException, open count unknown)");
        point(all, "remove", "unlink EACCES", Phase.AFTER, "LIBRARY: removed, then the node could not be unlinked",
                c -> new AccessDeniedException("/dev/mapper/" + c.name()), (m, c) -> m.putNode(c.name()));
        errno(all, "removeDeferred", Errno.ENXIO, gone);
        point(all, "removeDeferred", "unlink EACCES", Phase.AFTER, "LIBRARY: removed, the node could not be unlinked",
                c -> new AccessDeniedException("/dev/mapper/" + c.name()), (m, c) -> m.putNode(c.name()));
        for (String m : List.of("resume", "rename", "remove", "removeDeferred")) {
            point(all, m, "udev cookie ENOSPC", Phase.BEFORE, "UDEV: semget failed, no ioctl made",
                    c -> KernelErrors.udevCookieFailed(COMMANDS.get(m), c.name(), Errno.ENOSPC), null);
            point(all, m, "udev wait EIDRM", Phase.AFTER, "UDEV: the ioctl succeeded, the wait for udev failed",
                    c -> KernelErrors.udevWaitFailed(COMMANDS.get(m), c.name(), Errno.EIDRM), null);
        }

        errno(all, "cancelDeferredRemove", Errno.ENXIO, gone);
        errno(all, "cancelDeferredRemove", Errno.EBUSY, "dm_cancel_deferred_remove: the remove is under way");
        errno(all, "cancelDeferredRemove", Errno.ENOMEM, paramCopy + " or dm_split_args");

        point(all, "mknodes", "mknod EACCES", Phase.BEFORE, "the node could not be made or unlinked",
                c -> new ErrnoException("mknod", "/dev/mapper/" + c.name(), Errno.EACCES.number()), null);
        point(all, "blockNode", "ENOENT", Phase.BEFORE, "the sysfs entry is gone",
                c -> new NoSuchFileException("/sys/dev/block/" + c.args().get(0) + "/uevent"), null);
        point(all, "blockNode", "EACCES", Phase.BEFORE, "the sysfs entry cannot be read",
                c -> new AccessDeniedException("/sys/dev/block/" + c.args().get(0) + "/uevent"), null);
        point(all, "recordedVisibility", "EACCES", Phase.BEFORE, "udev's database cannot be read",
                c -> new AccessDeniedException("/run/udev/data/b" + c.args().get(0)), null);

        for (String m : METHODS) {
            point(all, m, "bug", Phase.BEFORE, "a RuntimeException below the registry",
                    c -> new InjectedException("injected into " + m), null);
            point(all, m, "error", Phase.BEFORE, "an Error below the registry",
                    c -> new InjectedError("injected into " + m), null);
        }
        all.replaceAll((m, l) -> List.copyOf(l));
        return Collections.unmodifiableMap(all);
    }

    private static void errno(Map<String, List<FailurePoint>> all, String method, Errno errno, String why) {
        point(all, method, errno.name(), Phase.BEFORE, why, c -> error(c, errno), null);
    }

    private static void during(Map<String, List<FailurePoint>> all, String method, ResumeStage stage, Errno errno,
            String why) {
        point(all, method, errno.name() + " at " + stage.name().toLowerCase(), Phase.DURING, why, null,
                (m, c) -> m.failResume(c.name(), stage, errno));
    }

    private static void point(Map<String, List<FailurePoint>> all, String method, String what, Phase phase,
            String why, Function<Call, Throwable> failure, BiConsumer<InMemoryKernel, Call> effect) {
        all.get(method).add(new FailurePoint(method, what, phase, why, failure, effect));
    }

    /** What DeviceMapper throws when the ioctl behind {@code call} fails with {@code errno}. */
    static Throwable error(Call call, Errno errno) {
        String name = call.name();
        DmCommand command = COMMANDS.get(call.method());
        if (call.method().equals("load") && errno == Errno.EINVAL) {
            return KernelErrors.tableRejected(name, errno, tableText(call));
        }
        if (call.method().equals("remove") && errno == Errno.EBUSY) {
            return KernelErrors.busy(command, name, -1);
        }
        if (command != null) {
            return KernelErrors.of(command, name, errno);
        }
        String path = switch (call.method()) {
            case "blockNode" -> "/sys/dev/block/" + call.args().get(0) + "/uevent";
            case "recordedVisibility" -> "/run/udev/data/b" + call.args().get(0);
            default -> throw new IllegalArgumentException(call.method() + " reports no errno");
        };
        return errno == Errno.ENOENT ? new NoSuchFileException(path) : new ErrnoException("open", path, errno.number());
    }

    /** The table of a load call as TableRejectedException shows it (keys as zeros). */
    private static String tableText(Call call) {
        Object table = call.args().get(1);
        if (table instanceof Table t) {
            return t.format().strip();
        }
        return ((List<?>) table).stream().map(Object::toString).collect(Collectors.joining("\n"));
    }

    // ------------------------------------------------------------ the calls

    @FunctionalInterface
    private interface Body<T> {
        T run() throws IOException;
    }

    private <T> T call(String method, Body<T> body, Object... args) throws IOException {
        Call call;
        List<Fault> due = new ArrayList<>();
        synchronized (this) {
            int number = calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
            call = new Call(method, number, Collections.unmodifiableList(Arrays.asList(args)));
            armed.removeIf(f -> f.method.equals(method) && f.callNumber == number && due.add(f));
        }
        for (Fault f : due) {
            if (f.phase != Phase.AFTER) {
                strike(f, call);
            }
        }
        T result;
        try {
            result = body.run();
        } catch (IOException | RuntimeException | Error e) {
            for (Fault f : due) {
                if (f.phase == Phase.DURING) {
                    fired(f); // the model failed where the fault told it to
                }
            }
            throw e;
        }
        for (Fault f : due) {
            if (f.phase == Phase.AFTER) {
                strike(f, call);
            }
        }
        return result;
    }

    /** Runs the fault's hook, then throws its failure, if it has one. */
    private void strike(Fault f, Call call) throws IOException {
        if (f.hook != null) {
            try {
                f.hook.run(call);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw (InterruptedIOException) new InterruptedIOException("interrupted in the hook of " + f).initCause(e);
            } catch (Exception e) {
                throw new IllegalStateException("the hook of " + f + " failed", e);
            }
        }
        if (f.phase == Phase.DURING) {
            return; // fired only if the delegate now fails
        }
        fired(f);
        if (f.failure == null) {
            return;
        }
        Throwable t = f.failure.apply(call);
        if (t instanceof IOException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("a fault can throw only IOException, RuntimeException or Error", t);
    }

    private synchronized void fired(Fault f) {
        f.fired = true;
        fired.merge(f.label, 1, Integer::sum);
    }

    /** For the methods without IOException: an IOException from a hook is a test's mistake. */
    private <T> T unchecked(String method, Body<T> body, Object... args) {
        try {
            return call(method, body, args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public DeviceInfo create(String name, CreateOptions options) throws IOException {
        return call("create", () -> delegate.create(name, options), name, options);
    }

    @Override
    public DeviceInfo load(String name, List<TargetLine> table, LoadOption... options) throws IOException {
        return call("load", () -> delegate.load(name, table, options), name, table, List.of(options));
    }

    @Override
    public DeviceInfo load(String name, Table table, LoadOption... options) throws IOException {
        return call("load", () -> delegate.load(name, table, options), name, table, List.of(options));
    }

    @Override
    public DeviceInfo suspend(String name, SuspendOption... options) throws IOException {
        return call("suspend", () -> delegate.suspend(name, options), name, List.of(options));
    }

    @Override
    public DeviceInfo resume(String name, Visibility visibility) throws IOException {
        return call("resume", () -> delegate.resume(name, visibility), name, visibility);
    }

    @Override
    public DeviceInfo rename(String name, String newName, Visibility visibility) throws IOException {
        return call("rename", () -> delegate.rename(name, newName, visibility), name, newName, visibility);
    }

    @Override
    public DeviceInfo clear(String name) throws IOException {
        return call("clear", () -> delegate.clear(name), name);
    }

    @Override
    public DeviceInfo info(String name) throws IOException {
        return call("info", () -> delegate.info(name), name);
    }

    @Override
    public List<TargetLine> table(String name, TableSlot slot) throws IOException {
        return call("table", () -> delegate.table(name, slot), name, slot);
    }

    @Override
    public List<DeviceListEntry> list(String uuidPrefix) throws IOException {
        return call("list", () -> delegate.list(uuidPrefix), uuidPrefix);
    }

    @Override
    public void remove(String name) throws IOException {
        call("remove", () -> {
            delegate.remove(name);
            return null;
        }, name);
    }

    @Override
    public RemoveOutcome removeDeferred(String name) throws IOException {
        return call("removeDeferred", () -> delegate.removeDeferred(name), name);
    }

    @Override
    public void cancelDeferredRemove(String name) throws IOException {
        call("cancelDeferredRemove", () -> {
            delegate.cancelDeferredRemove(name);
            return null;
        }, name);
    }

    @Override
    public void mknodes(String name) throws IOException {
        call("mknodes", () -> {
            delegate.mknodes(name);
            return null;
        }, name);
    }

    @Override
    public boolean nodePresent(String name) {
        return unchecked("nodePresent", () -> delegate.nodePresent(name), name);
    }

    @Override
    public boolean inSysfs(DeviceNumber number, String name) {
        return unchecked("inSysfs", () -> delegate.inSysfs(number, name), number, name);
    }

    @Override
    public Path blockNode(DeviceNumber number) throws IOException {
        return call("blockNode", () -> delegate.blockNode(number), number);
    }

    @Override
    public Visibility recordedVisibility(DeviceNumber number) throws IOException {
        return call("recordedVisibility", () -> delegate.recordedVisibility(number), number);
    }

    @Override
    public List<io.dm4j.Opener> openers(DeviceNumber number) {
        return unchecked("openers", () -> delegate.openers(number), number);
    }
}
