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
#include "tg_util.h"

#define NR_MAX		8
#define NR_VALUES	40
#define CHILD_STACK	(64 * 1024)

enum op {
	OP_NONE,
	OP_QUIT,
	OP_BLOCK,
	OP_UNBLOCK,	/* res: handler runs seen right after the unblock */
	OP_SPIN,	/* run in user space until team->unspin */
	OP_VFORK,	/* sleep in vfork() until team->release */
};

struct hit {
	int claimed;
	int count;	/* handler runs, futex word */
	pid_t tid;	/* thread of the first run */
};

struct team {
	pid_t tester, pid;
	int nr;					/* threads, main included */
	unsigned long long blocked[NR_MAX];	/* initial masks */
	unsigned long long caught;		/* signals with a handler */
	pid_t hold_tid;	/* a handler on this thread waits for release */
	pid_t tid[NR_MAX];
	int ready;
	int idle[NR_MAX];	/* set just before waiting for a command */
	int cmd[NR_MAX];
	int done[NR_MAX];
	int op[NR_MAX], arg[NR_MAX];
	long res[NR_MAX];
	int spinning, unspin;
	int release;		/* ends a held handler or the vfork child */
	int in_child;
	struct hit hit[_NSIG];
	int values;		/* queued signal runs, futex word */
	struct hit value[NR_VALUES];
};

static struct team *tm;

static void set_of(sigset_t *set, unsigned long long bits)
{
	int sig;

	sigemptyset(set);
	for (sig = 1; sig <= 64; sig++)
		if (bits & TG_SIGBIT(sig))
			sigaddset(set, sig);
}

static void count_hit(struct hit *h)
{
	if (!__atomic_fetch_add(&h->claimed, 1, __ATOMIC_ACQ_REL))
		h->tid = tg_gettid();
	tg_add_and_wake(&h->count, 1);
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	if (si->si_code == SI_QUEUE && si->si_value.sival_int >= 0 &&
	    si->si_value.sival_int < NR_VALUES) {
		count_hit(&tm->value[si->si_value.sival_int]);
		tg_add_and_wake(&tm->values, 1);
	} else {
		count_hit(&tm->hit[sig]);
	}
	if (tg_gettid() == tm->hold_tid)
		tg_wait_at_least(&tm->release, 1);
	errno = saved;
}

/*
 * The vfork child: it shares the memory and keeps its parent thread in an
 * uninterruptible wait until the test releases it.
 */
static int vfork_child(void *arg)
{
	/* Do not outlive the subject when a failed test kills it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != tm->pid)
		return 1;
	tg_add_and_wake(&tm->in_child, 1);
	tg_wait_at_least(&tm->release, 1);
	return 0;
}

static void run_op(int i)
{
	sigset_t set;
	pid_t child;
	char *stack;

	sigemptyset(&set);
	sigaddset(&set, tm->arg[i]);
	switch (tm->op[i]) {
	case OP_BLOCK:
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		break;
	case OP_UNBLOCK:
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		tm->res[i] = __atomic_load_n(&tm->hit[tm->arg[i]].count,
					     __ATOMIC_ACQUIRE);
		break;
	case OP_SPIN:
		tg_add_and_wake(&tm->spinning, 1);
		while (!__atomic_load_n(&tm->unspin, __ATOMIC_ACQUIRE))
			;
		break;
	case OP_VFORK:
		stack = malloc(CHILD_STACK);
		child = stack ? clone(vfork_child, stack + CHILD_STACK,
				      CLONE_VM | CLONE_VFORK, NULL) : -1;
		tm->res[i] = child > 0 &&
			     waitpid(child, NULL, __WALL) == child;
		free(stack);
		break;
	}
}

static void serve(int i)
{
	int seen = 0, c;

	for (;;) {
		__atomic_store_n(&tm->idle[i], 1, __ATOMIC_RELEASE);
		tg_futex_wake(&tm->idle[i]);
		while ((c = __atomic_load_n(&tm->cmd[i], __ATOMIC_ACQUIRE)) ==
		       seen)
			tg_futex_wait(&tm->cmd[i], seen);
		__atomic_store_n(&tm->idle[i], 0, __ATOMIC_RELEASE);
		seen = c;
		if (tm->op[i] == OP_QUIT)
			return;
		run_op(i);
		tg_add_and_wake(&tm->done[i], 1);
	}
}

static void *member(void *arg)
{
	int i = (long)arg;
	sigset_t set;

	set_of(&set, tm->blocked[i]);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	tm->tid[i] = tg_gettid();
	tg_add_and_wake(&tm->ready, 1);
	serve(i);
	return NULL;
}

static int subject(void)
{
	pthread_t th[NR_MAX];
	struct sigaction sa;
	sigset_t set;
	int i, sig;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != tm->tester)
		return 1;
	for (sig = 1; sig <= 64; sig++) {
		if (!(tm->caught & TG_SIGBIT(sig)))
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_signal;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		if (sigaction(sig, &sa, NULL))
			return 3;
	}
	set_of(&set, tm->blocked[0]);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	tm->tid[0] = tg_gettid();
	/* One at a time: the thread list is in creation order. */
	for (i = 1; i < tm->nr; i++)
		if (pthread_create(&th[i], NULL, member, (void *)(long)i))
			return 4;
	tg_add_and_wake(&tm->ready, 1);
	serve(0);
	for (i = 1; i < tm->nr; i++)
		pthread_join(th[i], NULL);
	return 0;
}

/* Wait for *word >= target, giving up when the subject has died. */
static bool team_wait(int *word, int target)
{
	struct timespec ts = { .tv_nsec = 20 * 1000000 };
	siginfo_t si;
	int v;

	while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) < target) {
		si.si_pid = 0;
		if (!waitid(P_PID, tm->pid, &si,
			    WEXITED | WNOHANG | WNOWAIT) && si.si_pid)
			return false;
		syscall(__NR_futex, word, FUTEX_WAIT, v, &ts, NULL, 0);
	}
	return true;
}

/* Thread @i waits for its next command, asleep in futex(2). */
static bool team_idle(int i)
{
	return team_wait(&tm->idle[i], 1) &&
	       tg_wait_task_state(tm->pid, tm->tid[i], "S") == 'S';
}

static void team_post(int i, int op, int arg)
{
	tm->op[i] = op;
	tm->arg[i] = arg;
	tg_add_and_wake(&tm->cmd[i], 1);
}

static bool team_run(int i, int op, int arg)
{
	int done = tm->done[i];

	team_post(i, op, arg);
	return team_wait(&tm->done[i], done + 1) && team_idle(i);
}

static struct team *team_new(void)
{
	tm = mmap(NULL, sizeof(*tm), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tm == MAP_FAILED)
		tm = NULL;
	return tm;
}

/* Fork the subject and wait until all its threads sleep for commands. */
static bool team_start(void)
{
	pid_t pid;
	int i;

	/* tm is shared: only the parent may store the pid. */
	tm->tester = getpid();
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid)
		_exit(subject());
	tm->pid = pid;
	if (!team_wait(&tm->ready, tm->nr))
		return false;
	for (i = 0; i < tm->nr; i++)
		if (!team_idle(i))
			return false;
	return true;
}

/* Let every thread return and reap the subject; its exit status. */
static int team_stop(void)
{
	int i, status;

	tg_add_and_wake(&tm->unspin, 1);
	tg_add_and_wake(&tm->release, 1);
	for (i = tm->nr - 1; i >= 0; i--)
		team_post(i, OP_QUIT, 0);
	if (waitpid(tm->pid, &status, 0) != tm->pid)
		return -1;
	tm->pid = 0;
	return status;
}

static void team_kill(void)
{
	if (tm) {
		tg_add_and_wake(&tm->release, 1);	/* ends a vfork child */
		if (tm->pid > 0) {
			kill(tm->pid, SIGKILL);
			waitpid(tm->pid, NULL, 0);
		}
		munmap(tm, sizeof(*tm));
	}
	tm = NULL;
}

static bool shared_pending(int sig)
{
	unsigned long long set = 0;

	return !tg_proc_sigset(tm->pid, 0, "ShdPnd", &set) &&
	       (set & TG_SIGBIT(sig));
}

static bool thread_pending(int i, int sig)
{
	unsigned long long set = 0;

	return !tg_proc_sigset(tm->pid, tm->tid[i], "SigPnd", &set) &&
	       (set & TG_SIGBIT(sig));
}

static int index_of(pid_t tid)
{
	int i;

	for (i = 0; i < tm->nr; i++)
		if (tm->tid[i] == tid)
			return i;
	return -1;
}

/*
 * kill() the subject with @sig, wait for the handler and for the thread
 * that ran it to sleep again (the handler has returned and unblocked
 * @sig).  Returns the index of that thread, -1 on failure.
 */
static int kill_and_see(int sig)
{
	int runs = tm->hit[sig].count, i;

	tm->hit[sig].claimed = 0;
	if (kill(tm->pid, sig) || !team_wait(&tm->hit[sig].count, runs + 1))
		return -1;
	i = index_of(tm->hit[sig].tid);
	if (i < 0 || (tm->idle[i] && !team_idle(i)))
		return -1;
	return i;
}

FIXTURE(main_first) {
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
	ASSERT_NE(NULL, team_new());
}

FIXTURE_TEARDOWN(main_first)
{
	team_kill();
}

/*
 * kill() names the main thread; when it does not block the signal and
 * has none pending, it takes it, whatever the other threads do.
 */
TEST_F(main_first, linux_main_thread_tried_first_when_it_does_not_block)
{
	int i, round;

	tm->nr = 4;
	tm->caught = TG_SIGBIT(SIGUSR1);
	ASSERT_TRUE(team_start());
	if (variant->others_spin) {
		for (i = 1; i < tm->nr; i++)
			team_post(i, OP_SPIN, 0);
		ASSERT_TRUE(team_wait(&tm->spinning, tm->nr - 1));
	}

	for (round = 0; round < 3; round++)
		EXPECT_EQ(0, kill_and_see(SIGUSR1))
			TH_LOG("round %d went to another thread", round);
	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(3, tm->hit[SIGUSR1].count);
}

FIXTURE(curr_target) {
};

FIXTURE_SETUP(curr_target)
{
	ASSERT_NE(NULL, team_new());
	tm->nr = 4;
	tm->caught = TG_SIGBIT(SIGUSR1);
	tm->blocked[0] = TG_SIGBIT(SIGUSR1);
}

FIXTURE_TEARDOWN(curr_target)
{
	team_kill();
}

/*
 * With the main thread blocking the signal, the signal keeps going to the
 * thread picked last time as long as that thread can take it.
 */
TEST_F(curr_target, linux_stays_on_last_chosen_thread_while_it_can_take_it)
{
	int first, round;

	ASSERT_TRUE(team_start());
	first = kill_and_see(SIGUSR1);
	ASSERT_GT(first, 0);
	for (round = 1; round < 4; round++)
		EXPECT_EQ(first, kill_and_see(SIGUSR1))
			TH_LOG("round %d moved off thread %d", round, first);
	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(4, tm->hit[SIGUSR1].count);
}

/*
 * The search starts at the thread after the main thread, moves on in
 * creation order only when the last chosen thread blocks the signal,
 * does not go back when an earlier thread unblocks it, and wraps around.
 */
TEST_F(curr_target, linux_search_moves_on_in_creation_order_when_chosen_blocks)
{
	ASSERT_TRUE(team_start());
	EXPECT_EQ(1, kill_and_see(SIGUSR1));

	ASSERT_TRUE(team_run(1, OP_BLOCK, SIGUSR1));
	EXPECT_EQ(2, kill_and_see(SIGUSR1));

	ASSERT_TRUE(team_run(2, OP_BLOCK, SIGUSR1));
	EXPECT_EQ(3, kill_and_see(SIGUSR1));

	ASSERT_TRUE(team_run(1, OP_UNBLOCK, SIGUSR1));
	EXPECT_EQ(3, kill_and_see(SIGUSR1))
		TH_LOG("went back to thread 1 while thread 3 could take it");

	ASSERT_TRUE(team_run(3, OP_BLOCK, SIGUSR1));
	EXPECT_EQ(1, kill_and_see(SIGUSR1))
		TH_LOG("did not wrap around past the blocking main thread");

	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(5, tm->hit[SIGUSR1].count);
}

/*
 * A thread running the handler of a signal blocks that signal (no
 * SA_NODEFER): another instance goes to a thread that does not, here
 * the only other one, while the first handler still runs.
 */
FIXTURE(busy_handler) {
};

FIXTURE_SETUP(busy_handler)
{
	ASSERT_NE(NULL, team_new());
}

FIXTURE_TEARDOWN(busy_handler)
{
	team_kill();
}

TEST_F(busy_handler, thread_running_the_handler_is_skipped_for_the_next_one)
{
	const int busy = 1, other = 2, sig = SIGUSR1;
	unsigned long long blk = 0;

	tm->nr = 3;
	tm->caught = TG_SIGBIT(sig);
	tm->blocked[0] = TG_SIGBIT(sig);
	ASSERT_TRUE(team_start());

	tm->hold_tid = tm->tid[busy];
	ASSERT_EQ(0, tg_tgkill(tm->pid, tm->tid[busy], sig));
	ASSERT_TRUE(team_wait(&tm->hit[sig].count, 1));
	ASSERT_EQ(tm->tid[busy], tm->hit[sig].tid);
	ASSERT_EQ(0, tg_proc_sigset(tm->pid, tm->tid[busy], "SigBlk", &blk));
	ASSERT_TRUE(blk & TG_SIGBIT(sig));

	tm->hit[sig].claimed = 0;
	ASSERT_EQ(0, kill(tm->pid, sig));
	ASSERT_TRUE(team_wait(&tm->hit[sig].count, 2));
	EXPECT_EQ(tm->tid[other], tm->hit[sig].tid);
	/* The first handler is still running. */
	ASSERT_EQ(0, tg_proc_sigset(tm->pid, tm->tid[busy], "SigBlk", &blk));
	EXPECT_TRUE(blk & TG_SIGBIT(sig));

	ASSERT_EQ(0, team_stop());
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
	ASSERT_NE(NULL, team_new());
}

FIXTURE_TEARDOWN(pending_thread)
{
	team_kill();
}

TEST_F(pending_thread, linux_skips_sleeping_candidate_only_if_it_has_signal_pending)
{
	const int a = 1, b = 2, sig = SIGUSR1, own = SIGUSR2;

	tm->nr = 3;
	tm->caught = TG_SIGBIT(sig) | TG_SIGBIT(own);
	tm->blocked[0] = TG_SIGBIT(sig);
	ASSERT_TRUE(team_start());

	team_post(a, OP_VFORK, 0);
	ASSERT_TRUE(team_wait(&tm->in_child, 1));
	ASSERT_EQ('D', tg_wait_task_state(tm->pid, tm->tid[a], "D"));
	if (variant->a_has_pending) {
		ASSERT_EQ(0, tg_tgkill(tm->pid, tm->tid[a], own));
		ASSERT_TRUE(thread_pending(a, own));
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
		EXPECT_TRUE(shared_pending(sig));
		EXPECT_EQ(0, tm->hit[sig].count);
	}

	tg_add_and_wake(&tm->release, 1);
	ASSERT_TRUE(team_wait(&tm->done[a], 1));
	EXPECT_EQ(1, tm->res[a]);
	ASSERT_TRUE(team_wait(&tm->hit[sig].count, 1));
	if (!variant->a_has_pending)
		EXPECT_EQ(tm->tid[a], tm->hit[sig].tid);
	ASSERT_EQ(0, team_stop());
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
	pid_t traced;
};

FIXTURE_SETUP(traced_thread)
{
	ASSERT_NE(NULL, team_new());
	self->traced = 0;
}

FIXTURE_TEARDOWN(traced_thread)
{
	if (self->traced)
		ptrace(PTRACE_DETACH, self->traced, NULL, NULL);
	team_kill();
}

TEST_F(traced_thread, linux_passes_over_a_thread_stopped_by_its_tracer)
{
	const int a = 1, b = 2, sig = SIGUSR1;
	int status;

	tm->nr = 3;
	tm->caught = TG_SIGBIT(sig);
	tm->blocked[0] = TG_SIGBIT(sig);
	ASSERT_TRUE(team_start());

	ASSERT_EQ(0, ptrace(PTRACE_ATTACH, tm->tid[a], NULL, NULL))
		TH_LOG("PTRACE_ATTACH to thread A: %s", strerror(errno));
	self->traced = tm->tid[a];
	ASSERT_EQ(tm->tid[a], waitpid(tm->tid[a], &status, __WALL));
	ASSERT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP)
		TH_LOG("thread A's status %#x", status);
	ASSERT_FALSE(thread_pending(a, SIGSTOP));
	ASSERT_EQ('t', tg_task_state(tm->pid, tm->tid[a]));

	ASSERT_EQ(0, kill(tm->pid, sig));
	ASSERT_TRUE(tg_wait_count_or_stuck(&tm->hit[sig].count, 1,
					   tm->pid, tm->tid[b], sig))
		TH_LOG("B was not woken: the stopped thread A was picked");
	EXPECT_EQ(tm->tid[b], tm->hit[sig].tid);
	EXPECT_EQ('t', tg_task_state(tm->pid, tm->tid[a]));

	ASSERT_EQ(0, ptrace(PTRACE_DETACH, tm->tid[a], NULL, NULL));
	self->traced = 0;
	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(1, tm->hit[sig].count);
}

/*
 * Queued real-time signals sent in a burst each run exactly once, and
 * only on threads that do not block them, however the kernel spreads
 * them and however many CPUs there are.
 */
FIXTURE(burst) {
};

FIXTURE_SETUP(burst)
{
	ASSERT_NE(NULL, team_new());
}

FIXTURE_TEARDOWN(burst)
{
	team_kill();
}

TEST_F(burst, queued_signals_each_run_once_only_on_unblocking_threads)
{
	int sig = SIGRTMIN + 1, i, v;
	union sigval val;

	tm->nr = 6;
	tm->caught = TG_SIGBIT(sig);
	for (i = 0; i < tm->nr; i += 2)
		tm->blocked[i] = TG_SIGBIT(sig);
	ASSERT_TRUE(team_start());

	for (v = 0; v < NR_VALUES; v++) {
		val.sival_int = v;
		ASSERT_EQ(0, sigqueue(tm->pid, sig, val));
	}
	ASSERT_TRUE(team_wait(&tm->values, NR_VALUES));
	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(NR_VALUES, tm->values);
	for (v = 0; v < NR_VALUES; v++) {
		i = index_of(tm->value[v].tid);
		EXPECT_EQ(1, tm->value[v].count)
			TH_LOG("value %d ran %d times", v, tm->value[v].count);
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
};

FIXTURE_SETUP(all_blocked)
{
	ASSERT_NE(NULL, team_new());
}

FIXTURE_TEARDOWN(all_blocked)
{
	team_kill();
}

TEST_F(all_blocked, first_thread_to_unblock_runs_it_and_only_it)
{
	const int order[] = { 2, 3, 0, 1 }, sig = SIGUSR1;
	int i;

	tm->nr = 4;
	tm->caught = TG_SIGBIT(sig);
	for (i = 0; i < tm->nr; i++)
		tm->blocked[i] = TG_SIGBIT(sig);
	ASSERT_TRUE(team_start());

	ASSERT_EQ(0, kill(tm->pid, sig));
	ASSERT_TRUE(shared_pending(sig));
	for (i = 0; i < tm->nr; i++) {
		ASSERT_TRUE(team_run(order[i], OP_UNBLOCK, sig));
		EXPECT_EQ(1, tm->res[order[i]])
			TH_LOG("after thread %d unblocked it", order[i]);
	}
	EXPECT_EQ(tm->tid[order[0]], tm->hit[sig].tid);
	EXPECT_FALSE(shared_pending(sig));
	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(1, tm->hit[sig].count);
}

TEST_HARNESS_MAIN
