/*
 * Device lifecycle through libdevmapper's dm_task API, one thread, in-process: the reference that
 * benchmarks/lifecycle compares dm4j and dmsetup against (lifecycle_raw.c is the bare-ioctl floor).
 *
 *   lifecycle_libdm VARIANT PREFIX N MAJOR:MINOR [WARMUP [ROUNDS]] [--nodes]
 *
 * Phases, in this order, over the N devices PREFIX00000.. (timed with CLOCK_MONOTONIC):
 *   create  DM_DEVICE_CREATE with a one-line table "0 8 linear MAJOR:MINOR OFFSET"; libdm runs it as
 *           DEV_CREATE + TABLE_LOAD + DEV_SUSPEND(resume), as `dmsetup create --table` does
 *   status  DM_DEVICE_STATUS (TABLE_STATUS), the one target read back: linear, 8 sectors
 *   table   DM_DEVICE_TABLE (TABLE_STATUS with DM_STATUS_TABLE_FLAG), the target read back with
 *           dm_get_next_target: linear, 8 sectors, params starting with "MAJOR:MINOR "
 *   info    DM_DEVICE_INFO (DEV_STATUS), dm_task_get_info: the device exists with a live table
 *   list    DM_DEVICE_LIST (LIST_DEVICES): one operation is one full list of all devices, every
 *           name walked; PREFIX00000 must be in it
 *   remove  DM_DEVICE_REMOVE
 * status, table and info run ROUNDS passes (default 5) over the N devices, list ROUNDS passes of
 * max(1, N/50) calls; each pass is timed on its own. WARMUP devices (default 100, named
 * PREFIXw00000..) go through the same phases first, unprinted.
 *
 * With the counting shim preloaded (LD_PRELOAD=.../ioctl_count.so, see ioctl_count.c), each
 * phase also prints the device-mapper ioctls it made. The startup DM_VERSION check is made before,
 * outside every phase.

 * udev: there is none in the guest. Sync with udev is switched off (dm_udev_set_sync_support(0))
 * and, unless --nodes is given, every create/remove task carries a cookie with
 * DM_UDEV_DISABLE_LIBRARY_FALLBACK, so libdm neither waits for udev nor mknods/unlinks
 * /dev/mapper/NAME itself: the kernel work is then the same as dm4j's, which creates no nodes.
 * With --nodes libdm does what it does by default without udev: it creates the node on resume and
 * deletes it on remove. As dmsetup does, the stacked node operations are flushed after every task
 * (dm_udev_wait), so the list never grows. Queries carry no cookie (dmsetup sets none either).
 *
 * Output (tab separated, stdout, flushed per line):
 *   lifecycle VARIANT PHASE COUNT SECONDS OPS_PER_SECOND   every phase, all its passes together
 *   #spread VARIANT PHASE PASSES MIN_OPS MEDIAN_OPS MAX_OPS  status, table, info, list: ops/s of
 *                                                            the slowest, median, fastest pass
 *   ioctls VARIANT PHASE OPS IOCTLS                          with the shim: ioctls of the phase
 * A failed operation prints "lifecycle_libdm: PHASE NAME failed: REASON" to stderr, the devices
 * made so far are removed, exit 1. Usage errors exit 2.
 *
 * Build: gcc -O2 -Wall -Wextra -o lifecycle_libdm lifecycle_libdm.c -ldevmapper
 * (dlsym is in glibc since 2.34; add -ldl on older ones).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libdevmapper.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME_LEN 128 /* DM_NAME_LEN of <linux/dm-ioctl.h> */
#define PROG "lifecycle_libdm"
#include "lifecycle_driver.h"

static int nodes;          /* 1: let libdm manage /dev/mapper nodes (its default without udev) */

/* Why a task failed: the errno of its ioctl; else (create runs its ioctls in sub-tasks, whose
 * errno dm_task_get_errno does not return) errno as dm_task_run left it; else libdm's own failure,
 * logged by libdm. */
static const char *task_error(struct dm_task *dmt, int saved_errno)
{
	int err = dm_task_get_errno(dmt);
	if (!err)
		err = saved_errno;
	return err ? strerror(err) : "libdevmapper error (see its message above)";
}

/* dm_task_run, errno cleared before and saved into *SAVED after. */
static int run_task(struct dm_task *dmt, int *saved)
{
	int ok;
	errno = 0;
	ok = dm_task_run(dmt);
	*saved = errno;
	return ok;
}

/* Adds the udev cookie that turns off libdm's own node handling (unless --nodes). */
static int set_cookie(struct dm_task *dmt, uint32_t *cookie)
{
	*cookie = 0;
	if (nodes)
		return 1;
	return dm_task_set_cookie(dmt, cookie, DM_UDEV_DISABLE_LIBRARY_FALLBACK);
}

/* Runs a prepared create/remove task, flushes stacked node operations, destroys the task. */
static int run(struct dm_task *dmt, uint32_t cookie, const char *phase, const char *name)
{
	int saved, ok = run_task(dmt, &saved);
	if (!ok)
		fail(phase, name, task_error(dmt, saved));
	/* Without udev sync this only runs the stacked node operations (update_devs). */
	dm_udev_wait(cookie);
	dm_task_destroy(dmt);
	return ok;
}

/* A query task on NAME, run; NULL (reported) on failure. */
static struct dm_task *query(int type, const char *phase, const char *name)
{
	struct dm_task *dmt;
	int saved;

	if (!(dmt = dm_task_create(type))) {
		fail(phase, name, "dm_task_create");
		return NULL;
	}
	if (!dm_task_set_name(dmt, name)) {
		fail(phase, name, "dm_task_set_name");
		dm_task_destroy(dmt);
		return NULL;
	}
	if (!run_task(dmt, &saved)) {
		fail(phase, name, task_error(dmt, saved));
		dm_task_destroy(dmt);
		return NULL;
	}
	return dmt;
}

static int create_one(const char *name, int i)
{
	struct dm_task *dmt;
	uint32_t cookie;
	char params[64];

	if (!(dmt = dm_task_create(DM_DEVICE_CREATE))) {
		fail("create", name, "dm_task_create");
		return 0;
	}
	snprintf(params, sizeof(params), "%u:%u %d", dev_major, dev_minor, (i % 4096) * 8);
	if (!dm_task_set_name(dmt, name) || !dm_task_add_target(dmt, 0, 8, "linear", params)
	    || !set_cookie(dmt, &cookie)) {
		fail("create", name, "preparing the task");
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

	if (!(dmt = query(DM_DEVICE_STATUS, "status", name)))
		return 0;
	/* Read the one target back, as a caller of status would. */
	dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
	ok = type != NULL && strcmp(type, "linear") == 0 && length == 8;
	if (!ok)
		fail("status", name, "the reply is not one linear target of 8 sectors");
	dm_task_destroy(dmt);
	return ok;
}

static int table_one(const char *name)
{
	struct dm_task *dmt;
	uint64_t start, length;
	char *type = NULL, *params = NULL;
	int ok;

	if (!(dmt = query(DM_DEVICE_TABLE, "table", name)))
		return 0;
	dm_get_next_target(dmt, NULL, &start, &length, &type, &params);
	ok = type != NULL && strcmp(type, "linear") == 0 && length == 8 && params != NULL
	     && strncmp(params, dev_prefix, strlen(dev_prefix)) == 0;
	if (!ok)
		fail("table", name, "the reply is not one linear target of 8 sectors on MAJOR:MINOR");
	dm_task_destroy(dmt);
	return ok;
}

static int info_one(const char *name)
{
	struct dm_task *dmt;
	struct dm_info info;
	int ok;

	if (!(dmt = query(DM_DEVICE_INFO, "info", name)))
		return 0;
	ok = dm_task_get_info(dmt, &info) && info.exists && info.live_table;
	if (!ok)
		fail("info", name, "the device does not exist or has no live table");
	dm_task_destroy(dmt);
	return ok;
}

/* One full list of all devices; FIRST must be in it. */
static int list_one(const char *first)
{
	struct dm_task *dmt;
	struct dm_names *names;
	unsigned next;
	int found = 0, count = 0, saved;

	if (!(dmt = dm_task_create(DM_DEVICE_LIST))) {
		fail("list", first, "dm_task_create");
		return 0;
	}
	if (!run_task(dmt, &saved)) {
		fail("list", first, task_error(dmt, saved));
		dm_task_destroy(dmt);
		return 0;
	}
	if ((names = dm_task_get_names(dmt)) && names->dev) {
		do {
			count++;
			if (!found && strcmp(names->name, first) == 0)
				found = 1;
			next = names->next;
			names = (struct dm_names *) ((char *) names + next);
		} while (next);
	}
	if (!found)
		fail("list", first, count ? "the device is not in the list" : "the list is empty");
	dm_task_destroy(dmt);
	return found;
}

static int remove_one(const char *name)
{
	struct dm_task *dmt;
	uint32_t cookie;

	if (!(dmt = dm_task_create(DM_DEVICE_REMOVE))) {
		fail("remove", name, "dm_task_create");
		return 0;
	}
	if (!dm_task_set_name(dmt, name) || !set_cookie(dmt, &cookie)) {
		fail("remove", name, "preparing the task");
		dm_task_destroy(dmt);
		return 0;
	}
	return run(dmt, cookie, "remove", name);
}

int main(int argc, char **argv)
{
	struct options o;
	int status = parse_args(argc, argv, 1, &o);

	if (status)
		return status;
	nodes = o.nodes;
	dm_udev_set_sync_support(0);
	/* libdm checks the driver's version (one DM_VERSION ioctl) on its first cookie task: now,
	 * outside every phase, so that the counts show what each operation costs. */
	dm_cookie_supported();
	if (!run_lifecycle(&o))
		return 1;
	dm_lib_release();
	return 0;
}
