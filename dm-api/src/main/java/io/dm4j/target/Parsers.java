package io.dm4j.target;

import io.dm4j.InvalidArgumentException;
import io.dm4j.InvalidTableException;
import java.util.Objects;
import java.util.Set;

/** The parser of each target type dm4j types. */
final class Parsers {
    private Parsers() {}

    /** The types {@link #parse} reads into their own records. */
    static final Set<String> TYPED = Set.of(LinearTarget.TYPE, StripedTarget.TYPE, ZeroTarget.TYPE,
            ErrorTarget.TYPE, CryptTarget.TYPE, DelayTarget.TYPE, FlakeyTarget.TYPE, SnapshotTarget.TYPE,
            SnapshotOriginTarget.TYPE, SnapshotMergeTarget.TYPE, ThinPoolTarget.TYPE, ThinTarget.TYPE,
            CacheTarget.TYPE, WritecacheTarget.TYPE, EraTarget.TYPE, VerityTarget.TYPE, IntegrityTarget.TYPE,
            MirrorTarget.TYPE, RaidTarget.TYPE, MultipathTarget.TYPE, LogWritesTarget.TYPE);

    static Target parse(String type, String params) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(params, "params");
        if (!TYPED.contains(type)) {
            return new RawTarget(type, params);
        }
        try {
            return parseTyped(type, Args.of(type, params));
        } catch (InvalidTableException e) {
            throw e;
        } catch (InvalidArgumentException e) {
            throw new InvalidTableException(type + " " + e.field(), e.rule());
        }
    }

    private static Target parseTyped(String type, Args args) {
        Target t = switch (type) {
            case LinearTarget.TYPE -> LinearTarget.parse(args);
            case StripedTarget.TYPE -> StripedTarget.parse(args);
            case ZeroTarget.TYPE -> new ZeroTarget();
            case ErrorTarget.TYPE -> new ErrorTarget();
            case CryptTarget.TYPE -> CryptTarget.parse(args);
            case DelayTarget.TYPE -> DelayTarget.parse(args);
            case FlakeyTarget.TYPE -> FlakeyTarget.parse(args);
            case SnapshotTarget.TYPE -> SnapshotTarget.parse(args);
            case SnapshotOriginTarget.TYPE -> new SnapshotOriginTarget(args.device("origin"));
            case SnapshotMergeTarget.TYPE -> new SnapshotMergeTarget(SnapshotTarget.parse(args));
            case ThinPoolTarget.TYPE -> ThinPoolTarget.parse(args);
            case ThinTarget.TYPE -> ThinTarget.parse(args);
            case CacheTarget.TYPE -> CacheTarget.parse(args);
            case WritecacheTarget.TYPE -> WritecacheTarget.parse(args);
            case EraTarget.TYPE -> new EraTarget(args.device("metadata device"), args.device("origin device"),
                    args.sectors("block size"));
            case VerityTarget.TYPE -> VerityTarget.parse(args);
            case IntegrityTarget.TYPE -> IntegrityTarget.parse(args);
            case MirrorTarget.TYPE -> MirrorTarget.parse(args);
            case RaidTarget.TYPE -> RaidTarget.parse(args);
            case MultipathTarget.TYPE -> MultipathTarget.parse(args);
            case LogWritesTarget.TYPE -> new LogWritesTarget(args.device("device"), args.device("log device"));
            default -> throw new IllegalStateException(type);
        };
        args.end();
        return t;
    }
}
