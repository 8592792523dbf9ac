package io.dm4j.sys;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.sys.spi.BackendProvider;
import io.dm4j.sys.spi.NativeBackend;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installed backends that are broken (a provider that throws an Error, as JNA does for a
 * mismatched native library; one that cannot be loaded at all) are reported as unavailable and
 * never hide the backends that work.
 */
class BrokenProvidersTest {

    /** A provider, better than FFM, whose library is broken. */
    public static final class ThrowsError implements BackendProvider {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public int priority() {
            return 400;
        }

        @Override
        public NativeBackend create() {
            throw new Error("There is an incompatible native library installed");
        }
    }

    /** Entry point of the child JVM. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                System.out.println("selected " + Syscalls.get().backend());
            } catch (RuntimeException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            for (Syscalls.BackendStatus s : Syscalls.backends()) {
                System.out.println(s.name() + (s.available() ? " available" : " unavailable: " + s.unavailableReason()));
            }
        }
    }

    @TempDir
    Path dir;

    @Test
    void brokenProvidersAreReportedAndSkipped() throws IOException, InterruptedException {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(BackendProvider.class.getName()),
                ThrowsError.class.getName() + "\nio.dm4j.sys.NoSuchProvider\n");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        boolean ffm = Runtime.version().feature() >= 22;
        if (ffm) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path") + File.pathSeparator + dir, Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(out).contains("broken unavailable: There is an incompatible native library installed")
                .contains("(a backend provider could not be loaded: ")
                .contains("io.dm4j.sys.NoSuchProvider");
        if (ffm) {
            assertThat(out).contains("selected ffm").contains("ffm available")
                    .contains("WARNING: dm4j native backend: ffm; broken unavailable: There is an incompatible");
        } else {
            assertThat(out).contains("IllegalStateException: no native backend can be used here: broken: unavailable");
        }
    }
}
