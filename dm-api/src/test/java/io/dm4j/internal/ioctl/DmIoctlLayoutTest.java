package io.dm4j.internal.ioctl;

import static org.assertj.core.api.Assertions.assertThat;

import io.dm4j.DeviceNumber;
import io.dm4j.DmCommand;
import io.dm4j.DmVersion;
import io.dm4j.TargetLine;
import io.dm4j.sys.testing.CProgram;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java codec against {@code <linux/dm-ioctl.h>}: every size, offset, flag and request code,
 * and whole requests byte for byte, as a gcc-compiled program lays them out.
 */
class DmIoctlLayoutTest {
    @TempDir
    Path dir;

    private static final String HEADER = """
            #include <stdio.h>
            #include <stddef.h>
            #include <string.h>
            #include <stdlib.h>
            #include <sys/ioctl.h>
            #include <linux/dm-ioctl.h>
            #define OFF(s, f) printf("%s.%s %zu\\n", #s, #f, offsetof(struct s, f))
            #define SIZE(s) printf("sizeof.%s %zu\\n", #s, sizeof(struct s))
            #define VAL(x) printf("%s %lu\\n", #x, (unsigned long)(x))
            """;

    @Test
    void structLayoutFlagsAndRequestCodesMatchTheHeader() throws IOException {
        String main = HEADER + """
                int main(void) {
                  SIZE(dm_ioctl); OFF(dm_ioctl, version); OFF(dm_ioctl, data_size); OFF(dm_ioctl, data_start);
                  OFF(dm_ioctl, target_count); OFF(dm_ioctl, open_count); OFF(dm_ioctl, flags);
                  OFF(dm_ioctl, event_nr); OFF(dm_ioctl, dev); OFF(dm_ioctl, name); OFF(dm_ioctl, uuid);
                  OFF(dm_ioctl, data);
                  SIZE(dm_target_spec); OFF(dm_target_spec, sector_start); OFF(dm_target_spec, length);
                  OFF(dm_target_spec, status); OFF(dm_target_spec, next); OFF(dm_target_spec, target_type);
                  OFF(dm_target_deps, count); OFF(dm_target_deps, dev);
                  OFF(dm_name_list, dev); OFF(dm_name_list, next); OFF(dm_name_list, name);
                  OFF(dm_target_versions, next); OFF(dm_target_versions, version); OFF(dm_target_versions, name);
                  OFF(dm_target_msg, sector); OFF(dm_target_msg, message);
                  VAL(DM_NAME_LEN); VAL(DM_UUID_LEN); VAL(DM_MAX_TYPE_NAME); VAL(DM_NAME_LIST_FLAG_HAS_UUID);
                  VAL(DM_READONLY_FLAG); VAL(DM_SUSPEND_FLAG); VAL(DM_PERSISTENT_DEV_FLAG); VAL(DM_STATUS_TABLE_FLAG);
                  VAL(DM_ACTIVE_PRESENT_FLAG); VAL(DM_INACTIVE_PRESENT_FLAG); VAL(DM_BUFFER_FULL_FLAG);
                  VAL(DM_SKIP_LOCKFS_FLAG); VAL(DM_NOFLUSH_FLAG); VAL(DM_QUERY_INACTIVE_TABLE_FLAG);
                  VAL(DM_UUID_FLAG); VAL(DM_SECURE_DATA_FLAG); VAL(DM_DATA_OUT_FLAG); VAL(DM_DEFERRED_REMOVE);
                  VAL(DM_INTERNAL_SUSPEND_FLAG); VAL(DM_IMA_MEASUREMENT_FLAG);
                  VAL(DM_VERSION); VAL(DM_REMOVE_ALL); VAL(DM_LIST_DEVICES); VAL(DM_DEV_CREATE); VAL(DM_DEV_REMOVE);
                  VAL(DM_DEV_RENAME); VAL(DM_DEV_SUSPEND); VAL(DM_DEV_STATUS); VAL(DM_DEV_WAIT); VAL(DM_TABLE_LOAD);
                  VAL(DM_TABLE_CLEAR); VAL(DM_TABLE_DEPS); VAL(DM_TABLE_STATUS); VAL(DM_LIST_VERSIONS);
                  VAL(DM_TARGET_MSG); VAL(DM_DEV_SET_GEOMETRY); VAL(DM_DEV_ARM_POLL); VAL(DM_GET_TARGET_VERSION);
                  return 0;
                }
                """;
        Map<String, Long> c = new LinkedHashMap<>();
        for (String line : CProgram.run(dir, main)) {
            String[] kv = line.split(" ");
            c.put(kv[0], Long.parseLong(kv[1]));
        }
        Map<String, Long> java = new LinkedHashMap<>();
        java.put("sizeof.dm_ioctl", (long) DmIoctl.SIZE);
        java.put("dm_ioctl.version", (long) DmIoctl.VERSION);
        java.put("dm_ioctl.data_size", (long) DmIoctl.DATA_SIZE);
        java.put("dm_ioctl.data_start", (long) DmIoctl.DATA_START);
        java.put("dm_ioctl.target_count", (long) DmIoctl.TARGET_COUNT);
        java.put("dm_ioctl.open_count", (long) DmIoctl.OPEN_COUNT);
        java.put("dm_ioctl.flags", (long) DmIoctl.FLAGS);
        java.put("dm_ioctl.event_nr", (long) DmIoctl.EVENT_NR);
        java.put("dm_ioctl.dev", (long) DmIoctl.DEV);
        java.put("dm_ioctl.name", (long) DmIoctl.NAME);
        java.put("dm_ioctl.uuid", (long) DmIoctl.UUID);
        java.put("dm_ioctl.data", (long) DmIoctl.DATA);
        java.put("sizeof.dm_target_spec", (long) DmIoctl.SPEC_SIZE);
        java.put("dm_target_spec.sector_start", (long) DmIoctl.SPEC_SECTOR_START);
        java.put("dm_target_spec.length", (long) DmIoctl.SPEC_LENGTH);
        java.put("dm_target_spec.status", (long) DmIoctl.SPEC_STATUS);
        java.put("dm_target_spec.next", (long) DmIoctl.SPEC_NEXT);
        java.put("dm_target_spec.target_type", (long) DmIoctl.SPEC_TARGET_TYPE);
        java.put("dm_target_deps.count", (long) DmIoctl.DEPS_COUNT);
        java.put("dm_target_deps.dev", (long) DmIoctl.DEPS_DEV);
        java.put("dm_name_list.dev", (long) DmIoctl.NAME_LIST_DEV);
        java.put("dm_name_list.next", (long) DmIoctl.NAME_LIST_NEXT);
        java.put("dm_name_list.name", (long) DmIoctl.NAME_LIST_NAME);
        java.put("dm_target_versions.next", (long) DmIoctl.VERSIONS_NEXT);
        java.put("dm_target_versions.version", (long) DmIoctl.VERSIONS_VERSION);
        java.put("dm_target_versions.name", (long) DmIoctl.VERSIONS_NAME);
        java.put("dm_target_msg.sector", (long) DmIoctl.MSG_SECTOR);
        java.put("dm_target_msg.message", (long) DmIoctl.MSG_MESSAGE);
        java.put("DM_NAME_LEN", (long) DmIoctl.NAME_LEN);
        java.put("DM_UUID_LEN", (long) DmIoctl.UUID_LEN);
        java.put("DM_MAX_TYPE_NAME", (long) DmIoctl.MAX_TYPE_NAME);
        java.put("DM_NAME_LIST_FLAG_HAS_UUID", (long) DmIoctl.NAME_LIST_FLAG_HAS_UUID);
        java.put("DM_READONLY_FLAG", (long) DmIoctl.READONLY_FLAG);
        java.put("DM_SUSPEND_FLAG", (long) DmIoctl.SUSPEND_FLAG);
        java.put("DM_PERSISTENT_DEV_FLAG", (long) DmIoctl.PERSISTENT_DEV_FLAG);
        java.put("DM_STATUS_TABLE_FLAG", (long) DmIoctl.STATUS_TABLE_FLAG);
        java.put("DM_ACTIVE_PRESENT_FLAG", (long) DmIoctl.ACTIVE_PRESENT_FLAG);
        java.put("DM_INACTIVE_PRESENT_FLAG", (long) DmIoctl.INACTIVE_PRESENT_FLAG);
        java.put("DM_BUFFER_FULL_FLAG", (long) DmIoctl.BUFFER_FULL_FLAG);
        java.put("DM_SKIP_LOCKFS_FLAG", (long) DmIoctl.SKIP_LOCKFS_FLAG);
        java.put("DM_NOFLUSH_FLAG", (long) DmIoctl.NOFLUSH_FLAG);
        java.put("DM_QUERY_INACTIVE_TABLE_FLAG", (long) DmIoctl.QUERY_INACTIVE_TABLE_FLAG);
        java.put("DM_UUID_FLAG", (long) DmIoctl.UUID_FLAG);
        java.put("DM_SECURE_DATA_FLAG", (long) DmIoctl.SECURE_DATA_FLAG);
        java.put("DM_DATA_OUT_FLAG", (long) DmIoctl.DATA_OUT_FLAG);
        java.put("DM_DEFERRED_REMOVE", (long) DmIoctl.DEFERRED_REMOVE);
        java.put("DM_INTERNAL_SUSPEND_FLAG", (long) DmIoctl.INTERNAL_SUSPEND_FLAG);
        java.put("DM_IMA_MEASUREMENT_FLAG", (long) DmIoctl.IMA_MEASUREMENT_FLAG);
        for (DmCommand command : DmCommand.values()) {
            String macro = command == DmCommand.DM_VERSION ? "DM_VERSION" : command.name();
            java.put(macro, DmIoctl.request(command));
        }
        assertThat(java).containsExactlyInAnyOrderEntriesOf(c);
    }

    /** A C program fills the structs for sample requests; the Java encoder must give the same bytes. */
    @Test
    void requestsAreByteForByteWhatCBuilds() throws IOException {
        String main = HEADER + """
                static unsigned char buf[4096];
                static struct dm_ioctl *hdr(unsigned minor, const char *name, const char *uuid, unsigned size, unsigned flags) {
                  memset(buf, 0, sizeof buf);
                  struct dm_ioctl *io = (struct dm_ioctl *) buf;
                  io->version[0] = 4; io->version[1] = minor; io->version[2] = 0;
                  io->data_size = size; io->data_start = sizeof(struct dm_ioctl); io->flags = flags;
                  if (name) strcpy(io->name, name);
                  if (uuid) strcpy(io->uuid, uuid);
                  return io;
                }
                static void dump(const char *label, unsigned size) {
                  printf("%s ", label);
                  for (unsigned i = 0; i < size; i++) printf("%02x", buf[i]);
                  printf("\\n");
                }
                static unsigned spec(unsigned off, unsigned long long start, unsigned long long len, const char *type, const char *params) {
                  struct dm_target_spec *s = (struct dm_target_spec *) (buf + off);
                  s->sector_start = start; s->length = len;
                  strcpy(s->target_type, type);
                  strcpy((char *) (s + 1), params);
                  s->next = (sizeof(*s) + strlen(params) + 1 + 7) & ~7u;
                  return off + s->next;
                }
                int main(void) {
                  struct dm_ioctl *io = hdr(0, "vol0", "uuid-0", 312, DM_PERSISTENT_DEV_FLAG);
                  io->dev = (42 & 0xff) | ((42 & ~0xffu) << 12);
                  dump("create", 312);
                  io = hdr(0, "vol0", NULL, 0, DM_READONLY_FLAG);
                  io->target_count = 2;
                  unsigned end = spec(312, 0, 2048, "linear", "7:0 0");
                  end = spec(end, 2048, 4096, "striped", "2 8 7:1 0 7:2 0");
                  io->data_size = end;
                  dump("load", end);
                  io = hdr(0, "vol0", NULL, 320, 0);
                  strcpy((char *) buf + 312, "vol1");
                  dump("rename", 320);
                  io = hdr(2, "vol0", NULL, 336, 0);
                  struct dm_target_msg *m = (struct dm_target_msg *) (buf + 312);
                  m->sector = 2048; strcpy(m->message, "create_thin 7");
                  dump("message", 336);
                  return 0;
                }
                """;
        Map<String, String> c = new LinkedHashMap<>();
        for (String line : CProgram.run(dir, main)) {
            String[] kv = line.split(" ");
            c.put(kv[0], kv[1]);
        }

        ByteBuffer b = buffer();
        DmIoctl.putHeader(b, new DmVersion(4, 0, 0), 312, DmIoctl.PERSISTENT_DEV_FLAG, "vol0", "uuid-0");
        b.putLong(DmIoctl.DEV, new DeviceNumber(0, 42).encode());
        assertThat(hex(b, 312)).isEqualTo(c.get("create"));

        b = buffer();
        List<TargetLine> table = List.of(new TargetLine(0, 2048, "linear", "7:0 0"),
                new TargetLine(2048, 4096, "striped", "2 8 7:1 0 7:2 0"));
        int size = DmIoctl.SIZE + DmIoctl.targetsSize(table);
        DmIoctl.putHeader(b, new DmVersion(4, 0, 0), size, DmIoctl.READONLY_FLAG, "vol0", null);
        b.putInt(DmIoctl.TARGET_COUNT, table.size());
        DmIoctl.putTargets(b, DmIoctl.SIZE, table);
        assertThat(size).isEqualTo(416);
        assertThat(hex(b, size)).isEqualTo(c.get("load"));

        b = buffer();
        DmIoctl.putHeader(b, new DmVersion(4, 0, 0), DmIoctl.stringPayloadSize("vol1"), 0, "vol0", null);
        assertThat(DmIoctl.putStringPayload(b, "vol1")).isEqualTo(320);
        assertThat(hex(b, 320)).isEqualTo(c.get("rename"));

        b = buffer();
        DmIoctl.putHeader(b, new DmVersion(4, 2, 0), DmIoctl.messageSize("create_thin 7"), 0, "vol0", null);
        assertThat(DmIoctl.putMessage(b, 2048, "create_thin 7")).isEqualTo(336);
        assertThat(hex(b, 336)).isEqualTo(c.get("message"));
    }

    private static ByteBuffer buffer() {
        return ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
    }

    private static String hex(ByteBuffer b, int size) {
        byte[] bytes = new byte[size];
        b.get(0, bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
