package io.dm4j.testing;

import io.dm4j.sys.Syscalls;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Child JVMs for tests that kill a program or run one as another user. */
public final class ChildJvm {
    private ChildJvm() {}

    /**
     * This JVM's class path copied into {@code dir}, each directory as a jar: readable by every
     * user (a child under {@code setpriv} may not read {@code /root}), and made of jars only, as an
     * ahead-of-time cache needs.
     */
    public static String classPath(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            Path jar = dir.resolve("cp" + entries.size() + ".jar");
            if (Files.isDirectory(p)) {
                try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                        Stream<Path> files = Files.walk(p)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        out.putNextEntry(new JarEntry(p.relativize(f).toString().replace(File.separatorChar, '/')));
                        Files.copy(f, out);
                        out.closeEntry();
                    }
                }
            } else if (Files.exists(p)) {
                Files.copy(p, jar, StandardCopyOption.REPLACE_EXISTING);
            } else {
                continue;
            }
            Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
            entries.add(jar.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * What a child JVM needs to use the native backend this JVM uses: the JDK 17 runs of the suite
     * use jnr-ffi, the others FFM.
     */
    public static List<String> nativeOptions() {
        List<String> options = new ArrayList<>();
        if (Runtime.version().feature() >= 22) {
            options.add("--enable-native-access=ALL-UNNAMED");
        }
        options.add("-D" + Syscalls.BACKEND_PROPERTY + "=" + Syscalls.get().backend());
        return options;
    }

    /** The {@code java} of this JVM. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
