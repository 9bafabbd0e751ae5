// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 5: the hot path, which the series must not slow down.
 *
 * For each T of --threads: a child process of T threads (the main one
 * included), all sleeping in pause(), has a SIGUSR1 handler that counts.
 * --iterations times we send it a process-directed kill(child, SIGUSR1)
 * and wait until the handler has run; then as many thread-directed
 * tgkill()s to its newest thread (the highest tid).  Each round
 * trip, from the call to our wakeup by the handler, is timed.
 *
 *   tgsig-bench hot_path threads=T call=kill round_trip=NS ns     median
 *   tgsig-bench hot_path threads=T call=tgkill round_trip=NS ns
 *
 * Checks: every call returns 0, every signal is handled once, each
 * tgkill() by the thread it named.
 */
#define _GNU_SOURCE
#include "bench.h"

#define MAX_THREADS	1024
#define MAX_ITERATIONS	1000000

struct shared {
	int started;		/* threads running, futex word */
	int error;		/* the child failed to set up */
	int handled;		/* handler runs, futex word */
	pid_t last_tid;		/* the thread that ran the handler last */
};

static struct shared *sh;

static void on_usr1(int sig)
{
	int saved = errno;

	sh->last_tid = tg_gettid();
	tg_add_and_wake(&sh->handled, 1);
	errno = saved;
}

static pid_t start_child(int threads)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	pid = bench_fork();
	if (!pid) {
		if (sigaction(SIGUSR1, &sa, NULL) ||
		    !bench_start_sleepers(threads, &sh->started))
			__atomic_store_n(&sh->error, 1, __ATOMIC_RELEASE);
		tg_add_and_wake(&sh->started, 1);
		bench_sleep_forever();
	}
	bench_wait(&sh->started, threads, pid, &sh->error, "threads started");
	bench_wait_asleep(pid, threads, "threads asleep");
	return pid;
}

/* Time @n round trips of kill(), or of tgkill() to @tid when it is not 0. */
static long long round_trips(pid_t pid, pid_t tid, long long *ns, int n)
{
	int i, base = sh->handled;
	long long t0;
	int ret;

	for (i = 0; i < n; i++) {
		t0 = bench_now_ns();
		ret = tid ? tg_tgkill(pid, tid, SIGUSR1) : kill(pid, SIGUSR1);
		if (ret)
			bench_fail("%s(%d, SIGUSR1): %s", tid ? "tgkill" : "kill",
				   tid ? tid : pid, strerror(errno));
		bench_wait(&sh->handled, base + i + 1, pid, NULL,
			   "SIGUSR1 handled");
		ns[i] = bench_now_ns() - t0;
		if (tid && sh->last_tid != tid)
			bench_fail("tgkill() to thread %d handled by thread %d",
				   tid, sh->last_tid);
	}
	if (sh->handled != base + n)
		bench_fail("%d SIGUSR1 handled for %d sent", sh->handled - base,
			   n);
	return bench_median(ns, n);
}

int main(int argc, char **argv)
{
	struct bench_opt opts[] = {
		{ "threads", "1,16" },
		{ "iterations", "2000" },
		{ NULL, NULL },
	};
	long threads[BENCH_MAX_SIZES];
	int nsizes, iterations, s, i;
	pid_t pid, target, tids[MAX_THREADS];
	char params[64];
	long long *ns;

	bench_init("hot_path");
	bench_args(argc, argv, opts);
	nsizes = bench_sizes(opts[0].value, threads, 1, MAX_THREADS);
	iterations = bench_number(opts[1].value, 1, MAX_ITERATIONS);
	ns = calloc(iterations, sizeof(*ns));
	if (!ns)
		bench_fail("out of memory");
	sh = bench_shared(sizeof(*sh));

	for (s = 0; s < nsizes; s++) {
		pid = start_child(threads[s]);
		if (tg_task_ids(pid, tids, MAX_THREADS) != threads[s])
			bench_fail("%d does not have %ld threads", pid,
				   threads[s]);
		for (target = pid, i = 0; i < threads[s]; i++)
			if (tids[i] > target)
				target = tids[i];

		snprintf(params, sizeof(params), "threads=%ld call=kill",
			 threads[s]);
		bench_report("hot_path", params, "round_trip",
			     round_trips(pid, 0, ns, iterations), "ns");
		snprintf(params, sizeof(params), "threads=%ld call=tgkill",
			 threads[s]);
		bench_report("hot_path", params, "round_trip",
			     round_trips(pid, target, ns, iterations), "ns");

		if (kill(pid, SIGKILL))
			bench_fail("kill(%d, SIGKILL): %s", pid, strerror(errno));
		bench_reap(pid, SIGKILL, "the signalled process");
	}
	printf("# hot_path: ok: %d signals handled\n",
	       2 * nsizes * iterations);
	return 0;
}
