// SPDX-License-Identifier: GPL-2.0
/*
 * The parent of a group that stops or continues gets SIGCHLD with
 * CLD_STOPPED or CLD_CONTINUED, unless its SIGCHLD action has
 * SA_NOCLDSTOP; it gets CLD_KILLED at the end either way.  In an orphaned
 * process group, SIGTSTP, SIGTTIN and SIGTTOU do not stop; SIGSTOP does.
 *
 * The test process is the parent; it blocks SIGCHLD and takes each
 * notification with sigtimedwait().  The child has a SIGCONT handler that
 * posts an event: the handler runs after get_signal() has sent
 * CLD_CONTINUED, and the stop was notified before the child slept, so once
 * the event is posted both notifications were sent if they ever will be.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>

#include "../kselftest_harness.h"
#include "tg_util.h"

#define NR_THREADS	4	/* of the child, main thread included */

static struct tg_event continued, started;

static void on_sigcont(int sig)
{
	tg_event_post(&continued);
}

static void *idle(void *unused)
{
	int forever = 0;

	tg_event_post(&started);
	for (;;)
		tg_futex_wait(&forever, 0);
	return NULL;
}

static void on_sigchld(int sig)
{
}

/* Take a pending SIGCHLD without waiting: its si_code, or 0 if none. */
static int take_sigchld(siginfo_t *si)
{
	const struct timespec zero = { 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	memset(si, 0, sizeof(*si));
	return sigtimedwait(&set, si, &zero) == SIGCHLD ? si->si_code : 0;
}

/* Wait for SIGCHLD: its si_code. */
static int wait_sigchld(siginfo_t *si)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	memset(si, 0, sizeof(*si));
	return sigwaitinfo(&set, si) == SIGCHLD ? si->si_code : -errno;
}

FIXTURE(cld) {
	pid_t child;
};

FIXTURE_VARIANT(cld) {
	bool nocldstop;
	int stop_sig;
	int threads;
};

FIXTURE_VARIANT_ADD(cld, sigstop) {
	.stop_sig = SIGSTOP, .threads = 1,
};

FIXTURE_VARIANT_ADD(cld, sigtstp_threads) {
	.stop_sig = SIGTSTP, .threads = NR_THREADS,
};

FIXTURE_VARIANT_ADD(cld, sigstop_sa_nocldstop) {
	.nocldstop = true, .stop_sig = SIGSTOP, .threads = 1,
};

FIXTURE_VARIANT_ADD(cld, sigtstp_threads_sa_nocldstop) {
	.nocldstop = true, .stop_sig = SIGTSTP, .threads = NR_THREADS,
};

FIXTURE_SETUP(cld)
{
	struct sigaction sa = { .sa_handler = on_sigchld };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));
	sa.sa_flags = variant->nocldstop ? SA_NOCLDSTOP : 0;
	ASSERT_EQ(0, sigaction(SIGCHLD, &sa, NULL));
	ASSERT_EQ(0, tg_event_init(&continued));
	ASSERT_EQ(0, tg_event_init(&started));
	self->child = 0;
}

FIXTURE_TEARDOWN(cld)
{
	tg_reap(&self->child);
	tg_event_close(&continued);
	tg_event_close(&started);
}

TEST_F(cld, parent_gets_cld_stopped_and_cld_continued_unless_sa_nocldstop)
{
	siginfo_t si;
	pthread_t th;
	int i, status, code;

	self->child = fork();
	ASSERT_GE(self->child, 0);
	if (!self->child) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* A group of its own, not orphaned: SIGTSTP stops it. */
		setpgid(0, 0);
		signal(SIGCONT, on_sigcont);
		for (i = 1; i < variant->threads; i++)
			if (pthread_create(&th, NULL, idle, NULL))
				_exit(1);
		idle(NULL);
	}
	for (i = 0; i < variant->threads; i++)
		ASSERT_EQ(0, tg_event_wait(&started));

	ASSERT_EQ(0, kill(self->child, variant->stop_sig));
	ASSERT_EQ(self->child, waitpid(self->child, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == variant->stop_sig)
		TH_LOG("status %#x", status);
	if (!variant->nocldstop) {
		code = wait_sigchld(&si);
		EXPECT_EQ(CLD_STOPPED, code)
			TH_LOG("SIGCHLD for the stop: si_code %d", code);
		EXPECT_EQ(self->child, si.si_pid);
		EXPECT_EQ(variant->stop_sig, si.si_status);
	}

	ASSERT_EQ(0, kill(self->child, SIGCONT));
	ASSERT_EQ(0, tg_event_wait(&continued));
	if (!variant->nocldstop) {
		code = wait_sigchld(&si);
		EXPECT_EQ(CLD_CONTINUED, code)
			TH_LOG("SIGCHLD for the continue: si_code %d", code);
		EXPECT_EQ(self->child, si.si_pid);
		EXPECT_EQ(SIGCONT, si.si_status);
	}
	/* Nothing else: one notification each, or none with SA_NOCLDSTOP. */
	code = take_sigchld(&si);
	EXPECT_EQ(0, code)
		TH_LOG("a SIGCHLD with si_code %d, si_status %d is pending",
		       code, si.si_status);

	ASSERT_EQ(0, kill(self->child, SIGKILL));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	code = wait_sigchld(&si);
	EXPECT_EQ(CLD_KILLED, code)
		TH_LOG("SIGCHLD for the exit: si_code %d", code);
	EXPECT_EQ(SIGKILL, si.si_status);
}

/*
 * get_signal() discards SIGTSTP, SIGTTIN and SIGTTOU with their default
 * action when the process group is orphaned: no job-control shell is left
 * to continue it.  SIGSTOP stops it all the same.  The child calls
 * setsid(): the only member of a new group whose parent is in another
 * session, so its group is orphaned.  Once the signal is no longer
 * pending, the child was either stopped or is back asleep.
 */
FIXTURE(orphaned) {
	pid_t child;
};

FIXTURE_VARIANT(orphaned) {
	int sig;
	bool stops;
};

FIXTURE_VARIANT_ADD(orphaned, sigtstp) { .sig = SIGTSTP };
FIXTURE_VARIANT_ADD(orphaned, sigttin) { .sig = SIGTTIN };
FIXTURE_VARIANT_ADD(orphaned, sigttou) { .sig = SIGTTOU };
FIXTURE_VARIANT_ADD(orphaned, sigstop) { .sig = SIGSTOP, .stops = true };

FIXTURE_SETUP(orphaned)
{
	ASSERT_EQ(0, tg_event_init(&started));
	self->child = 0;
}

FIXTURE_TEARDOWN(orphaned)
{
	tg_reap(&self->child);
	tg_event_close(&started);
}

TEST_F(orphaned, tty_stop_signals_discarded_in_orphaned_group_sigstop_stops)
{
	const struct timespec ms = { .tv_nsec = 1000000 };
	int status, forever = 0;
	char state;

	self->child = fork();
	ASSERT_GE(self->child, 0);
	if (!self->child) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (setsid() < 0)
			_exit(1);
		tg_event_post(&started);
		for (;;)
			tg_futex_wait(&forever, 0);
	}
	ASSERT_EQ(0, tg_event_wait(&started));
	ASSERT_EQ('S', tg_wait_task_state(self->child, self->child, "S"));

	ASSERT_EQ(0, kill(self->child, variant->sig));
	while (tg_sig_in(self->child, 0, "ShdPnd", variant->sig) == 1)
		nanosleep(&ms, NULL);
	state = tg_wait_task_state(self->child, self->child, "ST");
	EXPECT_EQ(variant->stops ? 'T' : 'S', state)
		TH_LOG("signal %d to an orphaned group: state %c", variant->sig,
		       state ? state : '-');
	if (variant->stops) {
		ASSERT_EQ(self->child, waitpid(self->child, &status,
					       WUNTRACED));
		EXPECT_TRUE(WIFSTOPPED(status)) TH_LOG("status %#x", status);
	} else {
		EXPECT_EQ(0, waitpid(self->child, &status,
				     WUNTRACED | WNOHANG))
			TH_LOG("status %#x", status);
	}
}

TEST_HARNESS_MAIN
