// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input and permission checks of the signal-sending system calls, each
 * with its exact errno: invalid signal numbers, the signal-0 probe, special
 * and out-of-range pids, thread ids outside their group, senders of another
 * uid, forged kernel si_codes, pids outside the sender's PID namespace, and
 * RLIMIT_SIGPENDING.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "tg_util.h"
#include "../kselftest_harness.h"

/*
 * An unprivileged uid no other process uses, so that its count of pending
 * signals is ours alone: a base plus the caller's pid (pid_max <= 2^22).
 */
#define OTHER_UID_BASE	2000000000U
#define NO_INFO		INT_MIN		/* pidfd_send_signal() without info */

enum sender {
	S_KILL,
	S_TGKILL,
	S_SIGQUEUE,	/* rt_sigqueueinfo() */
	S_TGSIGQUEUE,	/* rt_tgsigqueueinfo() */
	S_PIDFD,	/* pidfd_send_signal() */
	NR_SENDERS,
};

static const char * const sender_name[NR_SENDERS] = {
	"kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
	"pidfd_send_signal",
};

/*
 * Send @sig to process @pid (its leader for the thread-directed calls, or
 * @pidfd) with @sender; the queueing calls use si_code @code (SI_QUEUE when
 * NO_INFO).  Returns 0 or the errno.
 */
static int send_via(enum sender sender, pid_t pid, int pidfd, int sig,
		    int code)
{
	siginfo_t info;
	int ret = -1;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code == NO_INFO ? SI_QUEUE : code;
	info.si_pid = getpid();
	info.si_uid = getuid();

	switch (sender) {
	case S_KILL:
		ret = kill(pid, sig);
		break;
	case S_TGKILL:
		ret = tg_tgkill(pid, pid, sig);
		break;
	case S_SIGQUEUE:
		ret = tg_rt_sigqueueinfo(pid, sig, &info);
		break;
	case S_TGSIGQUEUE:
		ret = tg_rt_tgsigqueueinfo(pid, pid, sig, &info);
		break;
	case S_PIDFD:
		ret = tg_pidfd_send_signal(pidfd, sig,
					   code == NO_INFO ? NULL : &info, 0);
		break;
	default:
		errno = EINVAL;
	}
	return ret ? errno : 0;
}

/* A process of ours that waits, ignoring SIGUSR1, until told to exit. */
static pid_t spawn_target(struct __test_metadata *_metadata, int *hold_w)
{
	struct tg_event ready;
	pid_t parent = getpid();
	int hold[2];
	pid_t pid;
	char c;

	ASSERT_EQ(pipe2(hold, O_CLOEXEC), 0);
	ASSERT_EQ(tg_event_init(&ready), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(hold[1]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(1);
		signal(SIGUSR1, SIG_IGN);
		tg_event_post(&ready);
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(hold[0]);
	*hold_w = hold[1];
	ASSERT_EQ(tg_event_wait(&ready), 0);
	tg_event_close(&ready);
	return pid;
}

FIXTURE(bad_input) {
	pid_t live;		/* running, ignores SIGUSR1 */
	int live_pidfd;
	int live_hold;		/* closing it lets the live target exit */
	pid_t zombie;		/* exited, not reaped */
	int zombie_pidfd;
	pid_t dead;		/* exited and reaped */
	int dead_pidfd;
};

FIXTURE_SETUP(bad_input)
{
	siginfo_t si;

	self->live = spawn_target(_metadata, &self->live_hold);
	self->live_pidfd = tg_pidfd_open(self->live, 0);
	ASSERT_GE(self->live_pidfd, 0) TH_LOG("pidfd_open: %s", strerror(errno));

	self->zombie = fork();
	ASSERT_GE(self->zombie, 0);
	if (self->zombie == 0)
		_exit(0);
	self->zombie_pidfd = tg_pidfd_open(self->zombie, 0);
	ASSERT_GE(self->zombie_pidfd, 0);
	/* Wait until it is a zombie, without reaping it. */
	ASSERT_EQ(waitid(P_PID, self->zombie, &si, WEXITED | WNOWAIT), 0);

	self->dead = fork();
	ASSERT_GE(self->dead, 0);
	if (self->dead == 0)
		_exit(0);
	self->dead_pidfd = tg_pidfd_open(self->dead, 0);
	ASSERT_GE(self->dead_pidfd, 0);
	ASSERT_EQ(waitpid(self->dead, NULL, 0), self->dead);
}

FIXTURE_TEARDOWN(bad_input)
{
	close(self->live_hold);
	waitpid(self->live, NULL, 0);
	waitpid(self->zombie, NULL, 0);
	close(self->live_pidfd);
	close(self->zombie_pidfd);
	close(self->dead_pidfd);
}

/* One table row: the call described by @fmt gave errno @got (0: success). */
static void expect_errno(struct __test_metadata *_metadata, int got, int want,
			 const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	EXPECT_EQ(got, want)
		TH_LOG("%s: got %d (%s), want %d (%s)", what, got,
		       strerror(got), want, strerror(want));
}

TEST_F(bad_input, invalid_signal_numbers_are_einval_for_every_sender)
{
	static const int bad_sigs[] = { -1, -SIGKILL, INT_MIN, 65, 128, INT_MAX };
	unsigned int i;
	int s, err;

	for (s = 0; s < NR_SENDERS; s++) {
		for (i = 0; i < ARRAY_SIZE(bad_sigs); i++) {
			err = send_via(s, self->live, self->live_pidfd,
				       bad_sigs[i], NO_INFO);
			expect_errno(_metadata, err, EINVAL, "%s(live, sig %d)",
				     sender_name[s], bad_sigs[i]);
		}
	}
}

/*
 * Signal 0 checks that the target exists (and may be signalled) and sends
 * nothing.  A zombie still exists until it is reaped.
 */
TEST_F(bad_input, signal_0_probes_live_and_zombie_targets_esrch_once_reaped)
{
	int s, err;

	for (s = 0; s < NR_SENDERS; s++) {
		err = send_via(s, self->live, self->live_pidfd, 0, NO_INFO);
		expect_errno(_metadata, err, 0, "%s(live, 0)", sender_name[s]);
		err = send_via(s, self->zombie, self->zombie_pidfd, 0, NO_INFO);
		expect_errno(_metadata, err, 0, "%s(zombie, 0)",
			     sender_name[s]);
		err = send_via(s, self->dead, self->dead_pidfd, 0, NO_INFO);
		expect_errno(_metadata, err, ESRCH, "%s(reaped, 0)",
			     sender_name[s]);
	}
}

/*
 * kill(0, ...) is our own process group and kill(-1, ...) every process we
 * may signal but init and ourselves (the live target at least); INT_MIN has
 * no negation and is refused with ESRCH before any lookup, like a process
 * group that does not exist.
 */
TEST_F(bad_input, kill_special_pids_0_minus1_int_min)
{
	static const struct {
		pid_t pid;
		int sig;
		int err;
	} rows[] = {
		{ 0,		0,		0 },
		{ -1,		0,		0 },
		{ INT_MIN,	0,		ESRCH },
		{ INT_MIN,	SIGWINCH,	ESRCH },
		{ -INT_MAX,	0,		ESRCH },
	};
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		err = kill(rows[i].pid, rows[i].sig) ? errno : 0;
		expect_errno(_metadata, err, rows[i].err, "kill(%d, %d)",
			     rows[i].pid, rows[i].sig);
	}
}

/* A tid is only found within the thread group named with it. */
TEST_F(bad_input, tgkill_tid_outside_tgid_is_esrch)
{
	siginfo_t info = { .si_signo = SIGUSR1, .si_code = SI_QUEUE };
	pid_t me = getpid(), tid = tg_gettid();
	int err;

	err = tg_tgkill(self->live, tid, 0) ? errno : 0;
	expect_errno(_metadata, err, ESRCH, "tgkill(live, own tid, 0)");
	err = tg_tgkill(me, self->live, SIGUSR1) ? errno : 0;
	expect_errno(_metadata, err, ESRCH, "tgkill(own tgid, live, SIGUSR1)");
	err = tg_tgkill(self->live, self->zombie, 0) ? errno : 0;
	expect_errno(_metadata, err, ESRCH, "tgkill(live, zombie, 0)");
	info.si_pid = me;
	err = tg_rt_tgsigqueueinfo(me, self->live, SIGUSR1, &info) ? errno : 0;
	expect_errno(_metadata, err, ESRCH,
		     "rt_tgsigqueueinfo(own tgid, live)");
	err = tg_rt_tgsigqueueinfo(self->live, tid, SIGUSR1, &info) ? errno : 0;
	expect_errno(_metadata, err, ESRCH, "rt_tgsigqueueinfo(live, own tid)");
}

TEST_F(bad_input, tgkill_nonpositive_tgid_or_tid_is_einval)
{
	const pid_t ids[][2] = {
		{ 0, self->live }, { -1, self->live }, { INT_MIN, self->live },
		{ self->live, 0 }, { self->live, -1 }, { self->live, INT_MIN },
		{ 0, 0 },
	};
	siginfo_t info = { .si_signo = SIGUSR1, .si_code = SI_QUEUE };
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		err = tg_tgkill(ids[i][0], ids[i][1], 0) ? errno : 0;
		expect_errno(_metadata, err, EINVAL, "tgkill(%d, %d, 0)",
			     ids[i][0], ids[i][1]);
		err = tg_rt_tgsigqueueinfo(ids[i][0], ids[i][1], SIGUSR1,
					   &info) ? errno : 0;
		expect_errno(_metadata, err, EINVAL,
			     "rt_tgsigqueueinfo(%d, %d)", ids[i][0], ids[i][1]);
	}
	err = syscall(__NR_tkill, 0, 0) ? errno : 0;
	expect_errno(_metadata, err, EINVAL, "tkill(0, 0)");
	err = syscall(__NR_tkill, -1, 0) ? errno : 0;
	expect_errno(_metadata, err, EINVAL, "tkill(-1, 0)");
}

/* Results of the unprivileged sender, one per row of other_uid_rows. */
struct sender_results {
	int setup_errno;
	int err[16];
};

static const struct {
	enum sender sender;
	int sig;
	int err;
} other_uid_rows[] = {
	{ S_KILL,	SIGUSR1,	EPERM },
	{ S_KILL,	0,		EPERM },	/* the probe too */
	{ S_TGKILL,	SIGUSR1,	EPERM },
	{ S_TGKILL,	0,		EPERM },
	{ S_SIGQUEUE,	SIGUSR1,	EPERM },
	{ S_TGSIGQUEUE,	SIGUSR1,	EPERM },
	{ S_PIDFD,	SIGUSR1,	EPERM },
	{ S_PIDFD,	0,		EPERM },
	/* SIGCONT is allowed to any process of the same session. */
	{ S_KILL,	SIGCONT,	0 },
	{ S_TGKILL,	SIGCONT,	0 },
	{ S_PIDFD,	SIGCONT,	0 },
};

/* Become the private uid of this process; returns 0 or the errno. */
static int drop_to_private_uid(void)
{
	uid_t uid = OTHER_UID_BASE + getpid();

	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid))
		return errno;
	return 0;
}

TEST_F(bad_input, sender_of_other_uid_gets_eperm_except_sigcont_in_session)
{
	struct sender_results *res;
	unsigned int i;
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root (CAP_SETUID) to become another uid");
	ASSERT_LE(ARRAY_SIZE(other_uid_rows), ARRAY_SIZE(res->err));
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(res, MAP_FAILED);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		res->setup_errno = drop_to_private_uid();
		if (res->setup_errno)
			_exit(1);
		for (i = 0; i < ARRAY_SIZE(other_uid_rows); i++)
			res->err[i] = send_via(other_uid_rows[i].sender,
					       self->live, self->live_pidfd,
					       other_uid_rows[i].sig, NO_INFO);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_EQ(res->setup_errno, 0);
	ASSERT_EQ(status, 0);
	for (i = 0; i < ARRAY_SIZE(other_uid_rows); i++)
		expect_errno(_metadata, res->err[i], other_uid_rows[i].err,
			     "other uid: %s(root's process, %d)",
			     sender_name[other_uid_rows[i].sender],
			     other_uid_rows[i].sig);
	munmap(res, sizeof(*res));
}

/*
 * Nobody, root included, may queue a siginfo claiming to come from the
 * kernel (si_code >= 0) or from tkill() (SI_TKILL) to another process;
 * to yourself you may.  SI_QUEUE is what sigqueue() uses: allowed.
 */
TEST_F(bad_input, forged_kernel_si_code_to_other_process_is_eperm)
{
	static const struct {
		int code;
		const char *name;
		int err;
	} codes[] = {
		{ SI_KERNEL,	"SI_KERNEL",	EPERM },
		{ SI_USER,	"SI_USER",	EPERM },
		{ 1,		"si_code 1",	EPERM },
		{ SI_TKILL,	"SI_TKILL",	EPERM },
		{ SI_QUEUE,	"SI_QUEUE",	0 },
	};
	static const enum sender queuers[] = {
		S_SIGQUEUE, S_TGSIGQUEUE, S_PIDFD,
	};
	unsigned int i, q;
	int self_pidfd, err;

	/* What we send to ourselves below is discarded. */
	ASSERT_NE(signal(SIGUSR1, SIG_IGN), SIG_ERR);
	self_pidfd = tg_pidfd_open(getpid(), 0);
	ASSERT_GE(self_pidfd, 0);
	for (q = 0; q < ARRAY_SIZE(queuers); q++) {
		for (i = 0; i < ARRAY_SIZE(codes); i++) {
			err = send_via(queuers[q], self->live, self->live_pidfd,
				       SIGUSR1, codes[i].code);
			expect_errno(_metadata, err, codes[i].err,
				     "%s(other, %s)", sender_name[queuers[q]],
				     codes[i].name);
			err = send_via(queuers[q], getpid(), self_pidfd,
				       SIGUSR1, codes[i].code);
			expect_errno(_metadata, err, 0, "%s(self, %s)",
				     sender_name[queuers[q]], codes[i].name);
		}
	}
	close(self_pidfd);
}

/* What the process inside the new PID namespace saw. */
struct pidns_results {
	int unshare_errno;
	pid_t inner_pid;
	int self_probe;
	int err[8];
};

static const struct {
	enum sender sender;
	int sig;
	int err;
} pidns_rows[] = {
	{ S_KILL,	0,	 ESRCH },
	{ S_KILL,	SIGUSR1, ESRCH },
	{ S_TGKILL,	0,	 ESRCH },
	{ S_SIGQUEUE,	SIGUSR1, ESRCH },
	{ S_TGSIGQUEUE,	SIGUSR1, ESRCH },
	/* A pidfd of a process the caller's namespace cannot see. */
	{ S_PIDFD,	0,	 EINVAL },
};

/*
 * A process in a child PID namespace cannot name a process outside it: the
 * pid number resolves in its own namespace, where nothing has it.
 */
TEST_F(bad_input, pid_outside_child_pidns_is_esrch)
{
	struct pidns_results *res;
	pid_t outside = self->live;
	unsigned int i;
	int status;
	pid_t pid;

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(res, MAP_FAILED);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pid_t inner;

		/* Unprivileged, a new user namespace grants CAP_SYS_ADMIN. */
		if (unshare(CLONE_NEWPID) &&
		    unshare(CLONE_NEWUSER | CLONE_NEWPID)) {
			res->unshare_errno = errno;
			_exit(0);
		}
		inner = fork();
		if (inner < 0)
			_exit(1);
		if (inner == 0) {
			res->inner_pid = getpid();
			res->self_probe = kill(getpid(), 0) ? errno : 0;
			for (i = 0; i < ARRAY_SIZE(pidns_rows); i++)
				res->err[i] = send_via(pidns_rows[i].sender,
						       outside,
						       self->live_pidfd,
						       pidns_rows[i].sig,
						       NO_INFO);
			_exit(0);
		}
		_exit(waitpid(inner, &status, 0) == inner && !status ? 0 : 2);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (res->unshare_errno == EPERM || res->unshare_errno == EINVAL)
		SKIP(goto out, "unshare(CLONE_NEWPID): %s (CONFIG_PID_NS, CONFIG_USER_NS)",
		     strerror(res->unshare_errno));
	ASSERT_EQ(res->unshare_errno, 0);
	ASSERT_EQ(status, 0);
	ASSERT_EQ(res->inner_pid, 1);
	ASSERT_EQ(res->self_probe, 0);
	for (i = 0; i < ARRAY_SIZE(pidns_rows); i++)
		expect_errno(_metadata, res->err[i], pidns_rows[i].err,
			     "from child pidns: %s(outer pid %d, %d)",
			     sender_name[pidns_rows[i].sender], outside,
			     pidns_rows[i].sig);
out:
	munmap(res, sizeof(*res));
}

#define SIGPENDING_LIMIT	4

struct rlimit_results {
	int setup_errno;
	pid_t pid;
	int queued;		/* RT signals queued before the failure */
	int queue_errno;
	int kill_ret;		/* kill(SIGUSR1) over the limit */
	int sigqueue_ret;	/* sigqueue(SIGUSR2) over the limit */
	int usr_pending;	/* SIGUSR1 and SIGUSR2 in sigpending() */
	int values[SIGPENDING_LIMIT];
	int codes[SIGPENDING_LIMIT];
	int requeue_ret;	/* sigqueue(SIGRTMIN) once drained */
	int usr1_code;
	pid_t usr1_pid;
	int usr2_code;
	pid_t usr2_pid;
};

static void rlimit_child(struct rlimit_results *r)
{
	struct rlimit rl = { SIGPENDING_LIMIT, SIGPENDING_LIMIT };
	union sigval v;
	siginfo_t si;
	sigset_t set;
	int i;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (setrlimit(RLIMIT_SIGPENDING, &rl) ||
	    sigprocmask(SIG_BLOCK, &set, NULL)) {
		r->setup_errno = errno;
		return;
	}
	/* The count is per user: take one nobody else uses. */
	r->setup_errno = drop_to_private_uid();
	if (r->setup_errno)
		return;
	r->pid = getpid();

	for (r->queued = 0; r->queued < 64; r->queued++) {
		v.sival_int = r->queued;
		if (sigqueue(getpid(), SIGRTMIN, v)) {
			r->queue_errno = errno;
			break;
		}
	}
	/* Classic signals are still delivered, if without their siginfo. */
	r->kill_ret = kill(getpid(), SIGUSR1) ? errno : 0;
	v.sival_int = 42;
	r->sigqueue_ret = sigqueue(getpid(), SIGUSR2, v) ? errno : 0;
	sigpending(&set);
	r->usr_pending = sigismember(&set, SIGUSR1) +
			 sigismember(&set, SIGUSR2);

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	for (i = 0; i < SIGPENDING_LIMIT && i < r->queued; i++) {
		if (sigwaitinfo(&set, &si) != SIGRTMIN)
			break;
		r->values[i] = si.si_value.sival_int;
		r->codes[i] = si.si_code;
	}
	r->requeue_ret = sigqueue(getpid(), SIGRTMIN, v) ? errno : 0;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigwaitinfo(&set, &si) == SIGUSR1) {
		r->usr1_code = si.si_code;
		r->usr1_pid = si.si_pid;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	if (sigwaitinfo(&set, &si) == SIGUSR2) {
		r->usr2_code = si.si_code;
		r->usr2_pid = si.si_pid;
	}
}

/*
 * RLIMIT_SIGPENDING caps the signals queued with a siginfo for a user:
 * exactly the limit of real-time signals queue, the next one is EAGAIN.
 * A classic signal is never refused: kill() (si_code >= 0) may exceed the
 * limit and keeps its siginfo; sigqueue() of a classic signal succeeds and
 * only its siginfo is lost (it arrives as SI_USER from pid 0).
 */
TEST_F(bad_input, rlimit_sigpending_caps_rt_queue_classic_signals_never_lost)
{
	struct rlimit_results *r;
	int i, status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root (CAP_SETUID) for a private uid");
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(r, MAP_FAILED);

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		rlimit_child(r);
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_EQ(status, 0);
	ASSERT_EQ(r->setup_errno, 0) TH_LOG("%s", strerror(r->setup_errno));

	EXPECT_EQ(r->queued, SIGPENDING_LIMIT);
	expect_errno(_metadata, r->queue_errno, EAGAIN,
		     "sigqueue(SIGRTMIN) over limit");
	expect_errno(_metadata, r->kill_ret, 0, "kill(SIGUSR1) over limit");
	expect_errno(_metadata, r->sigqueue_ret, 0,
		     "sigqueue(SIGUSR2) over limit");
	EXPECT_EQ(r->usr_pending, 2);
	for (i = 0; i < SIGPENDING_LIMIT; i++) {
		EXPECT_EQ(r->values[i], i) TH_LOG("RT signal %d out of order", i);
		EXPECT_EQ(r->codes[i], SI_QUEUE);
	}
	expect_errno(_metadata, r->requeue_ret, 0,
		     "sigqueue(SIGRTMIN) once drained");
	EXPECT_EQ(r->usr1_code, SI_USER);
	EXPECT_EQ(r->usr1_pid, r->pid) TH_LOG("kill()'s siginfo lost");
	EXPECT_EQ(r->usr2_code, SI_USER) TH_LOG("SIGUSR2 kept its siginfo");
	EXPECT_EQ(r->usr2_pid, 0);
	munmap(r, sizeof(*r));
}

TEST_HARNESS_MAIN
