// SPDX-License-Identifier: GPL-2.0
/*
 * A fatal signal broadcast: kill(-pgrp, SIGTERM) of N processes in one
 * process group (way=pgrp), or kill(-1, SIGTERM) from the init of a PID
 * namespace of N + 1 (way=all), every recipient a process in pause()
 * with SIGTERM's default action (asleep there, as /proc shows, for
 * way=pgrp; started, for way=all, whose pids /proc does not show).
 *
 * For each N of --procs and way of --ways, --reps times:
 *
 *   tgsig-bench broadcast procs=N way=W call=NS ns          median
 *   tgsig-bench broadcast procs=N way=W reaped=NS ns        median
 *   tgsig-bench broadcast procs=N way=W sigqueues=COUNT allocs   median
 *
 * call is the kill() call alone: the sender runs SCHED_FIFO around it, so
 * on one CPU no recipient runs before it returns.  reaped is from before
 * the call until every recipient is reaped.  sigqueues counts the sigqueue
 * allocations the sender made in the call: failslab's cache filter limits
 * fault injection to the sigqueue cache, and /proc/thread-self/fail-nth,
 * set to a count no call reaches, is decremented once per allocation and
 * read back (nothing is made to fail).
 *
 * Checks: every recipient started; kill() returns 0; every recipient dies
 * of SIGTERM.  Needs root, CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS,
 * debugfs on /sys/kernel/debug and a sigqueue cache of its own.
 */
#define _GNU_SOURCE
#include "bench.h"

#define MAX_PROCS	4096
#define MAX_REPS	1000
#define FAIL_NTH_FAR	1000000
#define CACHE_FILTER	"/sys/kernel/debug/failslab/cache-filter"
#define SLAB_FAILSLAB	"/sys/kernel/slab/sigqueue/failslab"

enum way { WAY_PGRP, WAY_ALL, NR_WAYS };
static const char *const way_names[] = { "pgrp", "all" };

struct shared {
	int started;		/* recipients running, futex word */
	int done;		/* the namespace init has measured */
	long long call, reaped, sigqueues;
};

static struct shared *sh;

static void write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		bench_fail("%s: %s (root, CONFIG_FAILSLAB, debugfs mounted?)",
			   path, strerror(errno));
	close(fd);
}

static int fail_nth_fd(void)
{
	int fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		bench_fail("/proc/thread-self/fail-nth: %s (CONFIG_FAULT_INJECTION)",
			   strerror(errno));
	return fd;
}

static void fail_nth_set(int fd, long n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%ld", n);

	if (pwrite(fd, buf, len, 0) != len)
		bench_fail("write fail-nth: %s", strerror(errno));
}

static long fail_nth_get(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		bench_fail("read fail-nth: %s", strerror(errno));
	buf[n] = '\0';
	return atol(buf);
}

static pid_t recipient(pid_t pgrp)
{
	pid_t pid = bench_fork();

	if (!pid) {
		if (pgrp >= 0)
			setpgid(0, pgrp);
		signal(SIGTERM, SIG_DFL);
		tg_add_and_wake(&sh->started, 1);
		bench_sleep_forever();
	}
	if (pgrp >= 0)
		setpgid(pid, pgrp ? pgrp : pid);
	return pid;
}

/* Send, time, count and reap: the sender's part of either way. */
static void broadcast(pid_t *pids, int n, enum way way, pid_t pgrp)
{
	int fd = fail_nth_fd(), i, ret;
	long long t0, t1, t2 = 0;
	long left;

	bench_fifo(true);
	fail_nth_set(fd, FAIL_NTH_FAR);
	t0 = bench_now_ns();
	ret = way == WAY_PGRP ? kill(-pgrp, SIGTERM) : bench_kill_all(SIGTERM);
	t1 = bench_now_ns();
	left = fail_nth_get(fd);
	fail_nth_set(fd, 0);
	if (ret)
		bench_fail("kill(%d, SIGTERM): %s", way == WAY_PGRP ? -pgrp : -1,
			   strerror(errno));
	bench_fifo(false);
	for (i = 0; i < n; i++)
		t2 = bench_reap(pids[i], SIGTERM, "a recipient");
	close(fd);
	sh->call = t1 - t0;
	sh->reaped = t2 - t0;
	sh->sigqueues = FAIL_NTH_FAR - left;
}

struct ns_arg {
	ino_t outer;
	int n;
};

static int ns_init(void *arg)
{
	struct ns_arg *a = arg;
	pid_t *pids = calloc(a->n, sizeof(*pids));
	int i;

	if (!pids)
		bench_fail("out of memory");
	bench_allow_kill_all(a->outer);
	for (i = 0; i < a->n; i++)
		pids[i] = recipient(-1);
	bench_wait(&sh->started, a->n, 0, NULL, "recipients started");
	broadcast(pids, a->n, WAY_ALL, 0);
	free(pids);
	tg_add_and_wake(&sh->done, 1);
	return 0;
}

static void one_run(int n, enum way way)
{
	static pid_t pids[MAX_PROCS];
	struct ns_arg arg = { .outer = bench_pidns(0), .n = n };
	pid_t init;
	int i;

	sh->started = 0;
	sh->done = 0;
	if (way == WAY_ALL) {
		init = bench_fork_init(ns_init, &arg);
		bench_wait(&sh->done, 1, init, NULL, "the namespace's broadcast");
		bench_reap(init, 0, "the namespace init");
		return;
	}
	for (i = 0; i < n; i++)
		pids[i] = recipient(i ? pids[0] : 0);
	bench_wait(&sh->started, n, 0, NULL, "recipients started");
	for (i = 0; i < n; i++)
		bench_wait_asleep(pids[i], 1, "recipients asleep");
	broadcast(pids, n, WAY_PGRP, pids[0]);
}

int main(int argc, char **argv)
{
	struct bench_opt opts[] = {
		{ "procs", "16,128,512" },
		{ "ways", "pgrp,all" },
		{ "reps", "5" },
		{ NULL, NULL },
	};
	long long call[MAX_REPS], reaped[MAX_REPS], sigqueues[MAX_REPS];
	int nsizes, nways, reps, s, w, r, ways[BENCH_MAX_SIZES];
	long procs[BENCH_MAX_SIZES];
	char params[64];

	bench_init("broadcast");
	bench_args(argc, argv, opts);
	nsizes = bench_sizes(opts[0].value, procs, 1, MAX_PROCS);
	nways = bench_names(opts[1].value, way_names, NR_WAYS, ways);
	reps = bench_number(opts[2].value, 1, MAX_REPS);
	sh = bench_shared(sizeof(*sh));
	bench_nofile(MAX_PROCS + 64);
	write_knob(CACHE_FILTER, "Y");
	write_knob(SLAB_FAILSLAB, "1");

	for (s = 0; s < nsizes; s++) {
		for (w = 0; w < nways; w++) {
			for (r = 0; r < reps; r++) {
				one_run(procs[s], ways[w]);
				call[r] = sh->call;
				reaped[r] = sh->reaped;
				sigqueues[r] = sh->sigqueues;
			}
			snprintf(params, sizeof(params), "procs=%ld way=%s",
				 procs[s], way_names[ways[w]]);
			bench_report("broadcast", params, "call",
				     bench_median(call, reps), "ns");
			bench_report("broadcast", params, "reaped",
				     bench_median(reaped, reps), "ns");
			bench_report("broadcast", params, "sigqueues",
				     bench_median(sigqueues, reps), "allocs");
		}
	}
	write_knob(SLAB_FAILSLAB, "0");
	write_knob(CACHE_FILTER, "N");
	printf("# broadcast: ok: %d broadcasts, every recipient reaped\n",
	       nsizes * nways * reps);
	return 0;
}
