// SPDX-License-Identifier: GPL-2.0
/*
 * Which queue a signal is pending in, and what a pending signal does to the
 * next one.
 *
 * Each test runs in the test process itself: the main thread and three
 * sleeper threads block every signal, so what is sent stays queued and
 * /proc/PID/task/TID/status shows it: a thread's own queue as SigPnd, the
 * group's shared queue as ShdPnd.  A thread-directed signal must appear in
 * the SigPnd of the thread it names and nowhere else; a process-directed
 * one in ShdPnd and in no thread's SigPnd.  Which thread runs the handler
 * cannot tell the two apart: the thread that generated a signal for itself
 * is current, and is tried first either way.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>

#include "../kselftest_harness.h"
#include "tg_util.h"

#define NR_SLEEPERS	3

#ifndef PIDFD_THREAD
#define PIDFD_THREAD	O_EXCL
#endif

/*
 * The signal's bit in the SigPnd of each thread (index 0 is the main
 * thread, 1.. the sleepers) and in ShdPnd, or -1 for a thread gone.
 */
struct where {
	int thread[NR_SLEEPERS + 1];
	int shared;
};

static void where_pending(struct tg_sleepers *s, int sig, struct where *w)
{
	pid_t pid = getpid();
	int i;

	w->thread[0] = tg_sig_in(pid, pid, "SigPnd", sig);
	for (i = 0; i < NR_SLEEPERS; i++)
		w->thread[i + 1] = tg_sig_in(pid, s->tid[i], "SigPnd", sig);
	w->shared = tg_sig_in(pid, 0, "ShdPnd", sig);
}

/* "1 0 0 0 / 0": each thread's SigPnd bit, then ShdPnd's, for the log. */
static const char *where_str(const struct where *w)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "SigPnd main %d, sleepers %d %d %d; ShdPnd %d",
		 w->thread[0], w->thread[1], w->thread[2], w->thread[3],
		 w->shared);
	return buf;
}

/* Take @sig off every queue the main thread can see, without waiting. */
static int take(int sig, siginfo_t *si)
{
	const struct timespec zero = { 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	return sigtimedwait(&set, si, &zero);
}

FIXTURE(queue) {
	struct tg_sleepers s;
};

/* -- thread-directed senders -------------------------------------------- */

enum thread_sender { TS_TGKILL, TS_RT_TGSIGQUEUEINFO, TS_PIDFD_THREAD };

FIXTURE_VARIANT(queue) {
	int sender;		/* enum thread_sender */
	int sig;
};

FIXTURE_VARIANT_ADD(queue, tgkill_sigusr1) {
	.sender = TS_TGKILL, .sig = SIGUSR1,
};

FIXTURE_VARIANT_ADD(queue, rt_tgsigqueueinfo_sigrtmin) {
	.sender = TS_RT_TGSIGQUEUEINFO, .sig = 35,
};

FIXTURE_VARIANT_ADD(queue, pidfd_thread_sigterm) {
	.sender = TS_PIDFD_THREAD, .sig = SIGTERM,
};

FIXTURE_SETUP(queue)
{
	tg_block_all();
	ASSERT_EQ(0, tg_start_sleepers(&self->s, NR_SLEEPERS));
}

FIXTURE_TEARDOWN(queue)
{
}

static int send_to_thread(int sender, pid_t tid, int sig)
{
	siginfo_t si = { .si_signo = sig, .si_code = SI_QUEUE };
	int pidfd, ret;

	si.si_pid = getpid();
	si.si_uid = getuid();
	switch (sender) {
	case TS_TGKILL:
		return tg_tgkill(getpid(), tid, sig);
	case TS_RT_TGSIGQUEUEINFO:
		return tg_rt_tgsigqueueinfo(getpid(), tid, sig, &si);
	default:
		pidfd = tg_pidfd_open(tid, PIDFD_THREAD);
		if (pidfd < 0)
			return -1;
		ret = tg_pidfd_send_signal(pidfd, sig, NULL, 0);
		close(pidfd);
		return ret;
	}
}

TEST_F(queue, thread_directed_signal_is_queued_for_that_thread_only)
{
	struct where w;

	ASSERT_EQ(0, send_to_thread(variant->sender, self->s.tid[1],
				    variant->sig));
	where_pending(&self->s, variant->sig, &w);
	EXPECT_EQ(1, w.thread[2])
		TH_LOG("signal %d sent to sleeper 2: %s", variant->sig,
		       where_str(&w));
	EXPECT_EQ(0, w.thread[0] + w.thread[1] + w.thread[3] + w.shared)
		TH_LOG("signal %d sent to sleeper 2 is elsewhere too: %s",
		       variant->sig, where_str(&w));
}

/* -- process-directed senders ------------------------------------------- */

FIXTURE(process) {
	struct tg_sleepers s;
};

FIXTURE_VARIANT(process) {
	const char *how;
	int sig;
};

FIXTURE_VARIANT_ADD(process, kill_sigusr1) { .how = "kill", .sig = SIGUSR1 };
FIXTURE_VARIANT_ADD(process, sigqueue_sigrtmin) {
	.how = "sigqueue", .sig = 35,
};

FIXTURE_VARIANT_ADD(process, pidfd_send_signal_sigterm) {
	.how = "pidfd_send_signal", .sig = SIGTERM,
};

FIXTURE_SETUP(process)
{
	tg_block_all();
	ASSERT_EQ(0, tg_start_sleepers(&self->s, NR_SLEEPERS));
}

FIXTURE_TEARDOWN(process)
{
}

TEST_F(process, process_directed_signal_is_queued_for_the_group_only)
{
	union sigval val = { .sival_int = 7 };
	struct where w;
	int pidfd;

	if (!strcmp(variant->how, "kill")) {
		ASSERT_EQ(0, kill(getpid(), variant->sig));
	} else if (!strcmp(variant->how, "sigqueue")) {
		ASSERT_EQ(0, sigqueue(getpid(), variant->sig, val));
	} else {
		pidfd = tg_pidfd_open(getpid(), 0);
		ASSERT_GE(pidfd, 0);
		ASSERT_EQ(0, tg_pidfd_send_signal(pidfd, variant->sig, NULL, 0));
		close(pidfd);
	}
	where_pending(&self->s, variant->sig, &w);
	EXPECT_EQ(1, w.shared)
		TH_LOG("%s(%d) to the process: %s", variant->how, variant->sig,
		       where_str(&w));
	EXPECT_EQ(0, w.thread[0] + w.thread[1] + w.thread[2] + w.thread[3])
		TH_LOG("%s(%d) to the process is in a thread's queue: %s",
		       variant->how, variant->sig, where_str(&w));
}

/* -- signals the kernel sends to the thread that caused them ------------ */

enum cause { C_SIGPIPE, C_SIGXFSZ };

struct cause_arg {
	int cause;
	int done;		/* futex word */
	int err;		/* errno of the write */
	pid_t tid;
	int forever;
};

static void *cause_thread(void *p)
{
	struct cause_arg *a = p;
	int fd[2], err = 0;
	char c = 'x';

	a->tid = tg_gettid();
	if (a->cause == C_SIGPIPE) {
		if (pipe(fd)) {
			err = errno;
		} else {
			close(fd[0]);
			if (write(fd[1], &c, 1) < 0)
				err = errno;
			close(fd[1]);
		}
	} else {
		/* RLIMIT_FSIZE is 1: writing at offset 1 is past it. */
		fd[0] = memfd_create("tg_sigxfsz", MFD_CLOEXEC);
		if (fd[0] < 0) {
			err = errno;
		} else {
			if (pwrite(fd[0], &c, 1, 1) < 0)
				err = errno;
			close(fd[0]);
		}
	}
	a->err = err;
	tg_add_and_wake(&a->done, 1);
	for (;;)
		tg_futex_wait(&a->forever, 0);
	return NULL;
}

FIXTURE(cause) {
	struct tg_sleepers s;
	struct cause_arg arg;
};

FIXTURE_VARIANT(cause) {
	int cause;
	int sig, err;
};

FIXTURE_VARIANT_ADD(cause, sigpipe_write_to_pipe_without_reader) {
	.cause = C_SIGPIPE, .sig = SIGPIPE, .err = EPIPE,
};

FIXTURE_VARIANT_ADD(cause, sigxfsz_write_past_rlimit_fsize) {
	.cause = C_SIGXFSZ, .sig = SIGXFSZ, .err = EFBIG,
};

FIXTURE_SETUP(cause)
{
	struct rlimit one = { 1, 1 };

	tg_block_all();
	ASSERT_EQ(0, tg_start_sleepers(&self->s, NR_SLEEPERS));
	if (variant->cause == C_SIGXFSZ)
		ASSERT_EQ(0, setrlimit(RLIMIT_FSIZE, &one));
}

FIXTURE_TEARDOWN(cause)
{
}

TEST_F(cause, signal_of_a_failed_write_is_queued_for_the_writing_thread)
{
	pthread_t th;
	struct where w;
	pid_t pid = getpid();

	self->arg.cause = variant->cause;
	ASSERT_EQ(0, pthread_create(&th, NULL, cause_thread, &self->arg));
	tg_wait_at_least(&self->arg.done, 1);
	ASSERT_EQ(variant->err, self->arg.err)
		TH_LOG("the write: %s", strerror(self->arg.err));
	where_pending(&self->s, variant->sig, &w);
	EXPECT_EQ(1, tg_sig_in(pid, self->arg.tid, "SigPnd", variant->sig))
		TH_LOG("signal %d of the writing thread %d is not in its queue; %s",
		       variant->sig, self->arg.tid, where_str(&w));
	EXPECT_EQ(0, w.thread[0] + w.thread[1] + w.thread[2] + w.thread[3] +
		  w.shared)
		TH_LOG("signal %d of the writing thread is elsewhere too: %s",
		       variant->sig, where_str(&w));
}

/* -- coalescing ---------------------------------------------------------- */

FIXTURE(coalesce) {
};

FIXTURE_VARIANT(coalesce) {
	int sig;
	bool to_thread;		/* rt_tgsigqueueinfo to us, else sigqueue() */
	int taken;		/* of three sent */
};

FIXTURE_VARIANT_ADD(coalesce, classic_to_process) {
	.sig = SIGUSR2, .to_thread = false, .taken = 1,
};

FIXTURE_VARIANT_ADD(coalesce, classic_to_thread) {
	.sig = SIGUSR2, .to_thread = true, .taken = 1,
};

FIXTURE_VARIANT_ADD(coalesce, realtime_to_process) {
	.sig = 40, .to_thread = false, .taken = 3,
};

FIXTURE_VARIANT_ADD(coalesce, realtime_to_thread) {
	.sig = 40, .to_thread = true, .taken = 3,
};

FIXTURE_SETUP(coalesce)
{
	tg_block_all();
}

FIXTURE_TEARDOWN(coalesce)
{
}

TEST_F(coalesce, classic_signal_pending_once_realtime_queued_in_order)
{
	siginfo_t si;
	int i, got;

	for (i = 1; i <= 3; i++) {
		memset(&si, 0, sizeof(si));
		si.si_signo = variant->sig;
		si.si_code = SI_QUEUE;
		si.si_pid = getpid();
		si.si_uid = getuid();
		si.si_value.sival_int = i;
		if (variant->to_thread) {
			ASSERT_EQ(0, tg_rt_tgsigqueueinfo(getpid(), tg_gettid(),
							  variant->sig, &si));
		} else {
			ASSERT_EQ(0, tg_rt_sigqueueinfo(getpid(), variant->sig,
							&si));
		}
	}
	for (got = 0; got < 4; got++) {
		memset(&si, 0, sizeof(si));
		if (take(variant->sig, &si) != variant->sig)
			break;
		/* The first one sent is the one kept, and the order holds. */
		EXPECT_EQ(got + 1, si.si_value.sival_int)
			TH_LOG("instance %d of signal %d carries value %d",
			       got + 1, variant->sig, si.si_value.sival_int);
	}
	EXPECT_EQ(variant->taken, got)
		TH_LOG("signal %d sent 3 times while blocked was taken %d times",
		       variant->sig, got);
}

/* -- SIGCONT and the stop signals discard each other -------------------- */

FIXTURE(jobctl) {
	struct tg_sleepers s;
};

FIXTURE_VARIANT(jobctl) {
	int first, then;	/* first is pending when then is sent */
	bool to_thread;		/* first is sent to sleeper 1, else to us */
	bool discarded;		/* first is gone after then */
};

FIXTURE_VARIANT_ADD(jobctl, sigcont_discards_process_sigtstp) {
	.first = SIGTSTP, .then = SIGCONT, .discarded = true,
};

FIXTURE_VARIANT_ADD(jobctl, sigcont_discards_thread_sigttin) {
	.first = SIGTTIN, .then = SIGCONT, .to_thread = true,
	.discarded = true,
};

FIXTURE_VARIANT_ADD(jobctl, sigcont_discards_process_sigttou) {
	.first = SIGTTOU, .then = SIGCONT, .discarded = true,
};

FIXTURE_VARIANT_ADD(jobctl, sigtstp_discards_process_sigcont) {
	.first = SIGCONT, .then = SIGTSTP, .discarded = true,
};

FIXTURE_VARIANT_ADD(jobctl, sigttin_discards_thread_sigcont) {
	.first = SIGCONT, .then = SIGTTIN, .to_thread = true,
	.discarded = true,
};

FIXTURE_VARIANT_ADD(jobctl, sigusr1_keeps_process_sigtstp) {
	.first = SIGTSTP, .then = SIGUSR1, .discarded = false,
};

FIXTURE_SETUP(jobctl)
{
	tg_block_all();
	ASSERT_EQ(0, tg_start_sleepers(&self->s, NR_SLEEPERS));
}

FIXTURE_TEARDOWN(jobctl)
{
}

TEST_F(jobctl, sigcont_discards_pending_stops_and_a_stop_pending_sigcont)
{
	pid_t tid = variant->to_thread ? self->s.tid[0] : 0;
	pid_t pid = getpid();
	struct where w;

	if (variant->to_thread)
		ASSERT_EQ(0, tg_tgkill(pid, tid, variant->first));
	if (!variant->to_thread)
		ASSERT_EQ(0, kill(pid, variant->first));
	where_pending(&self->s, variant->first, &w);
	ASSERT_EQ(1, variant->to_thread ? w.thread[1] : w.shared)
		TH_LOG("signal %d not pending where it was sent: %s",
		       variant->first, where_str(&w));

	ASSERT_EQ(0, kill(pid, variant->then));
	where_pending(&self->s, variant->first, &w);
	EXPECT_EQ(!variant->discarded, variant->to_thread ? w.thread[1] :
		  w.shared)
		TH_LOG("signal %d after signal %d: %s", variant->first,
		       variant->then, where_str(&w));
	EXPECT_EQ(1, tg_sig_in(pid, 0, "ShdPnd", variant->then))
		TH_LOG("signal %d, blocked, is not pending itself",
		       variant->then);
}

TEST_HARNESS_MAIN
