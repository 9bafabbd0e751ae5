// SPDX-License-Identifier: GPL-2.0
/*
 * The init of a PID namespace.
 *
 * When it exits, zap_pid_ns_processes() kills every task of the namespace
 * (children, grandchildren, all their threads, processes whose main thread
 * exited or whose thread other than the main one exec'd, members of a
 * process group or session whose leader was reaped, nested namespaces,
 * siblings and nested two deep, tasks that entered with setns()) and init
 * is reaped only once all of them are gone.  While it lives, init is
 * protected: a signal whose action is the default one is ignored when sent
 * from inside the namespace, SIGKILL included, and from an ancestor
 * namespace only SIGKILL and SIGSTOP get through.  A handler init installs
 * does run.
 *
 * The test process unshares CLONE_NEWPID and forks init.  Tasks of the
 * namespace enlist their host pid and tid in a page shared through a
 * memfd (which exec keeps open), so that the test can watch them through
 * pidfds.  When the zap passes over a task, init waits for it forever: the
 * test says which task, once init sleeps in the zap's waits while that task
 * sleeps with no SIGKILL pending.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "../kselftest_harness.h"
#include "tg_util.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD	O_EXCL
#endif

#define NR_TASKS	96
#define NR_THREADS	8
#define NR_EXITED_LEADER 4	/* threads of the process whose leader exits */
#define NR_EXEC_THREADS	4	/* threads of the process that execs */

/* argv[1] of this program exec'd by a thread other than the main one */
#define IMAGE_FLAG	"--tgsig-zap-exec-image"

/* Who lives in the namespace besides init. */
#define CHILDREN	0x01	/* 4 children of init */
#define GRANDCHILDREN	0x02	/* 2 children with 2 children each */
#define THREADS		0x04	/* 4 children with 8 threads each */
#define NESTED		0x08	/* a child, a nested init and its 3 children */
#define SETNS		0x10	/* a child of the test, forked after setns() */
#define EXECED		0x20	/* a child whose non-leader thread exec'd */
#define LEADER_EXITED	0x40	/* a child of 4 threads, its main one exited */
#define NESTED_DEEP	0x80	/* 2 sibling nested namespaces, 1 nested in one */
#define LEADERS_GONE	0x100	/* 2 in a group, 2 in a session; leaders reaped */
#define EVERYONE	0x1ff

/* Signals whose default action would end or stop init. */
static const int deadly[] = {
	SIGKILL, SIGSTOP, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGSEGV,
	SIGUSR1, SIGALRM, SIGTSTP, SIGTTIN, SIGXCPU,
};

struct zap {
	int slots;
	int ready;		/* tasks enlisted, futex word */
	struct {
		pid_t pid, tid;	/* as seen from the test's namespace */
	} task[NR_TASKS];
	int error;		/* a task of the namespace failed to set up */
	int init_exit;		/* tells init to exit */
	int armed;		/* init has its handler, futex word */
	int sent;		/* the test has sent its signals */
	int report;		/* init's verdict is in, futex word */
	int failed_kills;	/* kill() calls that did not return 0 */
	int pending;		/* signals init found pending afterwards */
	int handled;		/* init's handler runs */
	pid_t seen_pid;		/* si_pid and si_code seen by init's handler */
	int seen_code;
	pid_t sender;		/* the sending child, in init's namespace */
	pid_t leader_exited;	/* the process whose main thread exited */
	pid_t gone[2];		/* reaped group and session leaders */
	pid_t member[2][2];	/* and their members */
	int leaders_reaped;	/* futex word */
};

static struct zap *z;
static int z_fd = -1;

static int nr_enlisted(int who)
{
	return (who & CHILDREN ? 4 : 0) + (who & GRANDCHILDREN ? 6 : 0) +
	       (who & THREADS ? 4 * NR_THREADS : 0) + (who & NESTED ? 5 : 0) +
	       (who & SETNS ? 1 : 0) + (who & EXECED ? 1 : 0) +
	       (who & LEADER_EXITED ? NR_EXITED_LEADER : 0) +
	       (who & NESTED_DEEP ? 9 : 0) + (who & LEADERS_GONE ? 4 : 0);
}

/* Record the host pid and tid of the calling thread. */
static void enlist(void)
{
	int i, pid, tid;

	if (!tg_proc_self_ids(&pid, &tid)) {
		i = __atomic_fetch_add(&z->slots, 1, __ATOMIC_ACQ_REL);
		if (i < NR_TASKS) {
			z->task[i].pid = pid;
			z->task[i].tid = tid;
			tg_add_and_wake(&z->ready, 1);
			return;
		}
	}
	__atomic_store_n(&z->error, 1, __ATOMIC_RELEASE);
	tg_futex_wake(&z->ready);
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

static void sleeper(void)
{
	enlist();
	sleep_forever();
}

static void *thread_sleeper(void *arg)
{
	sleeper();
	return NULL;
}

static void threaded(void)
{
	pthread_t th;
	int i;

	for (i = 1; i < NR_THREADS; i++)
		if (pthread_create(&th, NULL, thread_sleeper, NULL))
			__atomic_store_n(&z->error, 1, __ATOMIC_RELEASE);
	sleeper();
}

static void failed(void)
{
	__atomic_store_n(&z->error, 1, __ATOMIC_RELEASE);
	tg_futex_wake(&z->ready);
}

/*
 * A child that makes a nested namespace, whose init has @nr children; with
 * @deeper, one more, which makes a namespace nested in that one, whose init
 * has one child (a loop rather than a call, which gcc, seeing that this
 * never returns, reports as endless recursion).
 */
static void nested(int nr, bool deeper)
{
	int i;

again:
	enlist();
	if (unshare(CLONE_NEWPID)) {
		failed();
	} else if (!fork()) {
		/* The init of the nested namespace. */
		for (i = 0; i < nr; i++)
			if (!fork())
				sleeper();
		if (deeper && !fork()) {
			nr = 1;
			deeper = false;
			goto again;
		}
		sleeper();
	}
	sleep_forever();
}

/*
 * A process group's (@session: a session's) leader: forks two members and
 * exits, for init to reap, so that its pid names no process, only the
 * group or session of the members.  In the session, the second member
 * makes a group of its own.
 */
static void gone_leader(int session)
{
	pid_t tid;
	int m;

	if (tg_proc_self_ids(&z->gone[session], &tid) ||
	    (session ? setsid() < 0 : setpgid(0, 0) != 0))
		failed();
	for (m = 0; m < 2; m++) {
		if (fork())
			continue;
		if (tg_proc_self_ids(&z->member[session][m], &tid) ||
		    (session && m && setpgid(0, 0)))
			failed();
		sleeper();
	}
	_exit(0);
}

/* The process whose main thread exits: enlisted as a process. */
static void leader_exited(void)
{
	pthread_t th;
	pid_t tid;
	int i;

	for (i = 1; i < NR_EXITED_LEADER; i++)
		if (pthread_create(&th, NULL, thread_sleeper, NULL))
			failed();
	if (tg_proc_self_ids(&z->leader_exited, &tid))
		failed();
	enlist();
	pthread_exit(NULL);
}

static void *idle_thread(void *arg)
{
	sleep_forever();
	return NULL;
}

/* Exec this program, which goes on in exec_image(), from this thread. */
static void *exec_thread(void *arg)
{
	char fd[16], tid[16], arg0[] = "pidns_zap", flag[] = IMAGE_FLAG;
	char *argv[5];

	snprintf(fd, sizeof(fd), "%d", z_fd);
	snprintf(tid, sizeof(tid), "%d", tg_gettid());
	argv[0] = arg0;
	argv[1] = flag;
	argv[2] = fd;
	argv[3] = tid;
	argv[4] = NULL;
	execv("/proc/self/exe", argv);
	failed();
	return NULL;
}

/*
 * NR_EXEC_THREADS threads, the last of which execs: de_thread() kills the
 * others, the main one included, and the exec'ing thread takes over the
 * main thread's pid.
 */
static void execed(void)
{
	pthread_t th;
	int i;

	for (i = 1; i < NR_EXEC_THREADS - 1; i++)
		if (pthread_create(&th, NULL, idle_thread, NULL))
			failed();
	if (pthread_create(&th, NULL, exec_thread, NULL))
		failed();
	sleep_forever();
}

/*
 * The new image of the process whose thread @argv[3] exec'd: one thread,
 * with the pid of the main thread, which is not the one that exec'd.
 */
static int exec_image(char **argv)
{
	pid_t pid, tid, old_tid = atoi(argv[3]);

	z = mmap(NULL, sizeof(*z), PROT_READ | PROT_WRITE, MAP_SHARED,
		 atoi(argv[2]), 0);
	if (z == MAP_FAILED)
		return 1;
	if (old_tid == getpid() || tg_gettid() != getpid() ||
	    tg_proc_self_ids(&pid, &tid) || tg_thread_count(pid) != 1)
		failed();
	sleeper();
	return 0;
}

/* The init of the namespace under test, with its population. */
static void init_main(int who)
{
	pid_t pid;
	int i, j;

	if (who & CHILDREN)
		for (i = 0; i < 4; i++)
			if (!fork())
				sleeper();
	if (who & GRANDCHILDREN)
		for (i = 0; i < 2; i++)
			if (!fork()) {
				for (j = 0; j < 2; j++)
					if (!fork())
						sleeper();
				sleeper();
			}
	if (who & THREADS)
		for (i = 0; i < 4; i++)
			if (!fork())
				threaded();
	if (who & NESTED)
		if (!fork())
			nested(3, false);
	if (who & EXECED)
		if (!fork())
			execed();
	if (who & LEADER_EXITED)
		if (!fork())
			leader_exited();
	if (who & NESTED_DEEP) {
		if (!fork())
			nested(1, false);
		if (!fork())
			nested(1, true);
	}
	for (i = 0; who & LEADERS_GONE && i < 2; i++) {
		pid = fork();
		if (!pid)
			gone_leader(i);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			failed();
		tg_add_and_wake(&z->leaders_reaped, 1);
	}
	tg_wait_at_least(&z->init_exit, 1);
	_exit(0);
}

/* Wait for *word >= target, giving up when @pid has died or failed. */
static bool zap_wait(pid_t pid, int *word, int target)
{
	struct timespec ts = { .tv_nsec = 20 * 1000000 };
	siginfo_t si;
	int v;

	while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) < target) {
		si.si_pid = 0;
		if (__atomic_load_n(&z->error, __ATOMIC_ACQUIRE) ||
		    (!waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
		     si.si_pid))
			return false;
		syscall(__NR_futex, word, FUTEX_WAIT, v, &ts, NULL, 0);
	}
	return true;
}

/*
 * Wait for init's report.  Fails when init stops or dies instead, which
 * is what a signal that is not ignored would make it do.
 */
static bool wait_report(pid_t init)
{
	struct timespec ts = { .tv_nsec = 5 * 1000000 };
	siginfo_t si;
	char state;

	while (!__atomic_load_n(&z->report, __ATOMIC_ACQUIRE)) {
		state = tg_task_state(init, init);
		si.si_pid = 0;
		if (state == 'T' || state == 't' ||
		    (!waitid(P_PID, init, &si, WEXITED | WNOHANG | WNOWAIT) &&
		     si.si_pid))
			return false;
		syscall(__NR_futex, &z->report, FUTEX_WAIT, 0, &ts, NULL, 0);
	}
	return true;
}

/* In init: count the signals now pending, then report. */
static void report(void)
{
	sigset_t set;
	int sig;

	sigpending(&set);
	for (sig = 1; sig <= SIGRTMAX; sig++)
		if (sigismember(&set, sig))
			z->pending++;
	tg_add_and_wake(&z->report, 1);
}

/* From inside the namespace, send every deadly signal to init. */
static int send_deadly_to_init(bool tgkill)
{
	int i, failed = 0;

	for (i = 0; i < ARRAY_SIZE(deadly); i++)
		if (tgkill ? tg_tgkill(1, 1, deadly[i]) : kill(1, deadly[i]))
			failed++;
	if (tgkill ? tg_tgkill(1, 1, SIGRTMIN) : kill(1, SIGRTMIN))
		failed++;
	return failed;
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	z->seen_pid = si->si_pid;
	z->seen_code = si->si_code;
	z->handled++;
}

/*
 * Map the shared page and unshare CLONE_NEWPID: our next child is the
 * init of a new namespace.  Returns false when the test is skipped (the
 * config or the privilege is missing) or failed (any other error).
 */
static bool new_pidns(struct __test_metadata *_metadata, int *host_ns)
{
	sigset_t set;
	int i;

	/* Not close-on-exec: a process whose thread exec'd maps it again. */
	z_fd = memfd_create("pidns_zap", 0);
	EXPECT_GE(z_fd, 0)
		TH_LOG("memfd_create(): %s (CONFIG_TMPFS?)", strerror(errno));
	if (z_fd < 0)
		return false;
	EXPECT_EQ(0, ftruncate(z_fd, sizeof(*z)));
	z = mmap(NULL, sizeof(*z), PROT_READ | PROT_WRITE, MAP_SHARED, z_fd,
		 0);
	EXPECT_NE(MAP_FAILED, z);
	*host_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (*host_ns < 0 && errno == ENOENT)
		SKIP(return false, "no /proc/self/ns/pid: needs CONFIG_PID_NS");
	EXPECT_GE(*host_ns, 0);
	if (z == MAP_FAILED || *host_ns < 0)
		return false;
	/* init inherits this: default actions, nothing blocked. */
	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(deadly); i++) {
		if (deadly[i] != SIGKILL && deadly[i] != SIGSTOP)
			signal(deadly[i], SIG_DFL);
		sigaddset(&set, deadly[i]);
	}
	signal(SIGRTMIN, SIG_DFL);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	if (unshare(CLONE_NEWPID)) {
		/* Only a missing config or privilege is a reason to skip. */
		if (errno == EINVAL)
			SKIP(return false,
			     "unshare(CLONE_NEWPID): EINVAL: needs CONFIG_PID_NS");
		if (errno == EPERM)
			SKIP(return false,
			     "unshare(CLONE_NEWPID): EPERM: needs CAP_SYS_ADMIN");
		EXPECT_EQ(0, errno)
			TH_LOG("unshare(CLONE_NEWPID): %s", strerror(errno));
		return false;
	}
	return true;
}

/*
 * Fork init (pid 1 of the unshared namespace) running @fn(@arg); our own
 * later children go back to our namespace.
 */
static pid_t fork_init(struct __test_metadata *_metadata, int host_ns,
		       void (*fn)(int), int arg)
{
	pid_t init = fork();

	if (!init) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fn(arg);
		_exit(0);
	}
	EXPECT_EQ(0, setns(host_ns, CLONE_NEWPID));
	return init;
}

/* Fork a child of ours into @init's namespace through setns(). */
static pid_t fork_into(struct __test_metadata *_metadata, int host_ns,
		       pid_t init)
{
	char path[64];
	pid_t child;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", init);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWPID))
		return -1;
	close(fd);
	child = fork();
	if (!child) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		sleeper();
	}
	EXPECT_EQ(0, setns(host_ns, CLONE_NEWPID));
	return child;
}

/*
 * The state and PF_* flags of thread @tid of @pid (the process when @tid
 * is 0), from its stat file.  Returns 0, or -1 when it is gone.
 */
static int task_stat(pid_t pid, pid_t tid, char *state, unsigned long *flags)
{
	const char *f;
	char buf[512];

	/* state ppid pgrp session tty_nr tpgid flags */
	f = tg_proc_stat(pid, tid, buf, sizeof(buf));
	return f && sscanf(f, "%c %*d %*d %*d %*d %*d %lu", state, flags) == 2 ?
	       0 : -1;
}

/* The PF_* flags of task @pid, from /proc/PID/stat; 0 when gone. */
static unsigned long task_flags(pid_t pid)
{
	unsigned long flags;
	char state;

	return task_stat(pid, 0, &state, &flags) ? 0 : flags;
}

#define PF_EXITING	0x4

/* /proc/PID/wchan in @buf: "0" without CONFIG_KALLSYMS, "" when gone. */
static const char *read_wchan(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Whether /proc/PID/wchan names @fn, or cannot tell (it reads "0"). */
static bool wchan_may_be(pid_t pid, const char *fn)
{
	char buf[128];

	read_wchan(pid, buf, sizeof(buf));
	return !buf[0] || !strcmp(buf, "0") || !strcmp(buf, fn);
}

static bool readable_now(int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/*
 * Whether the exiting init sleeps in the zap's waits for its children or
 * for the last pids of its namespace: its walk, which sent SIGKILL, is
 * over.  False when wchan cannot tell.
 */
static bool init_in_zap_wait(pid_t init)
{
	unsigned long flags;
	char state, buf[128];

	if (task_stat(init, 0, &state, &flags) ||
	    (state != 'S' && state != 'I') || !(flags & PF_EXITING))
		return false;
	read_wchan(init, buf, sizeof(buf));
	return !strcmp(buf, "do_wait") || !strcmp(buf, "zap_pid_ns_processes");
}

/* Whether thread @tid of @pid sleeps and is not exiting. */
static bool asleep_not_exiting(pid_t pid, pid_t tid)
{
	unsigned long flags;
	char state;

	return !task_stat(pid, tid, &state, &flags) &&
	       (state == 'S' || state == 'D') && !(flags & PF_EXITING);
}

/*
 * Whether the zap, its walk over, passed over thread @tid of @pid: it
 * sleeps, not exiting, with no SIGKILL pending, and still does after.  One
 * the walk reached has SIGKILL pending until it dequeues it (in its own
 * queue; in the shared one until it exits), and from then on it runs,
 * exits or is gone: it is never seen asleep without it again.
 */
static bool passed_over(pid_t pid, pid_t tid)
{
	return asleep_not_exiting(pid, tid) &&
	       !tg_sig_in(pid, tid, "SigPnd", SIGKILL) &&
	       !tg_sig_in(pid, tid, "ShdPnd", SIGKILL) &&
	       asleep_not_exiting(pid, tid);
}

/*
 * Wait until @pid, a child of ours, has exited.  False, with *@missed the
 * index of an enlisted task (of @nr, whose pidfds are @pidfd) that the zap
 * of @init's namespace passed over: init would wait for it forever.
 */
static bool wait_zapped(pid_t pid, pid_t init, const int *pidfd, int nr,
			int *missed)
{
	const struct timespec pause = { .tv_nsec = 1000000 };
	siginfo_t si;
	int i;

	for (;;) {
		si.si_pid = 0;
		if (!waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
		    si.si_pid)
			return true;
		for (i = 0; init_in_zap_wait(init) && i < nr; i++) {
			if (readable_now(pidfd[i]) ||
			    !passed_over(z->task[i].pid, z->task[i].tid))
				continue;
			*missed = i;
			return false;
		}
		nanosleep(&pause, NULL);
	}
}

/*
 * The reaped leaders' pids name no process, only their members' group or
 * session.
 */
static void check_leaders_gone(struct __test_metadata *_metadata)
{
	pid_t pgrp = 0, sid = 0;
	int g, m;

	for (g = 0; g < 2; g++) {
		ASSERT_EQ(0, tg_task_state(z->gone[g], z->gone[g]))
			TH_LOG("%s leader %d still there",
			       g ? "session" : "group", z->gone[g]);
		for (m = 0; m < 2; m++) {
			ASSERT_EQ(0, tg_proc_pgrp_sid(z->member[g][m], &pgrp, &sid));
			ASSERT_EQ(z->gone[g], g ? sid : pgrp)
				TH_LOG("%d, of the %s of reaped %d: group %d, session %d",
				       z->member[g][m], g ? "session" : "group",
				       z->gone[g], pgrp, sid);
		}
	}
}

FIXTURE(zap) {
	int host_ns;
	pid_t init;
	pid_t setns_child;
};

FIXTURE_SETUP(zap)
{
	new_pidns(_metadata, &self->host_ns);
}

FIXTURE_TEARDOWN(zap)
{
	tg_reap(&self->setns_child);
	tg_reap(&self->init);
}

FIXTURE_VARIANT(zap) {
	int who;
	bool sigkill;	/* init is SIGKILLed from outside instead of exiting */
	bool leader_sigkilled;	/* LEADER_EXITED: then tgkill()ed SIGKILL */
};

FIXTURE_VARIANT_ADD(zap, children) {
	.who = CHILDREN,
};

FIXTURE_VARIANT_ADD(zap, grandchildren) {
	.who = GRANDCHILDREN,
};

FIXTURE_VARIANT_ADD(zap, threaded_children) {
	.who = THREADS,
};

FIXTURE_VARIANT_ADD(zap, nested_pidns) {
	.who = NESTED,
};

FIXTURE_VARIANT_ADD(zap, setns_child) {
	.who = SETNS,
};

/* Found by the pid of the main thread, which another thread took over. */
FIXTURE_VARIANT_ADD(zap, exec_from_non_leader_thread) {
	.who = EXECED,
};

FIXTURE_VARIANT_ADD(zap, leader_exited) {
	.who = LEADER_EXITED,
};

/*
 * A SIGKILL sent to the main thread after it exited kills nobody: it is
 * for that thread alone (6.12 leaves it in the exited thread's queue,
 * mainline drops it), and the others run on.  The zap kills them all the
 * same.
 */
FIXTURE_VARIANT_ADD(zap, leader_exited_then_sigkilled) {
	.who = LEADER_EXITED,
	.leader_sigkilled = true,
};

FIXTURE_VARIANT_ADD(zap, nested_siblings_and_two_deep) {
	.who = NESTED_DEEP,
};

/* Their pids name no process, which the zap does not trip over. */
FIXTURE_VARIANT_ADD(zap, group_and_session_leaders_reaped) {
	.who = LEADERS_GONE,
};

FIXTURE_VARIANT_ADD(zap, everyone) {
	.who = EVERYONE,
};

FIXTURE_VARIANT_ADD(zap, everyone_init_sigkilled) {
	.who = EVERYONE,
	.sigkill = true,
};

/*
 * Once the parent's wait for init returns, every task of the namespace,
 * every thread included, has exited: all their pidfds are readable.
 */
TEST_F(zap, init_exit_kills_all_and_is_reaped_after_they_are_gone)
{
	int nr = nr_enlisted(variant->who), pidfd[NR_TASKS], i, status;
	int missed = -1;
	unsigned int flags;

	self->init = fork_init(_metadata, self->host_ns, init_main,
			       variant->who);
	ASSERT_GT(self->init, 0);
	if (variant->who & SETNS) {
		self->setns_child = fork_into(_metadata, self->host_ns,
					      self->init);
		ASSERT_GT(self->setns_child, 0);
	}
	ASSERT_TRUE(zap_wait(self->init, &z->ready, nr))
		TH_LOG("%d of %d tasks enlisted", z->ready, nr);
	if (variant->who & LEADERS_GONE) {
		ASSERT_TRUE(zap_wait(self->init, &z->leaders_reaped, 2));
		check_leaders_gone(_metadata);
	}
	if (variant->who & LEADER_EXITED)
		ASSERT_EQ('Z', tg_wait_task_state(z->leader_exited,
						  z->leader_exited, "Z"))
			TH_LOG("the main thread of %d did not exit",
			       z->leader_exited);
	/* The pidfds below, none readable, show that nobody died of it. */
	if (variant->leader_sigkilled)
		ASSERT_EQ(0, tg_tgkill(z->leader_exited, z->leader_exited,
				       SIGKILL))
			TH_LOG("tgkill(%d, %d, SIGKILL): %s", z->leader_exited,
			       z->leader_exited, strerror(errno));

	for (i = 0; i < nr; i++) {
		flags = z->task[i].pid == z->task[i].tid ? 0 : PIDFD_THREAD;
		pidfd[i] = tg_pidfd_open(z->task[i].tid, flags);
		ASSERT_GE(pidfd[i], 0) TH_LOG("pidfd_open(%d, %#x): %s",
					      z->task[i].tid, flags,
					      strerror(errno));
		ASSERT_FALSE(readable_now(pidfd[i]));
	}

	if (variant->sigkill)
		kill(self->init, SIGKILL);
	else
		tg_add_and_wake(&z->init_exit, 1);
	if (self->setns_child) {
		/* Our own child: init waits for us to reap it. */
		ASSERT_TRUE(wait_zapped(self->setns_child, self->init, pidfd,
					nr, &missed))
			TH_LOG("task %d (tid %d) passed over by the zap",
			       z->task[missed].pid, z->task[missed].tid);
		ASSERT_EQ(self->setns_child,
			  waitpid(self->setns_child, &status, 0));
		self->setns_child = 0;
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	ASSERT_TRUE(wait_zapped(self->init, self->init, pidfd, nr, &missed))
		TH_LOG("task %d (tid %d) passed over by the zap",
		       z->task[missed].pid, z->task[missed].tid);
	ASSERT_EQ(self->init, waitpid(self->init, &status, 0));
	self->init = 0;
	EXPECT_EQ(variant->sigkill ? SIGKILL : 0, status);

	for (i = 0; i < nr; i++) {
		EXPECT_TRUE(readable_now(pidfd[i]))
			TH_LOG("task %d (tid %d) still there after init was reaped",
			       z->task[i].pid, z->task[i].tid);
		close(pidfd[i]);
	}
}

/*
 * Wait until the exiting init sleeps in zap_pid_ns_processes(), waiting
 * for the last pids of its namespace to be freed (TASK_IDLE, 'I', in
 * 6.12; 'S' in later kernels).  False when it became a zombie instead.
 */
static bool wait_exiting_init_asleep(pid_t init)
{
	const struct timespec pause = { .tv_nsec = 1000000 };
	char state;

	for (;;) {
		state = tg_task_state(init, init);
		if (!state || state == 'Z' || state == 'X')
			return false;
		if ((state == 'I' || state == 'S') &&
		    (task_flags(init) & PF_EXITING) &&
		    wchan_may_be(init, "zap_pid_ns_processes"))
			return true;
		nanosleep(&pause, NULL);
	}
}

static void idle_init(int unused)
{
	tg_wait_at_least(&z->init_exit, 1);
}

/*
 * A task that entered with setns() and fork() has its parent outside the
 * namespace.  Killed by the zap, it stays a zombie until that parent
 * reaps it, and until then init, though it is done, is not reaped
 * (Linux waits for it in zap_pid_ns_processes(), in TASK_IDLE).
 */
FIXTURE(setns_zombie) {
	int host_ns;
	pid_t init;
	pid_t setns_child;
};

FIXTURE_SETUP(setns_zombie)
{
	new_pidns(_metadata, &self->host_ns);
}

FIXTURE_TEARDOWN(setns_zombie)
{
	tg_reap(&self->setns_child);
	tg_reap(&self->init);
}

TEST_F(setns_zombie, linux_init_unreapable_until_setns_child_is_reaped)
{
	int pidfd, init_pidfd, status;
	siginfo_t si;

	self->init = fork_init(_metadata, self->host_ns, idle_init, 0);
	ASSERT_GT(self->init, 0);
	self->setns_child = fork_into(_metadata, self->host_ns, self->init);
	ASSERT_GT(self->setns_child, 0);
	ASSERT_TRUE(zap_wait(self->init, &z->ready, 1));
	pidfd = tg_pidfd_open(self->setns_child, 0);
	ASSERT_GE(pidfd, 0);
	init_pidfd = tg_pidfd_open(self->init, 0);
	ASSERT_GE(init_pidfd, 0);

	ASSERT_EQ(0, kill(self->init, SIGKILL));
	ASSERT_EQ(0, tg_pidfd_wait_exit(pidfd));
	ASSERT_TRUE(wait_exiting_init_asleep(self->init))
		TH_LOG("init did not wait for the zombie");
	si.si_pid = 0;
	ASSERT_EQ(0, waitid(P_PID, self->init, &si,
			    WEXITED | WNOHANG | WNOWAIT));
	EXPECT_EQ(0, si.si_pid);
	EXPECT_FALSE(readable_now(init_pidfd));

	ASSERT_EQ(self->setns_child, waitpid(self->setns_child, &status, 0));
	self->setns_child = 0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ASSERT_EQ(self->init, waitpid(self->init, &status, 0));
	self->init = 0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(pidfd);
	close(init_pidfd);
}

enum sender {
	FROM_PARENT_NS = -1,
	FROM_CHILD_KILL,
	FROM_CHILD_TGKILL,
	FROM_INIT_ITSELF,
};

/* Signals sent to init from inside its namespace, in three ways. */
FIXTURE(inside) {
	int host_ns;
	pid_t init;
};

FIXTURE_VARIANT(inside) {
	int sender;
};

FIXTURE_VARIANT_ADD(inside, child_kill) {
	.sender = FROM_CHILD_KILL,
};

FIXTURE_VARIANT_ADD(inside, child_tgkill) {
	.sender = FROM_CHILD_TGKILL,
};

FIXTURE_VARIANT_ADD(inside, init_itself) {
	.sender = FROM_INIT_ITSELF,
};

FIXTURE_SETUP(inside)
{
	new_pidns(_metadata, &self->host_ns);
}

FIXTURE_TEARDOWN(inside)
{
	tg_reap(&self->init);
}

/*
 * Signals sent to init by the test, from the parent namespace, in three
 * ways: kill() has the kernel fill in the siginfo, tgkill() and sigqueue()
 * bring one with the sender's pid in its own namespace, which
 * send_signal_locked() must clear.
 */
enum how { SEND_KILL, SEND_TGKILL, SEND_SIGQUEUE };

FIXTURE(outside) {
	int host_ns;
	pid_t init;
};

FIXTURE_VARIANT(outside) {
	int how;
	int code;		/* the si_code init's handler sees */
};

FIXTURE_VARIANT_ADD(outside, kill) {
	.how = SEND_KILL, .code = SI_USER,
};

FIXTURE_VARIANT_ADD(outside, tgkill) {
	.how = SEND_TGKILL, .code = SI_TKILL,
};

FIXTURE_VARIANT_ADD(outside, sigqueue) {
	.how = SEND_SIGQUEUE, .code = SI_QUEUE,
};

/* Send @sig to process @pid of the parent namespace, the @how way. */
static int send_outside(int how, pid_t pid, int sig)
{
	const union sigval val = { .sival_int = 0 };

	switch (how) {
	case SEND_TGKILL:
		return tg_tgkill(pid, pid, sig);
	case SEND_SIGQUEUE:
		return sigqueue(pid, sig, val);
	default:
		return kill(pid, sig);
	}
}

FIXTURE_SETUP(outside)
{
	new_pidns(_metadata, &self->host_ns);
}

FIXTURE_TEARDOWN(outside)
{
	tg_reap(&self->init);
}

/* Init, with no handler: gets the deadly signals sent, then reports. */
static void init_under_fire(int sender)
{
	pid_t child;
	int status;

	if (sender == FROM_INIT_ITSELF) {
		z->failed_kills = send_deadly_to_init(false);
	} else {
		child = fork();
		if (!child)
			_exit(send_deadly_to_init(sender == FROM_CHILD_TGKILL));
		if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
			z->failed_kills = -1;
		else
			z->failed_kills = WEXITSTATUS(status);
	}
	report();
	tg_wait_at_least(&z->init_exit, 1);
}

/*
 * Signals with the default action sent to init from inside its namespace
 * are dropped, SIGKILL and SIGSTOP too; kill() still succeeds.  SIGKILL
 * from the parent namespace does kill it.
 */
TEST_F(inside, default_action_signals_ignored_by_init_sigkill_from_parent_kills)
{
	int status;

	self->init = fork_init(_metadata, self->host_ns, init_under_fire,
			       variant->sender);
	ASSERT_GT(self->init, 0);
	ASSERT_TRUE(wait_report(self->init))
		TH_LOG("init stopped or died");
	EXPECT_EQ(0, z->failed_kills);
	EXPECT_EQ(0, z->pending);

	ASSERT_EQ(0, kill(self->init, SIGKILL));
	ASSERT_EQ(self->init, waitpid(self->init, &status, 0));
	self->init = 0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void init_waits_for_sender(int unused)
{
	tg_wait_at_least(&z->sent, 1);
	report();
	tg_wait_at_least(&z->init_exit, 1);
}

/*
 * From the parent namespace, the default-action signals other than
 * SIGKILL and SIGSTOP are dropped as well; SIGSTOP stops init, SIGCONT
 * resumes it, SIGKILL kills it.
 */
TEST_F(outside, only_sigkill_and_sigstop_get_through_to_init)
{
	siginfo_t si;
	int i, status;

	self->init = fork_init(_metadata, self->host_ns,
			       init_waits_for_sender, 0);
	ASSERT_GT(self->init, 0);
	for (i = 0; i < ARRAY_SIZE(deadly); i++)
		if (deadly[i] != SIGKILL && deadly[i] != SIGSTOP)
			ASSERT_EQ(0, send_outside(variant->how, self->init,
						  deadly[i]));
	ASSERT_EQ(0, send_outside(variant->how, self->init, SIGRTMIN));
	tg_add_and_wake(&z->sent, 1);
	ASSERT_TRUE(wait_report(self->init))
		TH_LOG("init stopped or died");
	EXPECT_EQ(0, z->pending);

	ASSERT_EQ(0, send_outside(variant->how, self->init, SIGSTOP));
	ASSERT_EQ(0, waitid(P_PID, self->init, &si, WSTOPPED));
	EXPECT_EQ(CLD_STOPPED, si.si_code);
	EXPECT_EQ(SIGSTOP, si.si_status);
	ASSERT_EQ(0, kill(self->init, SIGCONT));
	ASSERT_EQ(0, waitid(P_PID, self->init, &si, WCONTINUED));
	EXPECT_EQ(CLD_CONTINUED, si.si_code);

	ASSERT_EQ(0, send_outside(variant->how, self->init, SIGKILL));
	ASSERT_EQ(self->init, waitpid(self->init, &status, 0));
	self->init = 0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* Init with a SIGUSR1 handler, blocked until the sender is done. */
static void init_with_handler(int sender)
{
	struct sigaction sa = { .sa_sigaction = on_signal,
				.sa_flags = SA_SIGINFO };
	sigset_t set;
	pid_t child;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	if (sender == FROM_INIT_ITSELF) {
		z->sender = getpid();
		if (kill(1, SIGUSR1))
			z->failed_kills++;
	} else if (sender != FROM_PARENT_NS) {
		child = fork();
		if (!child)
			_exit(sender == FROM_CHILD_TGKILL ?
			      tg_tgkill(1, 1, SIGUSR1) : kill(1, SIGUSR1));
		z->sender = child;
		if (waitpid(child, NULL, 0) != child)
			z->failed_kills++;
	} else {
		tg_add_and_wake(&z->armed, 1);
		tg_wait_at_least(&z->sent, 1);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	report();
	tg_wait_at_least(&z->init_exit, 1);
}

/*
 * A handler init installed runs for a signal from inside its namespace,
 * and si_pid names the sender in init's namespace.
 */
TEST_F(inside, handler_of_init_runs_with_sender_pid_of_its_namespace)
{
	int status;

	self->init = fork_init(_metadata, self->host_ns, init_with_handler,
			       variant->sender);
	ASSERT_GT(self->init, 0);
	ASSERT_TRUE(wait_report(self->init));
	EXPECT_EQ(0, z->failed_kills);
	EXPECT_EQ(1, z->handled);
	EXPECT_EQ(z->sender, z->seen_pid);
	EXPECT_EQ(variant->sender == FROM_CHILD_TGKILL ? SI_TKILL : SI_USER,
		  z->seen_code);

	tg_add_and_wake(&z->init_exit, 1);
	ASSERT_EQ(self->init, waitpid(self->init, &status, 0));
	self->init = 0;
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
}

/*
 * It runs for a signal from the parent namespace too, with si_pid 0: the
 * sender has no pid in init's namespace.
 */
TEST_F(outside, handler_of_init_runs_with_si_pid_zero)
{
	int status;

	self->init = fork_init(_metadata, self->host_ns, init_with_handler,
			       FROM_PARENT_NS);
	ASSERT_GT(self->init, 0);
	/* Sent before the handler is in place, SIGUSR1 would be dropped. */
	ASSERT_TRUE(zap_wait(self->init, &z->armed, 1));
	ASSERT_EQ(0, send_outside(variant->how, self->init, SIGUSR1));
	tg_add_and_wake(&z->sent, 1);
	ASSERT_TRUE(wait_report(self->init));
	EXPECT_EQ(1, z->handled);
	EXPECT_EQ(0, z->seen_pid);
	EXPECT_EQ(variant->code, z->seen_code);

	tg_add_and_wake(&z->init_exit, 1);
	ASSERT_EQ(self->init, waitpid(self->init, &status, 0));
	self->init = 0;
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], IMAGE_FLAG))
		return exec_image(argv);
	return test_harness_run(argc, argv);
}
