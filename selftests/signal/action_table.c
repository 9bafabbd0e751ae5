// SPDX-License-Identifier: GPL-2.0
/*
 * The default action of every signal, and that it applies to the whole
 * thread group whichever thread the signal was sent to.
 *
 * Each signal is sent to a freshly forked subject of 1 or 16 threads, either
 * process-directed with kill() or thread-directed with tgkill() at a
 * non-leader thread (the leader when there is only one thread).  The
 * expected action comes from the table below; every signal of a class is
 * checked and each mismatch is logged with the signal's name.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "tg_util.h"
#include "../kselftest_harness.h"

#define MAX_THREADS	16
#define STACK_SIZE	(64 * 1024)
#define CORE_PATTERN	"/proc/sys/kernel/core_pattern"

enum action {
	ACT_TERM,	/* the whole group exits, killed by the signal */
	ACT_CORE,	/* the same, after dumping core */
	ACT_STOP,	/* the whole group stops */
	ACT_IGN,	/* discarded */
};

struct sig_entry {
	int sig;
	char name[16];
	enum action act;
};

/*
 * Default actions, from include/linux/signal.h: SIG_KERNEL_STOP_MASK
 * (SIGSTOP SIGTSTP SIGTTIN SIGTTOU), SIG_KERNEL_COREDUMP_MASK (SIGQUIT
 * SIGILL SIGTRAP SIGABRT SIGFPE SIGSEGV SIGBUS SIGSYS SIGXCPU SIGXFSZ) and
 * SIG_KERNEL_IGNORE_MASK (SIGCONT SIGCHLD SIGWINCH SIGURG); every other
 * signal, real-time ones included, terminates.  SIG_KERNEL_ONLY_MASK
 * (SIGKILL SIGSTOP) cannot be caught, blocked or ignored.  x86 numbering,
 * in order: entry i is signal i + 1.
 */
static const struct sig_entry classic_signals[] = {
	{ SIGHUP,	"SIGHUP",	ACT_TERM },
	{ SIGINT,	"SIGINT",	ACT_TERM },
	{ SIGQUIT,	"SIGQUIT",	ACT_CORE },
	{ SIGILL,	"SIGILL",	ACT_CORE },
	{ SIGTRAP,	"SIGTRAP",	ACT_CORE },
	{ SIGABRT,	"SIGABRT",	ACT_CORE },
	{ SIGBUS,	"SIGBUS",	ACT_CORE },
	{ SIGFPE,	"SIGFPE",	ACT_CORE },
	{ SIGKILL,	"SIGKILL",	ACT_TERM },
	{ SIGUSR1,	"SIGUSR1",	ACT_TERM },
	{ SIGSEGV,	"SIGSEGV",	ACT_CORE },
	{ SIGUSR2,	"SIGUSR2",	ACT_TERM },
	{ SIGPIPE,	"SIGPIPE",	ACT_TERM },
	{ SIGALRM,	"SIGALRM",	ACT_TERM },
	{ SIGTERM,	"SIGTERM",	ACT_TERM },
	{ SIGSTKFLT,	"SIGSTKFLT",	ACT_TERM },
	{ SIGCHLD,	"SIGCHLD",	ACT_IGN },
	{ SIGCONT,	"SIGCONT",	ACT_IGN },
	{ SIGSTOP,	"SIGSTOP",	ACT_STOP },
	{ SIGTSTP,	"SIGTSTP",	ACT_STOP },
	{ SIGTTIN,	"SIGTTIN",	ACT_STOP },
	{ SIGTTOU,	"SIGTTOU",	ACT_STOP },
	{ SIGURG,	"SIGURG",	ACT_IGN },
	{ SIGXCPU,	"SIGXCPU",	ACT_CORE },
	{ SIGXFSZ,	"SIGXFSZ",	ACT_CORE },
	{ SIGVTALRM,	"SIGVTALRM",	ACT_TERM },
	{ SIGPROF,	"SIGPROF",	ACT_TERM },
	{ SIGWINCH,	"SIGWINCH",	ACT_IGN },
	{ SIGIO,	"SIGIO",	ACT_TERM },
	{ SIGPWR,	"SIGPWR",	ACT_TERM },
	{ SIGSYS,	"SIGSYS",	ACT_CORE },
};

#define NR_CLASSIC	ARRAY_SIZE(classic_signals)
#define NR_SIGNALS	(NR_CLASSIC + 3)

/*
 * The table above plus a sample of real-time signals.  glibc keeps kernel
 * signals 32 and 33 for itself, so SIGRTMIN is 34 here.
 */
static int build_table(struct sig_entry *tab)
{
	static const struct {
		const char *name;
		int base_max;
		int off;
	} rt[] = {
		{ "SIGRTMIN",	0, 0 },
		{ "SIGRTMIN+1",	0, 1 },
		{ "SIGRTMAX",	1, 0 },
	};
	unsigned int i;

	for (i = 0; i < NR_CLASSIC; i++) {
		if (classic_signals[i].sig != (int)i + 1)
			return -1;
		tab[i] = classic_signals[i];
	}
	for (i = 0; i < 3; i++) {
		struct sig_entry *e = &tab[NR_CLASSIC + i];

		e->sig = (rt[i].base_max ? SIGRTMAX : SIGRTMIN) + rt[i].off;
		snprintf(e->name, sizeof(e->name), "%s", rt[i].name);
		e->act = ACT_TERM;
	}
	return NR_SIGNALS;
}

/* Shared between the test and its subject process (MAP_SHARED). */
struct shared {
	int started;			/* threads running, leader included */
	int release;			/* set to 1: the subject exits 0 */
	int ntids;
	int block_all;			/* threads block every signal too */
	int setup_error;		/* the subject failed to set up */
	pid_t tids[MAX_THREADS];	/* tids[0] is the leader */
	/* SIGKILL/SIGSTOP probes made by the subject, see below */
	int act_errno[6];
	unsigned long long mask_read_back;
};

static void *subject_thread(void *arg)
{
	struct shared *sh = arg;
	int i = __atomic_fetch_add(&sh->ntids, 1, __ATOMIC_RELAXED);
	unsigned long long all = ~0ULL;

	/* libc leaves its own signals 32 and 33 out of a new thread's mask. */
	if (sh->block_all)
		syscall(__NR_rt_sigprocmask, SIG_SETMASK, &all, NULL,
			sizeof(all));
	sh->tids[i] = tg_gettid();
	tg_add_and_wake(&sh->started, 1);
	while (!__atomic_load_n(&sh->release, __ATOMIC_ACQUIRE))
		tg_futex_wait(&sh->release, 0);
	return NULL;
}

static void noop_handler(int sig)
{
}

/*
 * Try to catch, ignore and reset SIGKILL and SIGSTOP, then block every
 * signal with the raw syscall (no libc filtering) and read the mask back.
 */
static void probe_kernel_only_signals(struct shared *sh)
{
	struct sigaction sa = { .sa_handler = noop_handler };
	unsigned long long all = ~0ULL;
	int i = 0;

	for (int s = 0; s < 2; s++) {
		int sig = s ? SIGSTOP : SIGKILL;

		sa.sa_handler = noop_handler;
		sh->act_errno[i++] = sigaction(sig, &sa, NULL) ? errno : 0;
		sa.sa_handler = SIG_IGN;
		sh->act_errno[i++] = sigaction(sig, &sa, NULL) ? errno : 0;
		sa.sa_handler = SIG_DFL;
		sh->act_errno[i++] = sigaction(sig, &sa, NULL) ? errno : 0;
	}
	syscall(__NR_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof(all));
	syscall(__NR_rt_sigprocmask, SIG_SETMASK, NULL, &sh->mask_read_back,
		sizeof(sh->mask_read_back));
}

/* Give up, waking the test rather than letting it wait forever. */
static void subject_fail(struct shared *sh, int code)
{
	sh->setup_error = code;
	tg_add_and_wake(&sh->started, MAX_THREADS + 1);
	_exit(code);
}

enum subject_flags {
	SUBJ_CORE = 1,		/* RLIMIT_CORE unlimited */
	SUBJ_BLOCK_IGN = 2,	/* block the default-ignored signals */
	SUBJ_BLOCK_ALL = 4,	/* probe SIGKILL/SIGSTOP, block everything */
};

/* Never returns. */
static void run_subject(struct shared *sh, int nthreads, int flags,
			pid_t parent)
{
	pthread_attr_t attr;
	pthread_t th;
	int i;

	/* Don't outlive the test if it is killed by the harness timeout. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		subject_fail(sh, 100);
	/*
	 * A process group of its own whose parent is in another group of the
	 * same session is never orphaned, whoever runs the harness, so
	 * SIGTSTP, SIGTTIN and SIGTTOU are not discarded by get_signal().
	 */
	if (setpgid(0, 0))
		subject_fail(sh, 101);
	if (flags & SUBJ_CORE) {
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

		if (setrlimit(RLIMIT_CORE, &rl))
			subject_fail(sh, 102);
	}
	if (flags & SUBJ_BLOCK_IGN) {
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		sigaddset(&set, SIGCONT);
		sigaddset(&set, SIGURG);
		sigaddset(&set, SIGWINCH);
		if (sigprocmask(SIG_BLOCK, &set, NULL))
			subject_fail(sh, 103);
	}
	if (flags & SUBJ_BLOCK_ALL) {
		probe_kernel_only_signals(sh);
		sh->block_all = 1;
	}

	/* Threads inherit the leader's mask. */
	sh->tids[0] = getpid();
	sh->ntids = 1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&th, &attr, subject_thread, sh))
			subject_fail(sh, 104);
	/* pthread_create() restores the creator's mask without 32 and 33. */
	if (sh->block_all) {
		unsigned long long all = ~0ULL;

		syscall(__NR_rt_sigprocmask, SIG_SETMASK, &all, NULL,
			sizeof(all));
	}
	tg_add_and_wake(&sh->started, 1);
	while (!__atomic_load_n(&sh->release, __ATOMIC_ACQUIRE))
		tg_futex_wait(&sh->release, 0);
	_exit(0);
}

/* The test's view of its subject process. */
struct subject {
	struct shared *sh;
	pid_t pid;		/* live subject, reaped by teardown on failure */
	int nthreads;
	bool tgkill;		/* send thread-directed at tids[nthreads - 1] */
};

FIXTURE(default_action) {
	struct subject s;
	char core_dir[64];
	char saved_pattern[256];
	bool pattern_changed;
};

FIXTURE_VARIANT(default_action) {
	int nthreads;
	bool tgkill;	/* thread-directed at a non-leader thread if any */
};

FIXTURE_VARIANT_ADD(default_action, one_thread_kill) {
	.nthreads = 1,
	.tgkill = false,
};

FIXTURE_VARIANT_ADD(default_action, one_thread_tgkill) {
	.nthreads = 1,
	.tgkill = true,
};

FIXTURE_VARIANT_ADD(default_action, threads16_kill) {
	.nthreads = 16,
	.tgkill = false,
};

FIXTURE_VARIANT_ADD(default_action, threads16_tgkill_nonleader) {
	.nthreads = 16,
	.tgkill = true,
};

FIXTURE_SETUP(default_action)
{
	self->s.sh = mmap(NULL, sizeof(*self->s.sh), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(self->s.sh, MAP_FAILED);
	self->s.pid = 0;
	self->s.nthreads = variant->nthreads;
	self->s.tgkill = variant->tgkill;
	self->pattern_changed = false;
	self->core_dir[0] = '\0';
}

static int write_core_pattern(const char *pattern)
{
	size_t len = strlen(pattern);
	int fd, ret;

	fd = open(CORE_PATTERN, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = write(fd, pattern, len) == (ssize_t)len ? 0 : -1;
	close(fd);
	return ret;
}

/* Size of the core file @pid dumped into @dir, -1 if there is none. */
static long long core_file_size(const char *dir, pid_t pid)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/core.%d", dir, pid);
	return stat(path, &st) ? -1 : (long long)st.st_size;
}

static void remove_core_files(const char *dir)
{
	char path[320];
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "core.", 5))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

FIXTURE_TEARDOWN(default_action)
{
	if (self->s.pid > 0) {
		kill(self->s.pid, SIGKILL);
		waitpid(self->s.pid, NULL, 0);
	}
	if (self->pattern_changed)
		write_core_pattern(self->saved_pattern);
	if (self->core_dir[0]) {
		remove_core_files(self->core_dir);
		rmdir(self->core_dir);
	}
	munmap(self->s.sh, sizeof(*self->s.sh));
}

/* Fork a subject and wait until all of its threads run. */
static void spawn_subject(struct __test_metadata *_metadata,
			  struct subject *s, int flags)
{
	pid_t parent = getpid();
	pid_t pid;

	memset(s->sh, 0, sizeof(*s->sh));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		run_subject(s->sh, s->nthreads, flags, parent);
	s->pid = pid;
	tg_wait_at_least(&s->sh->started, s->nthreads);
	ASSERT_EQ(s->sh->setup_error, 0) TH_LOG("subject failed to set up");
}

/*
 * waitpid() on the subject: 1 when it reported, 0 when WNOHANG found
 * nothing, -1 on error.  Forgets the subject once it is reaped.
 */
static int reap(struct subject *s, int options, int *status)
{
	pid_t ret = waitpid(s->pid, status, options);

	if (ret <= 0)
		return ret;
	if (WIFEXITED(*status) || WIFSIGNALED(*status))
		s->pid = 0;
	return 1;
}

/* The process-directed or thread-directed send of the variant. */
static int send_sig(struct subject *s, int sig)
{
	if (!s->tgkill)
		return kill(s->pid, sig);
	return tg_tgkill(s->pid, s->sh->tids[s->nthreads - 1], sig);
}

/* Count the subject's tasks, and those whose state is @state. */
static int count_tasks(pid_t pid, char state, int *in_state)
{
	pid_t tids[MAX_THREADS + 1];
	int i, n;

	*in_state = 0;
	n = tg_task_ids(pid, tids, MAX_THREADS + 1);
	for (i = 0; i < n && i <= MAX_THREADS; i++)
		if (tg_task_state(pid, tids[i]) == state)
			(*in_state)++;
	return n;
}

/* Let the subject exit on its own: it must still be there to do so. */
static void release_and_expect_exit0(struct __test_metadata *_metadata,
				     struct subject *s, const char *name)
{
	int status;

	tg_add_and_wake(&s->sh->release, 1);
	ASSERT_EQ(reap(s, 0, &status), 1);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("%s: subject did not live on (status %#x)", name, status);
}

TEST_F(default_action, term_signals_kill_whole_group_with_that_signal_no_core)
{
	struct subject *s = &self->s;
	struct sig_entry tab[NR_SIGNALS];
	int i, n, status;

	n = build_table(tab);
	ASSERT_EQ(n, NR_SIGNALS);
	for (i = 0; i < n; i++) {
		const struct sig_entry *e = &tab[i];

		if (e->act != ACT_TERM)
			continue;
		spawn_subject(_metadata, s, 0);
		ASSERT_EQ(send_sig(s, e->sig), 0)
			TH_LOG("%s: %s", e->name, strerror(errno));
		/* Reaping the leader means the whole group is gone. */
		ASSERT_EQ(reap(s, 0, &status), 1);
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == e->sig &&
			    !WCOREDUMP(status))
			TH_LOG("%s: want killed by %d without core, status %#x",
			       e->name, e->sig, status);
	}
}

TEST_F(default_action, core_signals_kill_whole_group_and_dump_core)
{
	struct subject *s = &self->s;
	struct sig_entry tab[NR_SIGNALS];
	char pattern[128];
	int i, n, fd, status;
	long long size;
	ssize_t len;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to set " CORE_PATTERN);
	fd = open(CORE_PATTERN, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "no " CORE_PATTERN " (CONFIG_COREDUMP)");
	len = read(fd, self->saved_pattern, sizeof(self->saved_pattern) - 1);
	close(fd);
	ASSERT_GT(len, 0);
	self->saved_pattern[len] = '\0';
	snprintf(self->core_dir, sizeof(self->core_dir), "%s",
		 "/tmp/tgsig-core-XXXXXX");
	if (!mkdtemp(self->core_dir)) {
		self->core_dir[0] = '\0';
		SKIP(return, "cannot create a core dump directory in /tmp");
	}
	snprintf(pattern, sizeof(pattern), "%s/core.%%p", self->core_dir);
	if (write_core_pattern(pattern))
		SKIP(return, CORE_PATTERN " is not writable (was '%s')",
		     self->saved_pattern);
	self->pattern_changed = true;

	n = build_table(tab);
	ASSERT_EQ(n, NR_SIGNALS);
	for (i = 0; i < n; i++) {
		const struct sig_entry *e = &tab[i];

		if (e->act != ACT_CORE)
			continue;
		spawn_subject(_metadata, s, SUBJ_CORE);
		pid = s->pid;
		ASSERT_EQ(send_sig(s, e->sig), 0)
			TH_LOG("%s: %s", e->name, strerror(errno));
		ASSERT_EQ(reap(s, 0, &status), 1);
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == e->sig &&
			    WCOREDUMP(status))
			TH_LOG("%s: want killed by %d with core, status %#x",
			       e->name, e->sig, status);
		/* core_pattern's %p is the pid in the dumper's namespace. */
		size = core_file_size(self->core_dir, pid);
		EXPECT_GT(size, 0)
			TH_LOG("%s: core.%d size %lld", e->name, pid, size);
		remove_core_files(self->core_dir);
	}
}

TEST_F(default_action, stop_signals_stop_every_thread_parent_sees_one_stop)
{
	struct subject *s = &self->s;
	struct sig_entry tab[NR_SIGNALS];
	int i, n, status, tasks, stopped;

	n = build_table(tab);
	ASSERT_EQ(n, NR_SIGNALS);
	for (i = 0; i < n; i++) {
		const struct sig_entry *e = &tab[i];

		if (e->act != ACT_STOP)
			continue;
		spawn_subject(_metadata, s, 0);
		ASSERT_EQ(send_sig(s, e->sig), 0)
			TH_LOG("%s: %s", e->name, strerror(errno));
		ASSERT_EQ(reap(s, WUNTRACED, &status), 1);
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != e->sig) {
			EXPECT_TRUE(0)
				TH_LOG("%s: want stopped by %d, status %#x",
				       e->name, e->sig, status);
			if (s->pid)
				kill(s->pid, SIGKILL);
			reap(s, 0, &status);
			continue;
		}
		/* The last thread to stop reports: all are stopped by now. */
		tasks = count_tasks(s->pid, 'T', &stopped);
		EXPECT_EQ(tasks, s->nthreads)
			TH_LOG("%s: thread count", e->name);
		EXPECT_EQ(stopped, s->nthreads)
			TH_LOG("%s: %d of %d threads in 'T'", e->name, stopped,
			       tasks);
		/* One group stop, one report. */
		EXPECT_EQ(reap(s, WNOHANG | WUNTRACED, &status), 0)
			TH_LOG("%s: second stop report, status %#x", e->name,
			       status);

		ASSERT_EQ(send_sig(s, SIGCONT), 0);
		ASSERT_EQ(reap(s, WCONTINUED, &status), 1);
		EXPECT_TRUE(WIFCONTINUED(status))
			TH_LOG("%s: want continued, status %#x", e->name, status);
		EXPECT_EQ(reap(s, WNOHANG | WCONTINUED, &status), 0)
			TH_LOG("%s: second continue report", e->name);
		/* SIGCONT woke every stopped thread before kill() returned. */
		tasks = count_tasks(s->pid, 'T', &stopped);
		EXPECT_EQ(tasks, s->nthreads);
		EXPECT_EQ(stopped, 0)
			TH_LOG("%s: %d threads still in 'T' after SIGCONT",
			       e->name, stopped);
		release_and_expect_exit0(_metadata, s, e->name);
	}
}

/* Is @sig pending anywhere in the subject: shared or any thread's queue? */
static bool pending_anywhere(pid_t pid, int sig)
{
	unsigned long long set = 0;
	pid_t tids[MAX_THREADS + 1];
	int i, n;

	if (!tg_proc_sigset(pid, 0, "ShdPnd", &set) && (set & TG_SIGBIT(sig)))
		return true;
	n = tg_task_ids(pid, tids, MAX_THREADS + 1);
	for (i = 0; i < n && i <= MAX_THREADS; i++)
		if (!tg_proc_sigset(pid, tids[i], "SigPnd", &set) &&
		    (set & TG_SIGBIT(sig)))
			return true;
	return false;
}

/*
 * An unblocked signal whose action is the default ignore is dropped when it
 * is generated: prepare_signal() returns !sig_ignored(), so it is never
 * queued.  The subject is stopped first so that no thread could dequeue a
 * signal that had been queued: a queued one would stay visible in /proc.
 */
TEST_F(default_action, ignored_signals_are_discarded_at_generation_process_lives)
{
	struct subject *s = &self->s;
	struct sig_entry tab[NR_SIGNALS];
	int i, n, status, stopped;

	n = build_table(tab);
	ASSERT_EQ(n, NR_SIGNALS);
	spawn_subject(_metadata, s, 0);
	ASSERT_EQ(kill(s->pid, SIGSTOP), 0);
	ASSERT_EQ(reap(s, WUNTRACED, &status), 1);
	ASSERT_TRUE(WIFSTOPPED(status));
	for (i = 0; i < n; i++) {
		const struct sig_entry *e = &tab[i];

		if (e->act != ACT_IGN || e->sig == SIGCONT)
			continue;
		ASSERT_EQ(send_sig(s, e->sig), 0)
			TH_LOG("%s: %s", e->name, strerror(errno));
		EXPECT_FALSE(pending_anywhere(s->pid, e->sig))
			TH_LOG("%s: queued although ignored", e->name);
		/* Nor did it wake anybody up, to die for instance. */
		count_tasks(s->pid, 'T', &stopped);
		EXPECT_EQ(stopped, s->nthreads)
			TH_LOG("%s: %d threads left stopped", e->name, stopped);
	}
	/* SIGCONT resumes the group, and is then discarded like the others. */
	ASSERT_EQ(send_sig(s, SIGCONT), 0);
	ASSERT_EQ(reap(s, WCONTINUED, &status), 1);
	EXPECT_TRUE(WIFCONTINUED(status));
	EXPECT_FALSE(pending_anywhere(s->pid, SIGCONT))
		TH_LOG("SIGCONT: queued although ignored");

	/* And on the running group, none of them does anything. */
	for (i = 0; i < n; i++)
		if (tab[i].act == ACT_IGN)
			ASSERT_EQ(send_sig(s, tab[i].sig), 0);
	release_and_expect_exit0(_metadata, s, "ignored signals");
}

/*
 * The same signals, blocked, are queued: sig_ignored() never ignores a
 * blocked signal because the handler may change before it is unblocked.
 * This also shows that the /proc probe above does see queued signals.
 */
TEST_F(default_action, blocked_ignored_signals_are_queued_not_discarded)
{
	struct subject *s = &self->s;
	struct sig_entry tab[NR_SIGNALS];
	unsigned long long set;
	pid_t target = 0;
	int i, n;

	n = build_table(tab);
	ASSERT_EQ(n, NR_SIGNALS);
	spawn_subject(_metadata, s, SUBJ_BLOCK_IGN);
	if (s->tgkill)
		target = s->sh->tids[s->nthreads - 1];
	for (i = 0; i < n; i++) {
		const struct sig_entry *e = &tab[i];

		if (e->act != ACT_IGN)
			continue;
		ASSERT_EQ(send_sig(s, e->sig), 0)
			TH_LOG("%s: %s", e->name, strerror(errno));
		/* kill() queues on the process, tgkill() on the thread. */
		set = 0;
		ASSERT_EQ(tg_proc_sigset(s->pid, target,
					 target ? "SigPnd" : "ShdPnd", &set), 0)
			TH_LOG("%s: subject gone", e->name);
		EXPECT_TRUE(set & TG_SIGBIT(e->sig))
			TH_LOG("%s: blocked but not queued (%s %#llx)", e->name,
			       target ? "SigPnd" : "ShdPnd", set);
	}
	release_and_expect_exit0(_metadata, s, "blocked ignored signals");
}

/*
 * sigaction() refuses any action for SIGKILL and SIGSTOP, sigprocmask()
 * silently leaves them out of the mask, and with every other signal blocked
 * in every thread, SIGSTOP still stops, SIGCONT still continues (its
 * continue effect happens at generation, blocked or not) and SIGKILL still
 * kills.
 */
TEST_F(default_action, sigkill_sigstop_cannot_be_caught_blocked_or_ignored)
{
	struct subject *s = &self->s;
	static const char * const what[] = {
		"SIGKILL handler", "SIGKILL SIG_IGN", "SIGKILL SIG_DFL",
		"SIGSTOP handler", "SIGSTOP SIG_IGN", "SIGSTOP SIG_DFL",
	};
	unsigned long long only = TG_SIGBIT(SIGKILL) | TG_SIGBIT(SIGSTOP);
	unsigned long long blk;
	pid_t tids[MAX_THREADS + 1];
	int i, n, status, tasks, stopped;

	spawn_subject(_metadata, s, SUBJ_BLOCK_ALL);
	for (i = 0; i < 6; i++)
		EXPECT_EQ(s->sh->act_errno[i], EINVAL)
			TH_LOG("sigaction(%s): errno %d", what[i],
			       s->sh->act_errno[i]);
	EXPECT_EQ(s->sh->mask_read_back, ~only)
		TH_LOG("mask read back %#llx", s->sh->mask_read_back);

	n = tg_task_ids(s->pid, tids, MAX_THREADS + 1);
	ASSERT_EQ(n, s->nthreads);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(tg_proc_sigset(s->pid, tids[i], "SigBlk", &blk), 0);
		EXPECT_EQ(blk, ~only)
			TH_LOG("thread %d: SigBlk %#llx", tids[i], blk);
	}

	ASSERT_EQ(send_sig(s, SIGSTOP), 0);
	ASSERT_EQ(reap(s, WUNTRACED, &status), 1);
	ASSERT_TRUE(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP)
		TH_LOG("status %#x", status);
	tasks = count_tasks(s->pid, 'T', &stopped);
	EXPECT_EQ(stopped, s->nthreads)
		TH_LOG("%d of %d threads in 'T'", stopped, tasks);

	ASSERT_EQ(send_sig(s, SIGCONT), 0);
	ASSERT_EQ(reap(s, WCONTINUED, &status), 1);
	EXPECT_TRUE(WIFCONTINUED(status)) TH_LOG("status %#x", status);

	ASSERT_EQ(send_sig(s, SIGKILL), 0);
	ASSERT_EQ(reap(s, 0, &status), 1);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("status %#x", status);
}

TEST_HARNESS_MAIN
