import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.jar.JarFile;

/**
 * Checks a multi-release jar the way bytecode scanners see it: every class outside
 * META-INF/versions is for Java 17 (class file 61) or older, and every class under
 * META-INF/versions/N is for Java N or older. Prints what it found; exit status 1 on a violation.
 */
public final class ClassVersions {
    public static void main(String[] args) throws IOException {
        int bad = 0;
        for (String path : args) {
            try (JarFile jar = new JarFile(path)) {
                int base = 0;
                int versioned = 0;
                for (var e : (Iterable<java.util.jar.JarEntry>) jar.stream()::iterator) {
                    String name = e.getName();
                    if (!name.endsWith(".class")) {
                        continue;
                    }
                    int release = 17;
                    if (name.startsWith("META-INF/versions/")) {
                        release = Integer.parseInt(name.split("/")[2]);
                        versioned++;
                    } else {
                        base++;
                    }
                    int major;
                    try (InputStream in = jar.getInputStream(e)) {
                        DataInputStream data = new DataInputStream(in);
                        data.readInt(); // magic
                        data.readUnsignedShort(); // minor
                        major = data.readUnsignedShort();
                    }
                    if (major > release + 44) {
                        System.out.println(path + ": " + name + " is class file " + major + ", for Java " + (major - 44)
                                + ", above " + release);
                        bad++;
                    }
                }
                System.out.println(path + ": " + base + " classes for Java 17, " + versioned + " versioned, Multi-Release "
                        + jar.isMultiRelease());
            }
        }
        System.exit(bad == 0 ? 0 : 1);
    }
}
