/*
 * Device lifecycle through libdevmapper's dm_task API, one thread, in-process: the reference that
 * benchmarks/lifecycle compares dm4j and dmsetup against.
 *
 *   lifecycle_libdm VARIANT PREFIX N MAJOR:MINOR [WARMUP] [--nodes]
 *
 * Phases, each timed with CLOCK_MONOTONIC over all N devices PREFIX00000..:
 *   create  DM_DEVICE_CREATE with a one-line table "0 8 linear MAJOR:MINOR OFFSET"; libdm runs it as
 *           DEV_CREATE + TABLE_LOAD + DEV_SUSPEND(resume), as `dmsetup create --table` does
 *   status  DM_DEVICE_STATUS (TABLE_STATUS), the reply parsed by libdm
 *   remove  DM_DEVICE_REMOVE
 * WARMUP devices (default 100, named PREFIXw00000..) go through the same three phases first.
 *
 * udev: there is none in the guest. Sync with udev is switched off (dm_udev_set_sync_support(0))
 * and, unless --nodes is given, every task carries a cookie with DM_UDEV_DISABLE_LIBRARY_FALLBACK,
 * so libdm neither waits for udev nor mknods/unlinks /dev/mapper/NAME itself: the kernel work is
 * then the same as dm4j's, which creates no nodes. With --nodes libdm does what it does by default
 * without udev: it creates the node on resume and deletes it on remove. As dmsetup does, the stacked
 * node operations are flushed after every task (dm_udev_wait), so the list never grows.
 *
 * Output, one line per phase (tab separated):
 *   lifecycle VARIANT PHASE COUNT SECONDS OPS_PER_SECOND
 */
#define _GNU_SOURCE
#include <libdevmapper.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME_LEN 128 /* DM_NAME_LEN of <linux/dm-ioctl.h> */

static int nodes;          /* 1: let libdm manage /dev/mapper nodes (its default without udev) */
static uint32_t dev_major, dev_minor;
static const char *variant;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void device_name(char *buf, size_t size, const char *prefix, int i)
{
	snprintf(buf, size, "%s%05d", prefix, i);
}

/* Adds the udev cookie that turns off libdm's own node handling (unless --nodes). */
static int set_cookie(struct dm_task *dmt, uint32_t *cookie)
{
	*cookie = 0;
	if (nodes)
		return 1;
	return dm_task_set_cookie(dmt, cookie, DM_UDEV_DISABLE_LIBRARY_FALLBACK);
}

/* Runs a prepared task, flushes stacked node operations, destroys the task. */
static int run(struct dm_task *dmt, uint32_t cookie, const char *what, const char *name)
{
	int ok = dm_task_run(dmt);
	if (!ok)
		fprintf(stderr, "lifecycle_libdm: %s %s failed\n", what, name);
	/* Without udev sync this only runs the stacked node operations (update_devs). */
	dm_udev_wait(cookie);
	dm_task_destroy(dmt);
	return ok;
}

static int create_one(const char *name, int i)
{
	struct dm_task *dmt;
	uint32_t cookie;
	char params[64];

	if (!(dmt = dm_task_create(DM_DEVICE_CREATE)))
		return 0;
	snprintf(params, sizeof(params), "%u:%u %d", dev_major, dev_minor, (i % 4096) * 8);
	if (!dm_task_set_name(dmt, name) || !dm_task_add_target(dmt, 0, 8, "linear", params)
	    || !set_cookie(dmt, &cookie)) {
		dm_task_destroy(dmt);
		return 0;
	}
	return run(dmt, cookie, "create", name);
}

static int status_one(const char *name)
{
	struct dm_task *dmt;
	uint64_t start, length;
	char *type = NULL, *params = NULL;
	int ok;

	if (!(dmt = dm_task_create(DM_DEVICE_STATUS)))
		return 0;
	if (!dm_task_set_name(dmt, name)) {
		dm_task_destroy(dmt);
		return 0;
	}
	ok = dm_task_run(dmt);
	if (ok) {
		/* Read the one target back, as a caller of status would. */
		dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
		ok = type != NULL && strcmp(type, "linear") == 0 && length == 8;
	}
	if (!ok)
		fprintf(stderr, "lifecycle_libdm: status %s failed\n", name);
	dm_task_destroy(dmt);
	return ok;
}

static int remove_one(const char *name)
{
	struct dm_task *dmt;
	uint32_t cookie;

	if (!(dmt = dm_task_create(DM_DEVICE_REMOVE)))
		return 0;
	if (!dm_task_set_name(dmt, name) || !set_cookie(dmt, &cookie)) {
		dm_task_destroy(dmt);
		return 0;
	}
	return run(dmt, cookie, "remove", name);
}

static void report(const char *phase, int count, double seconds, int print)
{
	if (print)
		printf("lifecycle\t%s\t%s\t%d\t%.6f\t%.1f\n", variant, phase, count, seconds, count / seconds);
	fflush(stdout);
}

/* The three phases over n devices; on failure removes what it created and returns 0. */
static int lifecycle(const char *prefix, int n, int print)
{
	char name[NAME_LEN];
	int created = 0, i, ok = 1;
	double t;

	t = now();
	for (i = 0; i < n; i++) {
		device_name(name, sizeof(name), prefix, i);
		if (!create_one(name, i)) {
			ok = 0;
			break;
		}
		created++;
	}
	if (ok)
		report("create", n, now() - t, print);

	if (ok) {
		t = now();
		for (i = 0; i < n; i++) {
			device_name(name, sizeof(name), prefix, i);
			if (!status_one(name)) {
				ok = 0;
				break;
			}
		}
		if (ok)
			report("status", n, now() - t, print);
	}

	t = now();
	for (i = 0; i < created; i++) {
		device_name(name, sizeof(name), prefix, i);
		if (!remove_one(name))
			ok = 0;
	}
	if (ok)
		report("remove", n, now() - t, print);
	return ok;
}

int main(int argc, char **argv)
{
	char warm_prefix[NAME_LEN];
	int n, warmup = 100, i, positional = 0;
	const char *args[5] = { 0 };

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--nodes") == 0)
			nodes = 1;
		else if (positional < 5)
			args[positional++] = argv[i];
	}
	if (positional < 4 || sscanf(args[3], "%u:%u", &dev_major, &dev_minor) != 2) {
		fprintf(stderr, "usage: %s VARIANT PREFIX N MAJOR:MINOR [WARMUP] [--nodes]\n", argv[0]);
		return 2;
	}
	variant = args[0];
	n = atoi(args[2]);
	if (positional == 5)
		warmup = atoi(args[4]);
	if (n <= 0 || warmup < 0 || strlen(args[1]) + 7 >= NAME_LEN) {
		fprintf(stderr, "lifecycle_libdm: bad N, WARMUP or PREFIX\n");
		return 2;
	}

	dm_udev_set_sync_support(0);

	snprintf(warm_prefix, sizeof(warm_prefix), "%sw", args[1]);
	if (warmup > 0 && !lifecycle(warm_prefix, warmup, 0))
		return 1;
	if (!lifecycle(args[1], n, 1))
		return 1;
	dm_lib_release();
	return 0;
}
