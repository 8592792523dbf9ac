package io.dm4j.sys;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.sys.testing.CProgram;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the Java errno table against the C library's, through a program compiled with gcc. */
class ErrnoTableTest {
    @TempDir
    Path dir;

    @Test
    void everyConstantMatchesErrnoHAndStrerror() throws Exception {
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <string.h>\n#include <errno.h>\nint main(void){\n");
        for (Errno e : Errno.values()) {
            c.append("printf(\"%s %d %s\\n\", \"").append(e.name()).append("\", ").append(e.name())
                    .append(", strerror(").append(e.name()).append("));\n");
        }
        c.append("return 0;}\n");
        List<String> lines = CProgram.run(dir, c.toString());
        assertThat(lines).hasSize(Errno.values().length);
        for (String line : lines) {
            String[] parts = line.split(" ", 3);
            Errno e = Errno.valueOf(parts[0]);
            assertThat(e.number()).as(e.name()).isEqualTo(Integer.parseInt(parts[1]));
            assertThat(e.description()).as(e.name()).isEqualTo(parts[2]);
            assertThat(Errno.of(e.number())).contains(e);
        }
    }

    @Test
    void unknownNumbersHaveNoConstant() {
        assertThat(Errno.of(0)).isEmpty();
        assertThat(Errno.of(-1)).isEmpty();
        assertThat(Errno.of(4000)).isEmpty();
        assertThat(new ErrnoException("ioctl", "fd 3", 4000).errnoName()).isEqualTo("errno 4000");
    }
}
