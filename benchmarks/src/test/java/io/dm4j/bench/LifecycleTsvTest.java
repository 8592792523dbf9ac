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
    void spreadAndIoctlRecordsGiveTheSpreadAndTheIoctlParity() throws Exception {
        Path tsv = dir.resolve("lifecycle.tsv");
        Files.writeString(tsv, """
                # kernel 6.1.0 dm 4.47.0 java 25 n 100 mode quick
                lifecycle\tlibdm\tcreate\t100\t0.500000\t200.0
                lifecycle\tlibdm\tstatus\t500\t0.100000\t5000.0
                lifecycle\tdm4j-ffm\tcreate\t100\t0.400000\t250.0
                lifecycle\tdm4j-ffm\tstatus\t500\t0.125000\t4000.0
                spread\tdm4j-ffm\tstatus\t5\t3000.0\t4000.0\t4500.0
                ioctls\tlibdm\tcreate\t10\t30
                ioctls\tlibdm\tstatus\t10\t10
                ioctls\tdm4j-ffm\tcreate\t100\t300
                ioctls\tdm4j-ffm\tstatus\t500\t500
                """);
        FullReport.Lifecycle l = FullReport.Lifecycle.parse(tsv);
        assertThat(l.phases()).containsExactly("create", "status");
        assertThat(l.spread.get("dm4j-ffm\tstatus")).containsExactly(5, 3000.0, 4000.0, 4500.0);
        assertThat(l.ioctlsPerOp("dm4j-ffm", "create")).isEqualTo(3.0);
        assertThat(l.ioctlParity("dm4j-ffm", "libdm")).startsWith("parity");
        assertThat(l.ratio("dm4j-ffm", "libdm", "status")).isEqualTo(0.8);

        Files.writeString(tsv, Files.readString(tsv).replace("ioctls\tdm4j-ffm\tstatus\t500\t500",
                "ioctls\tdm4j-ffm\tstatus\t500\t1000"));
        assertThat(FullReport.Lifecycle.parse(tsv).ioctlParity("dm4j-ffm", "libdm"))
                .isEqualTo("dm4j-ffm makes more than libdm: status 2.00 vs 1.00");
    }

    @Test
    void aMalformedBatchRecordIsRefusedWithItsLine() throws Exception {
        Path tsv = dir.resolve("lifecycle.tsv");
        Files.writeString(tsv, "lifecycle\tlibdm\tcreate\t100\t0.5\t200.0\nbatch\tdmctl\tpairs\tmany\t2\t50\n");
        assertThatThrownBy(() -> FullReport.Lifecycle.parse(tsv)).hasMessageContaining(":2:");
    }
}
