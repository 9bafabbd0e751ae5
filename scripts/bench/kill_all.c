// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 1: kill(-1) from a PID namespace of NS_PROCS processes, against
 * the number of processes elsewhere on the machine.
 *
 * The init of a new PID namespace, whose NS_PROCS - 1 children count
 * SIGUSR1 in a handler, sends kill(-1, SIGUSR1) --reps times for each size
 * P of --procs, while P more processes of ours sleep outside the
 * namespace.  Each call is timed alone, by init running SCHED_FIFO; after
 * each, init waits until every member has handled it.  Then init sends
 * kill(-1) in a loop while we, outside the namespace, time --forks fork()
 * calls.
 *
 *   tgsig-bench kill_all procs=P call=NS ns              median call
 *   tgsig-bench kill_all_fork procs=P median=NS ns       fork() meanwhile
 *   tgsig-bench kill_all_fork procs=P p90=NS ns
 *
 * --reps 0 leaves the first figure out, --forks 0 the second: `scripts/tgsig
 * bench` counts instructions for the first (-icount, one vCPU) and times
 * the second, which is about two CPUs at once, by the host's clock.
 *
 * Checks: every kill(-1) returns 0 and every member handles every one;
 * none reaches a process outside (those would die of SIGUSR1: each must
 * die of our SIGKILL); every process is reaped.
 */
#define _GNU_SOURCE
#include <sched.h>

#include "bench.h"

#define NS_PROCS	16	/* init and its children */
#define MAX_REPS	1000
#define MAX_PROCS	100000
#define MAX_FORKS	100000

enum command { CMD_TIME = 1, CMD_LOOP, CMD_EXIT };

struct shared {
	ino_t outer_ns;
	int members;		/* children of init set up, futex word */
	int error;		/* a member failed to set up */
	int handled;		/* SIGUSR1 handler runs, futex word */
	int cmd;		/* what init does next */
	int reps;		/* kill(-1) calls CMD_TIME times */
	int given;		/* commands given to init, futex word */
	int done;		/* commands init finished, futex word */
	int looped;		/* kill(-1) calls of CMD_LOOP, futex word */
	int stop;		/* ends CMD_LOOP */
	long long call_ns[MAX_REPS];
};

static struct shared *sh;

static void on_usr1(int sig)
{
	int saved = errno;

	tg_add_and_wake(&sh->handled, 1);
	errno = saved;
}

static void member(void)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };

	if (sigaction(SIGUSR1, &sa, NULL))
		__atomic_store_n(&sh->error, 1, __ATOMIC_RELEASE);
	tg_add_and_wake(&sh->members, 1);
	bench_sleep_forever();
}

/* One kill(-1): its time, once every member has handled it. */
static long long send_one(int *sent)
{
	long long t0, t1;
	int ret, want;

	t0 = bench_now_ns();
	ret = bench_kill_all(SIGUSR1);
	t1 = bench_now_ns();
	if (ret)
		bench_fail("kill(-1, SIGUSR1): %s", strerror(errno));
	want = ++*sent * (NS_PROCS - 1);
	bench_wait(&sh->handled, want, 0, NULL,
		   "SIGUSR1 handled by the namespace's members");
	if (__atomic_load_n(&sh->handled, __ATOMIC_ACQUIRE) != want)
		bench_fail("%d SIGUSR1 handled after %d kill(-1) to %d members",
			   sh->handled, *sent, NS_PROCS - 1);
	return t1 - t0;
}

static int init_main(void *arg)
{
	int seen = 0, sent = 0, i;

	bench_allow_kill_all(sh->outer_ns);
	for (i = 1; i < NS_PROCS; i++)
		if (!bench_fork())
			member();
	for (;;) {
		tg_wait_at_least(&sh->given, ++seen);
		switch (sh->cmd) {
		case CMD_TIME:
			bench_fifo(true);
			for (i = 0; i < sh->reps; i++)
				sh->call_ns[i] = send_one(&sent);
			bench_fifo(false);
			break;
		case CMD_LOOP:
			while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
				send_one(&sent);
				tg_add_and_wake(&sh->looped, 1);
			}
			break;
		default:
			return 0;
		}
		tg_add_and_wake(&sh->done, 1);
	}
}

static void give(enum command cmd)
{
	sh->cmd = cmd;
	tg_add_and_wake(&sh->given, 1);
}

static void finish(pid_t init)
{
	bench_wait(&sh->done, sh->given, init, NULL, "init's command");
}

/* fork() timed --forks times while init sends kill(-1) in a loop. */
static void time_forks(pid_t init, long procs, long long *ns, int forks)
{
	int i, before, during;
	char params[64];
	long long t0;
	pid_t pid;

	sh->stop = 0;
	before = sh->looped;
	give(CMD_LOOP);
	bench_wait(&sh->looped, before + 1, init, NULL, "init's kill(-1) loop");
	before = __atomic_load_n(&sh->looped, __ATOMIC_ACQUIRE);
	fflush(stdout);
	for (i = 0; i < forks; i++) {
		t0 = bench_now_ns();
		pid = fork();
		if (!pid)
			_exit(0);
		ns[i] = bench_now_ns() - t0;
		if (pid < 0)
			bench_fail("fork: %s", strerror(errno));
		bench_reap(pid, 0, "a child forked during kill(-1)");
	}
	during = __atomic_load_n(&sh->looped, __ATOMIC_ACQUIRE) - before;
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	finish(init);
	if (during < 1)
		bench_fail("procs=%ld: init sent no kill(-1) while we forked",
			   procs);
	printf("# kill_all_fork: procs=%ld: %d kill(-1) calls during %d forks\n",
	       procs, during, forks);
	snprintf(params, sizeof(params), "procs=%ld", procs);
	bench_report("kill_all_fork", params, "median",
		     bench_median(ns, forks), "ns");
	bench_report("kill_all_fork", params, "p90",
		     bench_percentile(ns, forks, 90), "ns");
}

int main(int argc, char **argv)
{
	struct bench_opt opts[] = {
		{ "procs", "10,1000,5000,10000" },
		{ "reps", "15" },
		{ "forks", "200" },
		{ NULL, NULL },
	};
	long procs[BENCH_MAX_SIZES];
	int nsizes, reps, forks, s, nproc = 0;
	long long *fork_ns;
	char params[64];
	pid_t init, *outside;

	bench_init("kill_all");
	bench_args(argc, argv, opts);
	nsizes = bench_sizes(opts[0].value, procs, 0, MAX_PROCS);
	reps = bench_number(opts[1].value, 0, MAX_REPS);
	forks = bench_number(opts[2].value, 0, MAX_FORKS);
	if (!reps && !forks)
		bench_fail("--reps 0 and --forks 0: nothing to measure");
	outside = calloc(procs[nsizes - 1] + 1, sizeof(*outside));
	fork_ns = calloc(forks + 1, sizeof(*fork_ns));
	if (!outside || !fork_ns)
		bench_fail("out of memory");
	sh = bench_shared(sizeof(*sh));
	sh->outer_ns = bench_pidns(0);
	sh->reps = reps;

	init = bench_fork_init(init_main, NULL);
	bench_wait(&sh->members, NS_PROCS - 1, init, &sh->error,
		   "members of the namespace");
	for (s = 0; s < nsizes; s++) {
		bench_grow_crowd(outside, &nproc, procs[s]);
		printf("# kill_all: procs=%ld: %d processes on the machine\n",
		       procs[s], bench_count_processes());
		if (reps) {
			give(CMD_TIME);
			finish(init);
			snprintf(params, sizeof(params), "procs=%ld", procs[s]);
			bench_report("kill_all", params, "call",
				     bench_median(sh->call_ns, reps), "ns");
		}
		if (forks)
			time_forks(init, procs[s], fork_ns, forks);
	}

	give(CMD_EXIT);
	bench_reap(init, 0, "the init of the namespace");
	bench_kill_and_reap(outside, nproc, "a process outside the namespace");
	printf("# kill_all: ok: %d processes reaped\n", nproc + 1);
	return 0;
}
