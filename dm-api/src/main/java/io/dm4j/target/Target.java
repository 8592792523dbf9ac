package io.dm4j.target;

import io.dm4j.InvalidTableException;
import io.dm4j.TargetLine;

/**
 * A device-mapper target with typed, validated parameters. {@link #params()} gives exactly the
 * string the kernel reports back for the live table ({@code dmsetup table}): devices as
 * {@code major:minor}, optional arguments counted and in the kernel's order. {@link #parse} reads
 * that form back, so {@code Target.parse(t.type(), t.params())} equals {@code t}.
 *
 * <p>Keys are the exception: a {@link CryptTarget}'s key bytes never become a {@code String}, so
 * its {@code params()} shows them as zeros, as {@code dmsetup table} does without
 * {@code --showkeys}. {@code DeviceMapper.load(String, Table, ...)} writes the real key bytes
 * straight into the ioctl buffer.
 *
 * <p>Any target type, in-tree or not, can still be given as text with {@link RawTarget}.
 */
public sealed interface Target
        permits LinearTarget, StripedTarget, ZeroTarget, ErrorTarget, CryptTarget, DelayTarget, FlakeyTarget,
        SnapshotTarget, SnapshotOriginTarget, SnapshotMergeTarget, ThinPoolTarget, ThinTarget, CacheTarget,
        WritecacheTarget, EraTarget, VerityTarget, IntegrityTarget, MirrorTarget, RaidTarget, MultipathTarget,
        LogWritesTarget, RawTarget {

    /** The kernel's name of the target type, e.g. {@code linear}. */
    String type();

    /** The parameter string, exactly as the kernel reports it for the live table. */
    String params();

    /**
     * Reads a target from its type and parameters. Types dm4j knows must be in the kernel's
     * canonical form (as {@code dmsetup table} prints them); any other type becomes a
     * {@link RawTarget}.
     *
     * @throws InvalidTableException if a known type's parameters are not in that form
     */
    static Target parse(String type, String params) {
        return Parsers.parse(type, params);
    }

    /** Reads a target like {@link #parse}, or keeps it as a {@link RawTarget} if that fails. */
    static Target parseOrRaw(String type, String params) {
        try {
            return parse(type, params);
        } catch (InvalidTableException e) {
            return new RawTarget(type, params);
        }
    }

    /** The target read from one line of a table, as {@link #parseOrRaw}. */
    static Target of(TargetLine line) {
        return parseOrRaw(line.type(), line.params());
    }
}
