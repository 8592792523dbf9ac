package io.dm4j.cli;

import picocli.CommandLine.Option;

/** The options of dmsetup's column reports ({@code info -c}, {@code splitname}). */
final class ReportOptions {
    @Option(names = {"-o", "--options"}, paramLabel = "FIELDS", description = "The report's fields (+F adds to the defaults).")
    String fields;

    @Option(names = {"-O", "--sort"}, paramLabel = "FIELDS", description = "Sort the report by these fields (-F descending).")
    String sort;

    @Option(names = "--noheadings", description = "No heading line; fields separated by ':'.")
    boolean noHeadings;

    @Option(names = "--separator", paramLabel = "TEXT", description = "Separate fields with TEXT instead of aligning them.")
    String separator;

    @Option(names = "--nameprefixes", description = "Print each field as DM_FIELD='value'.")
    boolean namePrefixes;

    @Option(names = "--unquoted", description = "With --nameprefixes: no quotes around values.")
    boolean unquoted;

    @Option(names = "--rows", description = "One line per field instead of per device.")
    boolean rows;

    InfoColumns.Options options(String defaults) {
        return new InfoColumns.Options(fields, sort, noHeadings, separator, namePrefixes, unquoted, rows, defaults);
    }
}
