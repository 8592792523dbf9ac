package io.dm4j.internal.ioctl;

import io.dm4j.DeviceListEntry;
import io.dm4j.DeviceNumber;
import io.dm4j.DmVersion;
import io.dm4j.TargetLine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pure-Java codec, no kernel: encoding a 100-target {@code DM_TABLE_LOAD} request and
 * decoding a 10,000-device {@code DM_LIST_DEVICES} reply. In the codec's package,
 * {@code io.dm4j.internal.ioctl}, so that it can call the package-private parts of {@link DmIoctl}.
 *
 * <p>The encode does what {@code DeviceMapper.load} does before its ioctl: size the request, zero
 * those bytes of the reused buffer, write the header, the target count and the target specs. The
 * decode walks a reply laid out once in {@link #setUp()} the way the kernel's
 * {@code list_devices()} lays it out (4.37+ layout, with the event/flags trailer and a uuid), so
 * it measures {@link DmIoctl#readNameList} alone, including the 10,000 entries it builds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class CodecBench {
    static final int TARGETS = 100;
    static final int DEVICES = 10_000;
    private static final DmVersion LOAD_VERSION = new DmVersion(4, 0, 0);

    private List<TargetLine> table;
    private ByteBuffer request;
    private ByteBuffer reply;
    private DmIoctl.Header replyHeader;

    @Setup(Level.Trial)
    public void setUp() {
        // 100 linear segments of 1 GiB each over one backing device, as a concatenation would have.
        List<TargetLine> lines = new ArrayList<>(TARGETS);
        long sectors = 1L << 21;
        for (int i = 0; i < TARGETS; i++) {
            lines.add(new TargetLine(i * sectors, sectors, "linear", "253:" + (i % 16) + " " + (i * sectors)));
        }
        table = List.copyOf(lines);
        request = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
        if (encodeTable() > request.capacity()) {
            throw new IllegalStateException("request buffer too small");
        }

        List<DeviceListEntry> entries = new ArrayList<>(DEVICES);
        for (int i = 0; i < DEVICES; i++) {
            entries.add(new DeviceListEntry(String.format("dm4j-bench-%05d", i), new DeviceNumber(253, i),
                    OptionalLong.of(i % 7), Optional.of(String.format("DM4J-BENCH-%08x-%05d", 0xC0DEC, i))));
        }
        reply = ByteBuffer.allocateDirect(2 * 1024 * 1024).order(ByteOrder.nativeOrder());
        int dataSize = layOutNameList(reply, entries);
        replyHeader = new DmIoctl.Header(new DmVersion(4, 48, 0), dataSize, DmIoctl.SIZE, 0, 0, 0, 0, 0, "", "");
        List<DeviceListEntry> decoded = decodeList();
        if (!decoded.equals(entries)) {
            throw new IllegalStateException("the reply laid out in setUp does not decode to its entries");
        }
    }

    /** A 100-target table load request; returns the bytes it takes. */
    @Benchmark
    public int encodeTable() {
        ByteBuffer b = request;
        int size = DmIoctl.SIZE + DmIoctl.targetsSize(table);
        for (int i = 0; i < size; i += 8) { // size is a multiple of 8
            b.putLong(i, 0L);
        }
        DmIoctl.putHeader(b, LOAD_VERSION, size, 0, "dm4j-bench-table", null);
        b.putInt(DmIoctl.TARGET_COUNT, table.size());
        DmIoctl.putTargets(b, DmIoctl.SIZE, table);
        return size;
    }

    /** A 10,000-device list reply, decoded into entries. */
    @Benchmark
    public List<DeviceListEntry> decodeList() {
        return DmIoctl.readNameList(reply, replyHeader, true);
    }

    /**
     * The kernel's {@code dm_name_list} chain: {@code dev}, {@code next} (relative to this entry,
     * 0 on the last), the NUL-terminated name, then at the next 8-byte boundary the event number
     * and flags, then the uuid if the flags say so; the next entry starts 8-aligned after that.
     * Returns the reply's {@code data_size}.
     */
    static int layOutNameList(ByteBuffer b, List<DeviceListEntry> entries) {
        int offset = DmIoctl.SIZE;
        int last = -1;
        for (DeviceListEntry e : entries) {
            if (last >= 0) {
                b.putInt(last + DmIoctl.NAME_LIST_NEXT, offset - last);
            }
            b.putLong(offset + DmIoctl.NAME_LIST_DEV, e.device().encode());
            b.putInt(offset + DmIoctl.NAME_LIST_NEXT, 0);
            int trailer = DmIoctl.align8(cString(b, offset + DmIoctl.NAME_LIST_NAME, e.name()));
            b.putInt(trailer, (int) e.eventNr().orElse(0));
            int end;
            if (e.uuid().isPresent()) {
                b.putInt(trailer + 4, DmIoctl.NAME_LIST_FLAG_HAS_UUID);
                end = cString(b, trailer + 8, e.uuid().get());
            } else {
                b.putInt(trailer + 4, 0);
                end = trailer + 8;
            }
            last = offset;
            offset = DmIoctl.align8(end);
        }
        return offset;
    }

    /** Writes {@code s} and its NUL at {@code at}; returns the offset after the NUL. */
    private static int cString(ByteBuffer b, int at, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.put(at, bytes);
        b.put(at + bytes.length, (byte) 0);
        return at + bytes.length + 1;
    }
}
