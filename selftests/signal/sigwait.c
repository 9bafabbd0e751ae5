// SPDX-License-Identifier: GPL-2.0
/*
 * A thread waiting for a signal in sigwaitinfo(), sigtimedwait() or a
 * signalfd read takes it, even when its default action would kill the
 * group: complete_signal() does not broadcast a fatal signal that the
 * chosen thread has in real_blocked (it is waiting for it).  SIGKILL and
 * SIGSTOP are never taken by a wait, whatever the set asks for.
 *
 * Every test forks a subject whose threads block the signal, SIG_DFL; one
 * of them (the waiter) waits for it and reports what it got through a
 * MAP_SHARED page.  The test sends the signal only once the waiter sleeps
 * in its wait: sent earlier, the signal would just stay pending (blocked
 * everywhere) and the exception would not be exercised.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>

#include "../kselftest_harness.h"
#include "tg_util.h"

enum wait_kind { W_SIGWAITINFO, W_SIGTIMEDWAIT, W_SIGNALFD };

struct shared {
	int waiting;		/* the waiter is about to wait */
	pid_t waiter_tid;
	int got;		/* the signal the wait returned, or -errno */
	pid_t got_pid;		/* its si_pid */
	int forever;
};

static struct shared *sh;
/* The waiter writes a byte once it reported; EOF when the subject died. */
static struct tg_event reported;

/* Wait for @set the @kind way; the signal, or -errno. */
static int wait_for(int kind, const sigset_t *set, pid_t *from)
{
	const struct timespec hour = { .tv_sec = 3600 };
	struct signalfd_siginfo ssi;
	siginfo_t si = { 0 };
	int fd, sig;

	switch (kind) {
	case W_SIGWAITINFO:
		sig = sigwaitinfo(set, &si);
		break;
	case W_SIGTIMEDWAIT:
		sig = sigtimedwait(set, &si, &hour);
		break;
	default:
		fd = signalfd(-1, set, SFD_CLOEXEC);
		if (fd < 0)
			return -errno;
		tg_add_and_wake(&sh->waiting, 1);
		if (read(fd, &ssi, sizeof(ssi)) != sizeof(ssi))
			return -errno;
		close(fd);
		*from = ssi.ssi_pid;
		return ssi.ssi_signo;
	}
	if (sig < 0)
		return -errno;
	*from = si.si_pid;
	return sig;
}

struct waiter_arg {
	int kind, sig;
};

static void *waiter(void *p)
{
	struct waiter_arg *a = p;
	pid_t from = 0;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, a->sig);
	sh->waiter_tid = tg_gettid();
	tg_add_and_wake(&sh->waiting, 1);
	sh->got = wait_for(a->kind, &set, &from);
	sh->got_pid = from;
	tg_add_and_wake(&sh->waiting, 10);
	tg_event_post(&reported);
	for (;;)
		tg_futex_wait(&sh->forever, 0);
	return NULL;
}

FIXTURE(fatal) {
	pid_t child;
};

FIXTURE_VARIANT(fatal) {
	int kind;
	bool on_main;		/* the main thread waits, else a second one */
	bool tgkill;		/* tgkill() the waiter, else kill() */
	int sig;
};

FIXTURE_VARIANT_ADD(fatal, sigwaitinfo_on_main_kill) {
	.kind = W_SIGWAITINFO, .on_main = true, .sig = SIGUSR1,
};

FIXTURE_VARIANT_ADD(fatal, sigwaitinfo_on_other_kill) {
	.kind = W_SIGWAITINFO, .sig = SIGTERM,
};

FIXTURE_VARIANT_ADD(fatal, sigwaitinfo_on_other_tgkill) {
	.kind = W_SIGWAITINFO, .tgkill = true, .sig = SIGUSR2,
};

FIXTURE_VARIANT_ADD(fatal, sigtimedwait_on_other_kill_rt) {
	.kind = W_SIGTIMEDWAIT, .sig = 40,
};

FIXTURE_VARIANT_ADD(fatal, sigtimedwait_on_main_kill_core) {
	.kind = W_SIGTIMEDWAIT, .on_main = true, .sig = SIGQUIT,
};

FIXTURE_VARIANT_ADD(fatal, signalfd_on_other_kill) {
	.kind = W_SIGNALFD, .sig = SIGUSR1,
};

FIXTURE_VARIANT_ADD(fatal, signalfd_on_main_tgkill) {
	.kind = W_SIGNALFD, .on_main = true, .tgkill = true, .sig = SIGHUP,
};

FIXTURE_SETUP(fatal)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	ASSERT_EQ(0, tg_event_init(&reported));
	self->child = 0;
}

FIXTURE_TEARDOWN(fatal)
{
	tg_reap(&self->child);
	tg_event_close(&reported);
	munmap(sh, sizeof(*sh));
}

static void *idle(void *unused)
{
	for (;;)
		tg_futex_wait(&sh->forever, 0);
	return NULL;
}

static void subject(int kind, bool on_main, int sig)
{
	struct waiter_arg arg = { .kind = kind, .sig = sig };
	pthread_t th;
	sigset_t set;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (on_main) {
		if (pthread_create(&th, NULL, idle, NULL))
			_exit(1);
		waiter(&arg);
	}
	if (pthread_create(&th, NULL, waiter, &arg))
		_exit(1);
	for (;;)
		tg_futex_wait(&sh->forever, 0);
}

TEST_F(fatal, waiting_thread_takes_blocked_fatal_signal_group_lives)
{
	int status;
	pid_t tid;

	self->child = fork();
	ASSERT_GE(self->child, 0);
	if (!self->child)
		subject(variant->kind, variant->on_main, variant->sig);
	close(reported.fd[1]);
	reported.fd[1] = -1;

	tg_wait_at_least(&sh->waiting, 1);
	tid = sh->waiter_tid;
	/* Asleep in the wait; a signalfd waiter sleeps in read(). */
	if (variant->kind == W_SIGNALFD)
		tg_wait_at_least(&sh->waiting, 2);
	ASSERT_EQ('S', tg_wait_task_state(self->child, tid, "S"))
		TH_LOG("the waiter %d is gone", tid);

	ASSERT_EQ(0, variant->tgkill ?
		  tg_tgkill(self->child, tid, variant->sig) :
		  kill(self->child, variant->sig));

	/* Either the waiter reports, or the group died of the signal. */
	if (tg_event_wait(&reported)) {
		ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
		self->child = 0;
		ASSERT_TRUE(false)
			TH_LOG("signal %d to a thread waiting for it ended the group: %s %d",
			       variant->sig,
			       WIFSIGNALED(status) ? "killed by" : "exit",
			       WIFSIGNALED(status) ? WTERMSIG(status) :
			       WEXITSTATUS(status));
	}
	EXPECT_EQ(variant->sig, sh->got)
		TH_LOG("the wait returned %d", sh->got);
	EXPECT_EQ(getpid(), sh->got_pid);
	EXPECT_EQ(0, waitpid(self->child, &status, WNOHANG))
		TH_LOG("the group ended after the wait took signal %d",
		       variant->sig);
}

/* -- SIGKILL and SIGSTOP ------------------------------------------------ */

FIXTURE(never) {
	pid_t child;
};

FIXTURE_VARIANT(never) {
	int kind;
	int sig;
};

FIXTURE_VARIANT_ADD(never, sigkill_sigtimedwait) {
	.kind = W_SIGTIMEDWAIT, .sig = SIGKILL,
};

FIXTURE_VARIANT_ADD(never, sigkill_signalfd) {
	.kind = W_SIGNALFD, .sig = SIGKILL,
};

FIXTURE_VARIANT_ADD(never, sigstop_sigtimedwait) {
	.kind = W_SIGTIMEDWAIT, .sig = SIGSTOP,
};

FIXTURE_VARIANT_ADD(never, sigstop_signalfd) {
	.kind = W_SIGNALFD, .sig = SIGSTOP,
};

FIXTURE_SETUP(never)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	self->child = 0;
}

FIXTURE_TEARDOWN(never)
{
	tg_reap(&self->child);
	munmap(sh, sizeof(*sh));
}

/*
 * The raw system call with every signal in the set: the C library may
 * take signals out of it.
 */
static int raw_wait_all(int kind)
{
	struct signalfd_siginfo ssi;
	unsigned long long all = ~0ULL;
	siginfo_t si;
	int fd, ret;

	if (kind == W_SIGNALFD) {
		fd = syscall(__NR_signalfd4, -1, &all, sizeof(all), 0);
		if (fd < 0)
			return -errno;
		tg_add_and_wake(&sh->waiting, 1);
		ret = read(fd, &ssi, sizeof(ssi));
		return ret == sizeof(ssi) ? (int)ssi.ssi_signo : -errno;
	}
	tg_add_and_wake(&sh->waiting, 1);
	ret = syscall(__NR_rt_sigtimedwait, &all, &si, NULL, sizeof(all));
	return ret < 0 ? -errno : ret;
}

TEST_F(never, sigkill_and_sigstop_are_never_taken_by_a_wait)
{
	unsigned long long all = ~0ULL;
	int status;

	self->child = fork();
	ASSERT_GE(self->child, 0);
	if (!self->child) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		syscall(__NR_rt_sigprocmask, SIG_BLOCK, &all, NULL,
			sizeof(all));
		sh->got = raw_wait_all(variant->kind);
		/* Exit at once: a stopped or killed group never gets here. */
		_exit(0);
	}
	tg_wait_at_least(&sh->waiting, 1);
	ASSERT_EQ('S', tg_wait_task_state(self->child, self->child, "S"));
	ASSERT_EQ(0, kill(self->child, variant->sig));

	ASSERT_EQ(self->child, waitpid(self->child, &status, WUNTRACED));
	if (variant->sig == SIGSTOP) {
		EXPECT_TRUE(WIFSTOPPED(status))
			TH_LOG("SIGSTOP to a waiting process: status %#x, wait %d",
			       status, sh->got);
	} else {
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			TH_LOG("SIGKILL to a process waiting for it: status %#x",
			       status);
		self->child = 0;
	}
	EXPECT_EQ(0, sh->got)
		TH_LOG("a wait for every signal returned %d", sh->got);
}

TEST_HARNESS_MAIN
