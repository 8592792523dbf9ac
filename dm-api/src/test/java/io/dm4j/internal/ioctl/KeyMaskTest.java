package io.dm4j.internal.ioctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DmVersion;
import io.dm4j.TargetLine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keys in table text are hidden as dmsetup hides them, and revealed only as bytes. */
class KeyMaskTest {

    private static String masked(String type, String params) {
        byte[] b = params.getBytes(StandardCharsets.UTF_8);
        KeyMask.mask(type, b, b.length);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void hidesKeysExactlyAsDmsetupDidOnTheRealKernel() throws IOException {
        List<String> lines;
        try (InputStream in = getClass().getResourceAsStream("/io/dm4j/target/kernel-6.1-tables.txt")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")).toList();
        }
        int keyed = 0;
        for (int i = 0; i < lines.size(); i += 2) {
            String[] shown = lines.get(i).substring(2).split(" ", 4);
            String hidden = lines.get(i + 1).substring(2).split(" ", 4)[3];
            if (shown[3].contains(" - ")) {
                continue; // dmsetup turns crypt's "no key" dash into a 0; dm4j leaves it: there is no key
            }
            assertThat(masked(shown[2], shown[3])).as(lines.get(i)).isEqualTo(hidden);
            keyed += shown[3].equals(hidden) ? 0 : 1;
        }
        assertThat(keyed).as("tables whose keys were hidden").isGreaterThanOrEqualTo(5);
    }

    @Test
    void leavesWhatIsNoKeyAlone() {
        assertThat(masked("crypt", "cipher_null-ecb - 0 7:0 0")).isEqualTo("cipher_null-ecb - 0 7:0 0");
        assertThat(masked("crypt", "aes-xts-plain64 :32:logon:a:b 0 7:0 0")).isEqualTo("aes-xts-plain64 :32:logon:a:b 0 7:0 0");
        assertThat(masked("integrity", "7:0 0 4 J 1 internal_hash:crc32c")).isEqualTo("7:0 0 4 J 1 internal_hash:crc32c");
        assertThat(masked("integrity", "7:0 0 32 J 2 journal_mac:hmac(sha256):abcd internal_hash:hmac(sha1):12"))
                .isEqualTo("7:0 0 32 J 2 journal_mac:hmac(sha256):0000 internal_hash:hmac(sha1):00");
        assertThat(masked("linear", "7:0 12")).isEqualTo("7:0 12");
        assertThat(masked("crypt", "")).isEmpty();
    }

    @Test
    void tableRepliesHideKeysAndRevealThemOnlyAsBytes() {
        byte[] key = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        String params = "aes-cbc-essiv:sha256 00112233445566778899aabbccddeeff 0 7:0 8";
        ByteBuffer b = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
        List<TargetLine> table = List.of(new TargetLine(0, 8, "crypt", params), new TargetLine(8, 8, "linear", "7:1 0"));
        // With two specs, the load layout is also the reply layout: the first "next" is relative to both.
        DmIoctl.putTargets(b, DmIoctl.SIZE, table);
        int end = DmIoctl.SIZE + DmIoctl.targetsSize(table);
        DmIoctl.Header h = new DmIoctl.Header(new DmVersion(4, 47, 0), end, DmIoctl.SIZE, 2, 0, 0, 0, 0, "", "");

        String zeros = "aes-cbc-essiv:sha256 " + "0".repeat(32) + " 0 7:0 8";
        assertThat(DmIoctl.readTable(b, h).get(0).params()).isEqualTo(zeros);
        List<byte[]> keys = new ArrayList<>();
        List<TargetLine> read = DmIoctl.readTable(b, h, keys);
        assertThat(read.get(0).params()).isEqualTo(zeros);
        assertThat(read.get(1).params()).isEqualTo("7:1 0");
        assertThat(keys).hasSize(2);
        assertThat(keys.get(0)).isEqualTo(key);
        assertThat(keys.get(1)).isNull();
        // Status replies are not tables: nothing there is hidden.
        assertThat(DmIoctl.readStatus(b, h).get(0).status()).isEqualTo(params);
    }
}
