// SPDX-License-Identifier: GPL-2.0
/*
 * Which thread of a thread group runs a signal handler.
 *
 * Every test forks a subject process whose threads (index 0 is the main
 * thread) serve commands posted through a MAP_SHARED "team" page.  The
 * handlers record, per signal, how often they ran and on which thread.
 * The test process sends the signals, reads /proc and asserts.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/signalfd.h>

#include "../kselftest_harness.h"
#include "tg_team.h"

/* Instructions that trap, and whether integer division by zero does. */
#if defined(__x86_64__) || defined(__i386__)
#define UNDEFINED_INSN	"ud2"
#define BREAKPOINT_INSN	"int3"
#define DIV_ZERO_TRAPS	true
#elif defined(__aarch64__)
#define UNDEFINED_INSN	".inst 0x00000000"
#define BREAKPOINT_INSN	"brk #0"
#endif
#ifndef DIV_ZERO_TRAPS
#define DIV_ZERO_TRAPS	false
#endif

enum op {
	OP_PENDING = TG_OP_USER,	/* res: arg is in sigpending() */
	OP_SIGWAIT,	/* res: signal taken, res2: its si_pid */
	OP_SIGNALFD,	/* res: signal read, res2: its ssi_pid */
	OP_FAULT,	/* res: 1 when the handler jumped back */
	OP_WRITE_PIPE,	/* res: errno of the write */
	OP_WRITE_FSIZE,	/* res: errno of the write */
	OP_EXIT,	/* raw exit(2) of this thread */
};

enum fault { F_SEGV, F_BUS, F_FPE, F_ILL, F_TRAP };

/* This program's part of the team page. */
struct extra {
	/* hold_sig's handler blocks hold_for, returns once hold_for ran */
	int hold_sig, hold_for;
	int fault_sig;
	pid_t fault_tid;
	int *null;
};

static sigjmp_buf fault_jb;

static struct extra *extra(struct tg_team *t)
{
	return t->priv;
}

static int setup(struct tg_team *t)
{
	struct rlimit rl = { getpagesize(), RLIM_INFINITY };
	struct extra *x = extra(t);

	if (setrlimit(RLIMIT_FSIZE, &rl))
		return 2;
	if (x->hold_sig)
		t->sa_mask[x->hold_sig] = TG_SIGBIT(x->hold_for);
	return 0;
}

static void on_signal(struct tg_team *t, int sig, siginfo_t *si)
{
	struct extra *x = extra(t);

	tg_team_hit(&t->hit[sig], si);
	if (sig == x->hold_sig)
		tg_wait_at_least(&t->hit[x->hold_for].count, 1);
	if (sig == x->fault_sig && tg_gettid() == x->fault_tid)
		siglongjmp(fault_jb, 1);
}

static void do_fault(struct tg_team *t, int i, int kind)
{
	int zero = 0, one = 1, *p;
	int fd;

	switch (kind) {
	case F_SEGV:
		*extra(t)->null = 1;
		break;
	case F_BUS:
		fd = memfd_create("tg_bus", MFD_CLOEXEC);
		p = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
		if (fd >= 0 && p != MAP_FAILED)
			*p = 1;	/* beyond EOF */
		break;
	case F_FPE:
		/* Hide the operands, or the compiler folds the division. */
		asm volatile("" : "+r" (zero), "+r" (one));
		t->res[i] = one / zero;
		break;
#ifdef UNDEFINED_INSN
	case F_ILL:
		asm volatile(UNDEFINED_INSN);
		break;
	case F_TRAP:
		asm volatile(BREAKPOINT_INSN);
		break;
#endif
	}
}

static void run_op(struct tg_team *t, int i)
{
	struct signalfd_siginfo ssi;
	sigset_t set;
	siginfo_t si;
	int fd[2];

	sigemptyset(&set);
	sigaddset(&set, t->arg[i]);
	switch (t->op[i]) {
	case OP_PENDING:
		sigpending(&set);
		t->res[i] = sigismember(&set, t->arg[i]);
		break;
	case OP_SIGWAIT:
		t->res[i] = sigwaitinfo(&set, &si);
		t->res2[i] = si.si_pid;
		break;
	case OP_SIGNALFD:
		t->res[i] = -1;
		fd[0] = signalfd(-1, &set, SFD_CLOEXEC);
		if (fd[0] < 0)
			break;
		if (read(fd[0], &ssi, sizeof(ssi)) == sizeof(ssi)) {
			t->res[i] = ssi.ssi_signo;
			t->res2[i] = ssi.ssi_pid;
		}
		close(fd[0]);
		break;
	case OP_FAULT:
		extra(t)->fault_tid = tg_gettid();
		t->res[i] = 0;
		if (sigsetjmp(fault_jb, 1))
			t->res[i] = 1;
		else
			do_fault(t, i, t->arg[i]);
		break;
	case OP_WRITE_PIPE:
		t->res[i] = 0;
		if (pipe2(fd, O_CLOEXEC))
			break;
		close(fd[0]);
		if (write(fd[1], "x", 1) < 0)
			t->res[i] = errno;
		close(fd[1]);
		break;
	case OP_WRITE_FSIZE:
		t->res[i] = 0;
		fd[0] = memfd_create("tg_fsize", MFD_CLOEXEC);
		if (pwrite(fd[0], "x", 1, getpagesize()) < 0)
			t->res[i] = errno;
		close(fd[0]);
		break;
	case OP_EXIT:
		syscall(__NR_exit, 0);
		break;
	}
}

static const struct tg_team_ops team_ops = {
	.setup = setup,
	.on_signal = on_signal,
	.run = run_op,
};

static struct tg_team *team_new(void)
{
	return tg_team_new(&team_ops, sizeof(struct extra));
}

/* memfd_create() needs CONFIG_MEMFD_CREATE, that is tmpfs or hugetlbfs. */
static bool have_memfd(void)
{
	int fd = memfd_create("tg_probe", MFD_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * tgkill() and rt_tgsigqueueinfo() name a thread: the handler runs there,
 * whichever other threads could take the signal.
 */
FIXTURE(thread_directed) {
	struct tg_team *tm;
};

FIXTURE_VARIANT(thread_directed) {
	bool queue;
};

FIXTURE_VARIANT_ADD(thread_directed, tgkill) {
	.queue = false,
};

FIXTURE_VARIANT_ADD(thread_directed, rt_tgsigqueueinfo) {
	.queue = true,
};

FIXTURE_SETUP(thread_directed)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
}

FIXTURE_TEARDOWN(thread_directed)
{
	tg_team_kill(self->tm);
}

TEST_F(thread_directed, signal_runs_on_target_thread)
{
	struct tg_team *tm = self->tm;
	siginfo_t si;
	int i, ret, runs = 0;

	tm->nr = 4;
	tm->caught = TG_SIGBIT(SIGUSR1);
	ASSERT_TRUE(tg_team_start(tm));

	for (i = tm->nr - 1; i >= 0; i--) {
		memset(&si, 0, sizeof(si));
		si.si_code = SI_QUEUE;
		si.si_pid = getpid();
		si.si_uid = getuid();
		tm->hit[SIGUSR1].claimed = 0;
		if (variant->queue)
			ret = tg_rt_tgsigqueueinfo(tm->pid, tm->tid[i], SIGUSR1,
						   &si);
		else
			ret = tg_tgkill(tm->pid, tm->tid[i], SIGUSR1);
		ASSERT_EQ(0, ret);
		ASSERT_TRUE(tg_team_wait(tm, &tm->hit[SIGUSR1].count, ++runs));
		EXPECT_EQ(tm->tid[i], tm->hit[SIGUSR1].tid)
			TH_LOG("signal for thread %d ran elsewhere", i);
		ASSERT_TRUE(tg_team_idle(tm, i));
	}
	ASSERT_EQ(0, tg_team_stop(tm));
	EXPECT_EQ(runs, tm->hit[SIGUSR1].count);
}

/*
 * kill(), sigqueue() and pidfd_send_signal() name the process: the
 * handler runs once, on a thread that does not block the signal, here
 * the only such thread.
 */
FIXTURE(process_directed) {
	struct tg_team *tm;
};

FIXTURE_VARIANT(process_directed) {
	int taker;
};

FIXTURE_VARIANT_ADD(process_directed, main_thread) {
	.taker = 0,
};

FIXTURE_VARIANT_ADD(process_directed, first_thread) {
	.taker = 1,
};

FIXTURE_VARIANT_ADD(process_directed, last_thread) {
	.taker = 3,
};

FIXTURE_SETUP(process_directed)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
}

FIXTURE_TEARDOWN(process_directed)
{
	tg_team_kill(self->tm);
}

TEST_F(process_directed, runs_once_on_the_only_thread_not_blocking_it)
{
	struct tg_team *tm = self->tm;
	int i, ret, pidfd, how;

	tm->nr = 4;
	tm->caught = TG_SIGBIT(SIGUSR1);
	for (i = 0; i < tm->nr; i++)
		if (i != variant->taker)
			tm->blocked[i] = TG_SIGBIT(SIGUSR1);
	ASSERT_TRUE(tg_team_start(tm));
	pidfd = tg_pidfd_open(tm->pid, 0);
	ASSERT_GE(pidfd, 0);

	for (how = 0; how < 3; how++) {
		tm->hit[SIGUSR1].claimed = 0;
		if (how == 0)
			ret = kill(tm->pid, SIGUSR1);
		else if (how == 1)
			ret = sigqueue(tm->pid, SIGUSR1,
				       (union sigval){ .sival_int = 1 });
		else
			ret = tg_pidfd_send_signal(pidfd, SIGUSR1, NULL, 0);
		ASSERT_EQ(0, ret);
		ASSERT_TRUE(tg_team_wait(tm, &tm->hit[SIGUSR1].count, how + 1));
		EXPECT_EQ(tm->tid[variant->taker], tm->hit[SIGUSR1].tid)
			TH_LOG("sender %d: ran on a thread that blocks it",
			       how);
		ASSERT_TRUE(tg_team_idle(tm, variant->taker));
	}
	close(pidfd);
	ASSERT_EQ(0, tg_team_stop(tm));
	EXPECT_EQ(3, tm->hit[SIGUSR1].count);
}

/*
 * A fault is reported to the thread that faulted, even though the main
 * thread and the others sit idle with the signal unblocked.
 */
FIXTURE(sync_fault) {
	struct tg_team *tm;
};

FIXTURE_VARIANT(sync_fault) {
	int kind;
	int sig;
	bool supported;
};

FIXTURE_VARIANT_ADD(sync_fault, sigsegv_null_write) {
	.kind = F_SEGV, .sig = SIGSEGV, .supported = true,
};

FIXTURE_VARIANT_ADD(sync_fault, sigbus_beyond_eof) {
	.kind = F_BUS, .sig = SIGBUS, .supported = true,
};

FIXTURE_VARIANT_ADD(sync_fault, sigfpe_divide_by_zero) {
	.kind = F_FPE, .sig = SIGFPE, .supported = DIV_ZERO_TRAPS,
};

FIXTURE_VARIANT_ADD(sync_fault, sigill_undefined_insn) {
	.kind = F_ILL, .sig = SIGILL,
#ifdef UNDEFINED_INSN
	.supported = true,
#endif
};

FIXTURE_VARIANT_ADD(sync_fault, sigtrap_breakpoint_insn) {
	.kind = F_TRAP, .sig = SIGTRAP,
#ifdef BREAKPOINT_INSN
	.supported = true,
#endif
};

FIXTURE_SETUP(sync_fault)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
}

FIXTURE_TEARDOWN(sync_fault)
{
	tg_team_kill(self->tm);
}

TEST_F(sync_fault, runs_on_faulting_thread)
{
	struct tg_team *tm = self->tm;
	const int faulter = 2;

	if (!variant->supported)
		SKIP(return, "no trapping instruction for this architecture");
	if (variant->kind == F_BUS && !have_memfd())
		SKIP(return, "memfd_create(): %s, CONFIG_TMPFS?",
		     strerror(errno));
	tm->nr = 4;
	tm->caught = TG_SIGBIT(variant->sig);
	extra(tm)->fault_sig = variant->sig;
	ASSERT_TRUE(tg_team_start(tm));

	ASSERT_TRUE(tg_team_run(tm, faulter, OP_FAULT, variant->kind));
	ASSERT_EQ(1, tm->res[faulter])
		TH_LOG("the faulting thread did not get the %s",
		       strsignal(variant->sig));
	EXPECT_EQ(tm->tid[faulter], tm->hit[variant->sig].tid);
	EXPECT_GT(tm->hit[variant->sig].code, 0)
		TH_LOG("si_code %d is not kernel generated",
		       tm->hit[variant->sig].code);
	ASSERT_EQ(0, tg_team_stop(tm));
	EXPECT_EQ(1, tm->hit[variant->sig].count);
}

/*
 * SIGPIPE (write to a pipe without readers) and SIGXFSZ (write beyond
 * RLIMIT_FSIZE) go to the thread that wrote, along with the error.
 */
FIXTURE(write_error) {
	struct tg_team *tm;
};

FIXTURE_VARIANT(write_error) {
	int op;
	int sig;
	int err;
};

FIXTURE_VARIANT_ADD(write_error, sigpipe) {
	.op = OP_WRITE_PIPE, .sig = SIGPIPE, .err = EPIPE,
};

FIXTURE_VARIANT_ADD(write_error, sigxfsz) {
	.op = OP_WRITE_FSIZE, .sig = SIGXFSZ, .err = EFBIG,
};

FIXTURE_SETUP(write_error)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
}

FIXTURE_TEARDOWN(write_error)
{
	tg_team_kill(self->tm);
}

TEST_F(write_error, signal_runs_on_writing_thread)
{
	struct tg_team *tm = self->tm;
	const int writer = 2;

	if (variant->op == OP_WRITE_FSIZE && !have_memfd())
		SKIP(return, "memfd_create(): %s, CONFIG_TMPFS?",
		     strerror(errno));
	tm->nr = 4;
	tm->caught = TG_SIGBIT(variant->sig);
	ASSERT_TRUE(tg_team_start(tm));

	ASSERT_TRUE(tg_team_run(tm, writer, variant->op, 0));
	ASSERT_EQ(variant->err, tm->res[writer]);
	ASSERT_EQ(1, tm->hit[variant->sig].count);
	EXPECT_EQ(tm->tid[writer], tm->hit[variant->sig].tid);
	ASSERT_EQ(0, tg_team_stop(tm));
	EXPECT_EQ(1, tm->hit[variant->sig].count);
}

/*
 * A process-directed signal that every thread blocks stays pending for
 * the whole process: sigpending() shows it in each thread, /proc shows it
 * in ShdPnd and in no thread's SigPnd.  It leaves the shared queue only
 * when a thread takes it: by unblocking it (that thread runs the handler
 * before pthread_sigmask() returns), by sigwaitinfo() or by reading a
 * signalfd.
 */
FIXTURE(blocked_everywhere) {
	struct tg_team *tm;
};

FIXTURE_VARIANT(blocked_everywhere) {
	int op;
};

FIXTURE_VARIANT_ADD(blocked_everywhere, unblock) {
	.op = TG_OP_UNBLOCK,
};

FIXTURE_VARIANT_ADD(blocked_everywhere, sigwaitinfo) {
	.op = OP_SIGWAIT,
};

FIXTURE_VARIANT_ADD(blocked_everywhere, signalfd) {
	.op = OP_SIGNALFD,
};

FIXTURE_SETUP(blocked_everywhere)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
}

FIXTURE_TEARDOWN(blocked_everywhere)
{
	tg_team_kill(self->tm);
}

TEST_F(blocked_everywhere, stays_pending_process_wide_until_a_thread_takes_it)
{
	struct tg_team *tm = self->tm;
	const int taker = 2, sig = SIGUSR1;
	sigset_t set;
	int i, fd;

	if (variant->op == OP_SIGNALFD) {
		sigemptyset(&set);
		sigaddset(&set, sig);
		fd = signalfd(-1, &set, SFD_CLOEXEC);
		if (fd < 0)
			SKIP(return, "signalfd(): %s, CONFIG_SIGNALFD?",
			     strerror(errno));
		close(fd);
	}
	tm->nr = 4;
	tm->caught = TG_SIGBIT(sig);
	for (i = 0; i < tm->nr; i++)
		tm->blocked[i] = TG_SIGBIT(sig);
	ASSERT_TRUE(tg_team_start(tm));

	ASSERT_EQ(0, kill(tm->pid, sig));
	ASSERT_TRUE(tg_team_shared_pending(tm, sig));
	for (i = 0; i < tm->nr; i++) {
		EXPECT_FALSE(tg_team_thread_pending(tm, i, sig))
			TH_LOG("thread %d has it in SigPnd", i);
		ASSERT_TRUE(tg_team_run(tm, i, OP_PENDING, sig));
		EXPECT_EQ(1, tm->res[i])
			TH_LOG("sigpending() of thread %d misses it", i);
	}
	ASSERT_TRUE(tg_team_shared_pending(tm, sig));
	ASSERT_EQ(0, tm->hit[sig].count);

	ASSERT_TRUE(tg_team_run(tm, taker, variant->op, sig));
	if (variant->op == TG_OP_UNBLOCK) {
		EXPECT_EQ(1, tm->res[taker])
			TH_LOG("handler had not run when the unblock returned");
		EXPECT_EQ(tm->tid[taker], tm->hit[sig].tid);
		EXPECT_EQ(SI_USER, tm->hit[sig].code);
		EXPECT_EQ(getpid(), tm->hit[sig].pid);
	} else {
		EXPECT_EQ(sig, tm->res[taker]);
		EXPECT_EQ(getpid(), tm->res2[taker]);
	}
	EXPECT_FALSE(tg_team_shared_pending(tm, sig));
	for (i = 0; i < tm->nr; i++) {
		ASSERT_TRUE(tg_team_run(tm, i, OP_PENDING, sig));
		EXPECT_EQ(0, tm->res[i]);
	}
	ASSERT_EQ(0, tg_team_stop(tm));
	EXPECT_EQ(variant->op == TG_OP_UNBLOCK, tm->hit[sig].count);
}

/*
 * complete_signal() picks one thread to take a process-directed signal
 * and wakes only that one.  When the picked thread then blocks the signal
 * (sa_mask of another handler, retarget_shared_pending() from
 * set_current_blocked()) or exits (exit_signals()) before it dequeued it,
 * the signal must move on to a thread that can take it: here thread B,
 * which sleeps and would otherwise never look at it again.
 *
 * Thread A is created before B, so with the main thread blocking the
 * signals Linux tries A first (signal->curr_target starts at the main
 * thread and the search walks the thread list in creation order).  A is
 * held where it cannot dequeue: in vfork() (uninterruptible) or in its
 * PTRACE_EVENT_EXIT stop, resumed while a SCHED_FIFO tracer on the same
 * CPU sends the signal before A can run.  The tests check that A was the
 * one picked (B left asleep) before they check where the signal went.
 */
FIXTURE(handoff) {
	struct tg_team *tm;
};

FIXTURE_SETUP(handoff)
{
	self->tm = team_new();
	ASSERT_NE(NULL, self->tm);
}

FIXTURE_TEARDOWN(handoff)
{
	tg_team_kill(self->tm);
}

TEST_F(handoff, linux_pending_signal_moves_on_when_chosen_thread_blocks_it)
{
	struct tg_team *tm = self->tm;
	const int a = 1, b = 2, s1 = SIGUSR1, s2 = SIGUSR2;

	tm->nr = 3;
	tm->caught = TG_SIGBIT(s1) | TG_SIGBIT(s2);
	extra(tm)->hold_sig = s1;
	extra(tm)->hold_for = s2;
	tm->blocked[0] = TG_SIGBIT(s1) | TG_SIGBIT(s2);
	tm->blocked[b] = TG_SIGBIT(s1);
	ASSERT_TRUE(tg_team_start(tm));

	/* A sleeps uninterruptibly in vfork(): it can be picked, not woken. */
	tg_team_post(tm, a, TG_OP_VFORK, 0);
	ASSERT_TRUE(tg_team_wait(tm, &tm->in_child, 1));
	ASSERT_EQ('D', tg_wait_task_state(tm->pid, tm->tid[a], "D"));

	ASSERT_EQ(0, kill(tm->pid, s2));
	ASSERT_EQ('S', tg_task_state(tm->pid, tm->tid[b]))
		TH_LOG("B was woken: Linux did not pick A first");
	ASSERT_TRUE(tg_team_shared_pending(tm, s2));
	/* Nobody can be picked for s1: A has a signal pending already. */
	ASSERT_EQ(0, kill(tm->pid, s1));
	ASSERT_TRUE(tg_team_shared_pending(tm, s1));

	/*
	 * A dequeues s1 first (lowest number); its handler blocks s2 while
	 * s2 is still queued for A.  A's handler returns only after s2 ran.
	 */
	tg_add_and_wake(&tm->release, 1);
	ASSERT_TRUE(tg_team_wait(tm, &tm->hit[s1].count, 1));
	EXPECT_EQ(tm->tid[a], tm->hit[s1].tid);
	ASSERT_TRUE(tg_wait_count_or_stuck(&tm->hit[s2].count, 1, tm->pid,
					   tm->tid[b], s2))
		TH_LOG("s2 stays pending while B, which can take it, sleeps");
	EXPECT_EQ(tm->tid[b], tm->hit[s2].tid);

	ASSERT_TRUE(tg_team_wait(tm, &tm->done[a], 1));
	EXPECT_EQ(1, tm->res[a]);
	ASSERT_EQ(0, tg_team_stop(tm));
	EXPECT_EQ(1, tm->hit[s1].count);
	EXPECT_EQ(1, tm->hit[s2].count);
}

TEST_F(handoff, linux_pending_signal_moves_on_when_chosen_thread_exits)
{
	struct tg_team *tm = self->tm;
	const int a = 1, b = 2, sig = SIGUSR2;
	struct sched_param fifo = { .sched_priority = 1 }, other = { 0 };
	int status;
	char state_b;
	bool pending;

	tm->nr = 3;
	tm->caught = TG_SIGBIT(sig);
	tm->blocked[0] = TG_SIGBIT(sig);
	ASSERT_TRUE(tg_team_start(tm));

	if (ptrace(PTRACE_SEIZE, tm->tid[a], NULL,
		   (void *)PTRACE_O_TRACEEXIT))
		SKIP(return, "cannot ptrace a thread of a child: %s",
		     strerror(errno));
	tg_team_post(tm, a, OP_EXIT, 0);
	tm->gone[a] = 1;
	ASSERT_EQ(tm->tid[a], waitpid(tm->tid[a], &status, __WALL));
	ASSERT_EQ(SIGTRAP | (PTRACE_EVENT_EXIT << 8), status >> 8);

	ASSERT_EQ(0, tg_team_share_cpu(tm, a))
		TH_LOG("one CPU for thread A and us: %s", strerror(errno));
	if (sched_setscheduler(0, SCHED_FIFO, &fifo))
		SKIP(return, "SCHED_FIFO: %s (CAP_SYS_NICE, RT runtime)",
		     strerror(errno));

	/* A is runnable on our CPU but cannot run before we drop FIFO. */
	ASSERT_EQ(0, ptrace(PTRACE_CONT, tm->tid[a], NULL, NULL));
	ASSERT_EQ(0, kill(tm->pid, sig));
	state_b = tg_task_state(tm->pid, tm->tid[b]);
	pending = tg_team_shared_pending(tm, sig);
	ASSERT_EQ(0, sched_setscheduler(0, SCHED_OTHER, &other));
	ASSERT_EQ('S', state_b)
		TH_LOG("B was woken: Linux did not pick the exiting A");
	ASSERT_TRUE(pending);

	ASSERT_EQ(tm->tid[a], waitpid(tm->tid[a], &status, __WALL));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_TRUE(tg_wait_count_or_stuck(&tm->hit[sig].count, 1, tm->pid,
					   tm->tid[b], sig))
		TH_LOG("the signal stays pending while B, which can take it, sleeps");
	EXPECT_EQ(tm->tid[b], tm->hit[sig].tid);
	ASSERT_EQ(0, tg_team_stop(tm));
	EXPECT_EQ(1, tm->hit[sig].count);
}

TEST_HARNESS_MAIN
