package io.dm4j.testing;

import io.dm4j.sys.testing.Commands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real systemd-udevd for tests in a throwaway guest (vm/run), where none runs: Debian's
 * {@code udev} package with device-mapper's rules from {@code dmsetup}. It runs in the foreground
 * as a child process, so the test can stop, continue and kill it by its pid. {@link #close}
 * ends it and its workers and wipes {@code /run/udev}, so that later test classes see a machine
 * without udev again.
 */
public final class Udevd implements AutoCloseable {
    private static final Path BINARY = Path.of("/lib/systemd/systemd-udevd");
    private static final Path RUN = Path.of("/run/udev");
    private static final Path CONTROL = RUN.resolve("control");

    private final Process process;
    private final Path log;

    private Udevd(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts udevd and waits until it answers a ping (at most 10 s). Its control socket appears
     * before it listens on the kernel's uevent socket, and a uevent sent in between never reaches
     * it (a remove right after a restart then timed out in CI); the ping is answered from its
     * event loop, which runs only once it listens.
     */
    public static Udevd start() throws IOException {
        if (!RealKernel.inThrowawayGuest()) {
            throw new IllegalStateException("starts a udevd: only in a vm/run guest");
        }
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install Debian's udev package on the host"
                    + " (vm/setup does), the guest shares its root file system");
        }
        wipeRun(); // a killed udevd leaves its socket behind
        Path log = Files.createTempFile("dm4j-udevd", ".log");
        ProcessBuilder pb = new ProcessBuilder(BINARY.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // vm/run sets it for libdevmapper's sake; udev's rules and dmsetup must not see it.
        pb.environment().remove("DM_DISABLE_UDEV");
        Udevd udevd = new Udevd(pb.start(), log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(CONTROL) || !answersPing()) {
            if (!udevd.process.isAlive() || System.nanoTime() - deadline > 0) {
                udevd.close();
                throw new IllegalStateException("systemd-udevd did not start: " + udevd.log());
            }
            sleep(20);
        }
        return udevd;
    }

    private static boolean answersPing() {
        return Commands.run("env", "SYSTEMD_IGNORE_CHROOT=1", "udevadm", "control", "--ping", "--timeout=2")
                .exitCode() == 0;
    }

    /** Stops udevd with SIGSTOP: uevents queue up in its socket until {@link #resume}. */
    public void pause() {
        signal("STOP");
    }

    /** Continues a stopped udevd. */
    public void resume() {
        signal("CONT");
    }

    /** Kills udevd and its workers with SIGKILL, as a crash would; its socket file stays. */
    public void kill() throws InterruptedException {
        List<ProcessHandle> workers = process.descendants().toList();
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        workers.forEach(ProcessHandle::destroyForcibly);
    }

    /** Whether the udevd process is still there. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** What udevd printed so far, for assertion messages. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void signal(String signal) {
        Commands.check("kill", "-" + signal, Long.toString(process.pid()));
    }

    /** Ends udevd and its workers, and wipes {@code /run/udev}. Idempotent. */
    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            signal("CONT");
            List<ProcessHandle> workers = process.descendants().toList();
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            workers.forEach(ProcessHandle::destroyForcibly);
        }
        wipeRun();
        Files.deleteIfExists(log);
    }

    private static void wipeRun() throws IOException {
        if (Files.exists(RUN)) {
            try (Stream<Path> all = Files.walk(RUN)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
