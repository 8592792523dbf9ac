package io.dm4j.target;

import io.dm4j.DeviceNumber;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Random valid targets of every type, for the round-trip properties. */
final class TargetArbitraries {
    private TargetArbitraries() {}

    static Arbitrary<DeviceNumber> devices() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xfff), Arbitraries.integers().between(0, 0xfffff))
                .as(DeviceNumber::new);
    }

    static Arbitrary<Sectors> sectors() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE).map(Sectors::of);
    }

    static Arbitrary<Sectors> powerOfTwo(int minShift, int maxShift) {
        return Arbitraries.integers().between(minShift, maxShift).map(s -> Sectors.of(1L << s));
    }

    static Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xffffffffL);
    }

    static Arbitrary<String> words() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789_-:()").ofMinLength(1).ofMaxLength(12);
    }

    static Arbitrary<String> hex() {
        return Arbitraries.strings().withChars("0123456789abcdef").ofMinLength(1).ofMaxLength(32).map(s -> s + s);
    }

    static <E extends Enum<E>> Arbitrary<Set<E>> enumSets(Class<E> type) {
        return Arbitraries.of(type).set().map(s -> s.isEmpty() ? Set.of() : EnumSet.copyOf(s));
    }

    /** Options of a target's keywords with valid values; callers apply the target's own rules. */
    static Arbitrary<List<TargetOption>> options(List<OptionKey> keys) {
        return Arbitraries.of(keys).set().ofMaxSize(6).flatMap(set -> {
            List<Arbitrary<TargetOption>> each = new ArrayList<>();
            for (OptionKey k : set) {
                each.add(switch (k.value()) {
                    case NONE -> Arbitraries.just(TargetOption.flag(k));
                    case NUMBER -> Arbitraries.longs().between(0, 100).map(v -> TargetOption.of(k, v));
                    case SIGNED -> Arbitraries.longs().between(-5, 5).map(v -> TargetOption.of(k, v));
                    case DEVICE -> devices().map(d -> TargetOption.of(k, d));
                    case WORD -> words().map(w -> TargetOption.of(k, w));
                });
            }
            return Combinators.combine(each).as(List::copyOf);
        });
    }

    /** Every target type dm4j types, with its own rules respected; crypt keys are keyring references or none. */
    static Arbitrary<Target> targets() {
        return Arbitraries.oneOf(List.of(linear(), striped(), Arbitraries.just(new ZeroTarget()),
                Arbitraries.just(new ErrorTarget()), crypt(cryptKeys()), delay(), flakey(), snapshot().map(Target.class::cast),
                devices().map(d -> (Target) new SnapshotOriginTarget(d)), snapshot().map(s -> (Target) s.merging()),
                thinPool(), thin(),
                cache(), writecache(), era(), verity(), integrity(), mirror(), raid(), multipath(), logWrites(), raw()));
    }

    static Arbitrary<Target> linear() {
        return Combinators.combine(devices(), sectors()).as(LinearTarget::new);
    }

    static Arbitrary<Target> striped() {
        return Combinators.combine(Arbitraries.longs().between(1, 0xffffffffL).map(Sectors::of),
                Combinators.combine(devices(), sectors()).as(DeviceOffset::new).list().ofMinSize(1).ofMaxSize(5))
                .as(StripedTarget::new);
    }

    static Arbitrary<CryptTarget.Key> cryptKeys() {
        return Arbitraries.oneOf(Arbitraries.just(new CryptTarget.Key.None()),
                Combinators.combine(Arbitraries.integers().between(1, 1024), Arbitraries.of(CryptTarget.KeyringType.class),
                        words()).as(CryptTarget.Key.Keyring::new));
    }

    static Arbitrary<Target> crypt(Arbitrary<CryptTarget.Key> keys) {
        Arbitrary<Sectors> sectorSize = Arbitraries.of(512L, 1024L, 2048L, 4096L).map(Sectors::ofBytes);
        Arbitrary<Optional<CryptTarget.Integrity>> integrity = Combinators.combine(Arbitraries.integers().between(1, 480),
                Arbitraries.of(CryptTarget.IntegrityProfile.class)).as(CryptTarget.Integrity::new).optional();
        return Combinators.combine(Arbitraries.of("aes-xts-plain64", "capi:xts(aes)-plain64", "cipher_null-ecb",
                "aes-cbc-essiv:sha256"), keys, Arbitraries.longs().between(0, 1L << 40), devices(), sectors(),
                enumSets(CryptTarget.Flag.class), sectorSize, integrity)
                .as((cipher, key, iv, dev, off, flags, ss, integ) -> new CryptTarget(cipher, key,
                        Sectors.of(iv - iv % ss.count()), dev, off, flags, ss, integ));
    }

    static Arbitrary<Target> delay() {
        Arbitrary<DelayTarget.Route> route = Combinators.combine(devices(), sectors(), u32()).as(DelayTarget.Route::new);
        return Combinators.combine(route, route, route, Arbitraries.integers().between(1, 3)).as((r, w, f, n) ->
                new DelayTarget(r, n > 1 ? Optional.of(w) : Optional.empty(), n > 2 ? Optional.of(f) : Optional.empty()));
    }

    static Arbitrary<Target> flakey() {
        Arbitrary<Optional<FlakeyTarget.CorruptBioByte>> corrupt = Combinators.combine(
                Arbitraries.longs().between(1, 0xffffffffL), Arbitraries.of(true, false), Arbitraries.integers().between(0, 255),
                u32()).as(FlakeyTarget.CorruptBioByte::new).optional();
        return Combinators.combine(devices(), sectors(), u32(), u32(), Arbitraries.of(FlakeyTarget.Writes.class), corrupt)
                .filter((d, o, up, down, w, c) -> up + down > 0
                        && (w == FlakeyTarget.Writes.FAIL || c.map(x -> !x.writes()).orElse(true)))
                .as(FlakeyTarget::new);
    }

    static Arbitrary<SnapshotTarget> snapshot() {
        return Combinators.combine(devices(), devices(), Arbitraries.of(SnapshotTarget.Store.PERSISTENT,
                SnapshotTarget.Store.PERSISTENT_OVERFLOW), powerOfTwo(0, 20), Arbitraries.integers().between(0, 2))
                .as((o, c, s, chunk, d) -> new SnapshotTarget(o, c, s, chunk, d > 0, d > 1));
    }

    static Arbitrary<Target> thinPool() {
        return Combinators.combine(devices(), devices(), Arbitraries.longs().between(1, 16384).map(n -> Sectors.of(n * 128)),
                Arbitraries.longs().between(0, Long.MAX_VALUE), enumSets(ThinPoolTarget.Feature.class))
                .as(ThinPoolTarget::new);
    }

    static Arbitrary<Target> thin() {
        return Combinators.combine(devices(), Arbitraries.longs().between(0, (1 << 24) - 1), devices().optional())
                .as(ThinTarget::new);
    }

    static Arbitrary<Target> cache() {
        Arbitrary<List<CacheTarget.Feature>> features = Arbitraries.of(CacheTarget.Feature.class).set()
                .map(ArrayList::new).map(l -> {
                    java.util.Collections.shuffle(l);
                    return List.copyOf(l);
                })
                .filter(l -> l.stream().filter(f -> f == CacheTarget.Feature.WRITEBACK || f == CacheTarget.Feature.WRITETHROUGH
                        || f == CacheTarget.Feature.PASSTHROUGH).count() <= 1);
        Arbitrary<List<String>> policyArgs = Combinators.combine(words(), words()).as(List::of).list().ofMaxSize(3)
                .map(pairs -> pairs.stream().flatMap(List::stream).toList());
        return Combinators.combine(devices(), devices(), devices(), Arbitraries.longs().between(1, 32768)
                .map(n -> Sectors.of(n * 64)), features, Arbitraries.of("smq", "mq", "cleaner"), policyArgs)
                .as(CacheTarget::new);
    }

    static Arbitrary<Target> writecache() {
        return Combinators.combine(Arbitraries.of(WritecacheTarget.Mode.class), devices(), devices(),
                powerOfTwo(0, 7), options(WritecacheTarget.Option.ALL))
                .as((mode, o, c, bs, opts) -> new WritecacheTarget(mode, o, c, bs, opts.stream().filter(op ->
                        mode == WritecacheTarget.Mode.PMEM ? op.key() != WritecacheTarget.Option.PAUSE_WRITEBACK
                                : op.key() != WritecacheTarget.Option.FUA && op.key() != WritecacheTarget.Option.NOFUA)
                        .filter(op -> op.key() != WritecacheTarget.Option.NOFUA).toList()));
    }

    static Arbitrary<Target> era() {
        return Combinators.combine(devices(), devices(), Arbitraries.longs().between(1, 0xffffffffL).map(Sectors::of))
                .as(EraTarget::new);
    }

    static Arbitrary<Target> verity() {
        Arbitrary<List<TargetOption>> options = options(VerityTarget.Option.ALL).map(l -> l.stream()
                .filter(o -> o.key() != VerityTarget.Option.RESTART_ON_CORRUPTION
                        && o.key() != VerityTarget.Option.PANIC_ON_CORRUPTION
                        && o.key().value() != OptionKey.Value.DEVICE
                        && !o.key().keyword().startsWith("fec")).toList());
        Arbitrary<Object[]> head = Combinators.combine(Arbitraries.integers().between(0, 1), devices(), devices(),
                powerOfTwo(0, 8), powerOfTwo(0, 8), Arbitraries.longs().between(0, 1L << 40),
                Arbitraries.longs().between(0, 1L << 40)).as((v, d, h, db, hb, n, s) -> new Object[] {v, d, h, db, hb, n, s});
        return Combinators.combine(head, Arbitraries.of("sha256", "sha1", "sha512"), hex(), hex().optional(), options)
                .as((x, alg, root, salt, opts) -> new VerityTarget((Integer) x[0], (DeviceNumber) x[1],
                        (DeviceNumber) x[2], (Sectors) x[3], (Sectors) x[4], (Long) x[5], (Long) x[6], alg, root, salt, opts));
    }

    static Arbitrary<Target> integrity() {
        return Combinators.combine(devices(), sectors(), Arbitraries.integers().between(1, 64),
                Arbitraries.of(IntegrityTarget.Mode.class), options(IntegrityTarget.Option.ALL))
                .as((d, o, tag, mode, opts) -> new IntegrityTarget(d, o, tag, mode, mode == IntegrityTarget.Mode.BITMAP
                        && !Options.has(opts, IntegrityTarget.Option.INTERNAL_HASH)
                        ? append(opts, TargetOption.of(IntegrityTarget.Option.INTERNAL_HASH, "crc32c")) : opts));
    }

    static Arbitrary<Target> mirror() {
        Arbitrary<MirrorTarget.Log> log = Combinators.combine(devices().optional(), powerOfTwo(0, 31),
                Arbitraries.of(MirrorTarget.Sync.class)).as(MirrorTarget.Log::new);
        return Combinators.combine(log, Combinators.combine(devices(), sectors()).as(DeviceOffset::new).list()
                .ofMinSize(2).ofMaxSize(9), enumSets(MirrorTarget.Feature.class)
                .filter(s -> !s.contains(MirrorTarget.Feature.KEEP_LOG) || s.contains(MirrorTarget.Feature.HANDLE_ERRORS)))
                .as(MirrorTarget::new);
    }

    static Arbitrary<Target> raid() {
        Arbitrary<RaidTarget.Leg> leg = Combinators.combine(devices().optional(), devices().optional())
                .as(RaidTarget.Leg::new);
        return Combinators.combine(Arbitraries.of("raid1", "raid5_ls", "raid6_zr", "raid10", "raid0"), powerOfTwo(3, 12),
                options(RaidTarget.Option.ALL), leg.list().ofMinSize(2).ofMaxSize(8))
                .as((type, chunk, opts, legs) -> new RaidTarget(type, type.equals("raid1") ? Sectors.ZERO : chunk,
                        opts.stream().filter(o -> o.key() != RaidTarget.Option.SYNC)
                                .map(o -> o.key().repeatable() ? TargetOption.of(o.key(), o.number() % legs.size()) : o)
                                .toList(), legs));
    }

    static Arbitrary<Target> multipath() {
        Arbitrary<String> repeat = Arbitraries.of("0", "1");
        Arbitrary<MultipathTarget.PathGroup> group = Arbitraries.of("round-robin", "queue-length", "service-time")
                .flatMap(sel -> Combinators.combine(devices(), repeat, u32().map(String::valueOf))
                        .as((d, r, t) -> new MultipathTarget.Path(d, sel.equals("service-time") ? List.of(r, t) : List.of(r)))
                        .list().ofMinSize(1).ofMaxSize(4).map(paths -> new MultipathTarget.PathGroup(sel, paths)));
        Arbitrary<List<TargetOption>> features = options(MultipathTarget.Option.ALL).map(l -> l.stream().map(o ->
                o.key() == MultipathTarget.Option.PG_INIT_RETRIES ? TargetOption.of(o.key(), 1 + o.number() % 50)
                        : o.key() == MultipathTarget.Option.QUEUE_MODE ? TargetOption.of(o.key(), "bio") : o).toList());
        return Combinators.combine(features, words().optional(), group.list().ofMaxSize(4), Arbitraries.integers().between(1, 4))
                .as((f, hw, groups, initial) -> new MultipathTarget(f,
                        Options.has(f, MultipathTarget.Option.QUEUE_MODE) ? Optional.empty() : hw,
                        groups.isEmpty() ? 0 : 1 + (initial - 1) % groups.size(), groups));
    }

    static Arbitrary<Target> logWrites() {
        return Combinators.combine(devices(), devices()).as(LogWritesTarget::new);
    }

    static Arbitrary<Target> raw() {
        return Combinators.combine(Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz-").ofMinLength(1)
                .ofMaxLength(15).filter(t -> !Parsers.TYPED.contains(t)), words().list().ofMaxSize(5))
                .as((type, params) -> new RawTarget(type, String.join(" ", params)));
    }

    private static List<TargetOption> append(List<TargetOption> list, TargetOption o) {
        List<TargetOption> l = new ArrayList<>(list);
        l.add(o);
        return l;
    }
}
