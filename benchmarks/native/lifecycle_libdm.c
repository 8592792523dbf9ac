/*
 * Device lifecycle through libdevmapper's dm_task API, one thread, in-process: the reference that
 * benchmarks/lifecycle compares dm4j and dmsetup against (lifecycle_raw.c is the bare-ioctl floor).
 *
 *   lifecycle_libdm VARIANT PREFIX N MAJOR:MINOR [WARMUP [ROUNDS]] [--nodes] [--count K]
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
 * --count K: instead of the timed run (after the warm-up, if any), K devices PREFIXc00000.. go
 * through every phase once (one pass, list: one call) and the device-mapper ioctls of each phase
 * are counted. Needs the shim: LD_PRELOAD=.../ioctl_count.so (see ioctl_count.c). libdm's one-time
 * DM_VERSION check is made before, outside every phase.
 *
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
 *   ioctls VARIANT PHASE OPS IOCTLS                          --count: instead of the above
 * A failed operation prints "lifecycle_libdm: PHASE NAME failed: REASON" to stderr, the devices
 * made so far are removed, exit 1. Usage errors exit 2.
 *
 * Build: gcc -O2 -Wall -Wextra -o lifecycle_libdm lifecycle_libdm.c -ldevmapper
 * (dlsym is in glibc since 2.34; add -ldl on older ones).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <libdevmapper.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME_LEN 128 /* DM_NAME_LEN of <linux/dm-ioctl.h> */
#define PROG "lifecycle_libdm"

enum mode { QUIET, TIMED, COUNT };

static int nodes;          /* 1: let libdm manage /dev/mapper nodes (its default without udev) */
static uint32_t dev_major, dev_minor;
static char dev_prefix[32]; /* "MAJOR:MINOR ", how the kernel prints the linear target's device */
static const char *variant;
static unsigned long *ioctl_counter; /* the shim's dm4j_dm_ioctls (--count) */

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

static unsigned long ioctls(void)
{
	return ioctl_counter ? __atomic_load_n(ioctl_counter, __ATOMIC_RELAXED) : 0;
}

static void fail(const char *phase, const char *name, const char *reason)
{
	fprintf(stderr, PROG ": %s %s failed: %s\n", phase, name, reason);
}

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

/* ---------------------------------------------------------------- the driver (as in lifecycle_raw.c) */

static void report(enum mode mode, const char *phase, int count, double seconds, unsigned long n_ioctls)
{
	if (mode == TIMED)
		printf("lifecycle\t%s\t%s\t%d\t%.6f\t%.1f\n", variant, phase, count, seconds, count / seconds);
	else if (mode == COUNT)
		printf("ioctls\t%s\t%s\t%d\t%lu\n", variant, phase, count, n_ioctls);
	fflush(stdout);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;
	return (x > y) - (x < y);
}

/* Ops/s of the slowest, median and fastest pass (sorts RATES). */
static void report_spread(enum mode mode, const char *phase, double *rates, int passes)
{
	double median;

	if (mode != TIMED)
		return;
	qsort(rates, passes, sizeof(*rates), compare_doubles);
	median = passes % 2 ? rates[passes / 2] : (rates[passes / 2 - 1] + rates[passes / 2]) / 2;
	printf("#spread\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f\n", variant, phase, passes, rates[0], median,
	       rates[passes - 1]);
	fflush(stdout);
}

/* PASSES passes of OPS operations each: op(name of device i) for i < OPS, or, for list (OPS
 * calls of list_op), list_op(FIRST). Returns 0 (reported) on a failure. */
static int query_phase(enum mode mode, const char *phase, int (*op)(const char *),
		       const char *prefix, int ops, int passes, int list)
{
	char name[NAME_LEN], first[NAME_LEN];
	double *rates, total = 0, t, dt;
	unsigned long before = ioctls();
	int pass, i;

	if (!(rates = calloc(passes, sizeof(*rates)))) {
		fail(phase, prefix, "out of memory");
		return 0;
	}
	device_name(first, sizeof(first), prefix, 0);
	for (pass = 0; pass < passes; pass++) {
		t = now();
		for (i = 0; i < ops; i++) {
			if (!list)
				device_name(name, sizeof(name), prefix, i);
			if (!op(list ? first : name)) {
				free(rates);
				return 0;
			}
		}
		dt = now() - t;
		total += dt;
		rates[pass] = ops / dt;
	}
	report(mode, phase, ops * passes, total, ioctls() - before);
	report_spread(mode, phase, rates, passes);
	free(rates);
	return 1;
}

/* All phases over n devices; on failure removes what it created and returns 0. */
static int lifecycle(enum mode mode, const char *prefix, int n, int rounds)
{
	char name[NAME_LEN];
	int created = 0, i, ok = 1;
	int list_calls = mode == COUNT ? 1 : (n / 50 > 1 ? n / 50 : 1);
	unsigned long before = ioctls();
	double t;

	if (mode == COUNT)
		rounds = 1;
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
		report(mode, "create", n, now() - t, ioctls() - before);

	ok = ok && query_phase(mode, "status", status_one, prefix, n, rounds, 0);
	ok = ok && query_phase(mode, "table", table_one, prefix, n, rounds, 0);
	ok = ok && query_phase(mode, "info", info_one, prefix, n, rounds, 0);
	ok = ok && query_phase(mode, "list", list_one, prefix, list_calls, rounds, 1);

	before = ioctls();
	t = now();
	for (i = 0; i < created; i++) {
		device_name(name, sizeof(name), prefix, i);
		if (!remove_one(name))
			ok = 0;
	}
	if (ok)
		report(mode, "remove", n, now() - t, ioctls() - before);
	return ok;
}

static int usage(const char *argv0)
{
	fprintf(stderr, "usage: %s VARIANT PREFIX N MAJOR:MINOR [WARMUP [ROUNDS]] [--nodes] [--count K]\n",
		argv0);
	return 2;
}

int main(int argc, char **argv)
{
	char warm_prefix[NAME_LEN], count_prefix[NAME_LEN], extra;
	int n, warmup = 100, rounds = 5, count = 0, i, positional = 0;
	const char *args[6] = { 0 };

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--nodes") == 0)
			nodes = 1;
		else if (strcmp(argv[i], "--count") == 0 || strncmp(argv[i], "--count=", 8) == 0) {
			const char *k = argv[i][7] == '=' ? argv[i] + 8 : (i + 1 < argc ? argv[++i] : "");
			if (sscanf(k, "%d%c", &count, &extra) != 1 || count <= 0) {
				fprintf(stderr, PROG ": --count needs a number of devices > 0\n");
				return usage(argv[0]);
			}
		} else if (strncmp(argv[i], "--", 2) == 0 || positional == 6) {
			fprintf(stderr, PROG ": unexpected argument %s\n", argv[i]);
			return usage(argv[0]);
		} else
			args[positional++] = argv[i];
	}
	if (positional < 4 || sscanf(args[3], "%u:%u%c", &dev_major, &dev_minor, &extra) != 2)
		return usage(argv[0]);
	variant = args[0];
	n = atoi(args[2]);
	if (positional >= 5)
		warmup = atoi(args[4]);
	if (positional == 6)
		rounds = atoi(args[5]);
	if (n <= 0 || warmup < 0 || rounds <= 0 || strlen(args[1]) + 7 >= NAME_LEN) {
		fprintf(stderr, PROG ": bad N, WARMUP, ROUNDS or PREFIX\n");
		return 2;
	}
	snprintf(dev_prefix, sizeof(dev_prefix), "%u:%u ", dev_major, dev_minor);

	if (count) {
		ioctl_counter = dlsym(RTLD_DEFAULT, "dm4j_dm_ioctls");
		if (!ioctl_counter) {
			fprintf(stderr, PROG ": --count needs the ioctl counting shim: run with "
				"LD_PRELOAD=/path/to/ioctl_count.so (built from benchmarks/native/ioctl_count.c)\n");
			return 2;
		}
	}

	dm_udev_set_sync_support(0);
	/* libdm checks the driver's version (one DM_VERSION ioctl) on its first cookie task: now,
	 * outside every phase, so that --count sees what each operation costs. */
	dm_cookie_supported();

	snprintf(warm_prefix, sizeof(warm_prefix), "%sw", args[1]);
	snprintf(count_prefix, sizeof(count_prefix), "%sc", args[1]);
	if (warmup > 0 && !lifecycle(QUIET, warm_prefix, warmup, rounds))
		return 1;
	if (count ? !lifecycle(COUNT, count_prefix, count, 1) : !lifecycle(TIMED, args[1], n, rounds))
		return 1;
	dm_lib_release();
	return 0;
}
