// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 8: what a process costs to create and reap, which the series
 * touches: each process joins its PID namespace's list of processes in
 * fork() and leaves it when it is reaped.
 *
 * For each W of --ways, --reps times: fork() a child that exits at once
 * with status 0, then waitpid() for it; the round trip is timed, from
 * the fork() call until waitpid() returns.  way=here forks from our own
 * PID namespace; way=pidns from the init of a new PID namespace, where
 * the child joins that namespace's list (and the namespace is on its
 * parent's list already).
 *
 *   tgsig-bench fork_exit way=W round_trip=NS ns     median
 *
 * Checks: every fork() succeeds and every child exits with 0.
 */
#define _GNU_SOURCE
#include <sched.h>

#include "bench.h"

#define MAX_REPS	100000

struct shared {
	int reps;
	long long ns[MAX_REPS];
};

static struct shared *sh;

static void round_trips(void)
{
	long long t0;
	pid_t pid;
	int i;

	for (i = 0; i < sh->reps; i++) {
		t0 = bench_now_ns();
		pid = fork();
		if (!pid)
			_exit(0);
		if (pid < 0)
			bench_fail("fork: %s", strerror(errno));
		sh->ns[i] = bench_reap(pid, 0, "a child that exits") - t0;
	}
}

static int init_main(void *arg)
{
	round_trips();
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const ways[] = { "here", "pidns" };
	struct bench_opt opts[] = {
		{ "ways", "here,pidns" },
		{ "reps", "200" },
		{ NULL, NULL },
	};
	int way[BENCH_MAX_SIZES];
	int nways, w;
	char params[32];
	pid_t init;

	bench_init("fork_exit");
	bench_args(argc, argv, opts);
	nways = bench_names(opts[0].value, ways, 2, way);
	sh = bench_shared(sizeof(*sh));
	sh->reps = bench_number(opts[1].value, 1, MAX_REPS);

	for (w = 0; w < nways; w++) {
		if (way[w] == 0) {
			round_trips();
		} else {
			init = bench_fork_init(init_main, NULL);
			bench_reap(init, 0, "the init of the namespace");
		}
		snprintf(params, sizeof(params), "way=%s", ways[way[w]]);
		bench_report("fork_exit", params, "round_trip",
			     bench_median(sh->ns, sh->reps), "ns");
	}
	printf("# fork_exit: ok: %d children reaped\n", nways * sh->reps);
	return 0;
}
