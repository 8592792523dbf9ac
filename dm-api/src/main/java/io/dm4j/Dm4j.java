package io.dm4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Facts about this build of dm4j. */
public final class Dm4j {
    private Dm4j() {}

    /** The library's version, e.g. {@code 0.1.0}. */
    public static String version() {
        try (InputStream in = Dm4j.class.getResourceAsStream("dm4j.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
