package io.dm4j.message;

import io.dm4j.DeviceMapper;
import io.dm4j.DmProtocolException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * device-mapper's own I/O statistics of one device ({@code dm-stats.c}), driven by the
 * {@code @stats_*} messages: on Linux 6.1 the only messages that answer with data, parsed here.
 * A region counts I/O to a range of sectors, split into areas of equal size.
 *
 * <pre>{@code
 * DeviceStats stats = DeviceStats.of(dm, "vol0");
 * int region = stats.createRegionOverDevice(4);
 * ... I/O ...
 * for (DeviceStats.Area area : stats.print(region)) { ... }
 * stats.delete(region);
 * }</pre>
 *
 * @param dm the client that sends the messages
 * @param device the device's name
 */
public record DeviceStats(DeviceMapper dm, String device) {

    /** Checks both are present. */
    public DeviceStats {
        Objects.requireNonNull(dm, "dm");
        Objects.requireNonNull(device, "device");
    }

    /** The statistics of {@code device}. */
    public static DeviceStats of(DeviceMapper dm, String device) {
        return new DeviceStats(dm, device);
    }

    /**
     * {@code @stats_create <start>+<length> <area size>}: a region over some sectors.
     *
     * @return the new region's id
     */
    public int createRegion(long startSector, long lengthSectors, long areaSectors) throws IOException {
        Args.range("start sector", startSector, 0, Long.MAX_VALUE);
        Args.range("length", lengthSectors, 1, Long.MAX_VALUE - startSector);
        Args.range("area size", areaSectors, 1, Long.MAX_VALUE);
        return create(startSector + "+" + lengthSectors + " " + areaSectors);
    }

    /**
     * {@code @stats_create - /<areas>}: a region over the whole device, in {@code areas} areas.
     *
     * @return the new region's id
     */
    public int createRegionOverDevice(int areas) throws IOException {
        Args.range("areas", areas, 1, Integer.MAX_VALUE);
        return create("- /" + areas);
    }

    private int create(String arguments) throws IOException {
        String reply = send("@stats_create " + arguments).orElse("").strip();
        return (int) number("@stats_create", reply, "region id", reply, Integer.MAX_VALUE);
    }

    /** {@code @stats_delete <id>}; {@code ENOENT} if there is no such region. */
    public void delete(int regionId) throws IOException {
        send("@stats_delete " + Args.range("region id", regionId, 0, Integer.MAX_VALUE));
    }

    /** {@code @stats_clear <id>}: zeroes the region's counters (but those of I/O in flight). */
    public void clear(int regionId) throws IOException {
        send("@stats_clear " + Args.range("region id", regionId, 0, Integer.MAX_VALUE));
    }

    /** {@code @stats_list}: the device's regions, of every program. */
    public List<Region> regions() throws IOException {
        return parseRegions(send("@stats_list").orElse(""));
    }

    /** {@code @stats_print <id>}: the counters of each area of a region, in sector order. */
    public List<Area> print(int regionId) throws IOException {
        return parseAreas(send("@stats_print " + Args.range("region id", regionId, 0, Integer.MAX_VALUE))
                .orElse(""));
    }

    private Optional<String> send(String text) throws IOException {
        return dm.message(device, 0, text);
    }

    /**
     * One region, as {@code @stats_list} reports it.
     *
     * @param id the region's id
     * @param startSector its first sector
     * @param lengthSectors how many sectors it covers
     * @param areaSectors the size of each area
     * @param programId the program that made it ({@code -} if none said)
     * @param auxData that program's notes ({@code -} if none)
     */
    public record Region(int id, long startSector, long lengthSectors, long areaSectors, String programId,
            String auxData) {}

    /**
     * The counters of one area, as {@code @stats_print} reports them; times in milliseconds. They
     * mirror the block layer's {@code /proc/diskstats}.
     *
     * @param startSector the area's first sector
     * @param lengthSectors its size
     * @param readsCompleted reads completed
     * @param readsMerged reads merged with others
     * @param sectorsRead sectors read
     * @param readMillis time spent reading
     * @param writesCompleted writes completed
     * @param writesMerged writes merged with others
     * @param sectorsWritten sectors written
     * @param writeMillis time spent writing
     * @param inFlight I/O in flight now
     * @param ioMillis time with I/O in flight
     * @param weightedIoMillis time in queue, weighted by the I/O in flight
     * @param readIoMillis time with reads in flight
     * @param writeIoMillis time with writes in flight
     */
    public record Area(long startSector, long lengthSectors, long readsCompleted, long readsMerged, long sectorsRead,
            long readMillis, long writesCompleted, long writesMerged, long sectorsWritten, long writeMillis,
            long inFlight, long ioMillis, long weightedIoMillis, long readIoMillis, long writeIoMillis) {}

    /** {@code <id>: <start>+<length> <step> <program_id> <aux_data>[ flags]}, one line per region. */
    static List<Region> parseRegions(String reply) {
        List<Region> regions = new ArrayList<>();
        for (String line : reply.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.strip().split("\\s+");
            if (f.length < 5 || !f[0].endsWith(":")) {
                throw malformed("@stats_list", line, "expected '<id>: <start>+<length> <step> <program> <aux>'");
            }
            long[] range = range("@stats_list", line, f[1]);
            regions.add(new Region((int) number("@stats_list", line, "region id", f[0].substring(0, f[0].length() - 1),
                    Integer.MAX_VALUE), range[0], range[1], number("@stats_list", line, "step", f[2], Long.MAX_VALUE),
                    f[3], f[4]));
        }
        return List.copyOf(regions);
    }

    /** {@code <start>+<length>} and 13 counters, one line per area; a histogram may follow. */
    static List<Area> parseAreas(String reply) {
        List<Area> areas = new ArrayList<>();
        for (String line : reply.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.strip().split("\\s+");
            if (f.length < 14) {
                throw malformed("@stats_print", line, "expected <start>+<length> and 13 counters");
            }
            long[] range = range("@stats_print", line, f[0]);
            long[] c = new long[13];
            for (int i = 0; i < c.length; i++) {
                c[i] = number("@stats_print", line, "counter " + (i + 1), f[i + 1], Long.MAX_VALUE);
            }
            areas.add(new Area(range[0], range[1], c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10],
                    c[11], c[12]));
        }
        return List.copyOf(areas);
    }

    private static long[] range(String command, String line, String word) {
        int plus = word.indexOf('+');
        if (plus < 0) {
            throw malformed(command, line, "'" + word + "' is not <start>+<length>");
        }
        return new long[] {number(command, line, "start", word.substring(0, plus), Long.MAX_VALUE),
            number(command, line, "length", word.substring(plus + 1), Long.MAX_VALUE)};
    }

    private static long number(String command, String line, String field, String word, long max) {
        try {
            long value = Long.parseLong(word);
            if (word.chars().allMatch(c -> c >= '0' && c <= '9') && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Reported below with the whole line.
        }
        throw malformed(command, line, field + " '" + word + "' is not a number in 0.." + max);
    }

    private static DmProtocolException malformed(String command, String line, String problem) {
        return new DmProtocolException("the " + command + " reply '" + line + "' is malformed: " + problem);
    }
}
