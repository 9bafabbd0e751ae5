// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 3: group SIGKILL of one process with N threads.
 *
 * For each N of --threads, --reps times: a child process starts N - 1
 * threads besides its main one, all of which sleep in pause(); once every
 * thread sleeps, we time kill(child, SIGKILL) until waitpid() returns.
 *
 *   tgsig-bench group_kill threads=N kill_to_reaped=NS ns    median
 *
 * Checks: every thread started and slept, kill() returns 0, the child dies
 * of SIGKILL and is gone once waitpid() has returned.
 */
#define _GNU_SOURCE
#include "bench.h"

#define MAX_THREADS	8192
#define MAX_REPS	1000

struct shared {
	int started;		/* threads running, futex word */
	int error;		/* a thread could not be created */
};

static struct shared *sh;

static long long one_kill(int threads)
{
	char path[64];
	long long t0, t1;
	struct stat st;
	pid_t pid;

	sh->started = 0;
	sh->error = 0;
	pid = bench_fork();
	if (!pid) {
		if (!bench_start_sleepers(threads, &sh->started))
			__atomic_store_n(&sh->error, 1, __ATOMIC_RELEASE);
		tg_add_and_wake(&sh->started, 1);
		bench_sleep_forever();
	}
	bench_wait(&sh->started, threads, pid, &sh->error, "threads started");
	bench_wait_asleep(pid, threads, "threads asleep");

	t0 = bench_now_ns();
	if (kill(pid, SIGKILL))
		bench_fail("kill(%d, SIGKILL): %s", pid, strerror(errno));
	t1 = bench_reap(pid, SIGKILL, "the killed process");

	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (!stat(path, &st))
		bench_fail("%s still exists after waitpid()", path);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	struct bench_opt opts[] = {
		{ "threads", "1,64,512,2048" },
		{ "reps", "5" },
		{ NULL, NULL },
	};
	long threads[BENCH_MAX_SIZES];
	long long ns[MAX_REPS];
	int nsizes, reps, s, r;
	char params[64];

	bench_init("group_kill");
	bench_args(argc, argv, opts);
	nsizes = bench_sizes(opts[0].value, threads, 1, MAX_THREADS);
	reps = bench_number(opts[1].value, 1, MAX_REPS);
	sh = bench_shared(sizeof(*sh));

	for (s = 0; s < nsizes; s++) {
		for (r = 0; r < reps; r++)
			ns[r] = one_kill(threads[s]);
		snprintf(params, sizeof(params), "threads=%ld", threads[s]);
		bench_report("group_kill", params, "kill_to_reaped",
			     bench_median(ns, reps), "ns");
	}
	printf("# group_kill: ok: %d processes reaped\n", nsizes * reps);
	return 0;
}
