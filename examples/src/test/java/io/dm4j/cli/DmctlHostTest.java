package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DeviceMapper;
import io.dm4j.Dm4j;
import io.dm4j.sys.Syscalls;
import io.dm4j.testing.BadInputCorpus;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * dmctl on a host without a kernel to ask: whatever needs none is answered before device-mapper
 * is asked for, and only what needs the kernel asks for it (through a stand-in that counts).
 */
class DmctlHostTest {
    /** What one run printed, and how often it asked for the kernel. */
    record Run(int status, String out, String err, int kernelAsked) {}

    /** Runs dmctl in this JVM; the kernel is a stand-in that counts the asks and refuses them. */
    static Run withoutKernel(String stdin, String... args) {
        int[] asked = {0};
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Dmctl.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), () -> {
                    asked[0]++;
                    throw new IOException("no kernel in this test");
                });
        return new Run(status, out.toString(), err.toString(), asked[0]);
    }

    @Test
    void everyCorpusCaseThatDm4jRefusesItselfIsAnsweredWithoutTheKernel() {
        Map<String, String> placeholders = Map.of("dev", "corpus-dev", "missing", "corpus-missing", "missing2",
                "corpus-missing2", "loop", "7:0");
        List<String> mismatches = new ArrayList<>();
        List<BadInputCorpus.Case> cases = BadInputCorpus.load("dmctl");
        for (BadInputCorpus.Case c : cases) {
            List<String> argv = new ArrayList<>(List.of(c.operation()));
            c.escapedArgs(placeholders).forEach(a -> argv.add(BadInputCorpus.unescape(a)));
            Run r = withoutKernel("", argv.toArray(String[]::new));
            boolean ok = c.local()
                    ? r.kernelAsked() == 0 && Integer.toString(r.status()).equals(c.expected())
                            && r.err().lines().count() == 1 && r.err().startsWith("dmctl: ")
                    // it passes every check here, so only the kernel can refuse it
                    : r.kernelAsked() == 1 && r.status() == 1 && r.err().equals("dmctl: no kernel in this test\n");
            if (!ok) {
                mismatches.add(c + ": " + r);
            }
        }
        assertThat(cases.stream().filter(BadInputCorpus.Case::local).count()).isGreaterThan(100);
        assertThat(mismatches).isEmpty();
    }

    @Test
    void helpVersionAndUsageErrorsNeedNoKernel() {
        Run help = withoutKernel("", "--help");
        assertThat(help.out()).startsWith("Usage: dmctl ").contains("  create ");
        Run helpCreate = withoutKernel("", "help", "create");
        assertThat(helpCreate.out()).startsWith("Usage: dmctl create ").contains("--table=LINES");
        Run version = withoutKernel("", "--version");
        assertThat(version.out()).isEqualTo("dmctl " + Dm4j.version() + "\n");
        Run misspelt = withoutKernel("", "crate", "x");
        assertThat(misspelt.err()).isEqualTo("dmctl: Unmatched arguments from index 0: 'crate', 'x' (see 'dmctl --help')\n");
        for (Run r : List.of(help, helpCreate, version, misspelt)) {
            assertThat(r.kernelAsked()).as("%s", r).isZero();
        }
        assertThat(List.of(help.status(), helpCreate.status(), version.status(), misspelt.status()))
                .containsExactly(0, 0, 0, 2);
    }

    @Test
    void aTableIsReadAndCheckedBeforeTheKernelIsAskedFor() {
        Run refused = withoutKernel("0 8 zero\n16 8 zero\n", "create", "tst");
        assertThat(refused.status()).isEqualTo(2);
        assertThat(refused.err()).isEqualTo("dmctl: line 2 start leaves a gap: must be 8 (contiguous from sector 0), got 16\n");
        assertThat(refused.kernelAsked()).isZero();
        Run good = withoutKernel("0 8 zero\n", "create", "tst");
        assertThat(good.kernelAsked()).isOne();
    }

    @Test
    void versionPrintsTheLibrarysPartBeforeAskingForTheKernel() {
        Run text = withoutKernel("", "version");
        assertThat(text.out()).isEqualTo("dm4j " + Dm4j.version() + "\nnative backend: " + Syscalls.get().backend()
                + " (Java " + Runtime.version().feature() + ")\n");
        assertThat(text.kernelAsked()).isOne();
        // one JSON document, so all of it or nothing
        assertThat(withoutKernel("", "version", "--json").out()).isEmpty();
    }

    @Test
    void withoutTheLauncherACommandThatNeedsTheKernelSaysInOneLineWhyItCannotHave() throws IOException {
        assertThat(System.getenv("DM4J_LAUNCH_HANDOVER")).as("tests run outside the launcher").isNull();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Dmctl.run(new String[] {"ls"}, new PrintWriter(out, true), new PrintWriter(err, true));
        boolean driver = Files.readString(Path.of("/proc/misc")).lines().anyMatch(l -> l.endsWith(" device-mapper"));
        if (status == 0) {
            // a host whose device-mapper is usable: then it simply answers
            assertThat(driver).isTrue();
            assertThat(DeviceMapper.CONTROL).exists();
            assertThat(err.toString()).isEmpty();
        } else {
            assertThat(status).as(err.toString()).isEqualTo(1);
            assertThat(err.toString()).startsWith("dmctl: ls: device-mapper is not usable here: ").hasLineCount(1)
                    .containsAnyOf(driver ? new String[] {"CAP_SYS_ADMIN", "missing or stale"}
                            : new String[] {"dm_mod is not loaded"});
            assertThat(out.toString()).isEmpty();
        }
    }
}
