// SPDX-License-Identifier: GPL-2.0
/*
 * Group-wide death: SIGKILL reaches every thread of a large group whatever
 * each thread is doing or blocking, a fatal signal sent to one thread ends
 * the whole group with that signal as the status, and exit() from a signal
 * handler on any thread ends the whole group with that exit code.  A fatal
 * signal to a ptraced process is not broadcast: it stops for the tracer
 * with the siginfo the sender made.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>

#include "tg_util.h"
#include "../kselftest_harness.h"

#define MAX_THREADS	512
#define STACK_SIZE	(64 * 1024)

enum subject_mode {
	MODE_MIXED,	/* threads block all, sit in sigwaitinfo or futex */
	MODE_FATAL,	/* only the target thread leaves ->sig unblocked */
	MODE_HANDLER,	/* ->sig has a handler calling exit(15) */
};

/* Shared between the test and its subject process (MAP_SHARED). */
struct shared {
	int mode;
	int nthreads;
	int sig;
	int leader_exits;	/* the leader pthread_exit()s once all run */
	int started;		/* threads running, leader included */
	int ntids;
	int never;		/* a futex word nobody changes */
	int setup_error;	/* the subject failed to set up */
	pid_t tids[MAX_THREADS];	/* tids[0] is the leader */
};

static struct shared *subject_sh;

/* Sleep until killed. */
static void wait_forever(struct shared *sh)
{
	for (;;)
		tg_futex_wait(&sh->never, 0);
}

static void set_raw_mask(unsigned long long mask)
{
	syscall(__NR_rt_sigprocmask, SIG_SETMASK, &mask, NULL, sizeof(mask));
}

static void *subject_thread(void *arg)
{
	struct shared *sh = subject_sh;
	int idx = (int)(long)arg;
	sigset_t set;

	sh->tids[idx] = tg_gettid();
	switch (sh->mode) {
	case MODE_MIXED:
		if (idx % 3 == 0) {
			/* Blocks everything that can be blocked. */
			set_raw_mask(~0ULL);
			tg_add_and_wake(&sh->started, 1);
			wait_forever(sh);
		} else if (idx % 3 == 1) {
			sigemptyset(&set);
			sigaddset(&set, SIGUSR2);
			pthread_sigmask(SIG_BLOCK, &set, NULL);
			tg_add_and_wake(&sh->started, 1);
			for (;;)
				sigwaitinfo(&set, NULL);
		}
		break;
	case MODE_FATAL:
		/* The last thread is the only one that takes ->sig. */
		if (idx == sh->nthreads - 1) {
			sigemptyset(&set);
			sigaddset(&set, sh->sig);
			pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		}
		break;
	}
	tg_add_and_wake(&sh->started, 1);
	wait_forever(sh);
	return NULL;
}

static void exit15_handler(int sig)
{
	/*
	 * Every other thread sleeps in a futex wait holding no libc lock, so
	 * exit() is safe here; it ends in exit_group(15).
	 */
	exit(15);
}

/* Give up, waking the test rather than letting it wait forever. */
static void subject_fail(struct shared *sh, int code)
{
	sh->setup_error = code;
	tg_add_and_wake(&sh->started, MAX_THREADS + 1);
	_exit(code);
}

static void run_subject(struct shared *sh, pid_t parent)
{
	struct sigaction sa = { .sa_handler = exit15_handler };
	pthread_attr_t attr;
	pthread_t th;
	sigset_t set;
	long i;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		subject_fail(sh, 100);
	/* Not orphaned, see action_table.c; no effect on the rules here. */
	setpgid(0, 0);
	subject_sh = sh;
	if (sh->mode == MODE_FATAL) {
		/* Threads inherit this: all but one block ->sig. */
		sigemptyset(&set);
		sigaddset(&set, sh->sig);
		sigprocmask(SIG_BLOCK, &set, NULL);
	}
	if (sh->mode == MODE_HANDLER && sigaction(sh->sig, &sa, NULL))
		subject_fail(sh, 101);

	sh->tids[0] = getpid();
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	for (i = 1; i < sh->nthreads; i++)
		if (pthread_create(&th, &attr, subject_thread, (void *)i))
			subject_fail(sh, 102);
	tg_add_and_wake(&sh->started, 1);
	if (sh->leader_exits)
		pthread_exit(NULL);
	wait_forever(sh);
}

static struct shared *map_shared(void)
{
	struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return sh == MAP_FAILED ? NULL : sh;
}

/*
 * Fork a subject as described by @sh, wait until all of its threads run and
 * sleep, and return its pid with a pidfd for it in @pidfd.
 */
static pid_t spawn_subject(struct __test_metadata *_metadata,
			   struct shared *sh, int *pidfd)
{
	pid_t parent = getpid();
	pid_t pid;
	int i;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		run_subject(sh, parent);
		_exit(103);
	}
	*pidfd = tg_pidfd_open(pid, 0);
	if (*pidfd < 0) {
		TH_LOG("pidfd_open: %s", strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	ASSERT_GE(*pidfd, 0);
	tg_wait_at_least(&sh->started, sh->nthreads);
	if (sh->setup_error) {
		waitpid(pid, NULL, 0);
		close(*pidfd);
	}
	ASSERT_EQ(sh->setup_error, 0) TH_LOG("subject failed to set up");
	/* Each thread is in its blocking call, the leader maybe a zombie. */
	for (i = 0; i < sh->nthreads; i++)
		tg_wait_task_state(pid, sh->tids[i], sh->leader_exits && !i ?
				   "Z" : "S");
	return pid;
}

/* Kill and reap @pid after a failed assertion. */
static void cleanup_subject(pid_t pid, int pidfd)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pidfd);
}

FIXTURE(sigkill_broadcast) {
	struct shared *sh;
	pid_t pid;
	int pidfd;
};

FIXTURE_VARIANT(sigkill_broadcast) {
	bool stopped;	/* group-stop the subject first */
	bool tgkill;	/* send to a thread that blocks every signal */
};

FIXTURE_VARIANT_ADD(sigkill_broadcast, running_kill) {
	.stopped = false,
	.tgkill = false,
};

FIXTURE_VARIANT_ADD(sigkill_broadcast, running_tgkill_at_all_blocked_thread) {
	.stopped = false,
	.tgkill = true,
};

FIXTURE_VARIANT_ADD(sigkill_broadcast, stopped_kill) {
	.stopped = true,
	.tgkill = false,
};

FIXTURE_VARIANT_ADD(sigkill_broadcast, stopped_tgkill_at_all_blocked_thread) {
	.stopped = true,
	.tgkill = true,
};

FIXTURE_SETUP(sigkill_broadcast)
{
	self->pid = 0;
	self->sh = map_shared();
	ASSERT_NE(self->sh, NULL);
}

FIXTURE_TEARDOWN(sigkill_broadcast)
{
	if (self->pid > 0)
		cleanup_subject(self->pid, self->pidfd);
	munmap(self->sh, sizeof(*self->sh));
}

TEST_F(sigkill_broadcast, sigkill_kills_every_one_of_512_threads_whatever_they_do)
{
	struct shared *sh = self->sh;
	pid_t tids[MAX_THREADS + 1];
	int i, n, stopped, status, ret;
	pid_t pid;

	sh->mode = MODE_MIXED;
	sh->nthreads = MAX_THREADS;
	self->pid = spawn_subject(_metadata, sh, &self->pidfd);
	pid = self->pid;
	ASSERT_EQ(__atomic_load_n(&sh->started, __ATOMIC_ACQUIRE), MAX_THREADS);
	ASSERT_EQ(tg_thread_count(pid), MAX_THREADS);

	if (variant->stopped) {
		ASSERT_EQ(kill(pid, SIGSTOP), 0);
		ASSERT_EQ(waitpid(pid, &status, WUNTRACED), pid);
		ASSERT_TRUE(WIFSTOPPED(status)) TH_LOG("status %#x", status);
		n = tg_task_ids(pid, tids, MAX_THREADS + 1);
		ASSERT_EQ(n, MAX_THREADS);
		for (i = 0, stopped = 0; i < n; i++)
			stopped += tg_task_state(pid, tids[i]) == 'T';
		ASSERT_EQ(stopped, MAX_THREADS);
	}

	/* sh->tids[3] blocks every signal (idx % 3 == 0). */
	if (variant->tgkill)
		ret = tg_tgkill(pid, sh->tids[3], SIGKILL);
	else
		ret = kill(pid, SIGKILL);
	ASSERT_EQ(ret, 0);

	/* Readable once the last thread of the group is gone. */
	ASSERT_EQ(tg_pidfd_wait_exit(self->pidfd), 0);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	self->pid = 0;
	close(self->pidfd);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("status %#x", status);
}

FIXTURE(fatal_signal) {
	struct shared *sh;
	pid_t pid;
	int pidfd;
};

FIXTURE_VARIANT(fatal_signal) {
	int sig;
	bool leader_exits;
};

FIXTURE_VARIANT_ADD(fatal_signal, sigterm) {
	.sig = SIGTERM,
	.leader_exits = false,
};

FIXTURE_VARIANT_ADD(fatal_signal, sigusr1) {
	.sig = SIGUSR1,
	.leader_exits = false,
};

FIXTURE_VARIANT_ADD(fatal_signal, sigterm_leader_already_exited) {
	.sig = SIGTERM,
	.leader_exits = true,
};

FIXTURE_SETUP(fatal_signal)
{
	self->pid = 0;
	self->sh = map_shared();
	ASSERT_NE(self->sh, NULL);
}

FIXTURE_TEARDOWN(fatal_signal)
{
	if (self->pid > 0)
		cleanup_subject(self->pid, self->pidfd);
	munmap(self->sh, sizeof(*self->sh));
}

/*
 * Every thread but the target blocks the signal; tgkill() at the target
 * still ends the whole group, and the group's status is that signal.
 */
TEST_F(fatal_signal, fatal_default_signal_at_nonmain_thread_kills_group_with_that_status)
{
	struct pollfd pfd;
	struct shared *sh = self->sh;
	int status;
	pid_t pid;

	sh->mode = MODE_FATAL;
	sh->nthreads = 8;
	sh->sig = variant->sig;
	sh->leader_exits = variant->leader_exits;
	self->pid = spawn_subject(_metadata, sh, &self->pidfd);
	pid = self->pid;
	if (variant->leader_exits) {
		/* A zombie leader does not make the group exited. */
		pfd = (struct pollfd){ .fd = self->pidfd, .events = POLLIN };
		ASSERT_EQ(poll(&pfd, 1, 0), 0)
			TH_LOG("pidfd readable while 7 threads still run");
	}

	ASSERT_EQ(tg_tgkill(pid, sh->tids[sh->nthreads - 1], variant->sig), 0);
	ASSERT_EQ(tg_pidfd_wait_exit(self->pidfd), 0);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	self->pid = 0;
	close(self->pidfd);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == variant->sig &&
		    !WCOREDUMP(status))
		TH_LOG("want killed by %d, status %#x", variant->sig, status);
}

FIXTURE(exit_in_handler) {
	struct shared *sh;
	pid_t pid;
	int pidfd;
};

FIXTURE_VARIANT(exit_in_handler) {
	bool on_leader;		/* the handler runs on the leader */
	bool leader_exits;
};

FIXTURE_VARIANT_ADD(exit_in_handler, handler_on_leader) {
	.on_leader = true,
	.leader_exits = false,
};

FIXTURE_VARIANT_ADD(exit_in_handler, handler_on_nonleader) {
	.on_leader = false,
	.leader_exits = false,
};

FIXTURE_VARIANT_ADD(exit_in_handler, handler_on_nonleader_leader_already_exited) {
	.on_leader = false,
	.leader_exits = true,
};

FIXTURE_SETUP(exit_in_handler)
{
	self->pid = 0;
	self->sh = map_shared();
	ASSERT_NE(self->sh, NULL);
}

FIXTURE_TEARDOWN(exit_in_handler)
{
	if (self->pid > 0)
		cleanup_subject(self->pid, self->pidfd);
	munmap(self->sh, sizeof(*self->sh));
}

TEST_F(exit_in_handler, exit15_in_handler_on_any_thread_ends_group_with_status_15)
{
	struct shared *sh = self->sh;
	int status;
	pid_t pid;

	sh->mode = MODE_HANDLER;
	sh->nthreads = 8;
	sh->sig = SIGUSR1;
	sh->leader_exits = variant->leader_exits;
	self->pid = spawn_subject(_metadata, sh, &self->pidfd);
	pid = self->pid;

	ASSERT_EQ(tg_tgkill(pid, sh->tids[variant->on_leader ? 0 : 5], SIGUSR1),
		  0);
	/* The pidfd turns readable only once every thread has exited. */
	ASSERT_EQ(tg_pidfd_wait_exit(self->pidfd), 0);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	self->pid = 0;
	close(self->pidfd);
	EXPECT_EQ(status, 15 << 8)
		TH_LOG("want exited with 15, status %#x", status);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 15);
}

FIXTURE(ptraced) {
	pid_t pid;
};

FIXTURE_SETUP(ptraced)
{
	sigset_t none;

	self->pid = fork();
	ASSERT_GE(self->pid, 0);
	if (!self->pid) {
		signal(SIGTERM, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (;;)
			pause();
	}
}

FIXTURE_TEARDOWN(ptraced)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
}

/*
 * complete_signal() does not turn a fatal signal to a ptraced process into
 * a group exit: the tracer sees it at the signal-delivery-stop with the
 * sender's siginfo (which it may change), and the process dies of it only
 * once the tracer passes it on.
 */
TEST_F(ptraced, fatal_signal_stops_for_the_tracer_with_its_siginfo)
{
	siginfo_t si;
	int status;

	ASSERT_EQ(ptrace(PTRACE_SEIZE, self->pid, 0, 0), 0)
		TH_LOG("PTRACE_SEIZE: %s", strerror(errno));
	ASSERT_EQ(kill(self->pid, SIGTERM), 0);
	ASSERT_EQ(waitpid(self->pid, &status, 0), self->pid);
	ASSERT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTERM)
		TH_LOG("want a stop for SIGTERM, status %#x", status);
	ASSERT_EQ(ptrace(PTRACE_GETSIGINFO, self->pid, 0, &si), 0)
		TH_LOG("PTRACE_GETSIGINFO: %s", strerror(errno));
	EXPECT_EQ(si.si_signo, SIGTERM);
	EXPECT_EQ(si.si_code, SI_USER);
	EXPECT_EQ(si.si_pid, getpid());
	EXPECT_EQ(si.si_uid, getuid());
	ASSERT_EQ(ptrace(PTRACE_CONT, self->pid, 0, SIGTERM), 0);
	ASSERT_EQ(waitpid(self->pid, &status, 0), self->pid);
	self->pid = 0;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
		TH_LOG("want killed by SIGTERM, status %#x", status);
}

TEST_HARNESS_MAIN
