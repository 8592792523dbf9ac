/*
 * The driver shared by lifecycle_libdm.c and lifecycle_raw.c: arguments, phases, passes, timing
 * and output. The including program defines PROG and NAME_LEN, the six operations (create_one,
 * status_one, table_one, info_one, list_one, remove_one; each returns 1, or reports its failure
 * with fail() and returns 0), and calls parse_args() then run_lifecycle() from its main().
 */
#ifndef LIFECYCLE_DRIVER_H
#define LIFECYCLE_DRIVER_H

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum mode { QUIET, TIMED };

static uint32_t dev_major, dev_minor;
static char dev_prefix[32]; /* "MAJOR:MINOR ", how the kernel prints the linear target's device */
static const char *variant;
static unsigned long *ioctl_counter; /* the shim's dm4j_dm_ioctls, when it is preloaded */

static int create_one(const char *name, int i);
static int status_one(const char *name);
static int table_one(const char *name);
static int info_one(const char *name);
static int list_one(const char *first);
static int remove_one(const char *name);

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void device_name(char *b, size_t size, const char *prefix, int i)
{
	snprintf(b, size, "%s%05d", prefix, i);
}

static unsigned long ioctls(void)
{
	return ioctl_counter ? __atomic_load_n(ioctl_counter, __ATOMIC_RELAXED) : 0;
}

static void fail(const char *phase, const char *name, const char *reason)
{
	fprintf(stderr, PROG ": %s %s failed: %s\n", phase, name, reason);
}


static void report(enum mode mode, const char *phase, int count, double seconds, unsigned long n_ioctls)
{
	if (mode != TIMED)
		return;
	printf("lifecycle\t%s\t%s\t%d\t%.6f\t%.1f\n", variant, phase, count, seconds, count / seconds);
	if (ioctl_counter)
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
	int list_calls = n / 50 > 1 ? n / 50 : 1;
	unsigned long before = ioctls();
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

/* What the command line asked for. */
struct options {
	const char *prefix;
	int n, warmup, rounds, nodes;
};

/*
 * VARIANT PREFIX N MAJOR:MINOR [WARMUP [ROUNDS]], and --nodes where NODES_ALLOWED.
 * Returns 0, or the exit status of a usage error (2, said on stderr).
 */
static int parse_args(int argc, char **argv, int nodes_allowed, struct options *o)
{
	char extra;
	int i, positional = 0;
	const char *args[6] = { 0 };

	memset(o, 0, sizeof(*o));
	o->warmup = 100;
	o->rounds = 5;
	for (i = 1; i < argc; i++) {
		if (nodes_allowed && strcmp(argv[i], "--nodes") == 0)
			o->nodes = 1;
		else if (strncmp(argv[i], "--", 2) == 0 || positional == 6) {
			fprintf(stderr, PROG ": unexpected argument %s\n", argv[i]);
			positional = -1;
			break;
		} else
			args[positional++] = argv[i];
	}
	if (positional < 4 || sscanf(args[3], "%u:%u%c", &dev_major, &dev_minor, &extra) != 2) {
		fprintf(stderr, "usage: %s VARIANT PREFIX N MAJOR:MINOR [WARMUP [ROUNDS]]%s\n", argv[0],
			nodes_allowed ? " [--nodes]" : "");
		return 2;
	}
	variant = args[0];
	o->prefix = args[1];
	o->n = atoi(args[2]);
	if (positional >= 5)
		o->warmup = atoi(args[4]);
	if (positional == 6)
		o->rounds = atoi(args[5]);
	if (o->n <= 0 || o->warmup < 0 || o->rounds <= 0 || strlen(o->prefix) + 7 >= NAME_LEN) {
		fprintf(stderr, PROG ": bad N, WARMUP, ROUNDS or PREFIX\n");
		return 2;
	}
	snprintf(dev_prefix, sizeof(dev_prefix), "%u:%u ", dev_major, dev_minor);
	/* With the shim preloaded (LD_PRELOAD=.../ioctl_count.so), each phase also says its ioctls. */
	ioctl_counter = dlsym(RTLD_DEFAULT, "dm4j_dm_ioctls");
	return 0;
}

/* The warm-up (unprinted), then the timed run: 1 if every operation succeeded. */
static int run_lifecycle(const struct options *o)
{
	char warm_prefix[NAME_LEN];

	snprintf(warm_prefix, sizeof(warm_prefix), "%sw", o->prefix);
	if (o->warmup > 0 && !lifecycle(QUIET, warm_prefix, o->warmup, o->rounds))
		return 0;
	return lifecycle(TIMED, o->prefix, o->n, o->rounds);
}

#endif
