package io.dm4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.sys.Errno;
import java.util.List;
import org.junit.jupiter.api.Test;

/** dmsetup's command-line grammar and error lines, where they need no kernel. */
class DmsetupSyntaxTest {
    private static List<String> permute(String... args) {
        return List.of(DmsetupSyntax.permute(args));
    }

    @Test
    void optionsBeforeTheCommandWordMoveAfterIt() {
        assertThat(permute("-c", "info", "x")).containsExactly("info", "-c", "x");
        assertThat(permute("--noudevsync", "remove", "--retry", "x")).containsExactly("remove", "--noudevsync", "--retry", "x");
        assertThat(permute("-u", "UUID-1", "info")).containsExactly("info", "-u", "UUID-1");
        assertThat(permute("--separator", " ", "-o", "name", "info")).containsExactly("info", "--separator", " ", "-o", "name");
        assertThat(permute("--uuid=U", "table")).containsExactly("table", "--uuid=U");
        assertThat(permute("-cvo", "name", "info")).containsExactly("info", "-cvo", "name");
        assertThat(permute("-oname", "info")).containsExactly("info", "-oname");
    }

    @Test
    void aLineThatStartsWithTheCommandIsLeftAlone() {
        assertThat(permute("info", "-c", "x")).containsExactly("info", "-c", "x");
        assertThat(permute("--help")).containsExactly("--help");
        assertThat(permute("-c")).containsExactly("-c");
        assertThat(permute("-c", "--", "info")).containsExactly("-c", "--", "info");
    }

    @Test
    void theIoctlLineNamesTheTaskAndTheDeviceAsTheCommandLineDid() {
        assertThat(DmsetupErrors.ioctlFailed("remove", new DeviceArg.ByName("x"), "x", Errno.EBUSY.number()))
                .isEqualTo("device-mapper: remove ioctl on x  failed: Device or resource busy\n");
        assertThat(DmsetupErrors.ioctlFailed("remove", new DeviceArg.ByUuid("U-1"), "x", Errno.ENXIO.number()))
                .isEqualTo("device-mapper: remove ioctl on  U-1 failed: No such device or address\n");
        assertThat(DmsetupErrors.ioctlFailed("info", new DeviceArg.ByNumber(new DeviceNumber(254, 9), "254:9"), null,
                Errno.ENXIO.number())).isEqualTo("device-mapper: info ioctl on  (254:9) failed: No such device or address\n");
        assertThat(DmsetupErrors.op(DmCommand.DM_DEV_SUSPEND, "create")).isEqualTo("resume");
        assertThat(DmsetupErrors.op(DmCommand.DM_DEV_SUSPEND, "suspend")).isEqualTo("suspend");
        assertThat(DmsetupErrors.op(DmCommand.DM_TABLE_LOAD, "load")).isEqualTo("reload");
        assertThat(DmsetupErrors.op(DmCommand.DM_TABLE_STATUS, "table")).isEqualTo("table");
        assertThat(DmsetupErrors.op(DmCommand.DM_TABLE_STATUS, "status")).isEqualTo("status");
    }

    @Test
    void batchLinesSplitAsAShellSplitsThem() {
        assertThat(BatchCommand.words("create x --table '0 8 zero'")).containsExactly("create", "x", "--table", "0 8 zero");
        assertThat(BatchCommand.words("  message pool 0 \"create_thin 1\"  # make it")).containsExactly("message", "pool",
                "0", "create_thin 1");
        assertThat(BatchCommand.words("a\\ b \"q\\\"x\" ''")).containsExactly("a b", "q\"x", "");
        assertThat(BatchCommand.words("# nothing")).isEmpty();
        assertThat(BatchCommand.words("info x#y")).containsExactly("info", "x#y");
        assertThatThrownBy(() -> BatchCommand.words("create 'x")).hasMessageContaining("single quote");
        assertThatThrownBy(() -> BatchCommand.words("create \"x")).hasMessageContaining("double quote");
    }

    @Test
    void pathsThatAreNotDeviceNodesAreNamedAsLibdevmapperNamesThem() throws Exception {
        assertThatThrownBy(() -> DeviceArg.parse("/nonexistent/foo")).isInstanceOfSatisfying(
                DeviceArg.NotFoundException.class, e -> assertThat(e.shown).isEqualTo("/nonexistent/foo"));
        assertThatThrownBy(() -> DeviceArg.parse("./foo")).isInstanceOfSatisfying(
                DeviceArg.NotFoundException.class, e -> assertThat(e.shown).isEqualTo("./foo"));
        assertThatThrownBy(() -> DeviceArg.parse("/dev/null")).isInstanceOfSatisfying(
                DeviceArg.NotFoundException.class, e -> assertThat(e.shown).isEqualTo("null"));
        assertThat(DeviceArg.parse("plain")).isEqualTo(new DeviceArg.ByName("plain"));
    }

    @Test
    void aRepeatedFlagOrALastValueIsTakenAsGetoptTakesIt() {
        for (String[] args : List.of(new String[] {"info", "-c", "x", "-c"}, new String[] {"-c", "info", "-o", "name", "x", "-o", "attr"})) {
            int[] asked = {0};
            java.io.StringWriter err = new java.io.StringWriter();
            int status = Dmctl.run(args, java.io.InputStream.nullInputStream(), new java.io.PrintWriter(java.io.Writer.nullWriter()),
                    new java.io.PrintWriter(err, true), () -> {
                        asked[0]++;
                        throw new java.io.IOException("no kernel in this test");
                    });
            assertThat(asked[0]).as("%s: %s", List.of(args), err).isEqualTo(1);
            assertThat(status).isEqualTo(1);
        }
    }
}
