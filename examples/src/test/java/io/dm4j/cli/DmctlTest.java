package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DmctlTest {
    @Test
    void unknownCommandIsAUsageErrorOnOneLine() {
        StringWriter err = new StringWriter();
        int status = Dmctl.run(new String[] {"bogus"}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).startsWith("dmctl: ").hasLineCount(1);
    }

    @Test
    void helpNamesACommandAndPrintsItsUsage() {
        StringWriter out = new StringWriter();
        int status = Dmctl.run(new String[] {"help", "create"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(status).isZero();
        assertThat(out.toString()).startsWith("Usage: dmctl create ").contains("--table=LINES");
    }

    @Test
    void helpAfterACommandPrintsThatCommandsUsage() {
        for (String help : new String[] {"--help", "-h"}) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int status = Dmctl.run(new String[] {"measure", "x", help}, new PrintWriter(out, true), new PrintWriter(err, true));
            assertThat(status).as(err.toString()).isZero();
            assertThat(out.toString()).startsWith("Usage: dmctl measure ").contains("--inactive");
        }
    }

    @Test
    void theStandardHelpOptionsShowTheirNames() {
        StringWriter out = new StringWriter();
        int status = Dmctl.run(new String[] {"--help"}, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertThat(status).isZero();
        assertThat(out.toString()).startsWith("Usage: dmctl [-hV] [COMMAND]").contains("-h, --help").doesNotContain("${");
    }

    @Test
    void jsonEscapesStringsAndKeepsFieldOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "a\"b\\c\n\u0001");
        m.put("count", 3);
        m.put("ok", true);
        m.put("nested", Map.of("x", "y"));
        m.put("none", null);
        assertThat(Json.object(m))
                .isEqualTo("{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"count\":3,\"ok\":true,\"nested\":{\"x\":\"y\"},\"none\":null}");
    }
}
