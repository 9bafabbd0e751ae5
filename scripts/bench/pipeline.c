// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 2: pipeline teardown, the case systemd's shutdown guards with
 * SIGSTOP/SIGCONT.
 *
 * For each N of --procs, variant of --variants and way of --ways, --reps
 * times: N processes in a new process group (we are not in it) form a
 * pipeline.  Member i has two fds, no more: the read end of pipe i and
 * the write end of pipe i + 1; we hold the write end of pipe 0 and the
 * read end of pipe N and use neither until the teardown is over.
 *
 *   read    every member sleeps in read() on its empty pipe i
 *   write   every member, SIGPIPE ignored, has filled pipe i + 1 and
 *           sleeps in a one-byte write() to it (nobody reads)
 *
 * Once every member sleeps, the teardown starts, one of four ways:
 *
 *   pgrp_term       kill(-pgrp, SIGTERM)
 *   pgrp_kill       kill(-pgrp, SIGKILL)
 *   loop_term       kill(pid, SIGTERM) to each member, member 0 first, as
 *                   systemd's killall() does while it walks /proc
 *   stop_loop_cont  kill(-pgrp, SIGSTOP), that loop, kill(-pgrp, SIGCONT)
 *
 * A member that dies closes its pipes: the next one reads EOF (read), the
 * previous one gets EPIPE (write).  A member whose read() returns 0 or
 * whose write() fails with EPIPE exits 0, as cat would, once it has noted
 * in its own slot that it ran after the kill began.
 *
 *   tgsig-bench pipeline procs=N variant=V way=W woke=COUNT procs    median
 *   tgsig-bench pipeline procs=N variant=V way=W reaped=NS ns        median
 *
 * woke counts the members that ran user code after the kill began (a
 * flag we set just before the first kill call); reaped is the time from
 * just before that call until every member is reaped.  A '#' line per
 * (N, V, W) gives the range of woke and how many of the woken members
 * were killed before they could exit.
 *
 * What woke shows is a race, which is why the order of the loop matters.
 * A group kill marks every member as dying within one call, faster than
 * one can die and wake another: 0.  So does SIGSTOP first: a stopped
 * member killed by SIGTERM dies without running.  The loop marks one member per
 * call.  In the read variant member 0 dies first and the EOFs run down the
 * pipeline the same way as the loop: a member woken by its predecessor's
 * death runs, and exits 0, unless the loop has reached it first.  One
 * kill() costs less than a wakeup and an exit, so the loop stays ahead
 * unless it is held up (the members it woke take its CPU, other load
 * does): woke is anything from 0 to N - 1 and varies from run to run.  In
 * the write variant the EPIPEs run backward, into members the loop has
 * already marked: none runs.  (A loop from member N - 1 down reverses
 * the two.)
 *
 * Checks: every member set up, announced that it was about to block and
 * was asleep before the kill; none had returned from its call before the
 * kill began; every kill() returns 0; every member is reaped and either
 * died of the signal sent (SIGKILL for pgrp_kill, SIGTERM otherwise) or
 * exited 0 after noting that it woke; no read() returned data, no write()
 * succeeded or failed otherwise than with EPIPE.  A member can note that
 * it woke and then die of the signal before it exits: woke counts it.
 */
#define _GNU_SOURCE
#include "bench.h"

#ifndef __NR_close_range
#define __NR_close_range 436
#endif

#define MAX_PROCS	4096
#define MAX_REPS	1000
#define CHUNK		4096

enum variant { READ, WRITE, NR_VARIANTS };
enum way { PGRP_TERM, PGRP_KILL, LOOP_TERM, STOP_LOOP_CONT, NR_WAYS };

static const char *const variant_names[NR_VARIANTS] = { "read", "write" };
static const char *const way_names[NR_WAYS] = {
	"pgrp_term", "pgrp_kill", "loop_term", "stop_loop_cont",
};

/* What one member saw; only that member writes its slot. */
struct slot {
	int early;		/* its call returned before the kill began */
	int woke;		/* it returned after: user code ran */
	int bad;		/* it returned what no teardown returns */
	int err;		/* ... with this errno */
	long ret;		/* ... and this value */
};

struct shared {
	int ready;		/* members about to block, futex word */
	int error;		/* a member failed to set up */
	int kill_began;
	struct slot slot[MAX_PROCS];
};

static struct shared *sh;
static pid_t *pid;		/* the members, in pipeline order */
static int *status;		/* how each ended */
static char params[96];		/* "procs=N variant=V way=W" under way */
static char watchdog_msg[160];

/* Close fds @first to @last; a missing close_range() (before 5.9) too. */
static void close_fds(unsigned int first, unsigned int last)
{
	long max;

	if (first > last || !syscall(__NR_close_range, first, last, 0))
		return;
	max = sysconf(_SC_OPEN_MAX);
	for (; first <= last && first < max; first++)
		close(first);
}

/* Fill the pipe @fd writes to, so that a one-byte write() blocks. */
static int fill(int fd)
{
	static char buf[CHUNK];
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		return -1;
	while (write(fd, buf, sizeof(buf)) > 0)
		;
	if (errno != EAGAIN)
		return -1;
	return fcntl(fd, F_SETFL, flags);
}

static int member_setup(enum variant v, int in, int out)
{
	int lo = in < out ? in : out, hi = in < out ? out : in;
	sigset_t none;

	/*
	 * Only our own pipe ends, or EOF and EPIPE would wait for whoever
	 * else holds one.
	 */
	if (lo > 0)
		close_fds(0, lo - 1);
	close_fds(lo + 1, hi - 1);
	close_fds(hi + 1, ~0U);
	/* What the harness started us with must not spare the members. */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) ||
	    signal(SIGTERM, SIG_DFL) == SIG_ERR ||
	    signal(SIGPIPE, v == WRITE ? SIG_IGN : SIG_DFL) == SIG_ERR)
		return -1;
	return v == WRITE ? fill(out) : 0;
}

static void member(int i, enum variant v, int in, int out)
{
	static char buf[CHUNK];
	struct slot *s = &sh->slot[i];
	ssize_t n;
	int err;

	if (member_setup(v, in, out)) {
		__atomic_store_n(&sh->error, 1, __ATOMIC_RELEASE);
		_exit(1);
	}
	tg_add_and_wake(&sh->ready, 1);
	for (;;) {
		n = v == READ ? read(in, buf, sizeof(buf)) : write(out, buf, 1);
		err = errno;
		if (__atomic_load_n(&sh->kill_began, __ATOMIC_ACQUIRE))
			__atomic_store_n(&s->woke, 1, __ATOMIC_RELEASE);
		else
			__atomic_store_n(&s->early, 1, __ATOMIC_RELEASE);
		if (n < 0 && err == EINTR)
			continue;
		if (v == READ ? !n : n < 0 && err == EPIPE)
			_exit(0);
		s->ret = n;
		s->err = n < 0 ? err : 0;
		__atomic_store_n(&s->bad, 1, __ATOMIC_RELEASE);
		_exit(2);
	}
}

/*
 * No member may have returned what it must not, nor returned early.  A
 * bad return is looked for first: the EOFs or EPIPEs it causes return
 * early in other members.
 */
static void check_slots(int n, enum variant v, const char *when)
{
	struct slot *s;
	int i;

	for (i = 0; i < n; i++) {
		s = &sh->slot[i];
		if (__atomic_load_n(&s->bad, __ATOMIC_ACQUIRE))
			bench_fail("%s: %s: member %d: %s() returned %ld (%s)",
				   params, when, i, variant_names[v], s->ret,
				   s->err ? strerror(s->err) : "no error");
	}
	for (i = 0; i < n; i++)
		if (__atomic_load_n(&sh->slot[i].early, __ATOMIC_ACQUIRE))
			bench_fail("%s: %s: member %d had returned before the kill began",
				   params, when, i);
}

static void on_watchdog(int sig)
{
	ssize_t ignored = write(STDERR_FILENO, watchdog_msg,
				strlen(watchdog_msg));

	(void)ignored;
	_exit(1);
}

static void sig_send(pid_t target, int sig)
{
	if (kill(target, sig))
		bench_fail("%s: kill(%d, %s): %s", params, target,
			   strsignal(sig), strerror(errno));
}

static void sig_send_loop(int n)
{
	int i;

	for (i = 0; i < n; i++)
		sig_send(pid[i], SIGTERM);
}

/*
 * One teardown of @n members: its time, the members that woke and those
 * of them that were killed before they could exit.
 */
static long long teardown(int n, enum variant v, enum way w, int *woke,
			  int *woke_killed)
{
	int sig = w == PGRP_KILL ? SIGKILL : SIGTERM;
	int p0[2], next[2], in, i;
	long long t0, t1;
	pid_t pgrp = 0;

	memset(sh, 0, sizeof(*sh));
	/*
	 * Pipes are made as members are forked: we hold four pipe fds at
	 * most, and a member inherits no pipe but its own and its
	 * successor's, which it closes.
	 */
	if (pipe(p0))
		bench_fail("pipe: %s", strerror(errno));
	in = p0[0];
	for (i = 0; i < n; i++) {
		if (pipe(next))
			bench_fail("pipe: %s", strerror(errno));
		pid[i] = bench_fork();
		if (!pid[i])
			member(i, v, in, next[1]);
		if (!pgrp)
			pgrp = pid[i];
		if (setpgid(pid[i], pgrp))
			bench_fail("setpgid(%d, %d): %s", pid[i], pgrp,
				   strerror(errno));
		close(in);
		close(next[1]);
		in = next[0];
	}
	bench_wait(&sh->ready, n, pid[n - 1], &sh->error,
		   "members about to block");
	/* Announced, a member can sleep only in its read() or write(). */
	for (i = 0; i < n; i++)
		bench_wait_asleep(pid[i], 1, params);
	check_slots(n, v, "before the kill");

	alarm(BENCH_WATCHDOG_S);
	__atomic_store_n(&sh->kill_began, 1, __ATOMIC_SEQ_CST);
	t0 = bench_now_ns();
	switch (w) {
	case PGRP_TERM:
	case PGRP_KILL:
		sig_send(-pgrp, sig);
		break;
	case LOOP_TERM:
		sig_send_loop(n);
		break;
	default:
		sig_send(-pgrp, SIGSTOP);
		sig_send_loop(n);
		sig_send(-pgrp, SIGCONT);
	}
	for (i = 0; i < n; i++)
		while (waitpid(pid[i], &status[i], 0) != pid[i])
			if (errno != EINTR)
				bench_fail("waitpid(%d): %s", pid[i],
					   strerror(errno));
	t1 = bench_now_ns();
	alarm(0);
	close(p0[1]);
	close(in);

	check_slots(n, v, "after the kill");
	*woke = *woke_killed = 0;
	for (i = 0; i < n; i++) {
		*woke += sh->slot[i].woke;
		if (WIFSIGNALED(status[i]) && WTERMSIG(status[i]) == sig) {
			*woke_killed += sh->slot[i].woke;
			continue;
		}
		if (!WIFEXITED(status[i]) || WEXITSTATUS(status[i]))
			bench_fail("%s: member %d ended with status %#x, neither by %s nor with exit 0",
				   params, i, status[i], strsignal(sig));
		if (!sh->slot[i].woke)
			bench_fail("%s: member %d exited 0 without noting that it woke",
				   params, i);
	}
	return t1 - t0;
}

/* @reps teardowns of @n members, reported.  Returns how many were reaped. */
static int measure(int n, enum variant v, enum way w, int reps)
{
	long long woke[MAX_REPS], ns[MAX_REPS];
	int r, one, killed, all_killed = 0;

	snprintf(params, sizeof(params), "procs=%d variant=%s way=%s", n,
		 variant_names[v], way_names[w]);
	snprintf(watchdog_msg, sizeof(watchdog_msg),
		 "pipeline: FAIL: %s: members not reaped after %d seconds\n",
		 params, BENCH_WATCHDOG_S);
	for (r = 0; r < reps; r++) {
		ns[r] = teardown(n, v, w, &one, &killed);
		woke[r] = one;
		all_killed += killed;
	}
	bench_report("pipeline", params, "woke", bench_median(woke, reps),
		     "procs");
	bench_report("pipeline", params, "reaped", bench_median(ns, reps),
		     "ns");
	/* bench_median() sorted them. */
	printf("# pipeline: %s: woke %lld-%lld over %d reps, %d of the woken killed before exiting\n",
	       params, woke[0], woke[reps - 1], reps, all_killed);
	return n * reps;
}

int main(int argc, char **argv)
{
	struct bench_opt opts[] = {
		{ "procs", "16,128,512" },
		{ "variants", "read,write" },
		{ "ways", "pgrp_term,pgrp_kill,loop_term,stop_loop_cont" },
		{ "reps", "5" },
		{ NULL, NULL },
	};
	struct sigaction sa = { .sa_handler = on_watchdog };
	int variants[NR_VARIANTS], ways[NR_WAYS];
	int nsizes, nvariants, nways, reps, s, v, w, total = 0;
	long procs[BENCH_MAX_SIZES];
	sigset_t alrm;

	bench_init("pipeline");
	bench_args(argc, argv, opts);
	nsizes = bench_sizes(opts[0].value, procs, 1, MAX_PROCS);
	nvariants = bench_names(opts[1].value, variant_names, NR_VARIANTS,
				variants);
	nways = bench_names(opts[2].value, way_names, NR_WAYS, ways);
	reps = bench_number(opts[3].value, 1, MAX_REPS);
	pid = calloc(procs[nsizes - 1], sizeof(*pid));
	status = calloc(procs[nsizes - 1], sizeof(*status));
	if (!pid || !status)
		bench_fail("out of memory");
	sh = bench_shared(sizeof(*sh));
	/* Whatever we were started with: we reap, and the watchdog fires. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	if (sigaction(SIGALRM, &sa, NULL) ||
	    signal(SIGCHLD, SIG_DFL) == SIG_ERR ||
	    sigprocmask(SIG_UNBLOCK, &alrm, NULL))
		bench_fail("signal setup: %s", strerror(errno));

	for (s = 0; s < nsizes; s++)
		for (v = 0; v < nvariants; v++)
			for (w = 0; w < nways; w++)
				total += measure(procs[s], variants[v],
						 ways[w], reps);
	printf("# pipeline: ok: %d processes reaped\n", total);
	return 0;
}
