package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code dmctl batch} with commands that need no kernel (and one that does, which this test's
 * kernel refuses): results, stopping, going on, JSON, and lines refused before any runs.
 * DmctlBatchIT runs batches against the real kernel.
 */
class BatchCommandTest {
    record Run(int status, String out, String err, int kernelAsked) {}

    private static Run batch(String script, String... options) {
        int[] asked = {0};
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[options.length + 1];
        args[0] = "batch";
        System.arraycopy(options, 0, args, 1, options.length);
        int status = Dmctl.run(args, new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true), () -> {
                    asked[0]++;
                    throw new IOException("no kernel in this test");
                });
        return new Run(status, out.toString(), err.toString(), asked[0]);
    }

    @Test
    void eachLineRunsInTurnWithAResultLine() {
        Run r = batch("splitname vg-lv\n# a comment\n\ndmsetup udevflags 0x00010000\n");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("VG   LV   LVLayer\nvg   lv          \nDM_UDEV_DISABLE_DM_RULES_FLAG='1'\n");
        assertThat(r.err()).isEqualTo("dmctl: batch: line 1: ok\ndmctl: batch: line 4: ok\n");
    }

    @Test
    void theFirstFailureStopsTheBatchUnlessToldToKeepGoing() {
        Run stop = batch("udevflags zz\nsplitname a-b\n");
        assertThat(stop.status()).isEqualTo(2);
        assertThat(stop.out()).isEmpty();
        assertThat(stop.err()).contains("dmctl: batch: line 1: failed (status 2)").doesNotContain("line 2");
        Run on = batch("info x\nsplitname a-b\n", "--keep-going");
        assertThat(on.status()).isEqualTo(1);
        assertThat(on.kernelAsked()).isEqualTo(1);
        assertThat(on.out()).startsWith("VG ");
        assertThat(on.err()).contains("line 1: failed (status 1)").contains("line 2: ok");
    }

    @Test
    void optionsOfOneLineDoNotLeakIntoTheNext() {
        Run r = batch("splitname --noheadings a-b\nsplitname c-d\nsplitname -o vg_name --separator , e-f\nsplitname g-h\n");
        assertThat(r.out()).isEqualTo("a:b:\nVG   LV   LVLayer\nc    d           \nVG\ne\nVG   LV   LVLayer\ng    h           \n");
    }

    @Test
    void jsonGivesOneDocumentPerCommand() {
        Run r = batch("splitname a-b\nudevflags zz\n", "--json", "--keep-going");
        assertThat(r.out().lines()).hasSize(2);
        assertThat(r.out().lines().toList().get(0)).startsWith("{\"line\":1,\"command\":[\"splitname\",\"a-b\"],\"status\":0,");
        assertThat(r.out().lines().toList().get(1)).contains("\"status\":2").contains("COOKIE");
    }

    @Test
    void aBadLineAnywhereStopsTheBatchBeforeItStarts() {
        Run r = batch("splitname a-b\ncreate 'x --table\n");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("dmctl: line 2 has an unterminated single quote\n");
        assertThat(batch("batch other\n").err()).contains("line 1 cannot run a batch");
    }

    @Test
    void theDmsetupPersonalityCarriesIntoTheLines() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Dmctl.run(new String[] {"--compat", "dmsetup", "batch"},
                new ByteArrayInputStream("udevflags zz\n".getBytes(StandardCharsets.UTF_8)), new PrintWriter(out, true),
                new PrintWriter(err, true));
        assertThat(status).isEqualTo(1);
        assertThat(err.toString()).startsWith("Incorrect cookie value.\nCommand failed.\n");
    }

    @Test
    void linesSideBySideStillPrintInTheFilesOrder() {
        StringBuilder script = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            script.append("splitname vg").append(i).append("-lv\n");
            expected.append("vg").append(i).append(":lv:\n");
        }
        Run r = batch(script.toString().replace("splitname ", "splitname --noheadings "), "--jobs", "8");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo(expected.toString());
        assertThat(r.err().lines()).hasSize(200).allMatch(l -> l.endsWith(": ok"));
    }

    @Test
    void withJobsTheLinesAfterAFailureDoNotStartButThoseBeforeItEnd() {
        // line 3 names what line 2 names, so it waits for it, and then does not start
        Run r = batch("splitname a-b\nudevflags zz\nsplitname zz\n", "--jobs", "4");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).startsWith("VG ").doesNotContain("zz");
        assertThat(r.err()).contains("line 1: ok").contains("line 2: failed (status 2)").doesNotContain("line 3");
    }

    @Test
    void whatALineTouchesDecidesWhatItMayOverlap() {
        BatchCommand.Conflicts create = BatchCommand.Conflicts.of(java.util.List.of("create", "a", "--table", "0 8 zero"));
        assertThat(create.all()).isFalse();
        assertThat(create.names()).containsExactly("a");
        BatchCommand.Conflicts thin = BatchCommand.Conflicts.of(
                java.util.List.of("create", "t", "--table", "0 8 thin /dev/mapper/pool 1"));
        assertThat(thin.names()).containsExactlyInAnyOrder("t", "pool");
        assertThat(thin.overlaps(BatchCommand.Conflicts.of(java.util.List.of("message", "pool", "0", "create_thin 1"))))
                .isTrue();
        assertThat(create.overlaps(thin)).isFalse();
        assertThat(BatchCommand.Conflicts.of(java.util.List.of("remove", "/dev/mapper/a", "b")).names())
                .containsExactlyInAnyOrder("a", "b");
        assertThat(BatchCommand.Conflicts.of(java.util.List.of("rename", "a", "b")).names()).containsExactlyInAnyOrder("a", "b");
        for (java.util.List<String> all : java.util.List.of(java.util.List.of("ls"), java.util.List.of("info"),
                java.util.List.of("remove", "-u", "U"), java.util.List.of("info", "-j", "254", "-m", "1"),
                java.util.List.of("create", "x", "--table", "0 8 linear 7:0 0"), java.util.List.of("create", "x", "t.table"))) {
            assertThat(BatchCommand.Conflicts.of(all).all()).as("%s", all).isTrue();
        }
        assertThat(BatchCommand.Conflicts.of(java.util.List.of("create", "x", "-u", "U1", "--table", "0 8 zero")).names())
                .containsExactlyInAnyOrder("x", "uuid:U1");
    }
}
