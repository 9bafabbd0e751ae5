// SPDX-License-Identifier: GPL-2.0
/*
 * How complete_signal() picks the thread that takes a process-directed
 * signal.
 *
 * What every kernel must do: run the handler once, on a thread that does
 * not block the signal; leave it pending for the process while all block
 * it, until the first thread that unblocks it takes it.  What Linux does
 * on top, deterministically, is pinned by the linux_* tests:
 *
 *  - the thread the sender named (the main thread for kill()) is tried
 *    first: wants_signal() takes it unless it blocks the signal, is
 *    exiting or stopped, or sleeps with a signal already pending;
 *  - otherwise the search starts at signal->curr_target, the last thread
 *    picked this way (the main thread at first), walks the thread list in
 *    creation order and remembers the thread it picked;
 *  - a thread that is not running and already has a signal pending is
 *    passed over, as it will look at the shared queue anyway; so is a
 *    thread stopped by its tracer, which cannot take the signal before
 *    it resumes.
 *
 * The subject process's threads (index 0 is the main thread, the others
 * in creation order) serve commands posted through a MAP_SHARED page and
 * record, per signal, where the handler ran.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>

#include "../kselftest_harness.h"
#include "tg_team.h"
#define NR_VALUES	40

enum op {
	OP_BLOCK = TG_OP_USER,
	OP_SPIN,	/* run in user space until extra->unspin */
};

/* This program's part of the team page. */
struct extra {
	pid_t hold_tid;	/* a handler on this thread waits for release */
	int spinning, unspin;
	int values;		/* queued signal runs, futex word */
	struct tg_hit value[NR_VALUES];
};

static struct extra *extra(struct tg_team *t)
{
	return t->priv;
}

static void on_signal(struct tg_team *t, int sig, siginfo_t *si)
{
	struct extra *x = extra(t);

	if (si->si_code == SI_QUEUE && si->si_value.sival_int >= 0 &&
	    si->si_value.sival_int < NR_VALUES) {
		tg_team_hit(&x->value[si->si_value.sival_int], si);
		tg_add_and_wake(&x->values, 1);
	} else {
		tg_team_hit(&t->hit[sig], si);
	}
	if (tg_gettid() == x->hold_tid)
		tg_wait_at_least(&t->release, 1);
}

static void run_op(struct tg_team *t, int i)
{
	struct extra *x = extra(t);
	sigset_t set;

	switch (t->op[i]) {
	case OP_BLOCK:
		sigemptyset(&set);
		sigaddset(&set, t->arg[i]);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		break;
	case OP_SPIN:
		tg_add_and_wake(&x->spinning, 1);
		while (!__atomic_load_n(&x->unspin, __ATOMIC_ACQUIRE))
			;
		break;
	}
}

static const struct tg_team_ops team_ops = {
	.on_signal = on_signal,
	.run = run_op,
};

static struct tg_team *team_new(void)
{
	return tg_team_new(&team_ops, sizeof(struct extra));
}

/* Let the spinners go and every thread return; the subject's status. */
static int team_stop(struct tg_team *t)
{
	tg_add_and_wake(&extra(t)->unspin, 1);
	return tg_team_stop(t);
}

static int index_of(struct tg_team *t, pid_t tid)
{
	int i;

	for (i = 0; i < t->nr; i++)
		if (t->tid[i] == tid)
			return i;
	return -1;
}

/*
 * kill() the subject with @sig, wait for the handler and for the thread
 * that ran it to sleep again (the handler has returned and unblocked
 * @sig).  Returns the index of that thread, -1 on failure.
 */
static int kill_and_see(struct tg_team *t, int sig)
{
	int runs = t->hit[sig].count, i;

	t->hit[sig].claimed = 0;
	if (kill(t->pid, sig) || !tg_team_wait(t, &t->hit[sig].count, runs + 1))
		return -1;
	i = index_of(t, t->hit[sig].tid);
	if (i < 0 || (t->idle[i] && !tg_team_idle(t, i)))
		return -1;
	return i;
}

FIXTURE(main_first) {
	struct tg_team *tm;
};

FIXTURE_VARIANT(main_first) {
	bool others_spin;
};

FIXTURE_VARIANT_ADD(main_first, others_sleep) {
	.others_spin = false,
};

FIXTURE_VARIANT_ADD(main_first, others_run) {
	.others_spin = true,
};

FIXTURE_SETUP(main_first)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
}

FIXTURE_TEARDOWN(main_first)
{
	tg_team_kill(self->tm);
}

/*
 * kill() names the main thread; when it does not block the signal and
 * has none pending, it takes it, whatever the other threads do.
 */
TEST_F(main_first, linux_main_thread_tried_first_when_it_does_not_block)
{
	struct tg_team *tm = self->tm;
	int i, round;

	tm->nr = 4;
	tm->caught = TG_SIGBIT(SIGUSR1);
	ASSERT_TRUE(tg_team_start(tm));
	if (variant->others_spin) {
		for (i = 1; i < tm->nr; i++)
			tg_team_post(tm, i, OP_SPIN, 0);
		ASSERT_TRUE(tg_team_wait(tm, &extra(tm)->spinning, tm->nr - 1));
	}

	for (round = 0; round < 3; round++)
		EXPECT_EQ(0, kill_and_see(tm, SIGUSR1))
			TH_LOG("round %d went to another thread", round);
	ASSERT_EQ(0, team_stop(tm));
	EXPECT_EQ(3, tm->hit[SIGUSR1].count);
}

FIXTURE(curr_target) {
	struct tg_team *tm;
};

FIXTURE_SETUP(curr_target)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
	self->tm->nr = 4;
	self->tm->caught = TG_SIGBIT(SIGUSR1);
	self->tm->blocked[0] = TG_SIGBIT(SIGUSR1);
}

FIXTURE_TEARDOWN(curr_target)
{
	tg_team_kill(self->tm);
}

/*
 * With the main thread blocking the signal, the signal keeps going to the
 * thread picked last time as long as that thread can take it.
 */
TEST_F(curr_target, linux_stays_on_last_chosen_thread_while_it_can_take_it)
{
	struct tg_team *tm = self->tm;
	int first, round;

	ASSERT_TRUE(tg_team_start(tm));
	first = kill_and_see(tm, SIGUSR1);
	ASSERT_GT(first, 0);
	for (round = 1; round < 4; round++)
		EXPECT_EQ(first, kill_and_see(tm, SIGUSR1))
			TH_LOG("round %d moved off thread %d", round, first);
	ASSERT_EQ(0, team_stop(tm));
	EXPECT_EQ(4, tm->hit[SIGUSR1].count);
}

/*
 * The search starts at the thread after the main thread, moves on in
 * creation order only when the last chosen thread blocks the signal,
 * does not go back when an earlier thread unblocks it, and wraps around.
 */
TEST_F(curr_target, linux_search_moves_on_in_creation_order_when_chosen_blocks)
{
	struct tg_team *tm = self->tm;

	ASSERT_TRUE(tg_team_start(tm));
	EXPECT_EQ(1, kill_and_see(tm, SIGUSR1));

	ASSERT_TRUE(tg_team_run(tm, 1, OP_BLOCK, SIGUSR1));
	EXPECT_EQ(2, kill_and_see(tm, SIGUSR1));

	ASSERT_TRUE(tg_team_run(tm, 2, OP_BLOCK, SIGUSR1));
	EXPECT_EQ(3, kill_and_see(tm, SIGUSR1));

	ASSERT_TRUE(tg_team_run(tm, 1, TG_OP_UNBLOCK, SIGUSR1));
	EXPECT_EQ(3, kill_and_see(tm, SIGUSR1))
		TH_LOG("went back to thread 1 while thread 3 could take it");

	ASSERT_TRUE(tg_team_run(tm, 3, OP_BLOCK, SIGUSR1));
	EXPECT_EQ(1, kill_and_see(tm, SIGUSR1))
		TH_LOG("did not wrap around past the blocking main thread");

	ASSERT_EQ(0, team_stop(tm));
	EXPECT_EQ(5, tm->hit[SIGUSR1].count);
}

/*
 * A thread running the handler of a signal blocks that signal (no
 * SA_NODEFER): another instance goes to a thread that does not, here
 * the only other one, while the first handler still runs.
 */
FIXTURE(busy_handler) {
	struct tg_team *tm;
};

FIXTURE_SETUP(busy_handler)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
}

FIXTURE_TEARDOWN(busy_handler)
{
	tg_team_kill(self->tm);
}

TEST_F(busy_handler, thread_running_the_handler_is_skipped_for_the_next_one)
{
	struct tg_team *tm = self->tm;
	const int busy = 1, other = 2, sig = SIGUSR1;
	unsigned long long blk = 0;

	tm->nr = 3;
	tm->caught = TG_SIGBIT(sig);
	tm->blocked[0] = TG_SIGBIT(sig);
	ASSERT_TRUE(tg_team_start(tm));

	extra(tm)->hold_tid = tm->tid[busy];
	ASSERT_EQ(0, tg_tgkill(tm->pid, tm->tid[busy], sig));
	ASSERT_TRUE(tg_team_wait(tm, &tm->hit[sig].count, 1));
	ASSERT_EQ(tm->tid[busy], tm->hit[sig].tid);
	ASSERT_EQ(0, tg_proc_sigset(tm->pid, tm->tid[busy], "SigBlk", &blk));
	ASSERT_TRUE(blk & TG_SIGBIT(sig));

	tm->hit[sig].claimed = 0;
	ASSERT_EQ(0, kill(tm->pid, sig));
	ASSERT_TRUE(tg_team_wait(tm, &tm->hit[sig].count, 2));
	EXPECT_EQ(tm->tid[other], tm->hit[sig].tid);
	/* The first handler is still running. */
	ASSERT_EQ(0, tg_proc_sigset(tm->pid, tm->tid[busy], "SigBlk", &blk));
	EXPECT_TRUE(blk & TG_SIGBIT(sig));

	ASSERT_EQ(0, team_stop(tm));
	EXPECT_EQ(2, tm->hit[sig].count);
}

/*
 * Thread A, the first candidate, sleeps uninterruptibly in vfork(), so it
 * cannot take a signal for now; thread B sleeps in futex(2).  With nothing
 * pending for A, Linux picks A anyway and leaves B asleep: the signal
 * waits for A.  Once A has a (thread-directed) signal pending it is
 * passed over, and B, woken, runs the handler while A is still stuck.
 */
FIXTURE(pending_thread) {
	struct tg_team *tm;
};

FIXTURE_VARIANT(pending_thread) {
	bool a_has_pending;
};

FIXTURE_VARIANT_ADD(pending_thread, nothing_pending) {
	.a_has_pending = false,
};

FIXTURE_VARIANT_ADD(pending_thread, signal_pending) {
	.a_has_pending = true,
};

FIXTURE_SETUP(pending_thread)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
}

FIXTURE_TEARDOWN(pending_thread)
{
	tg_team_kill(self->tm);
}

TEST_F(pending_thread, linux_skips_sleeping_candidate_only_if_it_has_signal_pending)
{
	struct tg_team *tm = self->tm;
	const int a = 1, b = 2, sig = SIGUSR1, own = SIGUSR2;

	tm->nr = 3;
	tm->caught = TG_SIGBIT(sig) | TG_SIGBIT(own);
	tm->blocked[0] = TG_SIGBIT(sig);
	ASSERT_TRUE(tg_team_start(tm));
	/* A shares our CPU: while we send, it is on none, even on its way to D. */
	ASSERT_EQ(0, tg_team_share_cpu(tm, a))
		TH_LOG("one CPU for thread A and us: %s", strerror(errno));

	tg_team_post(tm, a, TG_OP_VFORK, 0);
	ASSERT_TRUE(tg_team_wait(tm, &tm->in_child, 1));
	ASSERT_EQ('D', tg_wait_task_state(tm->pid, tm->tid[a], "D"));
	if (variant->a_has_pending) {
		ASSERT_EQ(0, tg_tgkill(tm->pid, tm->tid[a], own));
		ASSERT_TRUE(tg_team_thread_pending(tm, a, own));
	}

	ASSERT_EQ(0, kill(tm->pid, sig));
	if (variant->a_has_pending) {
		ASSERT_TRUE(tg_wait_count_or_stuck(&tm->hit[sig].count, 1,
						   tm->pid, tm->tid[b], sig))
			TH_LOG("B was not woken: A was picked");
		EXPECT_EQ(tm->tid[b], tm->hit[sig].tid);
		EXPECT_EQ('D', tg_task_state(tm->pid, tm->tid[a]));
	} else {
		/* B sleeps on with the signal pending: A was picked. */
		EXPECT_EQ('S', tg_task_state(tm->pid, tm->tid[b]));
		EXPECT_TRUE(tg_team_shared_pending(tm, sig));
		EXPECT_EQ(0, tm->hit[sig].count);
	}

	tg_add_and_wake(&tm->release, 1);
	ASSERT_TRUE(tg_team_wait(tm, &tm->done[a], 1));
	EXPECT_EQ(1, tm->res[a]);
	ASSERT_TRUE(tg_team_wait(tm, &tm->hit[sig].count, 1));
	if (!variant->a_has_pending)
		EXPECT_EQ(tm->tid[a], tm->hit[sig].tid);
	ASSERT_EQ(0, team_stop(tm));
	EXPECT_EQ(1, tm->hit[sig].count);
	EXPECT_EQ(variant->a_has_pending, tm->hit[own].count);
}

/*
 * Thread A, the first candidate after the main thread (which blocks the
 * signal), is stopped by its tracer (the test); thread B sleeps in
 * futex(2).  wants_signal() passes over a stopped or traced thread: B is
 * woken and runs the handler while A is still stopped.  Were A picked,
 * the signal would wait for A's tracer to let it go.
 *
 * A is stopped with PTRACE_ATTACH's SIGSTOP, a signal-delivery stop: A
 * dequeued the SIGSTOP, so it has no signal pending while it is stopped,
 * and only the stopped-or-traced test can pass it over (a thread stopped
 * by PTRACE_INTERRUPT keeps TIF_SIGPENDING set for its trap).
 */
FIXTURE(traced_thread) {
	struct tg_team *tm;
	pid_t traced;
};

FIXTURE_SETUP(traced_thread)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
	self->traced = 0;
}

FIXTURE_TEARDOWN(traced_thread)
{
	if (self->traced)
		ptrace(PTRACE_DETACH, self->traced, NULL, NULL);
	tg_team_kill(self->tm);
}

TEST_F(traced_thread, linux_passes_over_a_thread_stopped_by_its_tracer)
{
	struct tg_team *tm = self->tm;
	const int a = 1, b = 2, sig = SIGUSR1;
	int status;

	tm->nr = 3;
	tm->caught = TG_SIGBIT(sig);
	tm->blocked[0] = TG_SIGBIT(sig);
	ASSERT_TRUE(tg_team_start(tm));

	ASSERT_EQ(0, ptrace(PTRACE_ATTACH, tm->tid[a], NULL, NULL))
		TH_LOG("PTRACE_ATTACH to thread A: %s", strerror(errno));
	self->traced = tm->tid[a];
	ASSERT_EQ(tm->tid[a], waitpid(tm->tid[a], &status, __WALL));
	ASSERT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP)
		TH_LOG("thread A's status %#x", status);
	ASSERT_FALSE(tg_team_thread_pending(tm, a, SIGSTOP));
	ASSERT_EQ('t', tg_task_state(tm->pid, tm->tid[a]));

	ASSERT_EQ(0, kill(tm->pid, sig));
	ASSERT_TRUE(tg_wait_count_or_stuck(&tm->hit[sig].count, 1,
					   tm->pid, tm->tid[b], sig))
		TH_LOG("B was not woken: the stopped thread A was picked");
	EXPECT_EQ(tm->tid[b], tm->hit[sig].tid);
	EXPECT_EQ('t', tg_task_state(tm->pid, tm->tid[a]));

	ASSERT_EQ(0, ptrace(PTRACE_DETACH, tm->tid[a], NULL, NULL));
	self->traced = 0;
	ASSERT_EQ(0, team_stop(tm));
	EXPECT_EQ(1, tm->hit[sig].count);
}

/*
 * Queued real-time signals sent in a burst each run exactly once, and
 * only on threads that do not block them, however the kernel spreads
 * them and however many CPUs there are.
 */
FIXTURE(burst) {
	struct tg_team *tm;
};

FIXTURE_SETUP(burst)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
}

FIXTURE_TEARDOWN(burst)
{
	tg_team_kill(self->tm);
}

TEST_F(burst, queued_signals_each_run_once_only_on_unblocking_threads)
{
	struct tg_team *tm = self->tm;
	struct extra *x = extra(tm);
	int sig = SIGRTMIN + 1, i, v;
	union sigval val;

	tm->nr = 6;
	tm->caught = TG_SIGBIT(sig);
	for (i = 0; i < tm->nr; i += 2)
		tm->blocked[i] = TG_SIGBIT(sig);
	ASSERT_TRUE(tg_team_start(tm));

	for (v = 0; v < NR_VALUES; v++) {
		val.sival_int = v;
		ASSERT_EQ(0, sigqueue(tm->pid, sig, val));
	}
	ASSERT_TRUE(tg_team_wait(tm, &x->values, NR_VALUES));
	ASSERT_EQ(0, team_stop(tm));
	EXPECT_EQ(NR_VALUES, x->values);
	for (v = 0; v < NR_VALUES; v++) {
		i = index_of(tm, x->value[v].tid);
		EXPECT_EQ(1, x->value[v].count)
			TH_LOG("value %d ran %d times", v, x->value[v].count);
		EXPECT_TRUE(i > 0 && i % 2)
			TH_LOG("value %d ran on thread %d which blocks it",
			       v, i);
	}
}

/*
 * Blocked in every thread, the signal waits in the shared queue; the
 * first thread to unblock it runs the handler before pthread_sigmask()
 * returns, and the threads unblocking it later see nothing.
 */
FIXTURE(all_blocked) {
	struct tg_team *tm;
};

FIXTURE_SETUP(all_blocked)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
}

FIXTURE_TEARDOWN(all_blocked)
{
	tg_team_kill(self->tm);
}

TEST_F(all_blocked, first_thread_to_unblock_runs_it_and_only_it)
{
	struct tg_team *tm = self->tm;
	const int order[] = { 2, 3, 0, 1 }, sig = SIGUSR1;
	int i;

	tm->nr = 4;
	tm->caught = TG_SIGBIT(sig);
	for (i = 0; i < tm->nr; i++)
		tm->blocked[i] = TG_SIGBIT(sig);
	ASSERT_TRUE(tg_team_start(tm));

	ASSERT_EQ(0, kill(tm->pid, sig));
	ASSERT_TRUE(tg_team_shared_pending(tm, sig));
	for (i = 0; i < tm->nr; i++) {
		ASSERT_TRUE(tg_team_run(tm, order[i], TG_OP_UNBLOCK, sig));
		EXPECT_EQ(1, tm->res[order[i]])
			TH_LOG("after thread %d unblocked it", order[i]);
	}
	EXPECT_EQ(tm->tid[order[0]], tm->hit[sig].tid);
	EXPECT_FALSE(tg_team_shared_pending(tm, sig));
	ASSERT_EQ(0, team_stop(tm));
	EXPECT_EQ(1, tm->hit[sig].count);
}

TEST_HARNESS_MAIN
