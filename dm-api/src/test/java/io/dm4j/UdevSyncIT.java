package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dm4j.internal.nodes.DeviceNodes;
import io.dm4j.internal.udev.UdevCookie;
import io.dm4j.registry.TableRegistry;
import io.dm4j.sys.Syscalls;
import io.dm4j.sys.testing.Commands;
import io.dm4j.testing.RealKernel;
import io.dm4j.testing.Udevd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The udev cookie protocol with the real kernel and a real systemd-udevd running device-mapper's
 * rules: the calls return once udev has made or removed the links, never leave a semaphore, and
 * return at the timeout when udevd is stopped or dead. In a vm/run guest the class starts its own
 * udevd and ends it afterwards, so the other classes still run without udev; on a native host it
 * uses the host's udev and leaves out the tests that stop or kill it.
 */
@ExtendWith(RealKernel.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UdevSyncIT {
    private static final List<TargetLine> ZERO = List.of(new TargetLine(0, 2048, "zero", ""));
    private static final Path BY_ID = Path.of("/dev/disk/by-id");
    /** Shorter than the default, so the stopped-udevd tests do not take 30 s each. */
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    /** Our own udevd in a guest; null when the host's udev is used. */
    private static Udevd udevd;

    private DeviceMapper dm;
    private final List<UdevSync> syncs = new CopyOnWriteArrayList<>();
    /** Per sync, whether its cookie's semaphore existed while the listener ran (inside the call). */
    private final Map<Integer, Boolean> semaphoreSeen = new HashMap<>();

    @BeforeAll
    static void startUdev() throws IOException {
        if (RealKernel.inThrowawayGuest()) {
            udevd = Udevd.start();
        } else {
            assumeTrue(Files.exists(Path.of("/run/udev/control")),
                    "native host without a running udev: dm4j's tests never start a udevd on a real machine");
        }
    }

    @AfterAll
    static void stopUdev() throws IOException {
        if (udevd != null) {
            udevd.close();
            // Links udev made for this run's devices, should a failed test have left any.
            for (Path dir : List.of(DeviceNodes.MAPPER, BY_ID)) {
                try (Stream<Path> links = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
                    links.filter(p -> p.getFileName().toString().contains(RealKernel.prefix())).forEach(p -> {
                        try {
                            Files.deleteIfExists(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
            }
        }
    }

    private DeviceMapper open(Duration timeout) throws IOException {
        DeviceMapper opened = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get(), NodePolicy.UDEV, timeout);
        opened.onUdevSync(s -> {
            synchronized (semaphoreSeen) {
                semaphoreSeen.put(s.cookie(), semaphoreKeys().contains(s.cookie()));
            }
            syncs.add(s);
        });
        return opened;
    }

    @BeforeEach
    void openClient() throws IOException {
        dm = open(DeviceMapper.DEFAULT_UDEV_TIMEOUT);
    }

    @AfterEach
    void removeOwnDevices() throws IOException {
        try (DeviceMapper cleanup = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get(), NodePolicy.NONE)) {
            for (DeviceListEntry e : cleanup.list(RealKernel.prefix(), "")) {
                cleanup.remove(e.name());
            }
        }
        dm.close();
    }

    /** The keys of all SysV semaphore sets, from {@code /proc/sysvipc/sem} (what {@code ipcs -s} reads). */
    private static List<Integer> semaphoreKeys() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/sysvipc/sem"))) {
            return lines.skip(1).map(String::strip).filter(l -> !l.isEmpty())
                    .map(l -> Integer.parseInt(l.split("\\s+")[0])).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Integer> cookieSemaphores() {
        return semaphoreKeys().stream().filter(k -> k >>> 16 == UdevCookie.MAGIC).toList();
    }

    private static Path mapperLink(String name) {
        return DeviceNodes.MAPPER.resolve(name);
    }

    private static Path byIdLink(String name) {
        return BY_ID.resolve("dm-name-" + name);
    }

    /** udev's links are symbolic links to {@code /dev/dm-MINOR}; dm4j's own nodes would be block nodes. */
    private static void assertUdevLink(Path link, DeviceNumber device) throws IOException {
        assertThat(Files.isSymbolicLink(link)).as("%s is a link made by udev", link).isTrue();
        assertThat(link.toRealPath()).isEqualTo(Path.of("/dev/dm-" + device.minor()));
    }

    private UdevSync lastSync(DmCommand command, String device) {
        UdevSync s = syncs.get(syncs.size() - 1);
        assertThat(s.command()).isEqualTo(command);
        assertThat(s.device()).isEqualTo(device);
        synchronized (semaphoreSeen) {
            assertThat(semaphoreSeen.get(s.cookie())).as("semaphore 0x%x present during the call", s.cookie())
                    .isTrue();
        }
        return s;
    }

    /** A device of this run with a zero table loaded, not yet resumed. */
    private String loaded(String suffix) throws IOException {
        String name = RealKernel.name(suffix);
        dm.create(name);
        dm.load(name, ZERO);
        return name;
    }

    /** For the tests that stop or kill udevd, which must be the test's own. */
    private String loadedUnderOwnUdevd(String suffix) throws IOException {
        assumeTrue(udevd != null, "stops or kills udevd: only with the test's own udevd in a vm/run guest");
        return loaded(suffix);
    }

    private static Map<String, String> udevProperties(DeviceNumber device) {
        Map<String, String> properties = new HashMap<>();
        String out = Commands.check("env", "SYSTEMD_IGNORE_CHROOT=1", "udevadm", "info", "--query=property",
                "--name=/dev/dm-" + device.minor());
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                properties.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return properties;
    }

    @Test
    @Order(1)
    void createRenameAndRemoveReturnOnceUdevHasMovedTheLinks() throws IOException {
        String name = RealKernel.name("udev-a");
        String renamed = RealKernel.name("udev-b");
        String uuid = RealKernel.name("udev-uuid-a");
        DeviceInfo created = dm.create(name, CreateOptions.defaults().uuid(uuid));
        dm.load(name, ZERO);
        DeviceNumber device = dm.resume(name).device();
        assertThat(device).isEqualTo(created.device());
        assertThat(lastSync(DmCommand.DM_DEV_SUSPEND, name).outcome()).isEqualTo(UdevSync.Outcome.COMPLETED);
        // Right after the call, no waiting: the cookie made the call wait for udev.
        assertUdevLink(mapperLink(name), device);
        assertUdevLink(byIdLink(name), device);
        assertUdevLink(BY_ID.resolve("dm-uuid-" + uuid), device);
        Map<String, String> db = udevProperties(device);
        assertThat(db).as("flags udev decoded from the cookie").containsEntry("DM_UDEV_PRIMARY_SOURCE_FLAG", "1")
                .containsEntry("DM_NAME", name);

        dm.rename(name, renamed);
        assertThat(lastSync(DmCommand.DM_DEV_RENAME, name).outcome()).isEqualTo(UdevSync.Outcome.COMPLETED);
        assertThat(mapperLink(name)).doesNotExist();
        assertThat(byIdLink(name)).doesNotExist();
        assertUdevLink(mapperLink(renamed), device);
        assertUdevLink(byIdLink(renamed), device);

        dm.remove(renamed);
        assertThat(lastSync(DmCommand.DM_DEV_REMOVE, renamed).outcome()).isEqualTo(UdevSync.Outcome.COMPLETED);
        assertThat(mapperLink(renamed)).doesNotExist();
        assertThat(byIdLink(renamed)).doesNotExist();
        assertThat(BY_ID.resolve("dm-uuid-" + uuid)).doesNotExist();

        assertThat(syncs).extracting(UdevSync::cookie).doesNotHaveDuplicates();
        assertThat(cookieSemaphores()).as("udev cookie semaphores left (ipcs -s)").isEmpty();
    }

    @Test
    @Order(2)
    void aPrivateDeviceGetsItsMapperLinkButNoDiskLinksAndNoScan() throws IOException {
        String hidden = loaded("udev-private");
        String visible = loaded("udev-public");
        DeviceNumber h = dm.resume(hidden, Visibility.PRIVATE).device();
        DeviceNumber v = dm.resume(visible).device();
        assertThat(syncs).extracting(UdevSync::outcome).containsOnly(UdevSync.Outcome.COMPLETED);
        assertUdevLink(mapperLink(hidden), h);
        assertUdevLink(mapperLink(visible), v);
        assertThat(byIdLink(hidden)).as("by-id link of a private device").doesNotExist();
        assertUdevLink(byIdLink(visible), v);
        Map<String, String> db = udevProperties(h);
        assertThat(db).containsEntry("DM_UDEV_DISABLE_DISK_RULES_FLAG", "1")
                .containsEntry("DM_UDEV_DISABLE_OTHER_RULES_FLAG", "1")
                .containsEntry("DM_UDEV_DISABLE_SUBSYSTEM_RULES_FLAG", "1")
                .doesNotContainKey("ID_FS_TYPE"); // blkid never ran
        assertThat(udevProperties(v)).doesNotContainKey("DM_UDEV_DISABLE_DISK_RULES_FLAG");

        String hidden2 = RealKernel.name("udev-private2");
        dm.rename(hidden, hidden2, Visibility.PRIVATE);
        assertUdevLink(mapperLink(hidden2), h);
        assertThat(byIdLink(hidden2)).as("still private after a rename").doesNotExist();
        dm.remove(hidden2);
        dm.remove(visible);
        assertThat(mapperLink(hidden2)).doesNotExist();
        assertThat(cookieSemaphores()).isEmpty();
    }

    /**
     * The registry passes a device's visibility on every resume and rename it makes, and a registry
     * that adopts the device takes it from udev's database: were either to send PUBLIC flags, udev
     * would make the by-id links.
     */
    @Test
    @Order(2)
    void theRegistryKeepsAPrivateDevicePrivateThroughRenameAndAdoption() throws IOException {
        String name = RealKernel.name("udev-reg-private");
        String renamed = RealKernel.name("udev-reg-private2");
        String uuid = RealKernel.name("udev-reg-uuid");
        DeviceNumber device;
        try (TableRegistry registry = TableRegistry.open(dm)) {
            device = registry.create(name, CreateOptions.defaults().uuid(uuid).visibility(Visibility.PRIVATE), ZERO)
                    .device();
            assertUdevLink(mapperLink(name), device);
            assertThat(byIdLink(name)).as("by-id link of a private registry device").doesNotExist();
            registry.rename(name, renamed);
            assertUdevLink(mapperLink(renamed), device);
            assertThat(byIdLink(renamed)).as("still private after the registry's rename").doesNotExist();
        }
        try (TableRegistry adopting = TableRegistry.open(dm)) {
            assertThat(adopting.adopt(uuid)).containsExactly(renamed);
            adopting.suspend(renamed);
            adopting.load(renamed, ZERO);
            adopting.resume(renamed); // a change uevent carrying the adopted device's flags
            assertThat(lastSync(DmCommand.DM_DEV_SUSPEND, renamed).outcome()).isEqualTo(UdevSync.Outcome.COMPLETED);
            assertThat(udevProperties(device)).containsEntry("DM_UDEV_DISABLE_DISK_RULES_FLAG", "1");
            assertThat(byIdLink(renamed)).as("still private after adoption and a resume").doesNotExist();
            assertThat(BY_ID.resolve("dm-uuid-" + uuid)).doesNotExist();
            adopting.remove(renamed);
        }
        assertThat(mapperLink(renamed)).doesNotExist();
        assertThat(cookieSemaphores()).isEmpty();
    }

    @Test
    @Order(3)
    void aResumeThatSendsNoUeventDoesNotWait() throws IOException {
        String name = loaded("udev-twice");
        dm.resume(name);
        long start = System.nanoTime();
        dm.resume(name); // not suspended: the kernel resumes nothing and sends no uevent
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(lastSync(DmCommand.DM_DEV_SUSPEND, name).outcome()).isEqualTo(UdevSync.Outcome.NO_UEVENT);
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertThat(cookieSemaphores()).isEmpty();
    }

    @Test
    @Order(4)
    void autoChoosesUdevWhileItRunsUnlessDmDisableUdevIsSet() throws IOException {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("DM_DISABLE_UDEV");
        assertThat(DeviceNodes.decide(env, Path.of("/"))).isEqualTo(NodePolicy.UDEV);
        env.put("DM_DISABLE_UDEV", "1");
        assertThat(DeviceNodes.decide(env, Path.of("/"))).isEqualTo(NodePolicy.LIBRARY);
        try (DeviceMapper auto = DeviceMapper.open()) {
            assertThat(auto.nodePolicy()).isEqualTo(System.getenv("DM_DISABLE_UDEV") == null
                    ? NodePolicy.UDEV : NodePolicy.LIBRARY);
        }
    }

    /** Logs of dm4j's client, captured through java.util.logging (System.Logger's default). */
    private static final class Captured extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger(DeviceMapper.class.getName());
        final List<String> warnings = new CopyOnWriteArrayList<>();

        Captured() {
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                warnings.add(new SimpleFormatter().formatMessage(r));
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    @Test
    @Order(5)
    void aRemoveWhileUdevdIsStoppedReturnsAtTheTimeoutAndUdevCatchesUpLater() throws Exception {
        String name = loadedUnderOwnUdevd("udev-stopped");
        DeviceNumber device = dm.resume(name).device();
        assertUdevLink(mapperLink(name), device);
        udevd.pause();
        try (Captured log = new Captured(); DeviceMapper impatient = open(TIMEOUT)) {
            long start = System.nanoTime();
            impatient.remove(name);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isGreaterThanOrEqualTo(TIMEOUT).isLessThan(TIMEOUT.plusSeconds(10));
            UdevSync s = lastSync(DmCommand.DM_DEV_REMOVE, name);
            assertThat(s.outcome()).isEqualTo(UdevSync.Outcome.TIMED_OUT);
            assertThat(log.warnings).singleElement().asString().contains("udev did not finish", name,
                    Integer.toHexString(s.cookie()));
        } finally {
            udevd.resume();
        }
        assertThat(dm.list(name, "")).as("the kernel removed the device").isEmpty();
        assertThat(cookieSemaphores()).as("semaphore removed despite the timeout").isEmpty();
        // The queued uevent reaches udev now; its 'udevcomplete' finds no semaphore, which is harmless.
        awaitGone(mapperLink(name));
        assertThat(cookieSemaphores()).isEmpty();
    }

    private static void awaitGone(Path link) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Files.exists(link, LinkOption.NOFOLLOW_LINKS) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).as("%s after udev caught up: %s", link,
                udevd.log()).isFalse();
    }

    /**
     * Cookie-synced cycles, and dm4j's own nodes with udevd stopped (as in a container); the
     * times are printed for the record, not asserted on.
     */
    @Test
    @Order(6)
    void timeCookieSyncedCyclesAgainstLibraryNodes() throws Exception {
        assumeTrue(udevd != null, "stops udevd: only with the test's own udevd in a vm/run guest");
        int cycles = 20;
        long[] udev = cycle(dm, "udev-t", cycles);
        assertThat(syncs).hasSize(2 * cycles).allMatch(s -> s.outcome() == UdevSync.Outcome.COMPLETED);
        long[] library;
        udevd.pause();
        try (DeviceMapper lib = DeviceMapper.open(DeviceMapper.CONTROL, Syscalls.get(), NodePolicy.LIBRARY)) {
            library = cycle(lib, "lib-t", cycles);
        } finally {
            udevd.resume();
        }
        System.out.printf("udev sync timing over %d devices: create+load+resume %.2f ms, remove %.2f ms with udev "
                + "cookies; %.2f ms, %.2f ms with library nodes (udevd stopped)%n", cycles, udev[0] / 1e6 / cycles,
                udev[1] / 1e6 / cycles, library[0] / 1e6 / cycles, library[1] / 1e6 / cycles);
        assertThat(cookieSemaphores()).isEmpty();
        // udevd now works through the library cycle's queued uevents; let it finish before the next test.
        Commands.check("env", "SYSTEMD_IGNORE_CHROOT=1", "udevadm", "settle", "--timeout=60");
    }

    /** Creates, loads and resumes, then removes {@code n} devices, checking each node; nanoseconds of both phases. */
    private static long[] cycle(DeviceMapper client, String tag, int n) throws IOException {
        long[] nanos = new long[2];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = RealKernel.name(tag + i);
            names.add(name);
            long start = System.nanoTime();
            client.create(name);
            client.load(name, ZERO);
            client.resume(name);
            nanos[0] += System.nanoTime() - start;
            assertThat(mapperLink(name)).exists();
        }
        for (String name : names) {
            long start = System.nanoTime();
            client.remove(name);
            nanos[1] += System.nanoTime() - start;
            assertThat(Files.exists(mapperLink(name), LinkOption.NOFOLLOW_LINKS)).isFalse();
        }
        return nanos;
    }

    /** Last: it kills udevd, then starts a fresh one for the removal. */
    @Test
    @Order(7)
    void aResumeAfterUdevdDiedReturnsAtTheTimeoutWithTheDeviceLive() throws Exception {
        String name = loadedUnderOwnUdevd("udev-dead");
        udevd.kill();
        assertThat(udevd.isAlive()).isFalse();
        DeviceInfo info;
        try (DeviceMapper impatient = open(TIMEOUT)) {
            info = impatient.resume(name);
        }
        assertThat(lastSync(DmCommand.DM_DEV_SUSPEND, name).outcome()).isEqualTo(UdevSync.Outcome.TIMED_OUT);
        assertThat(info.hasLiveTable()).isTrue();
        assertThat(dm.info(name).suspended()).isFalse();
        assertThat(dm.table(name)).hasSize(1);
        assertThat(Files.exists(mapperLink(name), LinkOption.NOFOLLOW_LINKS)).as("nobody made the link").isFalse();
        assertThat(cookieSemaphores()).isEmpty();

        udevd.close();
        udevd = Udevd.start();
        dm.remove(name);
        assertThat(lastSync(DmCommand.DM_DEV_REMOVE, name).outcome()).as("udevd's log: %s", udevd.log())
                .isEqualTo(UdevSync.Outcome.COMPLETED);
        assertThat(cookieSemaphores()).isEmpty();
    }
}
