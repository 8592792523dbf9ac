package io.dm4j.internal.ioctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceNumber;
import io.dm4j.DmProtocolException;
import io.dm4j.DmVersion;
import io.dm4j.TargetLine;
import io.dm4j.TargetVersion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Round trips through the codec, and replies the kernel never sends: the decoders must either
 * decode or raise {@link DmProtocolException}, never read out of bounds.
 */
class DmIoctlPropertiesTest {
    private static final int CAPACITY = 16 * 1024;

    @Property
    void deviceNumbersRoundTrip(@ForAll @IntRange(max = 0xfff) int major, @ForAll @IntRange(max = 0xfffff) int minor) {
        DeviceNumber n = new DeviceNumber(major, minor);
        assertThat(DeviceNumber.decode(n.encode())).isEqualTo(n);
        assertThat(n.encode() >>> 32).isZero();
    }

    @Property
    void nameListsRoundTrip(@ForAll("entries") @Size(max = 40) List<DeviceListEntry> entries) {
        ByteBuffer b = buffer();
        DmIoctl.Header h = encodeNameList(b, entries);
        assertThat(DmIoctl.readNameList(b, h, true)).isEqualTo(entries);
    }

    /**
     * Names made by other tools need not be UTF-8: they decode with U+FFFD, and the entries after
     * them (event numbers, uuids, the next entries) must still be found at their byte offsets.
     */
    @Property
    void nameListsWithNamesThatAreNotUtf8KeepEverythingElse(@ForAll("entries") @Size(min = 1, max = 20)
            List<DeviceListEntry> entries, @ForAll @Size(min = 20, max = 20) List<@Size(min = 1, max = 127) byte[]> raw) {
        ByteBuffer b = buffer();
        List<DeviceListEntry> expected = new ArrayList<>();
        List<byte[]> names = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            byte[] name = raw.get(i).clone();
            for (int k = 0; k < name.length; k++) {
                name[k] = name[k] == 0 ? (byte) 0xff : name[k];
            }
            names.add(name);
            DeviceListEntry e = entries.get(i);
            expected.add(new DeviceListEntry(new String(name, StandardCharsets.UTF_8), e.device(), e.eventNr(), e.uuid()));
        }
        DmIoctl.Header h = encodeNameList(b, entries, names);
        assertThat(DmIoctl.readNameList(b, h, true)).isEqualTo(expected);
    }

    @Property
    void versionListsRoundTrip(@ForAll("versions") @Size(min = 1, max = 40) List<TargetVersion> versions) {
        ByteBuffer b = buffer();
        DmIoctl.Header h = encodeVersions(b, versions);
        assertThat(DmIoctl.readVersions(b, h)).isEqualTo(versions);
    }

    @Property
    void tablesRoundTripThroughLoadAndStatusLayouts(@ForAll("tables") List<TargetLine> table) {
        ByteBuffer load = buffer();
        DmIoctl.Header h = encodeTable(load, table);
        assertThat(DmIoctl.readTable(load, h)).isEqualTo(table);
    }

    /** Lays out a table as the kernel reports it: specs whose next is relative to the first one. */
    private static DmIoctl.Header encodeTable(ByteBuffer b, List<TargetLine> table) {
        DmIoctl.putTargets(b, DmIoctl.SIZE, table);
        // Turn the load layout (next relative to each spec) into the kernel's status layout
        // (next relative to the first spec), as the kernel does when it reports the table back.
        int offset = DmIoctl.SIZE;
        for (int i = 0; i < table.size(); i++) {
            int stride = b.getInt(offset + DmIoctl.SPEC_NEXT);
            b.putInt(offset + DmIoctl.SPEC_NEXT, offset + stride - DmIoctl.SIZE);
            offset += stride;
        }
        return header(offset, table.size());
    }

    @Property(tries = 2000)
    void randomRepliesNeverCrashTheDecoders(@ForAll @Size(max = 2048) byte[] payload,
            @ForAll @IntRange(min = 0, max = CAPACITY + 100) int dataSize, @ForAll @IntRange(min = 0, max = 1000) int dataStart,
            @ForAll @IntRange(min = -2, max = 50) int targetCount) {
        ByteBuffer b = buffer();
        b.put(DmIoctl.SIZE, payload);
        DmIoctl.Header h = new DmIoctl.Header(new DmVersion(4, 47, 0), dataSize, dataStart, targetCount, 0, 0, 0, 0,
                "", "");
        decodeAll(b, h);
    }

    @Property(tries = 2000)
    void mutatedRepliesNeverCrashTheDecoders(@ForAll("entries") @Size(min = 1, max = 10) List<DeviceListEntry> entries,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(max = 1023) Integer> positions, @ForAll byte value) {
        ByteBuffer b = buffer();
        DmIoctl.Header h = encodeNameList(b, entries);
        mutate(b, h, positions, value);
        decodeAll(b, h);
    }

    /**
     * Kernel tables with a crypt line (whose key is decoded from hex), its bytes and its header
     * fields changed at random: every decoder of a table reply decodes or throws DmProtocolException.
     */
    @Property(tries = 2000)
    void mutatedTableRepliesNeverCrashTheDecoders(@ForAll("tables") List<TargetLine> table,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(max = 4095) Integer> positions, @ForAll byte value,
            @ForAll @IntRange(min = -3, max = 3) int countChange, @ForAll @IntRange(min = -16, max = 16) int sizeChange) {
        ByteBuffer b = buffer();
        List<TargetLine> withKey = new ArrayList<>(table);
        long end = table.get(table.size() - 1).start() + table.get(table.size() - 1).length();
        withKey.add(new TargetLine(end, 8, "crypt", "aes-xts-plain64 " + "0f".repeat(32) + " 0 7:0 0"));
        DmIoctl.Header h = encodeTable(b, withKey);
        mutate(b, h, positions, value);
        decodeAll(b, new DmIoctl.Header(h.version(), h.dataSize() + sizeChange, h.dataStart(),
                h.targetCount() + countChange, 0, 0, 0, 0, "", ""));
    }

    @Property(tries = 1000)
    void mutatedVersionListsNeverCrashTheDecoders(@ForAll("versions") @Size(min = 1, max = 20) List<TargetVersion> versions,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(max = 1023) Integer> positions, @ForAll byte value) {
        ByteBuffer b = buffer();
        DmIoctl.Header h = encodeVersions(b, versions);
        mutate(b, h, positions, value);
        decodeAll(b, h);
    }

    /** A deps reply claiming any count over any payload. */
    @Property(tries = 1000)
    void depsRepliesWithAnyCountNeverCrashTheDecoders(@ForAll int count, @ForAll @Size(max = 64) List<Long> devices,
            @ForAll @IntRange(min = 0, max = 1024) int dataSize) {
        ByteBuffer b = buffer();
        b.putInt(DmIoctl.SIZE + DmIoctl.DEPS_COUNT, count);
        for (int i = 0; i < devices.size(); i++) {
            b.putLong(DmIoctl.SIZE + DmIoctl.DEPS_DEV + 8 * i, devices.get(i));
        }
        decodeAll(b, header(DmIoctl.SIZE + dataSize, 0));
    }

    /** Any 312 header bytes decode into a header and a device status, or a protocol error. */
    @Property(tries = 2000)
    void randomHeadersDecodeOrAreProtocolErrors(@ForAll @Size(value = DmIoctl.SIZE) byte[] header) {
        ByteBuffer b = buffer();
        b.put(0, header);
        Throwable t = catchThrowable(() -> DmIoctl.readHeader(b).toDeviceInfo());
        if (t != null) {
            assertThat(t).isInstanceOf(DmProtocolException.class);
        }
        DECODED.increment();
    }

    /** Sets the payload bytes at the given positions (wrapped into the reply) to {@code value}. */
    private static void mutate(ByteBuffer b, DmIoctl.Header h, List<Integer> positions, byte value) {
        for (int p : positions) {
            b.put(DmIoctl.SIZE + p % Math.max(1, h.dataSize() - DmIoctl.SIZE), value);
        }
    }

    /** Replies decoded by the properties of this class, for RELIABILITY.md. */
    private static final java.util.concurrent.atomic.LongAdder DECODED = new java.util.concurrent.atomic.LongAdder();

    @net.jqwik.api.lifecycle.AfterContainer
    static void record() {
        io.dm4j.testing.ReliabilityLog.of("decoder-fuzzing").put("replies-decoded", DECODED.sum())
                .put("decoders", 9).put("untyped-errors", 0).put("hangs", 0).write();
    }

    /** Every decoder of a reply: decodes, or throws DmProtocolException, within two seconds. */
    private static void decodeAll(ByteBuffer b, DmIoctl.Header h) {
        List<BiConsumer<ByteBuffer, DmIoctl.Header>> decoders = List.of(
                (x, y) -> DmIoctl.readNameList(x, y, true), (x, y) -> DmIoctl.readNameList(x, y, false),
                DmIoctl::readVersions, DmIoctl::readTable, (x, y) -> DmIoctl.readTable(x, y, new ArrayList<>()),
                DmIoctl::readStatus, DmIoctl::readDeps, DmIoctl::readStringPayload);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(2), () -> {
            for (BiConsumer<ByteBuffer, DmIoctl.Header> decoder : decoders) {
                Throwable t = catchThrowable(() -> decoder.accept(b, h));
                if (t != null) {
                    assertThat(t).isInstanceOf(DmProtocolException.class);
                }
            }
        });
        DECODED.increment();
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<List<DeviceListEntry>> entries() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('!', '~').excludeChars('/').ofMinLength(1)
                .ofMaxLength(127);
        Arbitrary<DeviceNumber> devs = Combinators.combine(Arbitraries.integers().between(1, 0xfff),
                Arbitraries.integers().between(0, 0xfffff)).as(DeviceNumber::new);
        Arbitrary<Optional<String>> uuids = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(128)
                .optional();
        Arbitrary<OptionalLong> events = Arbitraries.longs().between(0, 0xffffffffL).map(OptionalLong::of);
        return Combinators.combine(names, devs, events, uuids).as(DeviceListEntry::new).list();
    }

    @Provide
    Arbitrary<List<TargetVersion>> versions() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(15);
        Arbitrary<DmVersion> versions = Combinators.combine(Arbitraries.integers().between(0, 100),
                Arbitraries.integers().between(0, 100), Arbitraries.integers().between(0, 100)).as(DmVersion::new);
        return Combinators.combine(names, versions).as(TargetVersion::new).list();
    }

    @Provide
    Arbitrary<List<TargetLine>> tables() {
        Arbitrary<String> types = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(15);
        Arbitrary<String> params = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(300);
        Arbitrary<long[]> lengths = Arbitraries.longs().between(1, 1L << 40).array(long[].class).ofMinSize(1)
                .ofMaxSize(20);
        return Combinators.combine(lengths, types.list().ofSize(20), params.list().ofSize(20)).as((ls, ts, ps) -> {
            List<TargetLine> lines = new ArrayList<>();
            long start = 0;
            for (int i = 0; i < ls.length; i++) {
                lines.add(new TargetLine(start, ls[i], ts.get(i), ps.get(i)));
                start += ls[i];
            }
            return lines;
        });
    }

    // ------------------------------------------------------------------ kernel-side encoders

    private static ByteBuffer buffer() {
        return ByteBuffer.allocateDirect(CAPACITY).order(ByteOrder.nativeOrder());
    }

    private static DmIoctl.Header header(int dataSize, int targetCount) {
        return new DmIoctl.Header(new DmVersion(4, 47, 0), dataSize, DmIoctl.SIZE, targetCount, 0, 0, 0, 0, "", "");
    }

    /** Lays out entries as list_devices() in dm-ioctl.c does, with the 4.37+ trailer. */
    private static DmIoctl.Header encodeNameList(ByteBuffer b, List<DeviceListEntry> entries) {
        return encodeNameList(b, entries, entries.stream().map(e -> e.name().getBytes(StandardCharsets.UTF_8)).toList());
    }

    /** The same, with each name given as the kernel's bytes. */
    private static DmIoctl.Header encodeNameList(ByteBuffer b, List<DeviceListEntry> entries, List<byte[]> names) {
        int offset = DmIoctl.SIZE;
        int previous = -1;
        for (int i = 0; i < entries.size(); i++) {
            DeviceListEntry e = entries.get(i);
            if (previous >= 0) {
                b.putInt(previous + DmIoctl.NAME_LIST_NEXT, offset - previous);
            }
            b.putLong(offset, e.device().encode());
            b.put(offset + DmIoctl.NAME_LIST_NAME, names.get(i));
            b.put(offset + DmIoctl.NAME_LIST_NAME + names.get(i).length, (byte) 0);
            int end = offset + DmIoctl.NAME_LIST_NAME + names.get(i).length + 1;
            int trailer = DmIoctl.align8(end);
            b.putInt(trailer, (int) e.eventNr().orElse(0));
            int next = trailer + 8;
            if (e.uuid().isPresent()) {
                b.putInt(trailer + 4, DmIoctl.NAME_LIST_FLAG_HAS_UUID);
                next = DmIoctl.align8(putString(b, trailer + 8, e.uuid().get()));
            } else {
                b.putInt(trailer + 4, 2);
            }
            previous = offset;
            offset = next;
        }
        return header(entries.isEmpty() ? DmIoctl.SIZE : offset, 0);
    }

    private static DmIoctl.Header encodeVersions(ByteBuffer b, List<TargetVersion> versions) {
        int offset = DmIoctl.SIZE;
        int previous = -1;
        for (TargetVersion v : versions) {
            if (previous >= 0) {
                b.putInt(previous + DmIoctl.VERSIONS_NEXT, offset - previous);
            }
            b.putInt(offset + 4, v.version().major()).putInt(offset + 8, v.version().minor())
                    .putInt(offset + 12, v.version().patch());
            previous = offset;
            offset = DmIoctl.align8(putString(b, offset + DmIoctl.VERSIONS_NAME, v.name()));
        }
        return header(offset, 0);
    }

    /** Writes a NUL-terminated string and returns the offset after the NUL. */
    private static int putString(ByteBuffer b, int offset, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.put(offset, bytes);
        b.put(offset + bytes.length, (byte) 0);
        return offset + bytes.length + 1;
    }
}
