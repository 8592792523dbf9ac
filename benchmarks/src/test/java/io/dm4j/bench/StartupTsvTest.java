package io.dm4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up lines benchmarks/run writes (native/startup_timer.c's output), as the report reads them. */
class StartupTsvTest {
    @TempDir
    Path dir;

    @Test
    void mediansAndTheRatioToDmsetupComeFromTheTimersLines() throws Exception {
        Path tsv = dir.resolve("startup.tsv");
        Files.writeString(tsv, """
                # jdk 25.0.3+9-LTS aot 25.0.3+9-LTS
                startup\tdmctl version\tmedian_ms=300.00\tmin_ms=280.10\tmax_ms=350.00\truns=15\tfailures=15\tstatus=1
                startup\tdmctl --help\tmedian_ms=250.50\tmin_ms=240.00\tmax_ms=260.00\truns=15\tfailures=0\tstatus=0
                startup\tdmsetup version\tmedian_ms=5.00\tmin_ms=4.00\tmax_ms=9.00\truns=15\tfailures=15\tstatus=1
                """);
        FullReport.Startup s = FullReport.Startup.parse(tsv);
        assertThat(s.rows.keySet()).containsExactly("dmctl version", "dmctl --help", "dmsetup version");
        assertThat(s.median("dmctl --help")).isEqualTo(250.5);
        assertThat(s.runs("dmctl version")).isEqualTo(15);
        assertThat(s.ratio("dmctl version", "dmsetup version")).isEqualTo(60.0);
        assertThat(s.header).isEqualTo("JDK and AOT cache: jdk 25.0.3+9-LTS; aot 25.0.3+9-LTS.");
    }

    @Test
    void withoutDmsetupThereIsNoRatio() throws Exception {
        Path tsv = dir.resolve("startup.tsv");
        Files.writeString(tsv, "startup\tdmctl version\tmedian_ms=300.00\truns=15\n");
        FullReport.Startup s = FullReport.Startup.parse(tsv);
        assertThat(s.ratio("dmctl version", "dmsetup version")).isNaN();
        assertThat(new FullReport.Startup().ratio("dmctl version", "dmsetup version")).isNaN();
    }
}
