package io.dm4j.sys.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/** Runs reference tools (dmsetup, losetup) for tests. Tests may start processes; the library may not. */
public final class Commands {
    private Commands() {}

    /** What a command printed and how it ended. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** The standard output, failing the test if the command failed. */
        public String orFail() {
            if (exitCode != 0) {
                throw new AssertionError(String.join(" ", command) + " failed with exit code " + exitCode + ": "
                        + stderr.strip());
            }
            return stdout;
        }
    }

    /** Runs a command to completion (at most 60 s). */
    public static Result run(String... command) {
        try {
            Process p = new ProcessBuilder(command).start();
            p.getOutputStream().close();
            // A thread of its own: the common pool has one thread on a 2-CPU guest, which a test
            // may be blocking (e.g. with an in-process dmctl), and then this would wait for it.
            FutureTask<String> err = new FutureTask<>(() -> read(p.getErrorStream()));
            Thread reader = new Thread(err, "stderr of " + command[0]);
            reader.setDaemon(true);
            reader.start();
            String out = read(p.getInputStream());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
            }
            return new Result(List.of(command), p.exitValue(), out, err.get());
        } catch (ExecutionException e) {
            throw new UncheckedIOException(new IOException(e.getCause()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs a command and returns its output, failing the test if it fails. */
    public static String check(String... command) {
        return run(command).orFail();
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
