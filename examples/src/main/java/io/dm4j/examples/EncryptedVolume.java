package io.dm4j.examples;

import io.dm4j.target.CryptKey;
import io.dm4j.target.CryptTarget;
import io.dm4j.target.Sectors;
import io.dm4j.target.Table;
import io.dm4j.testkit.ScratchDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An encrypted volume (dm-crypt, AES-XTS) whose key comes from a key file: the bytes go from the
 * file into a {@link CryptKey} and from there into the ioctl buffer; they never become a
 * {@code String}, and every copy is wiped. Data written through the volume reads back as written,
 * while the disk beneath holds only ciphertext.
 *
 * <p>Usage: {@code examples/run EncryptedVolume [KEYFILE]}; without a key file, a random 64-byte
 * key is written to a temporary one (mode 600) first.
 */
public final class EncryptedVolume {
    private EncryptedVolume() {}

    /** Whether the plaintext read back through the volume, and whether any of it reached the disk. */
    public record Result(boolean readBack, boolean plaintextOnDisk) {}

    public static Result run(java.io.PrintStream out, Path keyFile) throws Exception {
        try (Workspace ws = Workspace.open("crypt", out)) {
            ScratchDisk disk = ws.disk("disk", 16);
            String volume;
            byte[] raw = Files.readAllBytes(keyFile);
            try (CryptKey key = CryptKey.copyOf(raw)) {
                Arrays.fill(raw, (byte) 0);
                Table table = Table.builder()
                        .append(Sectors.ofBytes(8 << 20), CryptTarget.of("aes-xts-plain64", key, disk.number()))
                        .build();
                volume = ws.create("volume", table);
                // format() shows the key as zeros, as dmsetup table does
                ws.say("created " + volume + " with a " + key.size() + "-byte key from " + keyFile + ": "
                        + table.format().strip());
            }
            byte[] secret = Workspace.pattern(3, 64 * 1024);
            ws.write(volume, 0, secret);
            boolean readBack = Arrays.equals(ws.read(volume, 0, secret.length), secret);
            boolean onDisk = Arrays.equals(ws.read(disk, 0, secret.length), secret);
            ws.say("read back through " + volume + ": " + (readBack ? "the plaintext" : "WRONG DATA") + "; on "
                    + disk.path() + ": " + (onDisk ? "PLAINTEXT" : "ciphertext only"));
            ws.say("the kernel's table, as dm4j reads it by default: "
                    + ws.dm().table(volume).get(0).params().replaceAll(" .*", " ..."));
            return new Result(readBack, onDisk);
        }
    }

    public static void main(String[] args) throws Exception {
        Path keyFile;
        if (args.length > 0) {
            keyFile = Path.of(args[0]);
        } else {
            keyFile = Files.createTempFile("dm4j-example-", ".key",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            byte[] key = new byte[64];
            new java.security.SecureRandom().nextBytes(key);
            Files.write(keyFile, key);
            Arrays.fill(key, (byte) 0);
        }
        try {
            Result r = run(System.out, keyFile);
            System.exit(r.readBack() && !r.plaintextOnDisk() ? 0 : 1);
        } finally {
            if (args.length == 0) {
                Files.deleteIfExists(keyFile);
            }
        }
    }
}
