package io.dm4j.status;

import io.dm4j.TargetStatus;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One target's status, parsed into a record of its own type. {@link #parse(TargetStatus)} picks
 * the parser by the target type; a type without a parser stays text ({@link UnknownStatus}).
 *
 * <p>Failure words ({@code Fail}, {@code Error}, {@code Invalid}, {@code -}...) parse into
 * {@link TargetFailure}, a state, not an exception; a text that has neither the target's form nor
 * one of its failure words raises {@link StatusParseException}.
 *
 * <pre>{@code
 * for (TargetStatus line : dm.status("pool")) {
 *     StatusReport report = StatusReport.parse(line);
 *     if (report instanceof ThinPoolStatus.Working pool && pool.usedDataBlocks() * 10 > pool.totalDataBlocks() * 9) {
 *         grow("pool");
 *     } else if (report instanceof TargetFailure failed) {
 *         alert(failed.kind());
 *     }
 * }
 * }</pre>
 */
public sealed interface StatusReport
        permits ThinPoolStatus, ThinStatus, SnapshotStatus, CacheStatus, EraStatus, WritecacheStatus, RaidStatus,
        MirrorStatus, MultipathStatus, IntegrityStatus, VerityStatus, DelayStatus, StripedStatus, LogWritesStatus,
        EmptyStatus, UnknownStatus {

    /** Targets that print nothing for their status on Linux 6.1. */
    Set<String> SILENT_TYPES = Set.of("linear", "zero", "error", "crypt", "flakey", "snapshot-origin");

    /** The target type this status belongs to. */
    String type();

    /**
     * Parses one line of {@link io.dm4j.DeviceMapper#status}.
     *
     * @throws StatusParseException if the target has a parser and the text does not fit it
     */
    static StatusReport parse(TargetStatus status) {
        Objects.requireNonNull(status, "status");
        return parse(status.type(), status.status());
    }

    /** Parses every line of a device's status, in table order. */
    static List<StatusReport> parseAll(List<TargetStatus> statuses) {
        return statuses.stream().map(StatusReport::parse).collect(Collectors.toUnmodifiableList());
    }

    /**
     * Parses the status text of a target of the given type.
     *
     * @throws StatusParseException if the target has a parser and the text does not fit it
     */
    static StatusReport parse(String type, String text) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(text, "text");
        switch (type) {
            case ThinPoolStatus.TYPE:
                return ThinPoolStatus.parse(text);
            case ThinStatus.TYPE:
                return ThinStatus.parse(text);
            case SnapshotStatus.TYPE:
                return SnapshotStatus.parse(false, text);
            case SnapshotStatus.MERGE_TYPE:
                return SnapshotStatus.parse(true, text);
            case CacheStatus.TYPE:
                return CacheStatus.parse(text);
            case EraStatus.TYPE:
                return EraStatus.parse(text);
            case WritecacheStatus.TYPE:
                return WritecacheStatus.parse(text);
            case RaidStatus.TYPE:
                return RaidStatus.parse(text);
            case MirrorStatus.TYPE:
                return MirrorStatus.parse(text);
            case MultipathStatus.TYPE:
                return MultipathStatus.parse(text);
            case IntegrityStatus.TYPE:
                return IntegrityStatus.parse(text);
            case VerityStatus.TYPE:
                return VerityStatus.parse(text);
            case DelayStatus.TYPE:
                return DelayStatus.parse(text);
            case StripedStatus.TYPE:
                return StripedStatus.parse(text);
            case LogWritesStatus.TYPE:
                return LogWritesStatus.parse(text);
            default:
                return SILENT_TYPES.contains(type) && text.isBlank() ? new EmptyStatus(type)
                        : new UnknownStatus(type, text);
        }
    }
}
