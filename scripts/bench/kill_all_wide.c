// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 1, the other side: kill(-1) where the caller sees every process.
 *
 * The series changes the walk that finds kill(-1)'s recipients: the
 * unpatched kernel walks every process on the machine, the patched one
 * the lists of the processes of the caller's namespace and of those
 * below it.  Two figures show what that does where the caller sees
 * (nearly) the whole machine, and the two walks visit the same
 * processes:
 *
 * kill_all_init: kill(-1, SIGURG) from the initial PID namespace, with P
 * sleeping processes of ours on the machine (--procs).  Sent only with
 * --initial-ns yes, as it reaches every process on the machine: SIGURG is
 * ignored by default, so the harness's own processes in the guest never
 * see it.
 *
 * kill_all_whole_ns: kill(-1, SIGURG) from the init of a new PID namespace
 * that holds P processes of T threads each (--ns-procs, --threads), with
 * only the harness outside it: P groups plus the few outside on the
 * unpatched kernel, the P groups of the namespace's list on the patched
 * one, threads on neither.
 *
 * Every recipient blocks SIGURG, so that each call queues it (once) on
 * the recipient instead of discarding it, and its /proc/PID/status shows
 * it as pending afterwards.
 *
 *   tgsig-bench kill_all_init procs=P call=NS ns                 median
 *   tgsig-bench kill_all_whole_ns procs=P threads=T call=NS ns   median
 *
 * A 2 GiB guest allows about 16,000 tasks (kernel.threads-max): 3000
 * processes of 4 threads is the most --ns-procs and --threads ask of it.
 *
 * Checks: every kill(-1) returns 0; every recipient has SIGURG pending
 * process-wide afterwards; every process is reaped (the recipients of
 * kill_all_init by our SIGKILL, those of kill_all_whole_ns in the
 * namespace's zap when its init exits 0).
 */
#define _GNU_SOURCE
#include <sched.h>

#include "bench.h"

#define MAX_REPS	1000
#define MAX_PROCS	100000
#define MAX_THREADS	64

struct shared {
	ino_t outer_ns;
	int procs;		/* members init starts */
	int threads;		/* threads of each member */
	int reps;
	int members;		/* members set up, futex word */
	int error;		/* a member failed to set up */
	int timed;		/* init has sent its calls, futex word */
	int checked;		/* we have read the members' pending sets */
	long long call_ns[MAX_REPS];
	pid_t pid[MAX_PROCS];	/* members, as the outer /proc names them */
};

static struct shared *sh;

/* Block SIGURG in the calling thread (and the threads it creates). */
static bool block_urg(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGURG);
	return !sigprocmask(SIG_BLOCK, &set, NULL);
}

static void check_pending(pid_t *pids, int n, const char *figure)
{
	unsigned long long shd;
	int i;

	for (i = 0; i < n; i++) {
		if (tg_proc_sigset(pids[i], 0, "ShdPnd", &shd))
			bench_fail("%s: recipient %d is gone", figure, pids[i]);
		if (!(shd & TG_SIGBIT(SIGURG)))
			bench_fail("%s: kill(-1) did not reach %d (ShdPnd %llx)",
				   figure, pids[i], shd);
	}
}

static long long time_calls(int (*send)(int), int reps, const char *figure)
{
	long long t0, t1;
	int i;

	for (i = 0; i < reps; i++) {
		t0 = bench_now_ns();
		if (send(SIGURG))
			bench_fail("%s: kill(-1, SIGURG): %s", figure,
				   strerror(errno));
		t1 = bench_now_ns();
		sh->call_ns[i] = t1 - t0;
	}
	return bench_median(sh->call_ns, reps);
}

static int kill_all_here(int sig)
{
	return kill(-1, sig);
}

static void initial_ns(long *procs, int nsizes, int reps)
{
	pid_t *pids = calloc(procs[nsizes - 1], sizeof(*pids));
	char params[64];
	int n = 0, s;

	if (bench_pidns(0) != TG_INIT_PID_NS_INO)
		bench_fail("kill_all_init: not in the initial PID namespace");
	if (!pids)
		bench_fail("out of memory");
	sh->members = 0;
	for (s = 0; s < nsizes; s++) {
		for (; n < procs[s]; n++) {
			pids[n] = bench_fork();
			if (!pids[n]) {
				if (!block_urg())
					__atomic_store_n(&sh->error, 1,
							 __ATOMIC_RELEASE);
				tg_add_and_wake(&sh->members, 1);
				bench_sleep_forever();
			}
		}
		bench_wait(&sh->members, n, 0, &sh->error, "recipients");
		printf("# kill_all_init: procs=%ld: %d processes on the machine\n",
		       procs[s], bench_count_processes());
		snprintf(params, sizeof(params), "procs=%ld", procs[s]);
		bench_report("kill_all_init", params, "call",
			     time_calls(kill_all_here, reps, "kill_all_init"),
			     "ns");
		check_pending(pids, n, "kill_all_init");
	}
	bench_kill_and_reap(pids, n, "a recipient of kill_all_init");
	free(pids);
}

static void member(int index)
{
	int started = 0;

	if (!block_urg() || !bench_start_sleepers(sh->threads, &started))
		__atomic_store_n(&sh->error, 1, __ATOMIC_RELEASE);
	tg_wait_at_least(&started, sh->threads - 1);
	sh->pid[index] = bench_outer_pid();
	tg_add_and_wake(&sh->members, 1);
	bench_sleep_forever();
}

static int init_main(void *arg)
{
	int i;

	bench_allow_kill_all(sh->outer_ns);
	for (i = 0; i < sh->procs; i++)
		if (!bench_fork())
			member(i);
	bench_wait(&sh->members, sh->procs, 0, &sh->error, "members");
	time_calls(bench_kill_all, sh->reps, "kill_all_whole_ns");
	/* The members die in our exit's zap: keep them until looked at. */
	tg_add_and_wake(&sh->timed, 1);
	tg_wait_at_least(&sh->checked, 1);
	return 0;
}

static void whole_ns(long procs, long threads, int reps)
{
	char params[64];
	pid_t init;
	int i;

	sh->procs = procs;
	sh->threads = threads;
	sh->reps = reps;
	sh->members = 0;
	sh->timed = 0;
	sh->checked = 0;
	init = bench_fork_init(init_main, NULL);
	bench_wait(&sh->timed, 1, init, &sh->error, "init's kill(-1) calls");
	for (i = 0; i < procs; i++)
		if (sh->pid[i] <= 0)
			bench_fail("kill_all_whole_ns: member %d has no pid", i);
	check_pending(sh->pid, procs, "kill_all_whole_ns");
	tg_add_and_wake(&sh->checked, 1);
	bench_reap(init, 0, "the init of the namespace");
	snprintf(params, sizeof(params), "procs=%ld threads=%ld", procs,
		 threads);
	bench_report("kill_all_whole_ns", params, "call",
		     bench_median(sh->call_ns, reps), "ns");
}

int main(int argc, char **argv)
{
	struct bench_opt opts[] = {
		{ "procs", "10,1000,5000,10000" },
		{ "ns-procs", "10,1000,3000" },
		{ "threads", "1,4" },
		{ "reps", "15" },
		{ "initial-ns", "no" },
		{ NULL, NULL },
	};
	long procs[BENCH_MAX_SIZES], ns_procs[BENCH_MAX_SIZES];
	long threads[BENCH_MAX_SIZES];
	int nsizes, nns, nthreads, reps, s, t;

	bench_init("kill_all_wide");
	bench_args(argc, argv, opts);
	nsizes = bench_sizes(opts[0].value, procs, 1, MAX_PROCS);
	nns = bench_sizes(opts[1].value, ns_procs, 1, MAX_PROCS);
	nthreads = bench_sizes(opts[2].value, threads, 1, MAX_THREADS);
	reps = bench_number(opts[3].value, 1, MAX_REPS);
	sh = bench_shared(sizeof(*sh));
	sh->outer_ns = bench_pidns(0);

	if (!strcmp(opts[4].value, "yes"))
		initial_ns(procs, nsizes, reps);
	else if (strcmp(opts[4].value, "no"))
		bench_fail("--initial-ns %s: yes or no", opts[4].value);
	else
		printf("# kill_all_init: not measured: it sends kill(-1) to every process on the machine; --initial-ns yes in a guest\n");

	for (s = 0; s < nns; s++)
		for (t = 0; t < nthreads; t++)
			whole_ns(ns_procs[s], threads[t], reps);
	printf("# kill_all_wide: ok\n");
	return 0;
}
