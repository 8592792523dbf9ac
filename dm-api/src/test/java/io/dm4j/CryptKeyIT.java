package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dm4j.internal.ioctl.DmIoctl;
import io.dm4j.sys.Syscalls;
import io.dm4j.sys.testing.Commands;
import io.dm4j.target.CryptKey;
import io.dm4j.target.CryptTarget;
import io.dm4j.target.KeyDisclosure;
import io.dm4j.target.Sectors;
import io.dm4j.target.Table;
import io.dm4j.testing.BlockIo;
import io.dm4j.testing.LoopDevice;
import io.dm4j.testing.RealKernel;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crypt keys on the real kernel: the ioctl buffer that carried a key is wiped after the call and
 * was marked {@code DM_SECURE_DATA_FLAG}; a table read hides the key unless asked, and reveals it
 * as bytes when asked; keyring references work.
 */
@ExtendWith(RealKernel.class)
class CryptKeyIT {
    private static final int BLOCK = 4096;

    @TempDir
    static Path dir;

    static LoopDevice loop;

    @BeforeAll
    static void setUp() throws IOException {
        loop = LoopDevice.create(dir, 16L << 20);
    }

    @AfterAll
    static void tearDown() throws IOException {
        loop.close();
    }

    /** One ioctl as the test's Syscalls wrapper saw it. */
    record Call(long request, int flags, byte[] before, byte[] afterKernel, ByteBuffer buffer) {}

    /**
     * Wraps the real backend and records, per ioctl, the buffer before the call and right after the
     * kernel. With {@code keepRequest}, a table load's request bytes are put back after the call, as
     * a kernel that ignores {@code DM_SECURE_DATA_FLAG} (older than 4.20) would leave them.
     */
    static final class Recorder {
        final List<Call> calls = new ArrayList<>();
        final Syscalls real = Syscalls.get();
        volatile boolean keepRequest;

        Syscalls syscalls() {
            return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class},
                    (proxy, method, args) -> {
                        // ioctl, or ioctlNonBlocking for the requests that cannot sleep (table reads).
                        if (!method.getName().startsWith("ioctl")) {
                            return invoke(method, args);
                        }
                        ByteBuffer b = (ByteBuffer) args[2];
                        byte[] before = copy(b);
                        int flags = DmIoctl.readHeader(b).flags();
                        try {
                            return invoke(method, args);
                        } finally {
                            if (keepRequest && (Long) args[1] == DmIoctl.request(DmCommand.DM_TABLE_LOAD)) {
                                b.put(DmIoctl.SIZE, before, DmIoctl.SIZE, before.length - DmIoctl.SIZE);
                            }
                            calls.add(new Call((Long) args[1], flags, before, copy(b), b));
                        }
                    });
        }

        private Object invoke(java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        Call last(DmCommand command) {
            for (int i = calls.size() - 1; i >= 0; i--) {
                if (calls.get(i).request() == DmIoctl.request(command)) {
                    return calls.get(i);
                }
            }
            throw new AssertionError("no " + command + " call recorded");
        }

        void wipe() {
            calls.forEach(c -> {
                Arrays.fill(c.before(), (byte) 0);
                Arrays.fill(c.afterKernel(), (byte) 0);
            });
        }

        private static byte[] copy(ByteBuffer b) {
            byte[] out = new byte[b.capacity()];
            b.get(0, out);
            return out;
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static boolean allZero(ByteBuffer b) {
        for (int i = 0; i < b.capacity(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theBufferThatCarriedTheKeyIsWipedAndMarkedSecure() throws IOException {
        byte[] keyBytes = new byte[64];
        new Random(7).nextBytes(keyBytes);
        byte[] keyHex = HexFormat.of().formatHex(keyBytes).getBytes(StandardCharsets.US_ASCII);
        String name = RealKernel.name("crypt-key");
        Recorder recorder = new Recorder();
        try (DeviceMapper dm = DeviceMapper.open(DeviceMapper.CONTROL, recorder.syscalls());
                CryptKey key = CryptKey.copyOf(keyBytes)) {
            Table table = Table.builder().append(Sectors.of(8192), CryptTarget.of("aes-xts-plain64", key, loop.number()))
                    .build();
            dm.create(name);
            try {
                dm.load(name, table);
                Call load = recorder.last(DmCommand.DM_TABLE_LOAD);
                assertThat(load.flags() & DmIoctl.SECURE_DATA_FLAG).as("DM_SECURE_DATA_FLAG on the load").isNotZero();
                assertThat(contains(load.before(), keyHex)).as("the load carried the key").isTrue();
                assertThat(contains(load.afterKernel(), keyHex)).as("the kernel cleared our copy").isFalse();
                assertThat(allZero(load.buffer())).as("dm4j wiped its ioctl buffer").isTrue();
                // Even where the kernel leaves the key in our buffer, dm4j wipes it.
                recorder.keepRequest = true;
                dm.load(name, table);
                recorder.keepRequest = false;
                Call kept = recorder.last(DmCommand.DM_TABLE_LOAD);
                assertThat(contains(kept.afterKernel(), keyHex)).as("the key left in the buffer").isTrue();
                assertThat(allZero(kept.buffer())).as("dm4j wiped its ioctl buffer itself").isTrue();
                dm.resume(name);

                byte[] data = new byte[4 * BLOCK];
                new Random(8).nextBytes(data);
                Path node = Path.of("/dev/mapper", name);
                BlockIo.write(node, 0, data);
                assertThat(BlockIo.read(node, 0, data.length)).isEqualTo(data);
                assertThat(BlockIo.read(Path.of(loop.path()), 0, data.length)).as("ciphertext on the loop device").isNotEqualTo(data);

                // Hidden by default, like dmsetup table; revealed only on request, as bytes.
                String hidden = Commands.check("dmsetup", "table", name);
                assertThat(hidden).contains(" " + "0".repeat(128) + " ");
                Table back = dm.typedTable(name, TableSlot.LIVE, KeyDisclosure.HIDDEN);
                assertThat(back.format()).isEqualTo(hidden).isEqualTo(table.format());
                assertThat(((CryptTarget) back.entries().get(0).target()).key()).isEqualTo(new CryptTarget.Key.Hidden(64));
                assertThatThrownBy(() -> dm.load(name, back)).isInstanceOf(InvalidTableException.class)
                        .hasMessageContaining("not disclosed");
                assertThat(dm.table(name).get(0).params()).doesNotContain(HexFormat.of().formatHex(keyBytes, 0, 4));
                Call read = recorder.last(DmCommand.DM_TABLE_STATUS);
                assertThat(read.flags() & DmIoctl.SECURE_DATA_FLAG).as("DM_SECURE_DATA_FLAG on table reads").isNotZero();

                try (Table revealed = dm.typedTable(name, TableSlot.LIVE, KeyDisclosure.REVEALED)) {
                    CryptTarget t = (CryptTarget) revealed.entries().get(0).target();
                    assertThat(t.key()).isEqualTo(new CryptTarget.Key.Inline(key));
                    Call reveal = recorder.last(DmCommand.DM_TABLE_STATUS);
                    assertThat(contains(reveal.afterKernel(), keyHex)).as("the reply carried the key").isTrue();
                    assertThat(allZero(reveal.buffer())).as("dm4j wiped the reply").isTrue();
                    assertThat(Commands.check("dmsetup", "table", "--showkeys", name).getBytes(StandardCharsets.US_ASCII))
                            .isEqualTo(showKeys(hidden, keyHex));
                    // The revealed table loads again: the same key, so the same plaintext.
                    dm.load(name, revealed);
                    dm.suspend(name);
                    dm.resume(name);
                    assertThat(BlockIo.read(node, 0, data.length)).isEqualTo(data);
                }
            } finally {
                dm.remove(name);
                recorder.wipe();
                Arrays.fill(keyBytes, (byte) 0);
            }
        }
    }

    /** dmsetup's --showkeys text: the hidden text with the key's zeros replaced by its hex digits. */
    private static byte[] showKeys(String hidden, byte[] keyHex) {
        byte[] out = hidden.getBytes(StandardCharsets.US_ASCII);
        int at = hidden.indexOf(" " + "0".repeat(keyHex.length) + " ") + 1;
        System.arraycopy(keyHex, 0, out, at, keyHex.length);
        return out;
    }

    @Test
    void aKeyringKeyIsReferencedAndUsed() throws IOException {
        // A logon key of 32 printable bytes (keyctl takes the payload as an argument).
        String payload = "dm4j-keyring-test-key-0123456789";
        String description = "dm4j:" + RealKernel.prefix() + "keyring";
        // dm-crypt looks the key up in the loading process's keyrings. In the VM that reaches the
        // user keyring; in a container, runc gives the processes a session keyring of their own
        // that does not link the user keyring: so the key goes into both.
        String id = Commands.check("keyctl", "add", "logon", description, payload, "@u").strip();
        String sessionId = Commands.check("keyctl", "add", "logon", description, payload, "@s").strip();
        String viaKeyring = RealKernel.name("crypt-keyring");
        String viaBytes = RealKernel.name("crypt-bytes");
        try (DeviceMapper dm = DeviceMapper.open();
                CryptKey same = CryptKey.copyOf(payload.getBytes(StandardCharsets.US_ASCII))) {
            CryptTarget byRef = CryptTarget.of("aes-xts-plain64", same, loop.number())
                    .withKey(new CryptTarget.Key.Keyring(32, CryptTarget.KeyringType.LOGON, description))
                    .withFlags(Set.of(CryptTarget.Flag.ALLOW_DISCARDS, CryptTarget.Flag.NO_READ_WORKQUEUE))
                    .withSectorSize(Sectors.ofBytes(4096));
            Table keyring = Table.builder().append(Sectors.of(8192), byRef).build();
            dm.create(viaKeyring);
            try {
                dm.load(viaKeyring, keyring);
                dm.resume(viaKeyring);
                String text = Commands.check("dmsetup", "table", viaKeyring);
                assertThat(text).isEqualTo(keyring.format()).contains(":32:logon:" + description + " ");
                assertThat(dm.typedTable(viaKeyring, TableSlot.LIVE, KeyDisclosure.HIDDEN)).isEqualTo(keyring);
                assertThat(keyring.toTargetLines()).hasSize(1); // a reference, not a key: fine as text
                byte[] data = new byte[2 * BLOCK];
                new Random(9).nextBytes(data);
                BlockIo.write(Path.of("/dev/mapper", viaKeyring), 0, data);
            } finally {
                dm.remove(viaKeyring);
            }
            // The same key as bytes decrypts what the keyring key encrypted.
            Table bytes = Table.builder().append(Sectors.of(8192), byRef.withKey(new CryptTarget.Key.Inline(same))).build();
            dm.create(viaBytes);
            try {
                dm.load(viaBytes, bytes);
                dm.resume(viaBytes);
                byte[] data = new byte[2 * BLOCK];
                new Random(9).nextBytes(data);
                assertThat(BlockIo.read(Path.of("/dev/mapper", viaBytes), 0, data.length)).isEqualTo(data);
            } finally {
                dm.remove(viaBytes);
            }
        } finally {
            Commands.check("keyctl", "unlink", id, "@u");
            Commands.run("keyctl", "unlink", sessionId, "@s");
        }
    }
}
