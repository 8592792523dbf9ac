package io.dm4j.internal.ioctl;

/**
 * Where keys sit in table parameters, so that a table read back hides them the way
 * {@code dmsetup table} does without {@code --showkeys}: every key character becomes {@code '0'}.
 * Works on bytes, before any {@code String} exists.
 *
 * <p>Internal to dm4j, not API: public only for dm4j's own packages; it may change in any release.
 */
public final class KeyMask {
    private KeyMask() {}

    private static final byte[][] INTEGRITY_KEYED = {
        ascii("internal_hash:"), ascii("journal_crypt:"), ascii("journal_mac:")};

    /** True for the target types whose tables can carry keys. */
    public static boolean mayCarryKeys(String type) {
        return type.equals("crypt") || type.equals("integrity");
    }

    /**
     * The crypt key field, {@code [from, to)} in {@code params}, when it holds key bytes in hex;
     * {@code null} when it is {@code -} (no key) or a keyring reference ({@code :size:type:desc}).
     */
    static int[] cryptKey(byte[] params, int length) {
        int from = skipToken(params, 0, length);
        from = skipSpace(params, from, length);
        int to = skipToken(params, from, length);
        if (from == to || params[from] == ':' || (to - from == 1 && params[from] == '-')) {
            return null;
        }
        return new int[] {from, to};
    }

    /** Overwrites the key characters of a table line's parameters with {@code '0'}. */
    public static void mask(String type, byte[] params, int length) {
        if (type.equals("crypt")) {
            int[] key = cryptKey(params, length);
            if (key != null) {
                fill(params, key[0], key[1]);
            }
        } else if (type.equals("integrity")) {
            // internal_hash:ALG:KEY, journal_crypt:ALG:KEY, journal_mac:ALG:KEY; the key is optional.
            for (int at = skipSpace(params, 0, length); at < length; at = skipSpace(params, at, length)) {
                int end = skipToken(params, at, length);
                for (byte[] name : INTEGRITY_KEYED) {
                    if (startsWith(params, at, end, name)) {
                        int colon = indexOf(params, at + name.length, end, (byte) ':');
                        if (colon >= 0) {
                            fill(params, colon + 1, end);
                        }
                    }
                }
                at = end;
            }
        }
    }

    private static void fill(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            b[i] = '0';
        }
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    private static int skipSpace(byte[] b, int at, int length) {
        while (at < length && isSpace(b[at])) {
            at++;
        }
        return at;
    }

    private static int skipToken(byte[] b, int at, int length) {
        while (at < length && !isSpace(b[at])) {
            at++;
        }
        return at;
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
