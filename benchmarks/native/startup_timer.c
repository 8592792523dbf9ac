/*
 * Wall time of a whole command, start to exit: startup_timer WARMUPS RUNS COMMAND [ARGS...]
 * Runs COMMAND WARMUPS times untimed, then RUNS times timed (CLOCK_MONOTONIC around
 * posix_spawnp and waitpid; standard input, output and error on /dev/null), and prints one line:
 *   median_ms=M min_ms=A max_ms=B runs=N failures=F status=S
 * where status is the last run's exit status (a command that fails, e.g. at device-mapper's
 * control node on a host without it, is timed all the same). benchmarks/run uses it for dmctl's
 * and dmsetup's start-up times: a timer of its own, so that no shell or 'date' process is counted.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* Runs the command once; returns its exit status (128+N if killed by signal N), -1 if not run. */
static int run(char **argv, posix_spawn_file_actions_t *fa) {
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], fa, NULL, argv, environ) != 0) {
        return -1;
    }
    int st;
    if (waitpid(pid, &st, 0) < 0) {
        return -1;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: startup_timer WARMUPS RUNS COMMAND [ARGS...]\n");
        return 2;
    }
    int warmups = atoi(argv[1]), runs = atoi(argv[2]);
    if (warmups < 0 || runs < 1) {
        fprintf(stderr, "startup_timer: WARMUPS >= 0 and RUNS >= 1\n");
        return 2;
    }
    char **cmd = argv + 3;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);

    for (int i = 0; i < warmups; i++) {
        if (run(cmd, &fa) < 0) {
            perror(cmd[0]);
            return 1;
        }
    }
    double *t = malloc(sizeof(double) * runs);
    int failures = 0, status = 0;
    for (int i = 0; i < runs; i++) {
        double start = now_ms();
        status = run(cmd, &fa);
        t[i] = now_ms() - start;
        if (status < 0) {
            perror(cmd[0]);
            return 1;
        }
        failures += status != 0;
    }
    qsort(t, runs, sizeof(double), cmp);
    double median = runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
    printf("median_ms=%.2f min_ms=%.2f max_ms=%.2f runs=%d failures=%d status=%d\n", median, t[0], t[runs - 1],
           runs, failures, status);
    free(t);
    return 0;
}
