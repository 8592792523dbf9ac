/*
 * The C reference for IoctlBench: ioctl(fd, FIONREAD, &n) on a regular file, timed in a tight
 * loop. benchmarks/run compiles it with gcc -O2 into benchmarks/target/ and runs it in the same
 * run as JMH.
 *
 * Usage: ioctl_bench FILE [ITERATIONS_PER_ROUND [ROUNDS [WARMUP_ITERATIONS]]]
 *
 * Prints one "round" line per round and then one summary line:
 *   result impl=c call=ioctl(FIONREAD) rounds=R iterations=N median_ns_per_op=X best_ns_per_op=Y
 * The median over rounds is the figure to compare with JMH's average time; the best is shown for
 * context.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static volatile int sink;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The loop the JMH benchmark mirrors: one ioctl per iteration, failure checked. */
static void run(int fd, long iterations) {
    int n = 0;
    for (long i = 0; i < iterations; i++) {
        if (ioctl(fd, FIONREAD, &n) < 0) {
            perror("ioctl(FIONREAD)");
            exit(1);
        }
    }
    sink = n;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [ITERATIONS_PER_ROUND [ROUNDS [WARMUP_ITERATIONS]]]\n", argv[0]);
        return 2;
    }
    long iterations = argc > 2 ? atol(argv[2]) : 2000000;
    int rounds = argc > 3 ? atoi(argv[3]) : 10;
    long warmup = argc > 4 ? atol(argv[4]) : 1000000;
    if (iterations <= 0 || rounds <= 0 || warmup < 0) {
        fprintf(stderr, "iterations and rounds must be positive, warmup non-negative\n");
        return 2;
    }

    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    int n = -1;
    if (ioctl(fd, FIONREAD, &n) < 0) {
        perror("ioctl(FIONREAD)");
        return 1;
    }

    run(fd, warmup);
    double *ns = malloc(sizeof(double) * (size_t) rounds);
    if (ns == NULL) {
        return 1;
    }
    for (int r = 0; r < rounds; r++) {
        long long start = now_ns();
        run(fd, iterations);
        ns[r] = (double) (now_ns() - start) / (double) iterations;
        printf("round %d ns_per_op=%.3f\n", r + 1, ns[r]);
    }
    close(fd);

    qsort(ns, (size_t) rounds, sizeof(double), compare);
    double median = rounds % 2 ? ns[rounds / 2] : (ns[rounds / 2 - 1] + ns[rounds / 2]) / 2;
    printf("result impl=c call=ioctl(FIONREAD) file_bytes=%d rounds=%d iterations=%ld median_ns_per_op=%.3f "
           "best_ns_per_op=%.3f\n", n, rounds, iterations, median, ns[0]);
    free(ns);
    return 0;
}
