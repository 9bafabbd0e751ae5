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
#include "tg_util.h"

#define NR_MAX		8
#define CHILD_STACK	(64 * 1024)

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
	OP_NONE,
	OP_QUIT,
	OP_UNBLOCK,	/* res: handler runs seen right after the unblock */
	OP_PENDING,	/* res: arg is in sigpending() */
	OP_SIGWAIT,	/* res: signal taken, res2: its si_pid */
	OP_SIGNALFD,	/* res: signal read, res2: its ssi_pid */
	OP_FAULT,	/* res: 1 when the handler jumped back */
	OP_WRITE_PIPE,	/* res: errno of the write */
	OP_WRITE_FSIZE,	/* res: errno of the write */
	OP_VFORK,	/* sleep in vfork() until team->release */
	OP_EXIT,	/* raw exit(2) of this thread */
};

enum fault { F_SEGV, F_BUS, F_FPE, F_ILL, F_TRAP };

struct hit {
	int claimed;
	int count;	/* handler runs, futex word */
	pid_t tid;	/* thread of the first run */
	int code;	/* its si_code */
	pid_t pid;	/* its si_pid */
};

struct team {
	pid_t tester, pid;
	int nr;					/* threads, main included */
	unsigned long long blocked[NR_MAX];	/* initial masks */
	unsigned long long caught;		/* signals with a handler */
	/* hold_sig's handler blocks hold_for, returns once hold_for ran */
	int hold_sig, hold_for;
	int fault_sig;
	pid_t tid[NR_MAX];
	int gone[NR_MAX];
	int ready;
	int idle[NR_MAX];	/* set just before waiting for a command */
	int cmd[NR_MAX];
	int done[NR_MAX];
	int op[NR_MAX], arg[NR_MAX];
	long res[NR_MAX], res2[NR_MAX];
	int release;		/* lets the vfork child exit */
	int in_child;
	pid_t fault_tid;
	int *null;
	struct hit hit[_NSIG];
};

static struct team *tm;
static sigjmp_buf fault_jb;

static void set_of(sigset_t *set, unsigned long long bits)
{
	int sig;

	sigemptyset(set);
	for (sig = 1; sig <= 64; sig++)
		if (bits & TG_SIGBIT(sig))
			sigaddset(set, sig);
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	struct hit *h = &tm->hit[sig];
	int saved = errno;

	if (!__atomic_fetch_add(&h->claimed, 1, __ATOMIC_ACQ_REL)) {
		h->tid = tg_gettid();
		h->code = si->si_code;
		h->pid = si->si_pid;
	}
	tg_add_and_wake(&h->count, 1);
	if (sig == tm->hold_sig)
		tg_wait_at_least(&tm->hit[tm->hold_for].count, 1);
	if (sig == tm->fault_sig && tg_gettid() == tm->fault_tid)
		siglongjmp(fault_jb, 1);
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

static void do_fault(int i, int kind)
{
	int zero = 0, one = 1, *p;
	int fd;

	switch (kind) {
	case F_SEGV:
		*tm->null = 1;
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
		tm->res[i] = one / zero;
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

static void run_op(int i)
{
	struct signalfd_siginfo ssi;
	char *stack;
	sigset_t set;
	siginfo_t si;
	pid_t child;
	int fd[2];

	sigemptyset(&set);
	sigaddset(&set, tm->arg[i]);
	switch (tm->op[i]) {
	case OP_UNBLOCK:
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		tm->res[i] = __atomic_load_n(&tm->hit[tm->arg[i]].count,
					     __ATOMIC_ACQUIRE);
		break;
	case OP_PENDING:
		sigpending(&set);
		tm->res[i] = sigismember(&set, tm->arg[i]);
		break;
	case OP_SIGWAIT:
		tm->res[i] = sigwaitinfo(&set, &si);
		tm->res2[i] = si.si_pid;
		break;
	case OP_SIGNALFD:
		tm->res[i] = -1;
		fd[0] = signalfd(-1, &set, SFD_CLOEXEC);
		if (fd[0] < 0)
			break;
		if (read(fd[0], &ssi, sizeof(ssi)) == sizeof(ssi)) {
			tm->res[i] = ssi.ssi_signo;
			tm->res2[i] = ssi.ssi_pid;
		}
		close(fd[0]);
		break;
	case OP_FAULT:
		tm->fault_tid = tg_gettid();
		tm->res[i] = 0;
		if (sigsetjmp(fault_jb, 1))
			tm->res[i] = 1;
		else
			do_fault(i, tm->arg[i]);
		break;
	case OP_WRITE_PIPE:
		tm->res[i] = 0;
		if (pipe2(fd, O_CLOEXEC))
			break;
		close(fd[0]);
		if (write(fd[1], "x", 1) < 0)
			tm->res[i] = errno;
		close(fd[1]);
		break;
	case OP_WRITE_FSIZE:
		tm->res[i] = 0;
		fd[0] = memfd_create("tg_fsize", MFD_CLOEXEC);
		if (pwrite(fd[0], "x", 1, getpagesize()) < 0)
			tm->res[i] = errno;
		close(fd[0]);
		break;
	case OP_VFORK:
		stack = malloc(CHILD_STACK);
		child = stack ? clone(vfork_child, stack + CHILD_STACK,
				      CLONE_VM | CLONE_VFORK, NULL) : -1;
		tm->res[i] = child > 0 &&
			     waitpid(child, NULL, __WALL) == child;
		free(stack);
		break;
	case OP_EXIT:
		syscall(__NR_exit, 0);
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
	struct rlimit rl = { getpagesize(), RLIM_INFINITY };
	sigset_t set;
	int i, sig;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != tm->tester)
		return 1;
	if (setrlimit(RLIMIT_FSIZE, &rl))
		return 2;
	for (sig = 1; sig <= 64; sig++) {
		if (!(tm->caught & TG_SIGBIT(sig)))
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_signal;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		if (sig == tm->hold_sig)
			sigaddset(&sa.sa_mask, tm->hold_for);
		if (sigaction(sig, &sa, NULL))
			return 3;
	}
	set_of(&set, tm->blocked[0]);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	tm->tid[0] = tg_gettid();
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
		if (!waitid(P_PID, tm->pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
		    si.si_pid)
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

	for (i = tm->nr - 1; i >= 0; i--)
		if (!tm->gone[i])
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

/* memfd_create() needs CONFIG_MEMFD_CREATE, that is tmpfs or hugetlbfs. */
static bool have_memfd(void)
{
	int fd = memfd_create("tg_probe", MFD_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
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

/*
 * tgkill() and rt_tgsigqueueinfo() name a thread: the handler runs there,
 * whichever other threads could take the signal.
 */
FIXTURE(thread_directed) {
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
	ASSERT_NE(NULL, team_new());
}

FIXTURE_TEARDOWN(thread_directed)
{
	team_kill();
}

TEST_F(thread_directed, signal_runs_on_target_thread)
{
	siginfo_t si;
	int i, ret, runs = 0;

	tm->nr = 4;
	tm->caught = TG_SIGBIT(SIGUSR1);
	ASSERT_TRUE(team_start());

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
		ASSERT_TRUE(team_wait(&tm->hit[SIGUSR1].count, ++runs));
		EXPECT_EQ(tm->tid[i], tm->hit[SIGUSR1].tid)
			TH_LOG("signal for thread %d ran elsewhere", i);
		ASSERT_TRUE(team_idle(i));
	}
	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(runs, tm->hit[SIGUSR1].count);
}

/*
 * kill(), sigqueue() and pidfd_send_signal() name the process: the
 * handler runs once, on a thread that does not block the signal, here
 * the only such thread.
 */
FIXTURE(process_directed) {
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
	ASSERT_NE(NULL, team_new());
}

FIXTURE_TEARDOWN(process_directed)
{
	team_kill();
}

TEST_F(process_directed, runs_once_on_the_only_thread_not_blocking_it)
{
	int i, ret, pidfd, how;

	tm->nr = 4;
	tm->caught = TG_SIGBIT(SIGUSR1);
	for (i = 0; i < tm->nr; i++)
		if (i != variant->taker)
			tm->blocked[i] = TG_SIGBIT(SIGUSR1);
	ASSERT_TRUE(team_start());
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
		ASSERT_TRUE(team_wait(&tm->hit[SIGUSR1].count, how + 1));
		EXPECT_EQ(tm->tid[variant->taker], tm->hit[SIGUSR1].tid)
			TH_LOG("sender %d: ran on a thread that blocks it",
			       how);
		ASSERT_TRUE(team_idle(variant->taker));
	}
	close(pidfd);
	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(3, tm->hit[SIGUSR1].count);
}

/*
 * A fault is reported to the thread that faulted, even though the main
 * thread and the others sit idle with the signal unblocked.
 */
FIXTURE(sync_fault) {
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
	ASSERT_NE(NULL, team_new());
}

FIXTURE_TEARDOWN(sync_fault)
{
	team_kill();
}

TEST_F(sync_fault, runs_on_faulting_thread)
{
	const int faulter = 2;

	if (!variant->supported)
		SKIP(return, "no trapping instruction for this architecture");
	if (variant->kind == F_BUS && !have_memfd())
		SKIP(return, "memfd_create(): %s, CONFIG_TMPFS?",
		     strerror(errno));
	tm->nr = 4;
	tm->caught = TG_SIGBIT(variant->sig);
	tm->fault_sig = variant->sig;
	ASSERT_TRUE(team_start());

	ASSERT_TRUE(team_run(faulter, OP_FAULT, variant->kind));
	ASSERT_EQ(1, tm->res[faulter])
		TH_LOG("the faulting thread did not get the %s",
		       strsignal(variant->sig));
	EXPECT_EQ(tm->tid[faulter], tm->hit[variant->sig].tid);
	EXPECT_GT(tm->hit[variant->sig].code, 0)
		TH_LOG("si_code %d is not kernel generated",
		       tm->hit[variant->sig].code);
	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(1, tm->hit[variant->sig].count);
}

/*
 * SIGPIPE (write to a pipe without readers) and SIGXFSZ (write beyond
 * RLIMIT_FSIZE) go to the thread that wrote, along with the error.
 */
FIXTURE(write_error) {
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
	ASSERT_NE(NULL, team_new());
}

FIXTURE_TEARDOWN(write_error)
{
	team_kill();
}

TEST_F(write_error, signal_runs_on_writing_thread)
{
	const int writer = 2;

	if (variant->op == OP_WRITE_FSIZE && !have_memfd())
		SKIP(return, "memfd_create(): %s, CONFIG_TMPFS?",
		     strerror(errno));
	tm->nr = 4;
	tm->caught = TG_SIGBIT(variant->sig);
	ASSERT_TRUE(team_start());

	ASSERT_TRUE(team_run(writer, variant->op, 0));
	ASSERT_EQ(variant->err, tm->res[writer]);
	ASSERT_EQ(1, tm->hit[variant->sig].count);
	EXPECT_EQ(tm->tid[writer], tm->hit[variant->sig].tid);
	ASSERT_EQ(0, team_stop());
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
};

FIXTURE_VARIANT(blocked_everywhere) {
	int op;
};

FIXTURE_VARIANT_ADD(blocked_everywhere, unblock) {
	.op = OP_UNBLOCK,
};

FIXTURE_VARIANT_ADD(blocked_everywhere, sigwaitinfo) {
	.op = OP_SIGWAIT,
};

FIXTURE_VARIANT_ADD(blocked_everywhere, signalfd) {
	.op = OP_SIGNALFD,
};

FIXTURE_SETUP(blocked_everywhere)
{
	ASSERT_NE(NULL, team_new());
}

FIXTURE_TEARDOWN(blocked_everywhere)
{
	team_kill();
}

TEST_F(blocked_everywhere, stays_pending_process_wide_until_a_thread_takes_it)
{
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
	ASSERT_TRUE(team_start());

	ASSERT_EQ(0, kill(tm->pid, sig));
	ASSERT_TRUE(shared_pending(sig));
	for (i = 0; i < tm->nr; i++) {
		EXPECT_FALSE(thread_pending(i, sig))
			TH_LOG("thread %d has it in SigPnd", i);
		ASSERT_TRUE(team_run(i, OP_PENDING, sig));
		EXPECT_EQ(1, tm->res[i])
			TH_LOG("sigpending() of thread %d misses it", i);
	}
	ASSERT_TRUE(shared_pending(sig));
	ASSERT_EQ(0, tm->hit[sig].count);

	ASSERT_TRUE(team_run(taker, variant->op, sig));
	if (variant->op == OP_UNBLOCK) {
		EXPECT_EQ(1, tm->res[taker])
			TH_LOG("handler had not run when the unblock returned");
		EXPECT_EQ(tm->tid[taker], tm->hit[sig].tid);
		EXPECT_EQ(SI_USER, tm->hit[sig].code);
		EXPECT_EQ(getpid(), tm->hit[sig].pid);
	} else {
		EXPECT_EQ(sig, tm->res[taker]);
		EXPECT_EQ(getpid(), tm->res2[taker]);
	}
	EXPECT_FALSE(shared_pending(sig));
	for (i = 0; i < tm->nr; i++) {
		ASSERT_TRUE(team_run(i, OP_PENDING, sig));
		EXPECT_EQ(0, tm->res[i]);
	}
	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(variant->op == OP_UNBLOCK, tm->hit[sig].count);
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
};

FIXTURE_SETUP(handoff)
{
	ASSERT_NE(NULL, team_new());
}

FIXTURE_TEARDOWN(handoff)
{
	team_kill();
}

TEST_F(handoff, linux_pending_signal_moves_on_when_chosen_thread_blocks_it)
{
	const int a = 1, b = 2, s1 = SIGUSR1, s2 = SIGUSR2;

	tm->nr = 3;
	tm->caught = TG_SIGBIT(s1) | TG_SIGBIT(s2);
	tm->hold_sig = s1;
	tm->hold_for = s2;
	tm->blocked[0] = TG_SIGBIT(s1) | TG_SIGBIT(s2);
	tm->blocked[b] = TG_SIGBIT(s1);
	ASSERT_TRUE(team_start());

	/* A sleeps uninterruptibly in vfork(): it can be picked, not woken. */
	team_post(a, OP_VFORK, 0);
	ASSERT_TRUE(team_wait(&tm->in_child, 1));
	ASSERT_EQ('D', tg_wait_task_state(tm->pid, tm->tid[a], "D"));

	ASSERT_EQ(0, kill(tm->pid, s2));
	ASSERT_EQ('S', tg_task_state(tm->pid, tm->tid[b]))
		TH_LOG("B was woken: Linux did not pick A first");
	ASSERT_TRUE(shared_pending(s2));
	/* Nobody can be picked for s1: A has a signal pending already. */
	ASSERT_EQ(0, kill(tm->pid, s1));
	ASSERT_TRUE(shared_pending(s1));

	/*
	 * A dequeues s1 first (lowest number); its handler blocks s2 while
	 * s2 is still queued for A.  A's handler returns only after s2 ran.
	 */
	tg_add_and_wake(&tm->release, 1);
	ASSERT_TRUE(team_wait(&tm->hit[s1].count, 1));
	EXPECT_EQ(tm->tid[a], tm->hit[s1].tid);
	ASSERT_TRUE(tg_wait_count_or_stuck(&tm->hit[s2].count, 1, tm->pid,
					   tm->tid[b], s2))
		TH_LOG("s2 stays pending while B, which can take it, sleeps");
	EXPECT_EQ(tm->tid[b], tm->hit[s2].tid);

	ASSERT_TRUE(team_wait(&tm->done[a], 1));
	EXPECT_EQ(1, tm->res[a]);
	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(1, tm->hit[s1].count);
	EXPECT_EQ(1, tm->hit[s2].count);
}

TEST_F(handoff, linux_pending_signal_moves_on_when_chosen_thread_exits)
{
	const int a = 1, b = 2, sig = SIGUSR2;
	struct sched_param fifo = { .sched_priority = 1 }, other = { 0 };
	cpu_set_t cpus, one;
	int cpu, status;
	char state_b;
	bool pending;

	tm->nr = 3;
	tm->caught = TG_SIGBIT(sig);
	tm->blocked[0] = TG_SIGBIT(sig);
	ASSERT_TRUE(team_start());

	if (ptrace(PTRACE_SEIZE, tm->tid[a], NULL,
		   (void *)PTRACE_O_TRACEEXIT))
		SKIP(return, "cannot ptrace a thread of a child: %s",
		     strerror(errno));
	team_post(a, OP_EXIT, 0);
	tm->gone[a] = 1;
	ASSERT_EQ(tm->tid[a], waitpid(tm->tid[a], &status, __WALL));
	ASSERT_EQ(SIGTRAP | (PTRACE_EVENT_EXIT << 8), status >> 8);

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(cpus), &cpus));
	for (cpu = 0; !CPU_ISSET(cpu, &cpus); cpu++)
		;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ASSERT_EQ(0, sched_setaffinity(tm->tid[a], sizeof(one), &one));
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	if (sched_setscheduler(0, SCHED_FIFO, &fifo))
		SKIP(return, "SCHED_FIFO: %s (CAP_SYS_NICE, RT runtime)",
		     strerror(errno));

	/* A is runnable on our CPU but cannot run before we drop FIFO. */
	ASSERT_EQ(0, ptrace(PTRACE_CONT, tm->tid[a], NULL, NULL));
	ASSERT_EQ(0, kill(tm->pid, sig));
	state_b = tg_task_state(tm->pid, tm->tid[b]);
	pending = shared_pending(sig);
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
	ASSERT_EQ(0, team_stop());
	EXPECT_EQ(1, tm->hit[sig].count);
}

TEST_HARNESS_MAIN
