package io.dm4j.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TSV benchmarks/lifecycle writes, batch records included, as the report reads it. */
class LifecycleTsvTest {
    @TempDir
    Path dir;

    @Test
    void batchRecordsAreReadBesideTheLifecycleOnes() throws Exception {
        Path tsv = dir.resolve("lifecycle.tsv");
        Files.writeString(tsv, """
                # kernel 6.1.0 dm 4.47.0 java 25 n 100 mode quick
                lifecycle\tlibdm\tcreate\t100\t0.500000\t200.0
                batch\tdmsetup\tpairs\t100\t40.000000\t2.5
                batch\tdmctl\tpairs\t100\t2.000000\t50.0
                """);
        FullReport.Lifecycle l = FullReport.Lifecycle.parse(tsv);
        assertThat(l.batch.keySet()).containsExactly("dmsetup", "dmctl");
        assertThat(l.batch.get("dmctl").ops() / l.batch.get("dmsetup").ops()).isEqualTo(20.0);
        assertThat(l.variants()).containsExactly("libdm");
    }

    @Test
    void aMalformedBatchRecordIsRefusedWithItsLine() throws Exception {
        Path tsv = dir.resolve("lifecycle.tsv");
        Files.writeString(tsv, "lifecycle\tlibdm\tcreate\t100\t0.5\t200.0\nbatch\tdmctl\tpairs\tmany\t2\t50\n");
        assertThatThrownBy(() -> FullReport.Lifecycle.parse(tsv)).hasMessageContaining(":2:");
    }
}
