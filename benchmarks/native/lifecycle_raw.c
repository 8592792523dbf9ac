/*
 * Device lifecycle through bare ioctls on /dev/mapper/control, one thread, in-process, no library:
 * the floor of what any client can reach per operation, beside lifecycle_libdm.c (same interface,
 * phases, checks and output).
 *
 *   lifecycle_raw VARIANT PREFIX N MAJOR:MINOR [WARMUP [ROUNDS]]
 *
 * Phases, in this order, over the N devices PREFIX00000.. (timed with CLOCK_MONOTONIC):
 *   create  DM_DEV_CREATE + DM_TABLE_LOAD ("0 8 linear MAJOR:MINOR OFFSET") + DM_DEV_SUSPEND
 *           without flags (resume)
 *   status  DM_TABLE_STATUS, the one target read back: linear, 8 sectors
 *   table   DM_TABLE_STATUS with DM_STATUS_TABLE_FLAG: linear, 8 sectors, params starting with
 *           "MAJOR:MINOR "
 *   info    DM_DEV_STATUS: the device exists (the ioctl succeeds) with a live table
 *           (DM_ACTIVE_PRESENT_FLAG)
 *   list    DM_LIST_DEVICES: one operation is one full list of all devices, every name walked;
 *           PREFIX00000 must be in it
 *   remove  DM_DEV_REMOVE
 * status, table and info run ROUNDS passes (default 5) over the N devices, list ROUNDS passes of
 * max(1, N/50) calls; each pass is timed on its own. WARMUP devices (default 100, named
 * PREFIXw00000..) go through the same phases first, unprinted.
 *
 * With the counting shim preloaded (LD_PRELOAD=.../ioctl_count.so, see ioctl_count.c), each
 * phase also prints the device-mapper ioctls it made. The startup DM_VERSION check is made before,
 * outside every phase.

 * The ioctls: one buffer (16 KiB, doubled and the call repeated when the kernel answers
 * DM_BUFFER_FULL_FLAG), its struct dm_ioctl zeroed and filled for every call with version
 * DM_VERSION_MAJOR.0.0 (what libdm sends; the kernel accepts any minor up to its own and writes its
 * version back, checked to be major DM_VERSION_MAJOR). data_size: the whole buffer for the calls
 * that return data (TABLE_STATUS, LIST_DEVICES), exactly header + target spec + params for
 * TABLE_LOAD, the header alone for the others (the kernel copies nothing beyond it for
 * DEV_CREATE/SUSPEND/STATUS/REMOVE; libdm sends 16 KiB for every call). Replies start at
 * data_start (set by the kernel) and end at data_size. No cookie (event_nr 0), no udev, no
 * /dev/mapper nodes: the kernel work is the same as libdm's without nodes and dm4j's.
 *
 * Output (tab separated, stdout, flushed per line):
 *   lifecycle VARIANT PHASE COUNT SECONDS OPS_PER_SECOND   every phase, all its passes together
 *   #spread VARIANT PHASE PASSES MIN_OPS MEDIAN_OPS MAX_OPS  status, table, info, list: ops/s of
 *                                                            the slowest, median, fastest pass
 *   ioctls VARIANT PHASE OPS IOCTLS                          with the shim: ioctls of the phase
 * A failed operation prints "lifecycle_raw: PHASE NAME failed: REASON" to stderr, the devices made
 * so far are removed, exit 1. Usage errors exit 2.
 *
 * Build: gcc -O2 -Wall -Wextra -o lifecycle_raw lifecycle_raw.c
 * (dlsym is in glibc since 2.34; add -ldl on older ones).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define NAME_LEN DM_NAME_LEN
#define PROG "lifecycle_raw"
#include "lifecycle_driver.h"
#define CONTROL "/dev/" DM_DIR "/" DM_CONTROL_NODE
#define BUFFER_SIZE (16 * 1024)
#define BUFFER_MAX (64u * 1024 * 1024)
#define ALIGN8(x) (((x) + 7) & ~(size_t) 7)

_Static_assert(sizeof(struct dm_ioctl) % 8 == 0, "data after struct dm_ioctl must be 8-byte aligned");
_Static_assert(sizeof(struct dm_target_spec) % 8 == 0, "params follow the spec directly");

static int control = -1;
static struct dm_ioctl *buf;        /* the one reused ioctl buffer, 8-byte aligned (malloc) */
static size_t buf_size;
static char error_text[160];        /* a reason that strerror has not */

/* ---------------------------------------------------------------- ioctls */

/* Zeroes the header and fills it for a call on NAME (NULL: none) sending DATA_SIZE bytes. */
static struct dm_ioctl *header(const char *name, uint32_t flags, size_t data_size)
{
	struct dm_ioctl *dmi = buf;

	memset(dmi, 0, sizeof(*dmi));
	dmi->version[0] = DM_VERSION_MAJOR;
	dmi->version[1] = 0;
	dmi->version[2] = 0;
	dmi->data_size = (uint32_t) data_size;
	dmi->data_start = sizeof(*dmi);
	dmi->flags = flags;
	if (name)
		memcpy(dmi->name, name, strlen(name) + 1); /* < DM_NAME_LEN: checked in main */
	return dmi;
}

/* Runs one ioctl on the buffer; returns NULL or why it failed. */
static const char *dm(unsigned long request)
{
	if (ioctl(control, request, buf) < 0)
		return strerror(errno);
	if (buf->version[0] != DM_VERSION_MAJOR) {
		snprintf(error_text, sizeof(error_text), "the kernel answers interface version %u.%u.%u",
			 buf->version[0], buf->version[1], buf->version[2]);
		return error_text;
	}
	return NULL;
}

/* An ioctl that returns data: the whole buffer offered, doubled while the kernel says it is full. */
static const char *dm_data(unsigned long request, const char *name, uint32_t flags)
{
	const char *err;
	struct dm_ioctl *bigger;

	for (;;) {
		header(name, flags, buf_size);
		if ((err = dm(request)))
			return err;
		if (!(buf->flags & DM_BUFFER_FULL_FLAG))
			break;
		if (buf_size * 2 > BUFFER_MAX || !(bigger = realloc(buf, buf_size * 2)))
			return "the reply does not fit in the largest buffer";
		buf = bigger;
		buf_size *= 2;
	}
	if (buf->data_size > buf_size)
		return "the kernel's data_size is beyond the buffer";
	return NULL;
}

static const char *remove_device(const char *name)
{
	header(name, 0, sizeof(struct dm_ioctl));
	return dm(DM_DEV_REMOVE);
}

static const char *create_device(const char *name, int i)
{
	struct dm_ioctl *dmi;
	struct dm_target_spec *spec;
	char *params;
	const char *err;
	size_t room;
	int len;

	header(name, 0, sizeof(struct dm_ioctl));
	if ((err = dm(DM_DEV_CREATE)))
		return err;

	/* The table: one spec right after the header (data_start), its params after the spec, next
	 * (relative to this spec on load) 8-byte aligned past the params' NUL. */
	dmi = header(name, 0, 0);
	dmi->target_count = 1;
	spec = (struct dm_target_spec *) ((char *) dmi + dmi->data_start);
	memset(spec, 0, sizeof(*spec));
	spec->sector_start = 0;
	spec->length = 8;
	strcpy(spec->target_type, "linear");
	params = (char *) (spec + 1);
	room = buf_size - dmi->data_start - sizeof(*spec);
	len = snprintf(params, room, "%u:%u %d", dev_major, dev_minor, (i % 4096) * 8);
	spec->next = (uint32_t) ALIGN8(sizeof(*spec) + (size_t) len + 1);
	memset(params + len, 0, spec->next - sizeof(*spec) - (size_t) len); /* NUL + padding */
	dmi->data_size = dmi->data_start + spec->next;
	if (!(err = dm(DM_TABLE_LOAD))) {
		header(name, 0, sizeof(struct dm_ioctl)); /* no DM_SUSPEND_FLAG: resume */
		err = dm(DM_DEV_SUSPEND);
	}
	if (err) {
		snprintf(error_text, sizeof(error_text), "%s", err);
		remove_device(name); /* the device exists: leave nothing behind */
		return error_text;
	}
	return NULL;
}

/* The single target of a TABLE_STATUS reply, or NULL if it has not exactly one whole target. */
static struct dm_target_spec *one_target(void)
{
	struct dm_target_spec *spec;
	char *params, *end = (char *) buf + buf->data_size;

	if (buf->target_count != 1 || buf->data_start + sizeof(*spec) >= buf->data_size)
		return NULL;
	spec = (struct dm_target_spec *) ((char *) buf + buf->data_start);
	params = (char *) (spec + 1);
	if (!memchr(params, 0, (size_t) (end - params)) || !memchr(spec->target_type, 0, DM_MAX_TYPE_NAME))
		return NULL;
	return spec;
}

/* ---------------------------------------------------------------- operations */

static int create_one(const char *name, int i)
{
	const char *err = create_device(name, i);
	if (err)
		fail("create", name, err);
	return !err;
}

static int status_one(const char *name)
{
	struct dm_target_spec *spec;
	const char *err = dm_data(DM_TABLE_STATUS, name, 0);

	if (err) {
		fail("status", name, err);
		return 0;
	}
	spec = one_target();
	if (!spec || strcmp(spec->target_type, "linear") != 0 || spec->length != 8) {
		fail("status", name, "the reply is not one linear target of 8 sectors");
		return 0;
	}
	return 1;
}

static int table_one(const char *name)
{
	struct dm_target_spec *spec;
	const char *err = dm_data(DM_TABLE_STATUS, name, DM_STATUS_TABLE_FLAG);

	if (err) {
		fail("table", name, err);
		return 0;
	}
	spec = one_target();
	if (!spec || strcmp(spec->target_type, "linear") != 0 || spec->length != 8
	    || strncmp((char *) (spec + 1), dev_prefix, strlen(dev_prefix)) != 0) {
		fail("table", name, "the reply is not one linear target of 8 sectors on MAJOR:MINOR");
		return 0;
	}
	return 1;
}

static int info_one(const char *name)
{
	const char *err;

	header(name, 0, sizeof(struct dm_ioctl));
	if ((err = dm(DM_DEV_STATUS))) {
		fail("info", name, err); /* ENXIO: no such device */
		return 0;
	}
	if (!(buf->flags & DM_ACTIVE_PRESENT_FLAG)) {
		fail("info", name, "the device has no live table");
		return 0;
	}
	return 1;
}

/* One full list of all devices; FIRST must be in it. */
static int list_one(const char *first)
{
	struct dm_name_list *nl;
	char *end;
	size_t offset;
	uint32_t next;
	int found = 0, count = 0;
	const char *err = dm_data(DM_LIST_DEVICES, NULL, 0);

	if (err) {
		fail("list", first, err);
		return 0;
	}
	/* No device: the kernel leaves data_size at data_start (its nl->dev = 0 is not copied out). */
	end = (char *) buf + buf->data_size;
	for (offset = buf->data_start; offset + sizeof(*nl) < buf->data_size; offset += next) {
		nl = (struct dm_name_list *) ((char *) buf + offset);
		if (!nl->dev || !memchr(nl->name, 0, (size_t) (end - nl->name)))
			break;
		count++;
		if (!found && strcmp(nl->name, first) == 0)
			found = 1;
		if (!(next = nl->next))
			break;
	}
	if (!found) {
		fail("list", first, count ? "the device is not in the list" : "the list is empty");
		return 0;
	}
	return 1;
}

static int remove_one(const char *name)
{
	const char *err = remove_device(name);
	if (err)
		fail("remove", name, err);
	return !err;
}

int main(int argc, char **argv)
{
	struct options o;
	const char *err;
	int status = parse_args(argc, argv, 0, &o); /* no --nodes: this program never makes nodes */

	if (status)
		return status;
	buf_size = BUFFER_SIZE;
	if (!(buf = malloc(buf_size))) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	if ((control = open(CONTROL, O_RDWR | O_CLOEXEC)) < 0) {
		fprintf(stderr, PROG ": open %s failed: %s\n", CONTROL, strerror(errno));
		return 1;
	}
	/* The kernel's interface version, once, outside every phase. */
	header(NULL, 0, sizeof(struct dm_ioctl));
	if ((err = dm(DM_VERSION))) {
		fprintf(stderr, PROG ": version check failed: %s\n", err);
		return 1;
	}
	if (!run_lifecycle(&o))
		return 1;
	close(control);
	free(buf);
	return 0;
}
