package io.dm4j.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Backend choice as a program sees it: a fresh JVM with its own flags and -Ddm4j.native. */
class BackendSelectionTest {

    /** Entry point of the child JVM: prints the chosen backend, or the error. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                System.out.println("selected " + Syscalls.get().backend());
            } catch (RuntimeException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    private static String probe(boolean nativeAccess, String backend) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (nativeAccess) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        if (Runtime.version().feature() >= 23) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        if (backend != null) {
            cmd.add("-D" + Syscalls.BACKEND_PROPERTY + "=" + backend);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void eachChoiceWorksAndTheDefaultIsTheBestAvailable() throws Exception {
        boolean ffm = Runtime.version().feature() >= 22;
        assertThat(probe(true, null)).contains("selected " + (ffm ? "ffm" : "jnr"));
        assertThat(probe(true, "jnr")).contains("selected jnr");
        assertThat(probe(true, "jna")).contains("selected jna");
        if (ffm) {
            assertThat(probe(true, "ffm")).contains("selected ffm");
        } else {
            assertThat(probe(true, "ffm")).contains("IllegalStateException: native backend 'ffm' is unavailable: needs JDK 22+");
        }
    }

    @Test
    void bogusChoiceNamesTheValidOnes() throws Exception {
        assertThat(probe(true, "bogus"))
                .contains("IllegalArgumentException: unknown native backend 'bogus'")
                .contains("valid choices are ffm, jnr, jna");
    }

    @Test
    void missingNativeAccessIsOneClearReasonNotAJdkWarning() throws Exception {
        if (Runtime.version().feature() < 22) {
            assertThat(probe(false, "ffm")).contains("needs JDK 22+");
            return;
        }
        String forced = probe(false, "ffm");
        assertThat(forced).contains("native backend 'ffm' is unavailable: native access is not enabled")
                .contains("--enable-native-access=ALL-UNNAMED")
                .doesNotContain("Linker::downcallHandle");
        String fallback = probe(false, null);
        assertThat(fallback).contains("FFM backend unavailable (native access is not enabled")
                .contains("selected jnr");
    }
}
