package io.dm4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

/** The parsers of /proc/PID/mountinfo and /proc/swaps over fixture text, and each opener's line. */
class OpenersTest {
    private static final DeviceNumber DEV = new DeviceNumber(254, 4);

    /** As the kernel's {@code seq_escape} writes a path into mountinfo and swaps. */
    static String escape(String path) {
        StringBuilder out = new StringBuilder();
        for (char c : path.toCharArray()) {
            out.append(" \t\n\\".indexOf(c) >= 0 ? String.format("\\%03o", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    @Example
    void mountsAreTheLinesOfTheDeviceWithTheirMountPointAndType() {
        String mountinfo = """
                22 1 254:3 / / rw,relatime shared:1 - ext4 /dev/mapper/root rw
                36 22 254:4 / /mnt/a\\040b rw,relatime shared:2 master:1 - ext4 /dev/mapper/x rw,errors=remount-ro
                37 22 254:4 /sub /srv/tab\\011nl\\012bs\\134end rw - xfs /dev/dm-4 rw
                38 22 254:40 / /other rw - ext4 /dev/dm-40 rw
                39 22 0:5 / /proc rw,nosuid - proc proc rw
                40 22 254:4 / /fuse rw unbindable - fuse.my\\040fs src rw
                41 22 254:4 / /truncated rw
                """;
        assertThat(Openers.mounts(mountinfo, DEV)).containsExactly(
                new Opener.Mount("/mnt/a b", "ext4"),
                new Opener.Mount("/srv/tab\tnl\nbs\\end", "xfs"),
                new Opener.Mount("/fuse", "fuse.my fs"));
        assertThat(Openers.mounts(mountinfo, new DeviceNumber(7, 0))).isEmpty();
        assertThat(Openers.mounts("", DEV)).isEmpty();
    }

    @Example
    void swapAreasAreTheFileNamesAfterTheHeader() {
        String swaps = """
                Filename				Type		Size		Used		Priority
                /dev/dm-4                               partition	1048572		0		-2
                /swap\\040file\\011x                      file		1024		0		-3
                """;
        assertThat(Openers.swapAreas(swaps)).containsExactly("/dev/dm-4", "/swap file\tx");
        assertThat(Openers.swapAreas("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n")).isEmpty();
        assertThat(Openers.swapAreas("")).isEmpty();
    }

    @Example
    void unescapeUndoesOnlyThreeDigitOctalEscapes() {
        assertThat(Openers.unescape("/a\\040b\\011c\\012d\\134e")).isEqualTo("/a b\tc\nd\\e");
        assertThat(Openers.unescape("\\0401")).isEqualTo(" 1");
        assertThat(Openers.unescape("/plain")).isEqualTo("/plain");
        // Not an escape the kernel writes: kept as it is.
        assertThat(Openers.unescape("a\\")).isEqualTo("a\\");
        assertThat(Openers.unescape("a\\04")).isEqualTo("a\\04");
        assertThat(Openers.unescape("a\\089")).isEqualTo("a\\089");
        assertThat(Openers.unescape("a\\x41")).isEqualTo("a\\x41");
    }

    @Property(tries = 2000)
    void escapeThenUnescapeGivesThePathBack(@ForAll String path) {
        assertThat(Openers.unescape(escape(path))).isEqualTo(path);
    }

    /** Whatever the path, the kernel's escaping keeps a mountinfo line and a swaps line parseable. */
    @Property(tries = 2000)
    void anyPathSurvivesAMountinfoAndASwapsLine(@ForAll @StringLength(min = 1, max = 40) String path) {
        String mountinfo = "36 22 254:4 / " + escape(path) + " rw,relatime shared:2 - ext4 " + escape(path) + " rw\n";
        assertThat(Openers.mounts(mountinfo, DEV)).containsExactly(new Opener.Mount(path, "ext4"));
        String swaps = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n" + escape(path)
                + " ".repeat(Math.max(1, 40 - escape(path).length())) + "partition\t1024\t\t0\t\t-2\n";
        assertThat(Openers.swapAreas(swaps)).containsExactly(path);
    }

    @Example
    void eachOpenerIsOneLineSayingWhatToLookFor() {
        assertThat(new Opener.Process(1234, "mkfs.ext4", List.of(3, 7))).hasToString("pid 1234 (mkfs.ext4) fd 3, 7");
        assertThat(new Opener.Mount("/mnt/a b", "ext4")).hasToString("mounted on /mnt/a b (ext4)");
        assertThat(new Opener.Swap("/dev/dm-4")).hasToString("used as swap (/dev/dm-4)");
        assertThat(new Opener.StackedDevice("dm-5", new DeviceNumber(254, 5), Optional.of("vg-lv")))
                .hasToString("device vg-lv (254:5) stacked on it");
        assertThat(new Opener.StackedDevice("md0", new DeviceNumber(9, 0), Optional.empty()))
                .hasToString("device md0 (9:0) stacked on it");
        assertThat(new Opener.LoopDevice("loop3", new DeviceNumber(7, 3)))
                .hasToString("loop device /dev/loop3 (7:3) backed by it");
    }

    @Example
    void aDeviceThatDoesNotExistHasNoOpeners() {
        assertThat(Openers.of(new DeviceNumber(4095, 1048575))).isEmpty();
    }
}
