// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 4: the PID namespace zap.
 *
 * For each T of --threads and M of --children, --reps times: the init of a
 * new PID namespace forks M children of T threads each (the main thread
 * included), all sleeping in pause(); once every thread sleeps, init exits
 * and we time its exit until our waitpid() for it returns.
 *
 *   tgsig-bench pidns_zap children=M threads=T exit_to_reaped=NS ns
 *
 * Checks: every thread started and slept, init exits with 0, and once
 * waitpid() has returned every child of init is gone (reaped, not a
 * zombie: its pidfd says ESRCH).
 */
#define _GNU_SOURCE
#include <sched.h>

#include "bench.h"

#define MAX_CHILDREN	4096
#define MAX_THREADS	64
#define MAX_REPS	1000

struct shared {
	int children;		/* init's children to fork */
	int threads;		/* threads of each */
	int ready;		/* threads running, futex word */
	int error;		/* a child failed to set up */
	int enlisted;
	int go;			/* tells init to exit, futex word */
	long long exit_ns;	/* init's clock as it exits */
	pid_t pid[MAX_CHILDREN];	/* init's children, as we see them */
};

static struct shared *sh;

static void child_main(void)
{
	char link[32];
	ssize_t n;
	int i;

	/* /proc is mounted outside: /proc/self names our pid there. */
	n = readlink("/proc/self", link, sizeof(link) - 1);
	i = __atomic_fetch_add(&sh->enlisted, 1, __ATOMIC_ACQ_REL);
	if (n <= 0 || i >= MAX_CHILDREN) {
		__atomic_store_n(&sh->error, 1, __ATOMIC_RELEASE);
		bench_sleep_forever();
	}
	link[n] = '\0';
	sh->pid[i] = atoi(link);
	if (!bench_start_sleepers(sh->threads, &sh->ready))
		__atomic_store_n(&sh->error, 1, __ATOMIC_RELEASE);
	tg_add_and_wake(&sh->ready, 1);
	bench_sleep_forever();
}

static int init_main(void *arg)
{
	int i;

	for (i = 0; i < sh->children; i++)
		if (!bench_fork())
			child_main();
	tg_wait_at_least(&sh->go, 1);
	sh->exit_ns = bench_now_ns();
	return 0;
}

static long long one_zap(int children, int threads, int *pidfd)
{
	long long t1;
	pid_t init;
	int i;

	memset(sh, 0, sizeof(*sh));
	sh->children = children;
	sh->threads = threads;
	init = bench_fork_init(init_main, NULL);
	bench_wait(&sh->ready, children * threads, init, &sh->error,
		   "threads started in the namespace");
	if (sh->enlisted != children)
		bench_fail("%d children enlisted, not %d", sh->enlisted,
			   children);
	for (i = 0; i < children; i++) {
		pidfd[i] = tg_pidfd_open(sh->pid[i], 0);
		if (pidfd[i] < 0)
			bench_fail("pidfd_open(%d): %s", sh->pid[i],
				   strerror(errno));
		bench_wait_asleep(sh->pid[i], threads, "threads asleep");
	}

	tg_add_and_wake(&sh->go, 1);
	t1 = bench_reap(init, 0, "the init of the namespace");

	for (i = 0; i < children; i++) {
		if (!tg_pidfd_send_signal(pidfd[i], 0, NULL, 0) ||
		    errno != ESRCH)
			bench_fail("child %d of init is still there after init was reaped",
				   sh->pid[i]);
		close(pidfd[i]);
	}
	return t1 - sh->exit_ns;
}

int main(int argc, char **argv)
{
	struct bench_opt opts[] = {
		{ "children", "16,256,1024" },
		{ "threads", "1,4" },
		{ "reps", "5" },
		{ NULL, NULL },
	};
	long children[BENCH_MAX_SIZES], threads[BENCH_MAX_SIZES];
	int nchildren, nthreads, reps, c, t, r;
	long long ns[MAX_REPS];
	char params[64];
	int *pidfd;

	bench_init("pidns_zap");
	bench_args(argc, argv, opts);
	nchildren = bench_sizes(opts[0].value, children, 1, MAX_CHILDREN);
	nthreads = bench_sizes(opts[1].value, threads, 1, MAX_THREADS);
	reps = bench_number(opts[2].value, 1, MAX_REPS);
	bench_nofile(children[nchildren - 1] + 64);
	pidfd = calloc(children[nchildren - 1], sizeof(*pidfd));
	if (!pidfd)
		bench_fail("out of memory");
	sh = bench_shared(sizeof(*sh));

	for (t = 0; t < nthreads; t++)
		for (c = 0; c < nchildren; c++) {
			for (r = 0; r < reps; r++)
				ns[r] = one_zap(children[c], threads[t], pidfd);
			snprintf(params, sizeof(params),
				 "children=%ld threads=%ld", children[c],
				 threads[t]);
			bench_report("pidns_zap", params, "exit_to_reaped",
				     bench_median(ns, reps), "ns");
		}
	printf("# pidns_zap: ok: %d namespaces zapped\n",
	       nthreads * nchildren * reps);
	return 0;
}
