package io.dm4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.event.EventKind;
import io.dm4j.testing.RealKernel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every example program, run against the real kernel, with its result checked. */
@ExtendWith(RealKernel.class)
class ExamplesIT {
    private final ByteArrayOutputStream narration = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(narration, true, StandardCharsets.UTF_8);

    @AfterEach
    void show() {
        System.out.print(narration.toString(StandardCharsets.UTF_8));
    }

    @Test
    void linearVolume() throws Exception {
        LinearVolume.Result r = LinearVolume.run(out);
        assertThat(r.landedWhereMapped()).isTrue();
        assertThat(r.table()).matches("0 32768 linear \\d+:\\d+ 2048");
    }

    @Test
    void stripedVolume() throws Exception {
        StripedVolume.Result r = StripedVolume.run(out);
        assertThat(r.chunksWhereExpected()).isEqualTo(r.chunksWritten()).isEqualTo(8);
    }

    @Test
    void thinPoolGrowsOnItsLowWaterEvent() throws Exception {
        ThinAutoGrow.Result r = ThinAutoGrow.run(out);
        assertThat(r.dataIntact()).isTrue();
        assertThat(r.growths()).isGreaterThanOrEqualTo(2);
        assertThat(r.finalDataMiB()).isGreaterThan(24);
    }

    @Test
    void snapshotDivergesThenMergesBack() throws Exception {
        SnapshotMerge.Result r = SnapshotMerge.run(out);
        assertThat(r.originUnchangedBeforeMerge()).isTrue();
        assertThat(r.mergedIntoOrigin()).isTrue();
    }

    @Test
    void encryptedVolumeKeepsOnlyCiphertextOnDisk(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("volume.key");
        Files.write(key, Workspace.pattern(9, 64));
        EncryptedVolume.Result r = EncryptedVolume.run(out, key);
        assertThat(r.readBack()).isTrue();
        assertThat(r.plaintextOnDisk()).isFalse();
        assertThat(narration.toString(StandardCharsets.UTF_8)).contains(" 0000000000");
    }

    @Test
    void removeWaitsForTheHolderAndReleasesEverything() throws Exception {
        HolderSafeRemove.Result r = HolderSafeRemove.run(out);
        assertThat(r.removeWaitedMillis()).isGreaterThan(100);
        assertThat(r.diskReleased()).isTrue();
        assertThat(r.minorReused()).isTrue();
    }

    @Test
    void eventWatcherSeesCreateRenameRemove() throws Exception {
        EventWatcher.Result r = EventWatcher.run(out);
        assertThat(r.kinds()).containsSubsequence(EventKind.CREATED, EventKind.RENAMED, EventKind.REMOVED);
    }
}
