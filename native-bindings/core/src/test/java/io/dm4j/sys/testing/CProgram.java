package io.dm4j.sys.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Compiles a C program with gcc and runs it: how tests check Java code against the C headers. */
public final class CProgram {
    private CProgram() {}

    /** Compiles {@code source} in {@code dir} and returns the lines it prints. */
    public static List<String> run(Path dir, String source) throws IOException {
        Path src = Files.writeString(dir.resolve("check.c"), source);
        Path exe = dir.resolve("check");
        Commands.check("gcc", "-Wall", "-Werror", "-o", exe.toString(), src.toString());
        return Commands.check(exe.toString()).lines().toList();
    }
}
