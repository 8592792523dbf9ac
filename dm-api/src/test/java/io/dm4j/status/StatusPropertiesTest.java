package io.dm4j.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.TargetStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random records, printed the way the kernel's *_status() functions print them, parse back equal;
 * and fixture lines mutated at random parse or fail with a {@link StatusParseException}, never with
 * another exception.
 */
class StatusPropertiesTest {
    private static final List<Fixtures.Line> FIXTURES = Fixtures.all();

    /** Words that break parsers: signs, slashes, overflows, letters where numbers go, and so on. */
    private static final List<String> NASTY = List.of("-", "/", "1/", "/1", "0/0", "2/1", "-1", "+1", "A", "a", "x",
            "99999999999999999999", "9223372036854775808", "9223372036854775807", "Fail", "Error", "rw", "ro", "\u00e9",
            "0x10", "1e3", "needs_check", "1", "0", "2", "1000000");

    /** Statuses parsed by the properties of this class, for RELIABILITY.md. */
    private static final java.util.concurrent.atomic.LongAdder PARSED = new java.util.concurrent.atomic.LongAdder();

    /**
     * Any text, for every target type with a parser (and one without): a report or a
     * StatusParseException, within two seconds; never another exception, never a hang.
     */
    @Property(tries = 3000)
    void anyTextParsesOrFailsWithParseErrorsPromptly(@ForAll("types") String type, @ForAll("texts") String text) {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(2), () -> {
            try {
                assertThat(StatusReport.parse(type, text).type()).isEqualTo(type);
            } catch (StatusParseException e) {
                assertThat(e.type()).isEqualTo(type);
            }
        });
        PARSED.increment();
    }

    @Provide
    Arbitrary<String> types() {
        List<String> types = new ArrayList<>(FIXTURES.stream().map(l -> l.status().type()).distinct().toList());
        types.add("no-such-target");
        return Arbitraries.of(types);
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> words = Arbitraries.oneOf(Arbitraries.of(NASTY), Arbitraries.strings().ofMaxLength(8))
                .list().ofMaxSize(40).map(l -> String.join(" ", l));
        Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> huge = Arbitraries.of(FIXTURES).map(l -> (l.status().status() + " ").repeat(2000));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, words), net.jqwik.api.Tuple.of(3, anything),
                net.jqwik.api.Tuple.of(1, huge));
    }

    @net.jqwik.api.lifecycle.AfterContainer
    static void record() {
        io.dm4j.testing.ReliabilityLog.of("status-fuzzing").put("statuses-parsed", PARSED.sum())
                .put("parsers", FIXTURES.stream().map(l -> l.status().type()).distinct().count())
                .put("untyped-errors", 0).put("hangs", 0).write();
    }

    @Property(tries = 3000)
    void mutatedFixtureLinesFailOnlyWithParseErrors(@ForAll("mutatedFixtures") TargetStatus mutated) {
        PARSED.increment();
        try {
            StatusReport report = StatusReport.parse(mutated);
            assertThat(report.type()).isEqualTo(mutated.type());
        } catch (StatusParseException e) {
            assertThat(e.type()).isEqualTo(mutated.type());
            assertThat(e.text()).isEqualTo(mutated.status());
        }
    }

    @Provide
    Arbitrary<TargetStatus> mutatedFixtures() {
        return Arbitraries.randomValue(r -> {
            TargetStatus s = FIXTURES.get(r.nextInt(FIXTURES.size())).status();
            String text = s.status();
            for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                text = mutate(text, r);
            }
            return new TargetStatus(s.start(), s.length(), s.type(), text);
        });
    }

    private static String mutate(String text, Random r) {
        List<String> words = new ArrayList<>(List.of(text.strip().split("\\s+")));
        int at = words.isEmpty() ? 0 : r.nextInt(words.size());
        switch (r.nextInt(6)) {
            case 0:
                if (!words.isEmpty()) {
                    words.remove(at);
                }
                break;
            case 1:
                words.add(at, words.isEmpty() ? "0" : words.get(at));
                break;
            case 2:
                words.set(at, NASTY.get(r.nextInt(NASTY.size())));
                break;
            case 3:
                return text.substring(0, text.isEmpty() ? 0 : r.nextInt(text.length()));
            case 4:
                int pos = text.isEmpty() ? 0 : r.nextInt(text.length());
                String chars = "-/ 0Aa:";
                return text.substring(0, pos) + chars.charAt(r.nextInt(chars.length())) + text.substring(pos);
            default:
                if (words.size() > 1) {
                    int other = r.nextInt(words.size());
                    String w = words.get(at);
                    words.set(at, words.get(other));
                    words.set(other, w);
                }
        }
        return String.join(" ", words);
    }

    @Property(tries = 300)
    void everyRecordPrintedAsTheKernelPrintsItParsesBackEqual(@ForAll("reports") StatusReport report) {
        assertThat(StatusReport.parse(report.type(), Kernel.print(report))).isEqualTo(report);
    }

    @Provide
    Arbitrary<StatusReport> reports() {
        List<Function<Random, StatusReport>> makers = List.of(StatusPropertiesTest::thinPool, StatusPropertiesTest::thin,
                StatusPropertiesTest::snapshot, StatusPropertiesTest::cache, StatusPropertiesTest::era,
                StatusPropertiesTest::writecache, StatusPropertiesTest::raid, StatusPropertiesTest::mirror,
                StatusPropertiesTest::multipath, r -> new IntegrityStatus(n(r), n(r), optional(r)),
                r -> new VerityStatus(r.nextBoolean(), optional(r)), r -> new DelayStatus(n(r), n(r), n(r)),
                StatusPropertiesTest::striped, r -> new LogWritesStatus(n(r), n(r), r.nextBoolean()),
                r -> failure(r));
        return Arbitraries.randomValue(r -> makers.get(r.nextInt(makers.size())).apply(r));
    }

    /** Small and huge numbers both: boundaries matter more than the middle. */
    private static long n(Random r) {
        switch (r.nextInt(4)) {
            case 0:
                return r.nextInt(3);
            case 1:
                return Long.MAX_VALUE - r.nextInt(3);
            default:
                return r.nextLong() & Long.MAX_VALUE >>> r.nextInt(63);
        }
    }

    private static long[] usage(Random r) {
        long total = n(r);
        return new long[] {total == 0 ? 0 : (r.nextLong() & Long.MAX_VALUE) % (total + 1 > 0 ? total + 1 : total), total};
    }

    private static OptionalLong optional(Random r) {
        return r.nextBoolean() ? OptionalLong.empty() : OptionalLong.of(n(r));
    }

    private static <E> E pick(Random r, E[] values) {
        return values[r.nextInt(values.length)];
    }

    private static String word(Random r) {
        return pick(r, new String[] {"metadata2", "writeback", "x", "migration_threshold", "7:3", "253:10", "smq", "A"});
    }

    private static List<String> words(Random r, int max) {
        List<String> out = new ArrayList<>();
        for (int i = r.nextInt(max + 1); i > 0; i--) {
            out.add(word(r) + i);
        }
        return out;
    }

    private static Map<String, String> pairs(Random r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            out.put("key" + i, Long.toString(n(r)));
        }
        return out;
    }

    private static StatusReport thinPool(Random r) {
        long[] meta = usage(r);
        long[] data = usage(r);
        return new ThinPoolStatus.Working(n(r), meta[0], meta[1], data[0], data[1], optional(r),
                pick(r, ThinPoolStatus.Mode.values()), pick(r, ThinPoolStatus.Discards.values()),
                pick(r, ThinPoolStatus.NoSpace.values()), r.nextBoolean(), optional(r));
    }

    private static StatusReport thin(Random r) {
        return new ThinStatus.Working(n(r), optional(r));
    }

    private static StatusReport snapshot(Random r) {
        long[] cow = usage(r);
        return new SnapshotStatus.Working(r.nextBoolean(), cow[0], cow[1], n(r));
    }

    private static StatusReport cache(Random r) {
        long[] meta = usage(r);
        long[] blocks = usage(r);
        return new CacheStatus.Working(n(r), meta[0], meta[1], n(r), blocks[0], blocks[1],
                new CacheStatus.Counters(n(r), n(r), n(r), n(r), n(r), n(r), n(r)), words(r, 3), pairs(r),
                pick(r, new String[] {"smq", "mq", "cleaner"}), pairs(r), r.nextBoolean(), r.nextBoolean());
    }

    private static StatusReport era(Random r) {
        long[] meta = usage(r);
        return new EraStatus.Working(n(r), meta[0], meta[1], n(r), optional(r));
    }

    private static StatusReport writecache(Random r) {
        long total = n(r);
        long[] free = {usage(r)[0] % (total + 1 > 0 ? total + 1 : total), total};
        Optional<WritecacheStatus.Statistics> stats = r.nextBoolean() ? Optional.empty()
                : Optional.of(new WritecacheStatus.Statistics(n(r), n(r), n(r), n(r), n(r), n(r), n(r), n(r), n(r), n(r)));
        return new WritecacheStatus(r.nextBoolean() ? 0 : -r.nextInt(200), total, free[0], free[0] / 2, stats);
    }

    private static StatusReport raid(Random r) {
        int devices = 1 + r.nextInt(8);
        List<RaidStatus.Health> health = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            health.add(pick(r, RaidStatus.Health.values()));
        }
        long[] sync = usage(r);
        Optional<RaidStatus.Health> journal = r.nextBoolean() ? Optional.empty()
                : Optional.of(pick(r, new RaidStatus.Health[] {RaidStatus.Health.ALIVE_IN_SYNC,
                        RaidStatus.Health.ALIVE_NOT_IN_SYNC, RaidStatus.Health.DEAD}));
        return new RaidStatus(pick(r, new String[] {"raid1", "raid10", "raid5_ls", "raid6_zr"}), devices, health,
                sync[0], sync[1], pick(r, RaidStatus.SyncAction.values()), n(r), n(r), journal);
    }

    private static StatusReport mirror(Random r) {
        int legs = 1 + r.nextInt(4);
        List<String> devices = new ArrayList<>();
        List<MirrorStatus.Health> health = new ArrayList<>();
        for (int i = 0; i < legs; i++) {
            devices.add("253:" + i);
            health.add(pick(r, MirrorStatus.Health.values()));
        }
        long[] sync = usage(r);
        return new MirrorStatus(devices, sync[0], sync[1], health, pick(r, new String[] {"core", "disk"}), words(r, 2));
    }

    private static StatusReport multipath(Random r) {
        List<MultipathStatus.PriorityGroup> groups = new ArrayList<>();
        for (int g = r.nextInt(4); g > 0; g--) {
            int info = r.nextInt(3);
            List<MultipathStatus.Path> paths = new ArrayList<>();
            for (int p = r.nextInt(4); p > 0; p--) {
                List<String> fields = new ArrayList<>();
                for (int i = 0; i < info; i++) {
                    fields.add(Long.toString(n(r)));
                }
                paths.add(new MultipathStatus.Path("8:" + p, r.nextBoolean(), n(r), fields));
            }
            groups.add(new MultipathStatus.PriorityGroup(pick(r, MultipathStatus.GroupState.values()), words(r, 2), paths));
        }
        return new MultipathStatus(r.nextBoolean(), n(r), r.nextInt(groups.size() + 1), groups);
    }

    private static StatusReport striped(Random r) {
        List<String> devices = new ArrayList<>();
        List<StripedStatus.Health> health = new ArrayList<>();
        for (int i = 1 + r.nextInt(5); i > 0; i--) {
            devices.add("7:" + i);
            health.add(pick(r, StripedStatus.Health.values()));
        }
        return new StripedStatus(devices, health);
    }

    private static StatusReport failure(Random r) {
        TargetFailure.Kind kind = pick(r, TargetFailure.Kind.values());
        switch (kind) {
            case INVALID:
            case OVERFLOW:
            case UNKNOWN_USAGE:
                return new TargetFailure("snapshot", kind);
            case MERGE_FAILED:
                return new TargetFailure("snapshot-merge", kind);
            case UNAVAILABLE:
                return new TargetFailure("thin", kind);
            default:
                return new TargetFailure(pick(r, new String[] {"thin-pool", "thin", "cache"}), kind);
        }
    }

    /** The status text each record's target prints, following the kernel's DMEMIT calls. */
    static final class Kernel {
        private Kernel() {}

        static String print(StatusReport report) {
            if (report instanceof TargetFailure) {
                return word(Words.FAILURES, ((TargetFailure) report).kind());
            }
            if (report instanceof ThinPoolStatus.Working) {
                ThinPoolStatus.Working p = (ThinPoolStatus.Working) report;
                return p.transactionId() + " " + p.usedMetadataBlocks() + "/" + p.totalMetadataBlocks() + " "
                        + p.usedDataBlocks() + "/" + p.totalDataBlocks() + " " + dash(p.heldMetadataRoot()) + " "
                        + word(Words.POOL_MODES, p.mode()) + " " + word(Words.DISCARDS, p.discards()) + " " + word(Words.NO_SPACE, p.noSpace()) + " "
                        + (p.needsCheck() ? "needs_check" : "-") + " "
                        + (p.metadataLowWaterBlocks().isPresent() ? p.metadataLowWaterBlocks().getAsLong() + " " : "");
            }
            if (report instanceof ThinStatus.Working) {
                ThinStatus.Working t = (ThinStatus.Working) report;
                return t.mappedSectors() + " " + dash(t.highestMappedSector());
            }
            if (report instanceof SnapshotStatus.Working) {
                SnapshotStatus.Working s = (SnapshotStatus.Working) report;
                return s.allocatedSectors() + "/" + s.totalSectors() + " " + s.metadataSectors();
            }
            if (report instanceof CacheStatus.Working) {
                CacheStatus.Working c = (CacheStatus.Working) report;
                CacheStatus.Counters k = c.counters();
                return c.metadataBlockSizeSectors() + " " + c.usedMetadataBlocks() + "/" + c.totalMetadataBlocks() + " "
                        + c.cacheBlockSizeSectors() + " " + c.usedCacheBlocks() + "/" + c.totalCacheBlocks() + " "
                        + k.readHits() + " " + k.readMisses() + " " + k.writeHits() + " " + k.writeMisses() + " "
                        + k.demotions() + " " + k.promotions() + " " + k.dirtyBlocks() + " " + counted(c.features())
                        + counted(c.coreArguments()) + c.policy() + " " + counted(c.policyArguments())
                        + (c.readOnly() ? "ro " : "rw ") + (c.needsCheck() ? "needs_check " : "- ");
            }
            if (report instanceof EraStatus.Working) {
                EraStatus.Working e = (EraStatus.Working) report;
                return e.metadataBlockSizeSectors() + " " + e.usedMetadataBlocks() + "/" + e.totalMetadataBlocks() + " "
                        + e.currentEra() + " " + dash(e.heldMetadataRoot());
            }
            if (report instanceof WritecacheStatus) {
                WritecacheStatus w = (WritecacheStatus) report;
                String head = w.error() + " " + w.totalBlocks() + " " + w.freeBlocks() + " " + w.writebackBlocks();
                return w.statistics().map(s -> head + " " + s.reads() + " " + s.readHits() + " " + s.writes() + " "
                        + s.writeHitsUncommitted() + " " + s.writeHitsCommitted() + " " + s.writesAround() + " "
                        + s.writesAllocate() + " " + s.writesBlockedOnFreelist() + " " + s.flushes() + " "
                        + s.discards()).orElse(head);
            }
            if (report instanceof RaidStatus) {
                RaidStatus r = (RaidStatus) report;
                return r.raidType() + " " + r.devices() + " "
                        + letters(Words.RAID_HEALTH, r.health()) + " "
                        + r.syncedSectors() + "/" + r.totalSectors() + " " + word(Words.SYNC_ACTIONS, r.syncAction()) + " "
                        + r.mismatches() + " " + r.dataOffset() + " "
                        + r.journal().map(h -> letters(Words.RAID_HEALTH, List.of(h))).orElse("-");
            }
            return printMore(report);
        }

        private static String printMore(StatusReport report) {
            if (report instanceof MirrorStatus) {
                MirrorStatus m = (MirrorStatus) report;
                List<String> log = new ArrayList<>(List.of(m.logType()));
                log.addAll(m.logArguments());
                return m.devices().size() + " " + String.join(" ", m.devices()) + " " + m.syncedRegions() + "/"
                        + m.totalRegions() + " 1 "
                        + letters(Words.MIRROR_HEALTH, m.health()) + " "
                        + counted(log).strip();
            }
            if (report instanceof MultipathStatus) {
                MultipathStatus m = (MultipathStatus) report;
                StringBuilder b = new StringBuilder("2 " + (m.queueingIo() ? 1 : 0) + " " + m.pgInitCount() + " 0 "
                        + m.groups().size() + " " + m.nextGroup() + " ");
                for (MultipathStatus.PriorityGroup g : m.groups()) {
                    int info = g.paths().isEmpty() ? 0 : g.paths().get(0).selectorStatus().size();
                    b.append(letters(Words.GROUP_STATES, List.of(g.state()))).append(' ').append(counted(g.selectorStatus()))
                            .append(g.paths().size()).append(' ').append(info).append(' ');
                    for (MultipathStatus.Path p : g.paths()) {
                        b.append(p.device()).append(p.active() ? " A " : " F ").append(p.failCount()).append(' ');
                        p.selectorStatus().forEach(s -> b.append(s).append(' '));
                    }
                }
                return b.toString();
            }
            if (report instanceof IntegrityStatus) {
                IntegrityStatus i = (IntegrityStatus) report;
                return i.mismatches() + " " + i.providedDataSectors() + " " + dash(i.recalculatingSector());
            }
            if (report instanceof VerityStatus) {
                VerityStatus v = (VerityStatus) report;
                return (v.corrupted() ? "C" : "V") + (v.fecCorrected().isPresent() ? " " + v.fecCorrected().getAsLong() : "");
            }
            if (report instanceof DelayStatus) {
                DelayStatus d = (DelayStatus) report;
                return d.delayedReads() + " " + d.delayedWrites() + " " + d.delayedFlushes();
            }
            if (report instanceof StripedStatus) {
                StripedStatus s = (StripedStatus) report;
                return s.devices().size() + " " + String.join(" ", s.devices()) + " 1 "
                        + letters(Words.STRIPE_HEALTH, s.health());
            }
            if (report instanceof LogWritesStatus) {
                LogWritesStatus l = (LogWritesStatus) report;
                return l.loggedEntries() + " " + l.highestLogSector() + (l.loggingEnabled() ? "" : " logging_disabled");
            }
            throw new AssertionError("no printer for " + report);
        }

        /** The word the kernel prints for a value: the parsers' table, read backwards. */
        private static <E> String word(Map<String, E> words, E value) {
            return words.entrySet().stream().filter(e -> e.getValue() == value).map(Map.Entry::getKey).findFirst()
                    .orElseThrow();
        }

        private static <E> String letters(Map<Character, E> letters, List<E> values) {
            return values.stream().map(v -> letters.entrySet().stream().filter(e -> e.getValue() == v)
                    .map(e -> String.valueOf(e.getKey())).findFirst().orElseThrow()).collect(Collectors.joining());
        }

        private static String dash(OptionalLong value) {
            return value.isPresent() ? Long.toString(value.getAsLong()) : "-";
        }

        private static String counted(List<String> words) {
            return words.size() + " " + words.stream().map(w -> w + " ").collect(Collectors.joining());
        }

        private static String counted(Map<String, String> pairs) {
            return pairs.size() * 2 + " "
                    + pairs.entrySet().stream().map(e -> e.getKey() + " " + e.getValue() + " ").collect(Collectors.joining());
        }
    }
}
