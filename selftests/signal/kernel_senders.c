// SPDX-License-Identifier: GPL-2.0
/*
 * Signals the kernel sends on its own behalf, and which queue they land
 * in: POSIX timers (SIGEV_SIGNAL to the process, SIGEV_THREAD_ID to one
 * thread; exec discards what the timers queued), the interval timers of
 * setitimer() (to the process), SIGIO to a file's owner
 * (F_SETOWN, F_SETOWN_EX), the parent-death signal, and mq_notify().
 *
 * As in pending_queue.c, the receiving threads block every signal and
 * /proc/PID/task/TID/status shows where the signal waits: SigPnd for a
 * thread's own queue, ShdPnd for the group's.  A signal sent from a timer
 * or on another task's exit is waited for by polling /proc until it is
 * pending: there is no other event to wait for.
 */
#define _GNU_SOURCE
#include <mqueue.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/time.h>

#include "../kselftest_harness.h"
#include "tg_util.h"

#define NR_SLEEPERS	3
#define AFTER_EXEC	"--tg-after-exec"

#ifndef F_SETSIG
#define F_SETSIG	10
#endif

/* Each thread's SigPnd bit (0 main, 1.. sleepers) and ShdPnd's. */
struct where {
	int thread[NR_SLEEPERS + 1];
	int shared;
};

static void where_pending(pid_t pid, const pid_t *tids, int sig,
			  struct where *w)
{
	int i;

	w->thread[0] = tg_sig_in(pid, pid, "SigPnd", sig);
	for (i = 0; i < NR_SLEEPERS; i++)
		w->thread[i + 1] = tg_sig_in(pid, tids[i], "SigPnd", sig);
	w->shared = tg_sig_in(pid, 0, "ShdPnd", sig);
}

static const char *where_str(const struct where *w)
{
	static char buf[80];

	snprintf(buf, sizeof(buf),
		 "SigPnd main %d, sleepers %d %d %d; ShdPnd %d",
		 w->thread[0], w->thread[1], w->thread[2], w->thread[3],
		 w->shared);
	return buf;
}

/* Only the queue @expect (0 shared, 1.. that thread) holds the signal. */
static bool only_in(const struct where *w, int expect)
{
	int i, n = w->shared;

	for (i = 0; i <= NR_SLEEPERS; i++)
		n += w->thread[i];
	if (n != 1)
		return false;
	return expect ? w->thread[expect] == 1 : w->shared == 1;
}

/* -- POSIX timers ------------------------------------------------------- */

FIXTURE(timer) {
	struct tg_sleepers s;
	timer_t timer;
	bool armed;
};

FIXTURE_VARIANT(timer) {
	int notify;		/* SIGEV_SIGNAL or SIGEV_THREAD_ID */
	int sig;
};

FIXTURE_VARIANT_ADD(timer, sigev_signal_sigusr1) {
	.notify = SIGEV_SIGNAL, .sig = SIGUSR1,
};

FIXTURE_VARIANT_ADD(timer, sigev_signal_sigrtmin) {
	.notify = SIGEV_SIGNAL, .sig = 41,
};

FIXTURE_VARIANT_ADD(timer, sigev_thread_id_sigusr1) {
	.notify = SIGEV_THREAD_ID, .sig = SIGUSR1,
};

FIXTURE_VARIANT_ADD(timer, sigev_thread_id_sigrtmin) {
	.notify = SIGEV_THREAD_ID, .sig = 41,
};

FIXTURE_SETUP(timer)
{
	tg_block_all();
	ASSERT_EQ(0, tg_start_sleepers(&self->s, NR_SLEEPERS));
	self->armed = false;
}

FIXTURE_TEARDOWN(timer)
{
	if (self->armed)
		timer_delete(self->timer);
}

TEST_F(timer, sigev_signal_goes_to_the_process_sigev_thread_id_to_its_thread)
{
	struct itimerspec once = { .it_value.tv_nsec = 1 };
	struct sigevent sev = { 0 };
	pid_t pid = getpid();
	struct where w;
	int expect;

	sev.sigev_notify = variant->notify;
	sev.sigev_signo = variant->sig;
	sev.sigev_value.sival_int = 17;
	expect = 0;
	if (variant->notify == SIGEV_THREAD_ID) {
		sev._sigev_un._tid = self->s.tid[1];
		expect = 2;
	}
	ASSERT_EQ(0, timer_create(CLOCK_MONOTONIC, &sev, &self->timer));
	self->armed = true;
	ASSERT_EQ(0, timer_settime(self->timer, 0, &once, NULL));
	ASSERT_EQ(0, tg_wait_pending_anywhere(pid, variant->sig));
	where_pending(pid, self->s.tid, variant->sig, &w);
	EXPECT_TRUE(only_in(&w, expect))
		TH_LOG("timer signal %d, %s: %s", variant->sig,
		       expect ? "SIGEV_THREAD_ID to sleeper 2" : "SIGEV_SIGNAL",
		       where_str(&w));
}

/* -- interval timers ---------------------------------------------------- */

FIXTURE(itimer) {
	struct tg_sleepers s;
	int armed;		/* the timer to disarm, or -1 */
};

FIXTURE_VARIANT(itimer) {
	int which;
	int sig;
};

FIXTURE_VARIANT_ADD(itimer, real_sigalrm) {
	.which = ITIMER_REAL, .sig = SIGALRM,
};

FIXTURE_VARIANT_ADD(itimer, virtual_sigvtalrm) {
	.which = ITIMER_VIRTUAL, .sig = SIGVTALRM,
};

FIXTURE_VARIANT_ADD(itimer, prof_sigprof) {
	.which = ITIMER_PROF, .sig = SIGPROF,
};

FIXTURE_SETUP(itimer)
{
	tg_block_all();
	ASSERT_EQ(0, tg_start_sleepers(&self->s, NR_SLEEPERS));
	self->armed = -1;
}

FIXTURE_TEARDOWN(itimer)
{
	const struct itimerval off = { 0 };

	if (self->armed >= 0)
		setitimer(self->armed, &off, NULL);
}

/*
 * Run in user space until @sig is pending in some queue of the process:
 * ITIMER_VIRTUAL counts only the process's user time, and ITIMER_PROF
 * its user and system time, so the timers expire only while it runs.
 */
static void spin_until_pending(pid_t pid, const pid_t *tids, int sig)
{
	unsigned long n;
	struct where w;
	int i, found;

	do {
		/* An empty asm keeps the compiler from dropping the loop. */
		for (n = 0; n < 1000000; n++)
			asm volatile("" : : : "memory");
		where_pending(pid, tids, sig, &w);
		found = w.shared == 1;
		for (i = 0; i <= NR_SLEEPERS; i++)
			found |= w.thread[i] == 1;
	} while (!found);
}

TEST_F(itimer, interval_timer_signals_go_to_the_process)
{
	struct itimerval once = { .it_value.tv_usec = 1000 };
	pid_t pid = getpid();
	struct where w;

	ASSERT_EQ(0, setitimer(variant->which, &once, NULL));
	self->armed = variant->which;
	spin_until_pending(pid, self->s.tid, variant->sig);
	where_pending(pid, self->s.tid, variant->sig, &w);
	EXPECT_TRUE(only_in(&w, 0))
		TH_LOG("interval timer %d's signal %d: %s", variant->which,
		       variant->sig, where_str(&w));
}

/* -- exec discards the timers' queued signals --------------------------- */

#define SIG_TIMER_PROC	42
#define SIG_TIMER_THREAD 43
#define SIG_QUEUED	44

/* The new image: which of the three signals are still pending. */
static int after_exec(void)
{
	sigset_t set;
	int ret = 0;

	if (sigpending(&set))
		return 64;
	if (sigismember(&set, SIG_TIMER_PROC))
		ret |= 1;
	if (sigismember(&set, SIG_TIMER_THREAD))
		ret |= 2;
	if (!sigismember(&set, SIG_QUEUED))
		ret |= 4;
	return ret;
}

static void exec_child(void)
{
	struct itimerspec once = { .it_value.tv_nsec = 1 };
	union sigval val = { .sival_int = 1 };
	struct sigevent sev = { 0 };
	static char * const argv[] = { "kernel_senders", AFTER_EXEC, NULL };
	timer_t t1, t2;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	tg_block_all();
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIG_TIMER_PROC;
	if (timer_create(CLOCK_MONOTONIC, &sev, &t1))
		_exit(65);
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIG_TIMER_THREAD;
	sev._sigev_un._tid = tg_gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &t2))
		_exit(66);
	if (timer_settime(t1, 0, &once, NULL) ||
	    timer_settime(t2, 0, &once, NULL))
		_exit(67);
	if (tg_wait_pending_anywhere(getpid(), SIG_TIMER_PROC) ||
	    tg_wait_pending_anywhere(getpid(), SIG_TIMER_THREAD))
		_exit(68);
	if (sigqueue(getpid(), SIG_QUEUED, val))
		_exit(69);
	execv("/proc/self/exe", argv);
	_exit(70);
}

TEST(exec_discards_signals_queued_by_posix_timers_keeps_others)
{
	int status;
	pid_t child;

	child = fork();
	ASSERT_GE(child, 0);
	if (!child)
		exec_child();
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("status %#x", status);
	ASSERT_LT(WEXITSTATUS(status), 64)
		TH_LOG("the child failed before or in exec: step %d",
		       WEXITSTATUS(status));
	EXPECT_EQ(0, WEXITSTATUS(status) & 1)
		TH_LOG("SIGEV_SIGNAL timer's signal %d survived exec",
		       SIG_TIMER_PROC);
	EXPECT_EQ(0, WEXITSTATUS(status) & 2)
		TH_LOG("SIGEV_THREAD_ID timer's signal %d survived exec",
		       SIG_TIMER_THREAD);
	EXPECT_EQ(0, WEXITSTATUS(status) & 4)
		TH_LOG("sigqueue()'s signal %d did not survive exec",
		       SIG_QUEUED);
}

/* -- SIGIO to the owner of a file --------------------------------------- */

enum owner { O_SETOWN_PID, O_SETOWN_PGRP, O_EX_PID, O_EX_TID, O_EX_PGRP };

FIXTURE(sigio) {
	struct tg_sleepers s;
	int fd[2];
};

FIXTURE_VARIANT(sigio) {
	int owner;
	int sig;		/* F_SETSIG, 0 for SIGIO */
};

FIXTURE_VARIANT_ADD(sigio, f_setown_pid) { .owner = O_SETOWN_PID };
FIXTURE_VARIANT_ADD(sigio, f_setown_pgrp) { .owner = O_SETOWN_PGRP };
FIXTURE_VARIANT_ADD(sigio, f_owner_pid) { .owner = O_EX_PID };
FIXTURE_VARIANT_ADD(sigio, f_owner_tid) { .owner = O_EX_TID };
FIXTURE_VARIANT_ADD(sigio, f_owner_pgrp) { .owner = O_EX_PGRP };
FIXTURE_VARIANT_ADD(sigio, f_owner_tid_f_setsig) {
	.owner = O_EX_TID, .sig = 45,
};

FIXTURE_VARIANT_ADD(sigio, f_owner_pid_f_setsig) {
	.owner = O_EX_PID, .sig = 45,
};

FIXTURE_SETUP(sigio)
{
	tg_block_all();
	ASSERT_EQ(0, tg_start_sleepers(&self->s, NR_SLEEPERS));
	/* Our own process group, so that F_OWNER_PGRP reaches us only. */
	ASSERT_EQ(0, setpgid(0, 0));
	ASSERT_EQ(0, pipe2(self->fd, O_CLOEXEC));
}

FIXTURE_TEARDOWN(sigio)
{
	close(self->fd[0]);
	close(self->fd[1]);
}

TEST_F(sigio, sigio_goes_to_the_owner_thread_only_with_f_owner_tid)
{
	int sig = variant->sig ? variant->sig : SIGIO;
	struct f_owner_ex ex = { 0 };
	pid_t pid = getpid();
	struct where w;
	int expect = 0;
	char c = 1;

	switch (variant->owner) {
	case O_SETOWN_PID:
		ASSERT_EQ(0, fcntl(self->fd[0], F_SETOWN, pid));
		break;
	case O_SETOWN_PGRP:
		ASSERT_EQ(0, fcntl(self->fd[0], F_SETOWN, -getpgrp()));
		break;
	default:
		ex.type = variant->owner == O_EX_TID ? F_OWNER_TID :
			  variant->owner == O_EX_PGRP ? F_OWNER_PGRP :
			  F_OWNER_PID;
		ex.pid = variant->owner == O_EX_TID ? self->s.tid[2] :
			 variant->owner == O_EX_PGRP ? getpgrp() : pid;
		if (variant->owner == O_EX_TID)
			expect = 3;
		ASSERT_EQ(0, fcntl(self->fd[0], F_SETOWN_EX, &ex));
	}
	if (variant->sig)
		ASSERT_EQ(0, fcntl(self->fd[0], F_SETSIG, variant->sig));
	ASSERT_EQ(0, fcntl(self->fd[0], F_SETFL, O_ASYNC | O_NONBLOCK));
	ASSERT_EQ(1, write(self->fd[1], &c, 1));
	/* kill_fasync() ran in write(): the signal is queued by now. */
	where_pending(pid, self->s.tid, sig, &w);
	EXPECT_TRUE(only_in(&w, expect))
		TH_LOG("signal %d to the owner (%s): %s", sig,
		       expect ? "F_OWNER_TID sleeper 3" : "the process",
		       where_str(&w));
}

/* -- the parent-death signal -------------------------------------------- */

struct pdeath {
	struct tg_event ready;
	pid_t grandchild;
	pid_t forker_tid;
};

static void *forker(void *p)
{
	struct pdeath *pd = p;
	pid_t c;

	pd->forker_tid = tg_gettid();
	c = fork();
	if (c < 0)
		return NULL;
	if (!c) {
		tg_block_all();
		if (prctl(PR_SET_PDEATHSIG, SIGUSR1))
			_exit(1);
		tg_event_post(&pd->ready);
		for (;;)
			pause();
	}
	/* Return, and so exit, only once the child asked for the signal. */
	if (tg_event_wait(&pd->ready))
		return NULL;
	pd->grandchild = c;
	return NULL;
}

FIXTURE(pdeath) {
	pid_t middle, grandchild;
	struct pdeath *pd;
};

FIXTURE_VARIANT(pdeath) {
	bool thread_exits;	/* only the forking thread exits, else all */
};

FIXTURE_VARIANT_ADD(pdeath, forking_thread_exits) { .thread_exits = true };
FIXTURE_VARIANT_ADD(pdeath, parent_process_exits) { .thread_exits = false };

FIXTURE_SETUP(pdeath)
{
	self->pd = mmap(NULL, sizeof(*self->pd), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->pd);
	ASSERT_EQ(0, tg_event_init(&self->pd->ready));
	/* Orphans come to us, so that we can look at them and reap them. */
	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	self->middle = 0;
	self->grandchild = 0;
}

FIXTURE_TEARDOWN(pdeath)
{
	tg_reap(&self->grandchild);
	tg_reap(&self->middle);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

TEST_F(pdeath, linux_pdeath_signal_when_the_forking_thread_exits)
{
	const struct timespec ms = { .tv_nsec = 1000000 };
	struct tg_event tid_ev;
	pthread_t th;
	int status;

	ASSERT_EQ(0, tg_event_init(&tid_ev));
	self->middle = fork();
	ASSERT_GE(self->middle, 0);
	if (!self->middle) {
		if (variant->thread_exits) {
			/* A thread forks, posts its tid, and exits. */
			if (pthread_create(&th, NULL, forker, self->pd))
				_exit(1);
			pthread_join(th, NULL);
		} else {
			forker(self->pd);
		}
		if (write(tid_ev.fd[1], &self->pd->grandchild,
			  sizeof(pid_t)) != sizeof(pid_t))
			_exit(2);
		if (!variant->thread_exits)
			_exit(0);
		for (;;)
			pause();
	}
	ASSERT_EQ(sizeof(pid_t), read(tid_ev.fd[0], &self->grandchild,
				      sizeof(pid_t)));
	tg_event_close(&tid_ev);
	ASSERT_GT(self->grandchild, 0);

	if (variant->thread_exits) {
		/*
		 * The forking thread is gone from /proc only after its
		 * exit_notify() handed its children on, with the signal.
		 */
		while (tg_task_state(self->middle, self->pd->forker_tid))
			nanosleep(&ms, NULL);
	} else {
		ASSERT_EQ(self->middle, waitpid(self->middle, &status, 0));
		self->middle = 0;
	}
	EXPECT_EQ(1, tg_sig_in(self->grandchild, 0, "ShdPnd", SIGUSR1))
		TH_LOG("SIGUSR1, the parent-death signal, is not in ShdPnd");
	EXPECT_EQ(0, tg_sig_in(self->grandchild, self->grandchild, "SigPnd",
			       SIGUSR1));
}

/* -- mq_notify() --------------------------------------------------------- */

FIXTURE(mqueue) {
	struct tg_sleepers s;
	char name[64];
	mqd_t mq;
};

FIXTURE_SETUP(mqueue)
{
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 8 };

	tg_block_all();
	ASSERT_EQ(0, tg_start_sleepers(&self->s, NR_SLEEPERS));
	snprintf(self->name, sizeof(self->name), "/tg_signal_%d", getpid());
	self->mq = mq_open(self->name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	if (self->mq == (mqd_t)-1 && !tg_fs_built_in("mqueue"))
		SKIP(return, "no mqueue file system: needs CONFIG_POSIX_MQUEUE");
	ASSERT_NE((mqd_t)-1, self->mq) TH_LOG("mq_open: %s", strerror(errno));
	mq_unlink(self->name);
}

FIXTURE_TEARDOWN(mqueue)
{
	if (self->mq != (mqd_t)-1)
		mq_close(self->mq);
}

TEST_F(mqueue, mq_notify_signal_goes_to_the_process_with_si_mesgq)
{
	const struct timespec zero = { 0 };
	struct sigevent sev = { 0 };
	pid_t pid = getpid();
	struct where w;
	siginfo_t si;
	sigset_t set;

	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR2;
	sev.sigev_value.sival_int = 99;
	ASSERT_EQ(0, mq_notify(self->mq, &sev));
	ASSERT_EQ(0, mq_send(self->mq, "x", 1, 0));
	/* __do_notify() ran in mq_send(). */
	where_pending(pid, self->s.tid, SIGUSR2, &w);
	EXPECT_TRUE(only_in(&w, 0))
		TH_LOG("mq_notify()'s SIGUSR2: %s", where_str(&w));
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	ASSERT_EQ(SIGUSR2, sigtimedwait(&set, &si, &zero));
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(99, si.si_value.sival_int);
	EXPECT_EQ(pid, si.si_pid);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], AFTER_EXEC))
		return after_exec();
	return test_harness_run(argc, argv);
}
