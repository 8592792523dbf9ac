package io.dm4j.cli;

import picocli.CommandLine.Option;

/** Options every dmctl command takes. */
final class Common {
    @Option(names = "--json", description = "Print one JSON document (lowerCamelCase fields) instead of text.")
    boolean json;

    @Option(names = "--debug", description = "Print a stack trace when a command fails.")
    boolean debug;
}
