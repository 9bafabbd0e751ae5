// SPDX-License-Identifier: GPL-2.0
/*
 * Signals when the sender cannot allocate their siginfo.
 *
 * __send_signal_locked() allocates the queue entry (struct sigqueue, the
 * siginfo's home) in the sender's context with __sigqueue_alloc().  When
 * that fails:
 *  - a classic signal is still set pending, without its siginfo: it must
 *    still arrive (the siginfo its handler gets, which collect_signal()
 *    fills in as si_code SI_USER, si_pid 0, is reported, not asserted);
 *  - a real-time signal sent with an si_code other than SI_USER (sigqueue(),
 *    rt_tgsigqueueinfo(), tgkill()'s SI_TKILL, pidfd_send_signal() with a
 *    siginfo) is refused with EAGAIN: never dropped silently;
 *  - a real-time signal sent by kill() (SI_USER) is set pending without its
 *    siginfo, as a classic one is: kill() may not fail with EAGAIN;
 *  - a fatal signal sent to a process group, every allocation failing,
 *    still ends every process with that signal as its status, and leaves
 *    the user's RLIMIT_SIGPENDING count (SigQ) where it was.
 *
 * The failure is injected with failslab on the sigqueue cache only
 * (cache-filter and /sys/kernel/slab/sigqueue/failslab), for the sending
 * thread only (task-filter and /proc/thread-self/make-it-fail), at
 * probability 100 and for one allocation at a time (times), which also
 * tells that the injection did fire.  Every test sends to the calling
 * process with the signal blocked, sees it pending, and unblocks it to run
 * the handler; each real-time case is followed by the same send without
 * injection, which must deliver (the control case).
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>

#include "../kselftest_harness.h"
#include "tg_util.h"

#define DBG		"/sys/kernel/debug/failslab/"
#define SLAB_FAILSLAB	"/sys/kernel/slab/sigqueue/failslab"
#define MAKE_IT_FAIL	"/proc/thread-self/make-it-fail"

/* The failslab knobs this test sets, in the order it sets them. */
static const struct knob {
	const char *path;
	const char *armed;
} knobs[] = {
	{ DBG "probability", "0" },	/* off while the others change */
	{ SLAB_FAILSLAB, "1" },
	{ DBG "cache-filter", "Y" },
	{ DBG "task-filter", "Y" },
	{ DBG "verbose", "1" },		/* a line per failure, no stack */
	{ DBG "interval", "1" },
	{ DBG "space", "0" },
	{ DBG "times", "0" },		/* set to 1 for each injection */
	{ DBG "probability", "100" },
};

#define NR_KNOBS	ARRAY_SIZE(knobs)

enum how {
	KILL,		/* kill(): SI_USER */
	SIGQUEUE,	/* rt_sigqueueinfo(): SI_QUEUE */
	TGKILL,		/* tgkill(): SI_TKILL */
	TGSIGQUEUE,	/* rt_tgsigqueueinfo(): SI_QUEUE */
	PIDFD,		/* pidfd_send_signal() without siginfo: SI_USER */
	PIDFD_INFO,	/* pidfd_send_signal() with an SI_QUEUE siginfo */
};

static const char * const how_name[] = {
	"kill", "rt_sigqueueinfo", "tgkill", "rt_tgsigqueueinfo",
	"pidfd_send_signal", "pidfd_send_signal+siginfo",
};

/* What the handler saw. */
static int handled, seen_code, seen_pid, seen_value;

static void handler(int sig, siginfo_t *si, void *uc)
{
	__atomic_store_n(&seen_code, si->si_code, __ATOMIC_RELAXED);
	__atomic_store_n(&seen_pid, si->si_pid, __ATOMIC_RELAXED);
	__atomic_store_n(&seen_value, si->si_value.sival_int, __ATOMIC_RELAXED);
	__atomic_add_fetch(&handled, 1, __ATOMIC_RELEASE);
}

static int read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* Returns 0 or the errno. */
static int write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	close(fd);
	if (n < 0)
		return errno;
	return n == (ssize_t)strlen(val) ? 0 : EIO;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static bool debugfs_mounted(void)
{
	char line[512], dir[256], type[64];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/mounts", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %255s %63s", dir, type) == 2 &&
			!strcmp(dir, "/sys/kernel/debug") &&
			!strcmp(type, "debugfs");
	fclose(f);
	return found;
}

/* Send @sig to this process, or to this thread, the way @how says. */
static int send_self(enum how how, int sig, int value)
{
	siginfo_t info;
	int pidfd, ret;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_uid = getuid();
	info.si_value.sival_int = value;

	switch (how) {
	case KILL:
		return kill(getpid(), sig);
	case SIGQUEUE:
		return tg_rt_sigqueueinfo(getpid(), sig, &info);
	case TGKILL:
		return tg_tgkill(getpid(), tg_gettid(), sig);
	case TGSIGQUEUE:
		return tg_rt_tgsigqueueinfo(getpid(), tg_gettid(), sig, &info);
	case PIDFD:
	case PIDFD_INFO:
		pidfd = tg_pidfd_open(getpid(), 0);
		if (pidfd < 0)
			return -1;
		ret = tg_pidfd_send_signal(pidfd, sig,
					   how == PIDFD ? NULL : &info, 0);
		close(pidfd);
		return ret;
	}
	errno = EINVAL;
	return -1;
}

FIXTURE(failslab) {
	char saved[NR_KNOBS][32];	/* knob values before the test */
	int armed;			/* knobs written so far */
	pid_t pgrp;			/* processes left to kill */
};

/*
 * Put back every knob written, the last first: probability, written first
 * and last, is back to its saved value before and after the others.
 */
static void disarm(char saved[][32], int *armed)
{
	while (*armed > 0) {
		(*armed)--;
		write_file(knobs[*armed].path, saved[*armed]);
	}
}

FIXTURE_SETUP(failslab)
{
	char buf[64];
	size_t i;
	int err;

	self->armed = 0;
	self->pgrp = 0;
	if (geteuid())
		SKIP(return, "needs root: debugfs and make-it-fail");
	if (!exists(MAKE_IT_FAIL))
		SKIP(return, "no %s: CONFIG_FAULT_INJECTION is not set",
		     MAKE_IT_FAIL);
	if (!exists(DBG)) {
		if (!debugfs_mounted())
			SKIP(return,
			     "no debugfs on /sys/kernel/debug (CONFIG_DEBUG_FS, mounted)");
		SKIP(return,
		     "no %s: CONFIG_FAILSLAB or CONFIG_FAULT_INJECTION_DEBUG_FS is not set",
		     DBG);
	}
	if (!exists(SLAB_FAILSLAB))
		SKIP(return,
		     "no %s: needs CONFIG_FAILSLAB, CONFIG_SYSFS and CONFIG_SLUB_TINY=n",
		     SLAB_FAILSLAB);
	for (i = 0; i < NR_KNOBS; i++)
		ASSERT_EQ(read_file(knobs[i].path, self->saved[i],
				    sizeof(self->saved[i])), 0)
			TH_LOG("%s: %s", knobs[i].path, strerror(errno));
	/* Y/N for the debugfs bools, 0/1 for the slab attribute. */
	for (i = 0; i < NR_KNOBS; i++) {
		err = write_file(knobs[i].path, knobs[i].armed);
		self->armed = i + 1;
		if (err == EINVAL && !strcmp(knobs[i].path, SLAB_FAILSLAB)) {
			disarm(self->saved, &self->armed);
			read_file("/sys/kernel/slab/sigqueue/aliases", buf,
				  sizeof(buf));
			SKIP(return,
			     "sigqueue shares its cache with %s other caches: CONFIG_SLAB_MERGE_DEFAULT=n or slab_nomerge is needed",
			     buf);
		}
		if (err) {
			disarm(self->saved, &self->armed);
			ASSERT_EQ(err, 0) TH_LOG("%s: %s", knobs[i].path,
						 strerror(err));
		}
	}
}

/* Runs in the parent, even when the test crashed or an assertion failed. */
FIXTURE_TEARDOWN_PARENT(failslab)
{
	if (self->pgrp > 0)
		kill(-self->pgrp, SIGKILL);
	disarm(self->saved, &self->armed);
}

/*
 * Block @sig, send it with @how while the next sigqueue allocation of this
 * thread fails, and say whether the failure was injected (the one allowed
 * failure was consumed).  Returns what the send returned, errno in *@err.
 */
static int send_failing(struct __test_metadata *_metadata, enum how how,
			int sig, int value, int *err, bool *injected)
{
	char times[32];
	int ret;

	ASSERT_EQ(write_file(DBG "times", "1"), 0);
	ASSERT_EQ(write_file(MAKE_IT_FAIL, "1"), 0);
	ret = send_self(how, sig, value);
	*err = ret ? errno : 0;
	ASSERT_EQ(write_file(MAKE_IT_FAIL, "0"), 0);
	ASSERT_EQ(read_file(DBG "times", times, sizeof(times)), 0);
	*injected = !strcmp(times, "0");
	return ret;
}

static void install(struct __test_metadata *_metadata, int sig)
{
	struct sigaction sa = {
		.sa_sigaction = handler,
		.sa_flags = SA_SIGINFO,
	};
	sigset_t set;

	ASSERT_EQ(sigaction(sig, &sa, NULL), 0);
	sigemptyset(&set);
	sigaddset(&set, sig);
	ASSERT_EQ(sigprocmask(SIG_BLOCK, &set, NULL), 0);
}

static bool is_pending(int sig)
{
	sigset_t set;

	return !sigpending(&set) && sigismember(&set, sig) == 1;
}

/* Unblock @sig: a pending one is handled before sigprocmask() returns. */
static int deliver(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	__atomic_store_n(&handled, 0, __ATOMIC_RELAXED);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return __atomic_load_n(&handled, __ATOMIC_ACQUIRE);
}

static void classic_arrives(struct __test_metadata *_metadata, enum how how)
{
	bool injected;
	int err, ret;

	install(_metadata, SIGUSR1);
	ret = send_failing(_metadata, how, SIGUSR1, 42, &err, &injected);
	ASSERT_EQ(ret, 0) TH_LOG("%s: %s", how_name[how], strerror(err));
	ASSERT_TRUE(injected) TH_LOG("%s: no sigqueue allocation failed",
				     how_name[how]);
	ASSERT_TRUE(is_pending(SIGUSR1));
	ASSERT_EQ(deliver(SIGUSR1), 1);
	/* Only the arrival is the rule; what the siginfo says is reported. */
	ksft_print_msg("%s SIGUSR1, no sigqueue: si_code %d si_pid %d si_value %d\n",
		       how_name[how], seen_code, seen_pid, seen_value);
	ASSERT_FALSE(is_pending(SIGUSR1));
}

/* A classic signal whose siginfo cannot be allocated still arrives. */
TEST_F(failslab, classic_kill_arrives_without_sigqueue)
{
	classic_arrives(_metadata, KILL);
}

TEST_F(failslab, classic_sigqueue_arrives_without_sigqueue)
{
	classic_arrives(_metadata, SIGQUEUE);
}

TEST_F(failslab, classic_tgkill_arrives_without_sigqueue)
{
	classic_arrives(_metadata, TGKILL);
}

TEST_F(failslab, classic_tgsigqueueinfo_arrives_without_sigqueue)
{
	classic_arrives(_metadata, TGSIGQUEUE);
}

/*
 * Without injection, @how delivers SIGRTMIN once, with its siginfo (the
 * control case: the failure is what made the difference).
 */
static void control_delivers(struct __test_metadata *_metadata, enum how how)
{
	int sig = SIGRTMIN;

	ASSERT_EQ(send_self(how, sig, 7), 0)
		TH_LOG("%s without injection: %s", how_name[how],
		       strerror(errno));
	ASSERT_TRUE(is_pending(sig));
	ASSERT_EQ(deliver(sig), 1);
	ASSERT_EQ(seen_pid, getpid()) TH_LOG("%s: siginfo of the control",
					     how_name[how]);
	if (how == SIGQUEUE || how == TGSIGQUEUE || how == PIDFD_INFO)
		ASSERT_EQ(seen_value, 7);
	ASSERT_FALSE(is_pending(sig));
}

static void rt_fails_with_eagain(struct __test_metadata *_metadata,
				 enum how how)
{
	int sig = SIGRTMIN;
	bool injected;
	int err, ret;

	install(_metadata, sig);
	ret = send_failing(_metadata, how, sig, 42, &err, &injected);
	ASSERT_TRUE(injected) TH_LOG("%s: no sigqueue allocation failed",
				     how_name[how]);
	ASSERT_EQ(ret, -1) TH_LOG("%s: a real-time signal without its sigqueue was accepted",
				  how_name[how]);
	ASSERT_EQ(err, EAGAIN) TH_LOG("%s: %s", how_name[how], strerror(err));
	ASSERT_FALSE(is_pending(sig)) TH_LOG("refused, yet pending");
	ASSERT_EQ(deliver(sig), 0);
	control_delivers(_metadata, how);
}

/* A queued real-time signal that cannot be queued is refused: EAGAIN. */
TEST_F(failslab, rt_sigqueue_fails_with_eagain)
{
	rt_fails_with_eagain(_metadata, SIGQUEUE);
}

TEST_F(failslab, rt_tgsigqueueinfo_fails_with_eagain)
{
	rt_fails_with_eagain(_metadata, TGSIGQUEUE);
}

TEST_F(failslab, rt_tgkill_fails_with_eagain)
{
	rt_fails_with_eagain(_metadata, TGKILL);
}

TEST_F(failslab, rt_pidfd_send_signal_siginfo_fails_with_eagain)
{
	rt_fails_with_eagain(_metadata, PIDFD_INFO);
}

/*
 * kill() of a real-time signal whose sigqueue cannot be allocated.
 * __send_signal_locked() (kernel/signal.c) refuses with EAGAIN only a
 * real-time signal whose si_code is not SI_USER ("kill is not allowed to
 * fail with EAGAIN when low on memory"); kill()'s SI_USER signal takes the
 * "silent loss of information" branch: it is set pending without a queue
 * entry, kill() returns 0, and collect_signal() hands the handler a zeroed
 * siginfo: si_code SI_USER, si_pid 0.
 */
static void rt_arrives_without_siginfo(struct __test_metadata *_metadata,
				       enum how how)
{
	int sig = SIGRTMIN;
	bool injected;
	int err, ret;

	install(_metadata, sig);
	ret = send_failing(_metadata, how, sig, 42, &err, &injected);
	ASSERT_TRUE(injected) TH_LOG("%s: no sigqueue allocation failed",
				     how_name[how]);
	ASSERT_EQ(ret, 0) TH_LOG("%s: %s", how_name[how], strerror(err));
	ASSERT_TRUE(is_pending(sig));
	ASSERT_EQ(deliver(sig), 1);
	ksft_print_msg("%s SIGRTMIN, no sigqueue: si_code %d si_pid %d si_value %d\n",
		       how_name[how], seen_code, seen_pid, seen_value);
	EXPECT_EQ(seen_code, SI_USER);
	EXPECT_EQ(seen_pid, 0);
	ASSERT_FALSE(is_pending(sig));
	control_delivers(_metadata, how);
}

TEST_F(failslab, rt_kill_arrives_without_siginfo)
{
	rt_arrives_without_siginfo(_metadata, KILL);
}

TEST_F(failslab, rt_pidfd_send_signal_arrives_without_siginfo)
{
	rt_arrives_without_siginfo(_metadata, PIDFD);
}

#define BCAST_PROCS	16
#define BCAST_THREADS	3	/* besides each process's main thread */

/*
 * kill(-pgrp, SIGTERM) to 16 processes of 4 threads each, the default
 * action, with every sigqueue allocation of the sender failing.  A kernel
 * that allocates one per recipient sees up to 16 failures, one that sends
 * the signal as a bit none: the count is reported, the deaths and the
 * books are the rule.
 */
TEST_F(failslab, fatal_group_broadcast_needs_no_sigqueue)
{
	struct tg_sleepers *sl;
	pid_t pids[BCAST_PROCS], pgrp = 0;
	char times[32], c = 0;
	int i, status, fds[2], q0, q1, injected;
	long limit;

	q0 = tg_sigq(&limit);
	ASSERT_GE(q0, 0) TH_LOG("no SigQ in /proc/self/status");
	ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
	for (i = 0; i < BCAST_PROCS; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (!pids[i]) {
			sigset_t none;

			close(fds[0]);
			setpgid(0, pgrp);
			signal(SIGTERM, SIG_DFL);
			sigemptyset(&none);
			sigprocmask(SIG_SETMASK, &none, NULL);
			sl = mmap(NULL, sizeof(*sl), PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (sl == MAP_FAILED ||
			    tg_start_sleepers(sl, BCAST_THREADS) ||
			    write(fds[1], &c, 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		/* Both sides set it: no member is ever outside the group. */
		if (!pgrp) {
			pgrp = pids[0];
			self->pgrp = pgrp;
		}
		setpgid(pids[i], pgrp);
	}
	close(fds[1]);
	for (i = 0; i < BCAST_PROCS; i++)
		ASSERT_EQ(read(fds[0], &c, 1), 1) TH_LOG("member %d died", i);
	close(fds[0]);

	ASSERT_EQ(write_file(DBG "times", "1000"), 0);
	ASSERT_EQ(write_file(MAKE_IT_FAIL, "1"), 0);
	ASSERT_EQ(kill(-pgrp, SIGTERM), 0) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(write_file(MAKE_IT_FAIL, "0"), 0);
	ASSERT_EQ(read_file(DBG "times", times, sizeof(times)), 0);
	injected = 1000 - atoi(times);

	for (i = 0; i < BCAST_PROCS; i++) {
		ASSERT_EQ(waitpid(pids[i], &status, 0), pids[i]);
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
			TH_LOG("member %d: status %#x", i, status);
	}
	self->pgrp = 0;
	q1 = tg_sigq(&limit);
	ksft_print_msg("broadcast to %d: %d sigqueue allocations failed, SigQ %d then %d\n",
		       BCAST_PROCS, injected, q0, q1);
	EXPECT_GE(injected, 0);
	EXPECT_LE(injected, BCAST_PROCS);
	EXPECT_EQ(q1, q0) TH_LOG("RLIMIT_SIGPENDING count leaked");
}

TEST_HARNESS_MAIN
