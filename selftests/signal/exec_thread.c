// SPDX-License-Identifier: GPL-2.0
/*
 * execve() from one thread of a multi-threaded process: de_thread() kills
 * every other thread and the process keeps its pid, handled signals are
 * reset to SIG_DFL while ignored ones stay ignored, and the exec'ing
 * thread's blocked mask and the pending signals, process-wide and its own,
 * survive.  What dies with the other threads is their private queue.
 *
 * The subject re-executes /proc/self/exe with IMAGE_FLAG; the new image
 * writes what it sees to an inherited pipe and waits for the test to close
 * another one before it exits 0.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/prctl.h>

#include "tg_util.h"
#include "../kselftest_harness.h"

#define IMAGE_FLAG	"--tgsig-exec-image"
#define NR_THREADS	4
#define OTHER_IDX	1	/* a non-leader thread that does not exec */

/* What the exec'd image reports. */
struct image_report {
	pid_t pid;
	pid_t tid;
	int threads;		/* "Threads:" of /proc/self/status */
	int tasks;		/* entries of /proc/self/task */
	int disp[65];		/* 0 SIG_DFL, 1 SIG_IGN, 2 handler, -1 error */
	unsigned long long blocked;
	unsigned long long shd_pending;
	unsigned long long own_pending;
};

/* Shared between the test and its subject (MAP_SHARED). */
struct shared {
	int exec_idx;		/* which thread execs; 0 is the leader */
	int started;
	int go;
	pid_t tids[NR_THREADS];
	int report_fd;
	int hold_fd;
	int exec_errno;
	int setup_error;	/* the subject failed to set up */
};

static unsigned long long sigbit(int sig)
{
	return TG_SIGBIT(sig);
}

/* Blocked in the exec'ing thread, and so in the new image. */
static unsigned long long exec_mask(void)
{
	return sigbit(SIGHUP) | sigbit(SIGTERM) | sigbit(SIGRTMIN) |
	       sigbit(SIGRTMIN + 3) | sigbit(SIGRTMIN + 4);
}

/* Blocked in every other thread: SIGALRM only there. */
static unsigned long long other_mask(void)
{
	return sigbit(SIGHUP) | sigbit(SIGALRM) | sigbit(SIGRTMIN + 4);
}

static int exec_image(int report_fd, int hold_fd)
{
	struct image_report r = { 0 };
	struct sigaction sa;
	pid_t tids[8];
	char c;
	int sig;

	r.pid = getpid();
	r.tid = tg_gettid();
	r.threads = tg_thread_count(r.pid);
	r.tasks = tg_task_ids(r.pid, tids, 8);
	for (sig = 1; sig <= 64; sig++) {
		if (sigaction(sig, NULL, &sa))
			r.disp[sig] = -1;
		else if (sa.sa_handler == SIG_DFL)
			r.disp[sig] = 0;
		else if (sa.sa_handler == SIG_IGN)
			r.disp[sig] = 1;
		else
			r.disp[sig] = 2;
	}
	syscall(__NR_rt_sigprocmask, SIG_SETMASK, NULL, &r.blocked,
		sizeof(r.blocked));
	if (tg_proc_sigset(r.pid, 0, "ShdPnd", &r.shd_pending) ||
	    tg_proc_sigset(r.pid, 0, "SigPnd", &r.own_pending))
		return 2;
	if (write(report_fd, &r, sizeof(r)) != sizeof(r))
		return 3;
	/* Stay alive until the test has looked at us from outside. */
	while (read(hold_fd, &c, 1) < 0 && errno == EINTR)
		;
	return 0;
}

static void handler(int sig)
{
}

static void set_raw_mask(unsigned long long mask)
{
	syscall(__NR_rt_sigprocmask, SIG_SETMASK, &mask, NULL, sizeof(mask));
}

static void thread_body(struct shared *sh, int idx)
{
	char fd1[16], fd2[16], arg0[] = "exec_thread", flag[] = IMAGE_FLAG;
	char *argv[5];

	sh->tids[idx] = tg_gettid();
	set_raw_mask(idx == sh->exec_idx ? exec_mask() : other_mask());
	tg_add_and_wake(&sh->started, 1);
	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE))
		tg_futex_wait(&sh->go, 0);
	if (idx != sh->exec_idx) {
		/* Killed by the exec; nothing wakes this. */
		for (;;)
			tg_futex_wait(&sh->go, 1);
	}
	snprintf(fd1, sizeof(fd1), "%d", sh->report_fd);
	snprintf(fd2, sizeof(fd2), "%d", sh->hold_fd);
	argv[0] = arg0;
	argv[1] = flag;
	argv[2] = fd1;
	argv[3] = fd2;
	argv[4] = NULL;
	execv("/proc/self/exe", argv);
	sh->exec_errno = errno;
	_exit(104);
}

static struct shared *subject_sh;

static void *subject_thread(void *arg)
{
	thread_body(subject_sh, (int)(long)arg);
	return NULL;
}

/* Give up, waking the test rather than letting it wait forever. */
static void subject_fail(struct shared *sh, int code)
{
	sh->setup_error = code;
	tg_add_and_wake(&sh->started, NR_THREADS + 1);
	_exit(code);
}

static void run_subject(struct shared *sh, pid_t parent)
{
	struct sigaction sa = { .sa_handler = handler };
	pthread_t th;
	long i;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		subject_fail(sh, 100);
	if (sigaction(SIGUSR1, &sa, NULL) ||
	    sigaction(SIGRTMIN + 1, &sa, NULL))
		subject_fail(sh, 101);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGUSR2, &sa, NULL) ||
	    sigaction(SIGRTMIN + 2, &sa, NULL))
		subject_fail(sh, 102);
	subject_sh = sh;
	for (i = 1; i < NR_THREADS; i++)
		if (pthread_create(&th, NULL, subject_thread, (void *)i))
			subject_fail(sh, 103);
	thread_body(sh, 0);
}

FIXTURE(exec_thread) {
	struct shared *sh;
	pid_t pid;
	int pidfd;
	int report_fd;		/* read end */
	int hold_fd;		/* write end; closing it lets the image exit */
	struct image_report r;
	pid_t old_tids[NR_THREADS];
};

FIXTURE_VARIANT(exec_thread) {
	int exec_idx;
};

FIXTURE_VARIANT_ADD(exec_thread, from_nonleader) {
	.exec_idx = 2,
};

FIXTURE_VARIANT_ADD(exec_thread, from_leader) {
	.exec_idx = 0,
};

/*
 * Start the subject, queue the signals below while every thread runs,
 * check they are pending where expected, let the chosen thread exec and
 * collect the new image's report:
 *   SIGHUP        kill(), blocked everywhere: process-wide pending
 *   SIGRTMIN      tgkill() at the exec'ing thread, blocked there
 *   SIGTERM       tgkill() at the exec'ing thread, blocked there
 *   SIGRTMIN+4    tgkill() at another thread, blocked there
 */
FIXTURE_SETUP(exec_thread)
{
	int rep[2], hold[2];
	unsigned long long set;
	pid_t parent = getpid();
	pid_t exec_tid, other_tid;
	struct shared *sh;
	ssize_t n, got;

	self->pid = 0;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(sh, MAP_FAILED);
	self->sh = sh;
	sh->exec_idx = variant->exec_idx;
	/* Both inherited across the exec: no O_CLOEXEC. */
	ASSERT_EQ(pipe(rep), 0);
	ASSERT_EQ(pipe(hold), 0);
	sh->report_fd = rep[1];
	sh->hold_fd = hold[0];

	self->pid = fork();
	ASSERT_GE(self->pid, 0);
	if (self->pid == 0) {
		close(rep[0]);
		close(hold[1]);
		run_subject(sh, parent);
		_exit(105);
	}
	close(rep[1]);
	close(hold[0]);
	self->report_fd = rep[0];
	self->hold_fd = hold[1];
	self->pidfd = tg_pidfd_open(self->pid, 0);
	ASSERT_GE(self->pidfd, 0) TH_LOG("pidfd_open: %s", strerror(errno));
	tg_wait_at_least(&sh->started, NR_THREADS);
	ASSERT_EQ(sh->setup_error, 0) TH_LOG("subject failed to set up");
	memcpy(self->old_tids, sh->tids, sizeof(self->old_tids));
	exec_tid = sh->tids[variant->exec_idx];
	other_tid = sh->tids[OTHER_IDX];

	ASSERT_EQ(kill(self->pid, SIGHUP), 0);
	ASSERT_EQ(tg_tgkill(self->pid, exec_tid, SIGRTMIN), 0);
	ASSERT_EQ(tg_tgkill(self->pid, exec_tid, SIGTERM), 0);
	ASSERT_EQ(tg_tgkill(self->pid, other_tid, SIGRTMIN + 4), 0);
	ASSERT_EQ(tg_proc_sigset(self->pid, 0, "ShdPnd", &set), 0);
	ASSERT_EQ(set, sigbit(SIGHUP));
	ASSERT_EQ(tg_proc_sigset(self->pid, exec_tid, "SigPnd", &set), 0);
	ASSERT_EQ(set, sigbit(SIGRTMIN) | sigbit(SIGTERM));
	ASSERT_EQ(tg_proc_sigset(self->pid, other_tid, "SigPnd", &set), 0);
	ASSERT_EQ(set, sigbit(SIGRTMIN + 4));

	tg_add_and_wake(&sh->go, 1);
	for (got = 0; got < (ssize_t)sizeof(self->r); got += n) {
		n = read(self->report_fd, (char *)&self->r + got,
			 sizeof(self->r) - got);
		if (n <= 0)
			break;
	}
	ASSERT_EQ(got, sizeof(self->r))
		TH_LOG("no report from the new image (exec errno %d)",
		       sh->exec_errno);
}

FIXTURE_TEARDOWN(exec_thread)
{
	int status;

	if (self->pid > 0) {
		/* Let the image exit by itself: it must still be there. */
		close(self->hold_fd);
		EXPECT_EQ(tg_pidfd_wait_exit(self->pidfd), 0);
		EXPECT_EQ(waitpid(self->pid, &status, 0), self->pid);
		EXPECT_EQ(status, 0) TH_LOG("image status %#x", status);
		close(self->report_fd);
		close(self->pidfd);
	}
	munmap(self->sh, sizeof(*self->sh));
}

TEST_F(exec_thread, exec_kills_other_threads_and_keeps_the_pid)
{
	pid_t tids[NR_THREADS + 1];
	int i, n;

	EXPECT_EQ(self->r.pid, self->pid);
	/* The exec'ing thread took over the leader's pid as its tid. */
	EXPECT_EQ(self->r.tid, self->pid);
	EXPECT_EQ(self->r.threads, 1);
	EXPECT_EQ(self->r.tasks, 1);

	/* Seen from outside, only the pid is left; the old tids are gone. */
	n = tg_task_ids(self->pid, tids, NR_THREADS + 1);
	ASSERT_EQ(n, 1);
	EXPECT_EQ(tids[0], self->pid);
	for (i = 1; i < NR_THREADS; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/task/%d", self->pid,
			 self->old_tids[i]);
		EXPECT_NE(access(path, F_OK), 0)
			TH_LOG("old thread %d still there", self->old_tids[i]);
	}
	/* The pidfd taken before the exec still names the process. */
	EXPECT_EQ(tg_pidfd_send_signal(self->pidfd, 0, NULL, 0), 0);
}

TEST_F(exec_thread, exec_resets_handlers_and_keeps_ignored_signals_ignored)
{
	int sig;

	for (sig = 1; sig <= 64; sig++) {
		int want = 0;

		if (sig == 32 || sig == 33)	/* libc's own, not ours */
			continue;
		if (sig == SIGUSR2 || sig == SIGRTMIN + 2)
			want = 1;
		EXPECT_EQ(self->r.disp[sig], want)
			TH_LOG("signal %d: disposition %d, want %s", sig,
			       self->r.disp[sig], want ? "SIG_IGN" : "SIG_DFL");
	}
}

TEST_F(exec_thread, exec_keeps_the_mask_of_the_execing_thread)
{
	EXPECT_EQ(self->r.blocked, exec_mask())
		TH_LOG("blocked %#llx, exec'ing thread had %#llx, others %#llx",
		       self->r.blocked, exec_mask(), other_mask());
}

TEST_F(exec_thread, exec_keeps_process_and_execing_thread_pending_signals)
{
	EXPECT_TRUE(self->r.shd_pending & sigbit(SIGHUP))
		TH_LOG("process-wide SIGHUP lost: ShdPnd %#llx",
		       self->r.shd_pending);
	EXPECT_TRUE(self->r.own_pending & sigbit(SIGRTMIN))
		TH_LOG("thread-directed SIGRTMIN lost: SigPnd %#llx",
		       self->r.own_pending);
	EXPECT_TRUE(self->r.own_pending & sigbit(SIGTERM))
		TH_LOG("thread-directed SIGTERM lost: SigPnd %#llx",
		       self->r.own_pending);
}

TEST_F(exec_thread, exec_drops_signals_pending_on_the_killed_threads)
{
	unsigned long long all = self->r.shd_pending | self->r.own_pending;

	EXPECT_FALSE(all & sigbit(SIGRTMIN + 4))
		TH_LOG("SIGRTMIN+4 of a killed thread survived: %#llx", all);
	EXPECT_EQ(self->r.shd_pending, sigbit(SIGHUP));
	EXPECT_EQ(self->r.own_pending, sigbit(SIGRTMIN) | sigbit(SIGTERM));
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], IMAGE_FLAG))
		return exec_image(atoi(argv[2]), atoi(argv[3]));
	return test_harness_run(argc, argv);
}
