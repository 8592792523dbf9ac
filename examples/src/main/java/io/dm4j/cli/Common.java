package io.dm4j.cli;

import picocli.CommandLine.Option;

/** Options every dmctl command takes. */
final class Common {
    @Option(names = "--json", description = "Print one JSON document (lowerCamelCase fields) instead of text.")
    boolean json;

    @Option(names = "--debug", description = "Print a stack trace when a command fails.")
    boolean debug;

    @Option(names = "--noudevsync", description = "Do not wait for udev; dm4j makes the /dev/mapper nodes itself (as dmsetup --noudevsync).")
    boolean noUdevSync;

    @Option(names = "--verifyudev", description = "Where udev makes the nodes, check them afterwards and put right what it did not.")
    boolean verifyUdev;

    @Option(names = {"-y", "--yes"}, description = "Answer yes to questions (udevcomplete_all asks one).")
    boolean yes;
}
