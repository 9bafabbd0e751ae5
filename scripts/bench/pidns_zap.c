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
 * With --forks N (on two CPUs), a process of ours outside the namespace
 * forks a child that exits at once, and reaps it, in a loop from before
 * init exits until it is reaped, N times at most per zap.  The zap's walk
 * holds tasklist_lock for reading, which fork() takes for writing: the
 * forks that overlap the zap, over all --reps zaps, give
 *
 *   tgsig-bench pidns_zap_fork children=M threads=T median=NS ns
 *   tgsig-bench pidns_zap_fork children=M threads=T p90=NS ns
 *   tgsig-bench pidns_zap_fork children=M threads=T max=NS ns
 *
 * Checks: every thread started and slept, init exits with 0, and once
 * waitpid() has returned every child of init is gone (reaped, not a
 * zombie: its pidfd says ESRCH); with --forks, some fork overlapped each
 * zap.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stddef.h>

#include "bench.h"

#define MAX_CHILDREN	4096
#define MAX_THREADS	64
#define MAX_REPS	1000
#define MAX_FORKS	10000

struct shared {
	int children;		/* init's children to fork */
	int threads;		/* threads of each */
	int ready;		/* threads running, futex word */
	int error;		/* a child failed to set up */
	int enlisted;
	int go;			/* tells init to exit, futex word */
	long long exit_ns;	/* init's clock as it exits */
	pid_t pid[MAX_CHILDREN];	/* init's children, as we see them */
	int forks;		/* --forks: the forker's limit */
	int forking;		/* the forker has started, futex word */
	int stop;		/* tells the forker to stop */
	int forked;		/* forks timed */
	long long fork_start[MAX_FORKS], fork_end[MAX_FORKS];
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

/* Fork and reap, timing each fork(), until told to stop. */
static void forker_main(void)
{
	long long t0;
	pid_t pid;
	int i;

	tg_add_and_wake(&sh->forking, 1);
	for (i = 0; i < sh->forks; i++) {
		if (__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE))
			break;
		t0 = bench_now_ns();
		pid = fork();
		if (!pid)
			_exit(0);
		sh->fork_end[i] = bench_now_ns();
		sh->fork_start[i] = t0;
		if (pid < 0)
			bench_fail("fork: %s", strerror(errno));
		bench_reap(pid, 0, "a child forked during the zap");
	}
	__atomic_store_n(&sh->forked, i, __ATOMIC_RELEASE);
	_exit(0);
}

/* Adds the forks that overlapped [@t0, @t1] to @ns from @n; the new n. */
static int overlapping_forks(long long t0, long long t1, long long *ns,
			     int n, int max)
{
	int i, before = n;

	for (i = 0; i < sh->forked && n < max; i++)
		if (sh->fork_end[i] >= t0 && sh->fork_start[i] <= t1)
			ns[n++] = sh->fork_end[i] - sh->fork_start[i];
	if (n == before)
		bench_fail("no fork overlapped the zap (%d forks)", sh->forked);
	return n;
}

static long long one_zap(int children, int threads, int forks, int *pidfd,
			 long long *fork_ns, int *nfork_ns)
{
	pid_t init, forker = 0;
	long long t1;
	int i;

	memset(sh, 0, offsetof(struct shared, fork_start));
	sh->children = children;
	sh->threads = threads;
	sh->forks = forks;
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

	if (forks) {
		forker = bench_fork();
		if (!forker)
			forker_main();
		bench_wait(&sh->forking, 1, forker, NULL, "the forker");
	}
	tg_add_and_wake(&sh->go, 1);
	t1 = bench_reap(init, 0, "the init of the namespace");
	if (forks) {
		__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
		bench_reap(forker, 0, "the forker");
		*nfork_ns = overlapping_forks(sh->exit_ns, t1, fork_ns,
					      *nfork_ns, MAX_FORKS);
	}

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
		{ "forks", "0" },
		{ NULL, NULL },
	};
	long children[BENCH_MAX_SIZES], threads[BENCH_MAX_SIZES];
	int nchildren, nthreads, reps, forks, nfork_ns, c, t, r;
	long long ns[MAX_REPS], *fork_ns;
	char params[64];
	int *pidfd;

	bench_init("pidns_zap");
	bench_args(argc, argv, opts);
	nchildren = bench_sizes(opts[0].value, children, 1, MAX_CHILDREN);
	nthreads = bench_sizes(opts[1].value, threads, 1, MAX_THREADS);
	reps = bench_number(opts[2].value, 1, MAX_REPS);
	forks = bench_number(opts[3].value, 0, MAX_FORKS);
	bench_nofile(children[nchildren - 1] + 64);
	pidfd = calloc(children[nchildren - 1], sizeof(*pidfd));
	fork_ns = calloc(MAX_FORKS, sizeof(*fork_ns));
	if (!pidfd || !fork_ns)
		bench_fail("out of memory");
	sh = bench_shared(sizeof(*sh));

	for (t = 0; t < nthreads; t++)
		for (c = 0; c < nchildren; c++) {
			nfork_ns = 0;
			for (r = 0; r < reps; r++)
				ns[r] = one_zap(children[c], threads[t], forks,
						pidfd, fork_ns, &nfork_ns);
			snprintf(params, sizeof(params),
				 "children=%ld threads=%ld", children[c],
				 threads[t]);
			bench_report("pidns_zap", params, "exit_to_reaped",
				     bench_median(ns, reps), "ns");
			if (!forks)
				continue;
			printf("# pidns_zap_fork: %s: %d forks overlapped %d zaps\n",
			       params, nfork_ns, reps);
			bench_report("pidns_zap_fork", params, "median",
				     bench_median(fork_ns, nfork_ns), "ns");
			bench_report("pidns_zap_fork", params, "p90",
				     bench_percentile(fork_ns, nfork_ns, 90), "ns");
			bench_report("pidns_zap_fork", params, "max",
				     bench_percentile(fork_ns, nfork_ns, 100), "ns");
		}
	printf("# pidns_zap: ok: %d namespaces zapped\n",
	       nthreads * nchildren * reps);
	return 0;
}
