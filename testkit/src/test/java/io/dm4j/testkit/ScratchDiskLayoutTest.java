package io.dm4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.internal.loop.Loops;
import io.dm4j.sys.testing.CProgram;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop ioctl numbers and {@code struct loop_config} layout, against {@code <linux/loop.h>}. */
class ScratchDiskLayoutTest {
    @Test
    void matchesTheKernelHeader(@TempDir Path dir) throws IOException {
        String main = """
                #include <stdio.h>
                #include <stddef.h>
                #include <linux/loop.h>
                int main(void) {
                    printf("%lu %lu %lu %zu %zu %zu %zu %d %d\\n", (unsigned long) LOOP_CTL_GET_FREE,
                        (unsigned long) LOOP_CONFIGURE, (unsigned long) LOOP_CLR_FD, sizeof(struct loop_config), offsetof(struct loop_config, fd),
                        offsetof(struct loop_config, info) + offsetof(struct loop_info64, lo_flags),
                        offsetof(struct loop_config, info) + offsetof(struct loop_info64, lo_file_name),
                        LO_NAME_SIZE, LO_FLAGS_AUTOCLEAR);
                    return 0;
                }
                """;
        assertThat(CProgram.run(dir, main)).containsExactly(Loops.LOOP_CTL_GET_FREE + " " + Loops.LOOP_CONFIGURE
                + " " + Loops.LOOP_CLR_FD + " " + Loops.LOOP_CONFIG_SIZE + " " + Loops.CONFIG_FD + " " + Loops.CONFIG_FLAGS + " "
                + Loops.CONFIG_FILE_NAME + " " + Loops.LO_NAME_SIZE + " " + Loops.LO_FLAGS_AUTOCLEAR);
    }
}
