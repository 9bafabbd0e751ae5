// SPDX-License-Identifier: GPL-2.0
/*
 * The signal:signal_wake_target event names the thread that complete_signal()
 * woke for a signal; these tests check that it is the thread whose handler
 * then ran, and that the reason is the one complete_signal() took:
 *
 *  - named: the task the sender named (the main thread for kill(), the
 *    thread for tgkill()) can take it now (wants_signal());
 *  - curr_target: found by the walk from signal->curr_target;
 *  - when no thread can take it now, why: blocked (every thread blocks
 *    it; it waits in the shared queue), sigpending, stopped or exiting;
 *  - group_kill: fatal to the group, every thread gets SIGKILL; threads is
 *    the number of threads marked.
 *
 * The events are read from a tracefs instance of the test's own, filtered
 * on the thread group under test.  Every test skips when it is not root,
 * when the kernel lacks tracefs or event tracing, or when it has the other
 * signal events but not this one (a kernel without the series); any other
 * trouble with tracefs fails the test.  Where the event exists, a test
 * fails when its event is missing.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "../kselftest_harness.h"
#include "tg_util.h"

#define TRACEFS		"/sys/kernel/tracing"
#define EVENT_DIR	"events/signal/signal_wake_target"
#define NO_EVENT	"no signal:signal_wake_target event although " \
			"signal:signal_generate exists: a kernel without " \
			"the tgsig series"
#define PRINT_FMT	"print fmt: \"sig=%d tgid=%d named=%d chosen=%d " \
			"reason=%s threads=%d\""
#define TEXT_MAX	(64 * 1024)
#define MAX_EVENTS	16
#define NR_THREADS	4	/* the main thread and three workers */
#define GROUP_THREADS	8	/* the group_kill child, main thread included */

static const char * const format_fields[] = {
	"field:int sig;", "field:pid_t tgid;", "field:pid_t named;",
	"field:pid_t chosen;", "field:int reason;", "field:int threads;",
};

struct wake_event {
	int sig, tgid, named, chosen, threads;
	char reason[32];
};

/* The instance's trace, or the event's format, for the log. */
static char text[TEXT_MAX];

/* Read @path into @buf as a string; its length, or -1 with errno set. */
static ssize_t slurp(const char *path, char *buf, size_t size)
{
	ssize_t n = 0, len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < (ssize_t)size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return n < 0 ? -1 : len;
}

/* Write @s to @path; 0, or the errno of the failure. */
static int write_str(const char *path, const char *s)
{
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		err = errno ? errno : EIO;
	if (close(fd) && !err)
		err = errno;
	return err;
}

static bool is_fs(const char *path, long magic)
{
	struct statfs fs;

	return !statfs(path, &fs) && fs.f_type == magic;
}

/*
 * Mount sysfs and tracefs where they are missing (a bare init mounts /sys
 * and /proc, maybe not tracefs).  Returns NULL when the event can be used.
 * Otherwise it returns why not, and sets *@skip only when the reason is a
 * missing privilege, a missing config or a kernel without the series; any
 * other failure (a mount that fails although the kernel has the file
 * system) fails the test rather than hide a broken kernel.
 */
static const char *event_unavailable(char *why, size_t size, bool *skip)
{
	struct stat st;

	*skip = true;
	if (geteuid())
		return "tracefs needs root (CAP_SYS_ADMIN)";
	if (stat(TRACEFS, &st) && !is_fs("/sys", SYSFS_MAGIC)) {
		if (!tg_fs_built_in("sysfs"))
			return "no sysfs: needs CONFIG_SYSFS";
		if (mount("sysfs", "/sys", "sysfs", 0, NULL)) {
			*skip = false;
			snprintf(why, size, "mounting sysfs on /sys failed: %s",
				 strerror(errno));
			return why;
		}
	}
	if (!tg_fs_built_in("tracefs"))
		return "no tracefs: needs CONFIG_FTRACE";
	*skip = false;
	if (stat(TRACEFS, &st)) {
		snprintf(why, size, "no %s although the kernel has tracefs: %s",
			 TRACEFS, strerror(errno));
		return why;
	}
	if (!is_fs(TRACEFS, TRACEFS_MAGIC) &&
	    mount("nodev", TRACEFS, "tracefs", 0, NULL)) {
		snprintf(why, size, "cannot mount tracefs on %s: %s",
			 TRACEFS, strerror(errno));
		return why;
	}
	if (access(TRACEFS "/" EVENT_DIR "/format", R_OK)) {
		/* The signal events exist with CONFIG_EVENT_TRACING alone. */
		*skip = true;
		if (access(TRACEFS "/events/signal/signal_generate/format",
			   R_OK))
			return "no signal:signal_generate event: needs CONFIG_EVENT_TRACING";
		return NO_EVENT;
	}
	return NULL;
}

/*
 * Skip without the event; fail when its format is not the one the tests
 * parse; else create an instance of the test's own in @inst.  The instance
 * comes last: a failed setup has nothing to tear down.
 */
static void trace_setup(struct __test_metadata *_metadata, char *inst,
			size_t size)
{
	const char *unavailable, *missing;
	char why[256];
	bool skip;
	size_t i;
	int err;

	unavailable = event_unavailable(why, sizeof(why), &skip);
	if (unavailable && skip)
		SKIP(return, "%s", unavailable);
	ASSERT_EQ(NULL, unavailable)
		TH_LOG("%s", unavailable);

	err = slurp(TRACEFS "/" EVENT_DIR "/format", text, sizeof(text)) > 0 ?
	      0 : errno;
	ASSERT_EQ(0, err)
		TH_LOG("cannot read the event's format: %s", strerror(err));
	missing = PRINT_FMT;
	if (strstr(text, PRINT_FMT))
		missing = NULL;
	for (i = 0; i < ARRAY_SIZE(format_fields); i++)
		if (!strstr(text, format_fields[i]))
			missing = format_fields[i];
	ASSERT_EQ(NULL, missing)
		TH_LOG("no '%s' in the event's format:\n%s", missing, text);

	snprintf(inst, size, TRACEFS "/instances/tg_%d", getpid());
	err = mkdir(inst, 0700) ? errno : 0;
	/* A leftover of an earlier run with the same pid. */
	if (err == EEXIST && !rmdir(inst))
		err = mkdir(inst, 0700) ? errno : 0;
	ASSERT_EQ(0, err)
		TH_LOG("cannot create the instance %s: %s", inst,
		       strerror(err));
}

static void trace_teardown(struct __test_metadata *_metadata, char *inst)
{
	int err = rmdir(inst) ? errno : 0;

	EXPECT_EQ(0, err)
		TH_LOG("cannot remove the instance %s: %s", inst,
		       strerror(err));
}

/* Record the event for thread group @tgid, and only for it. */
static void trace_arm(struct __test_metadata *_metadata, const char *inst,
		      pid_t tgid)
{
	char path[PATH_MAX], filter[32];
	int err;

	snprintf(filter, sizeof(filter), "tgid == %d", tgid);
	snprintf(path, sizeof(path), "%s/" EVENT_DIR "/filter", inst);
	err = write_str(path, filter);
	if (err)
		slurp(path, text, sizeof(text));
	ASSERT_EQ(0, err)
		TH_LOG("writing '%s' to %s: %s\n%s", filter, path,
		       strerror(err), text);
	snprintf(path, sizeof(path), "%s/" EVENT_DIR "/enable", inst);
	err = write_str(path, "1");
	ASSERT_EQ(0, err)
		TH_LOG("enabling %s: %s", path, strerror(err));
}

/*
 * Parse the instance's trace (left in text[] for the log) into @ev.
 * Returns the number of events, -1 when the trace cannot be read or has a
 * signal_wake_target line of another form.
 */
static int read_events(const char *inst, struct wake_event *ev, int max)
{
	char path[PATH_MAX], *line, *next, *p;
	struct wake_event e;
	int n = 0;

	snprintf(path, sizeof(path), "%s/trace", inst);
	if (slurp(path, text, sizeof(text)) < 0)
		return -1;
	for (line = text; *line; line = next) {
		next = strchrnul(line, '\n');
		p = memmem(line, next - line, " signal_wake_target: ",
			   strlen(" signal_wake_target: "));
		if (*next)
			next++;
		if (!p)
			continue;
		p += strlen(" signal_wake_target: ");
		if (sscanf(p, "sig=%d tgid=%d named=%d chosen=%d reason=%31s threads=%d",
			   &e.sig, &e.tgid, &e.named, &e.chosen, e.reason,
			   &e.threads) != 6)
			return -1;
		if (n < max)
			ev[n] = e;
		n++;
	}
	return n;
}

static void expect_event(struct __test_metadata *_metadata,
			 const struct wake_event *ev, int sig, pid_t tgid,
			 pid_t named, const char *reason, pid_t chosen,
			 int threads)
{
	EXPECT_EQ(sig, ev->sig);
	EXPECT_EQ(tgid, ev->tgid);
	EXPECT_EQ(named, ev->named);
	EXPECT_STREQ(reason, ev->reason);
	EXPECT_EQ(chosen, ev->chosen);
	EXPECT_EQ(threads, ev->threads);
	if (ev->sig != sig || ev->tgid != tgid || ev->named != named ||
	    strcmp(ev->reason, reason) || ev->chosen != chosen ||
	    ev->threads != threads)
		TH_LOG("trace:\n%s", text);
}

/*
 * The threads of the process under test, for the wake_target tests: the
 * test's own process, [0] being its main thread.
 */
enum op { OP_NONE, OP_KILL, OP_UNBLOCK };

static struct crew {
	pthread_t th[NR_THREADS];
	pid_t tid[NR_THREADS];
	unsigned int blocks;	/* bit i: thread i blocks SIGUSR1 */
	int ready;
	int cmd[NR_THREADS], op[NR_THREADS], done[NR_THREADS];
	int res[NR_THREADS];
	int runs;		/* handler runs, futex word */
	pid_t ran_on;		/* thread of the last run */
} crew;

static void on_usr1(int sig)
{
	int saved = errno;

	__atomic_store_n(&crew.ran_on, tg_gettid(), __ATOMIC_RELAXED);
	tg_add_and_wake(&crew.runs, 1);
	errno = saved;
}

static void block_usr1(bool block)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

static void *crew_member(void *arg)
{
	int i = (long)arg, seen = 0, c;

	block_usr1(crew.blocks & (1u << i));
	crew.tid[i] = tg_gettid();
	tg_add_and_wake(&crew.ready, 1);
	for (;;) {
		while ((c = __atomic_load_n(&crew.cmd[i], __ATOMIC_ACQUIRE)) ==
		       seen)
			tg_futex_wait(&crew.cmd[i], seen);
		seen = c;
		switch (crew.op[i]) {
		case OP_KILL:
			crew.res[i] = kill(getpid(), SIGUSR1) ? errno : 0;
			break;
		case OP_UNBLOCK:
			block_usr1(false);
			crew.res[i] = 0;
			break;
		}
		tg_add_and_wake(&crew.done[i], 1);
	}
	return NULL;
}

/* Catch SIGUSR1, start the workers, thread i blocking it if bit i is set. */
static bool crew_start(unsigned int blocks)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	long i;

	crew.blocks = blocks;
	if (sigaction(SIGUSR1, &sa, NULL))
		return false;
	block_usr1(blocks & 1);
	crew.tid[0] = tg_gettid();
	for (i = 1; i < NR_THREADS; i++)
		if (pthread_create(&crew.th[i], NULL, crew_member, (void *)i))
			return false;
	tg_wait_at_least(&crew.ready, NR_THREADS - 1);
	return true;
}

/* Have worker @i run @op; what it returned (an errno value or 0). */
static int crew_run(int i, int op)
{
	int done = crew.done[i];

	crew.op[i] = op;
	tg_add_and_wake(&crew.cmd[i], 1);
	tg_wait_at_least(&crew.done[i], done + 1);
	return crew.res[i];
}

FIXTURE(wake_target) {
	char inst[PATH_MAX];
};

FIXTURE_SETUP(wake_target)
{
	trace_setup(_metadata, self->inst, sizeof(self->inst));
}

FIXTURE_TEARDOWN(wake_target)
{
	trace_teardown(_metadata, self->inst);
}

/*
 * kill() names the main thread, which sleeps waiting for the handler with
 * nothing pending: it takes the signal, sent by a worker that blocks it.
 */
TEST_F(wake_target, linux_kill_wakes_the_main_thread_it_names)
{
	const int sender = 3;
	struct wake_event ev[MAX_EVENTS];
	pid_t me = getpid();

	trace_arm(_metadata, self->inst, me);
	ASSERT_TRUE(crew_start(1u << sender));
	ASSERT_EQ(0, crew_run(sender, OP_KILL));
	tg_wait_at_least(&crew.runs, 1);
	EXPECT_EQ(crew.tid[0], crew.ran_on);

	ASSERT_EQ(1, read_events(self->inst, ev, MAX_EVENTS))
		TH_LOG("trace:\n%s", text);
	expect_event(_metadata, &ev[0], SIGUSR1, me, me, "named",
		     crew.tid[0], 0);
	EXPECT_EQ(crew.ran_on, ev[0].chosen);
}

/*
 * The main thread, named by kill(), blocks the signal, so complete_signal()
 * walks the threads from signal->curr_target to the only one that does not.
 * The reason is curr_target whichever thread the walk starts at, even the
 * one it picks: "named" means that the named task took it.
 */
TEST_F(wake_target, kill_wakes_the_one_thread_not_blocking_via_curr_target)
{
	const int taker = 2;
	struct wake_event ev[MAX_EVENTS];
	pid_t me = getpid();

	trace_arm(_metadata, self->inst, me);
	ASSERT_TRUE(crew_start((1u << NR_THREADS) - 1 - (1u << taker)));
	ASSERT_EQ(0, kill(me, SIGUSR1));
	tg_wait_at_least(&crew.runs, 1);
	EXPECT_EQ(crew.tid[taker], crew.ran_on);

	ASSERT_EQ(1, read_events(self->inst, ev, MAX_EVENTS))
		TH_LOG("trace:\n%s", text);
	expect_event(_metadata, &ev[0], SIGUSR1, me, me, "curr_target",
		     crew.tid[taker], 0);
	EXPECT_EQ(crew.ran_on, ev[0].chosen);
}

/*
 * tgkill() names a worker, which can take the signal: it is woken and
 * runs the handler, although the main thread does not block it either.
 */
TEST_F(wake_target, tgkill_wakes_the_thread_it_names)
{
	const int target = 2;
	struct wake_event ev[MAX_EVENTS];
	pid_t me = getpid();

	trace_arm(_metadata, self->inst, me);
	ASSERT_TRUE(crew_start(0));
	ASSERT_EQ(0, tg_tgkill(me, crew.tid[target], SIGUSR1));
	tg_wait_at_least(&crew.runs, 1);
	EXPECT_EQ(crew.tid[target], crew.ran_on);

	ASSERT_EQ(1, read_events(self->inst, ev, MAX_EVENTS))
		TH_LOG("trace:\n%s", text);
	expect_event(_metadata, &ev[0], SIGUSR1, me, crew.tid[target],
		     "named", crew.tid[target], 0);
	EXPECT_EQ(crew.ran_on, ev[0].chosen);
}

/*
 * Blocked in every thread, the signal wakes nobody, for the reason
 * "blocked" (the walk comes back to curr_target): it waits in the shared
 * queue, and the first thread to unblock it runs the handler.  Only the
 * event of kill() is checked: the hand-over on unblocking does not go
 * through complete_signal().
 */
TEST_F(wake_target, blocked_everywhere_wakes_none_until_a_thread_unblocks)
{
	const int unblocker = 2;
	struct wake_event ev[MAX_EVENTS];
	pid_t me = getpid();

	trace_arm(_metadata, self->inst, me);
	ASSERT_TRUE(crew_start((1u << NR_THREADS) - 1));
	ASSERT_EQ(0, kill(me, SIGUSR1));
	EXPECT_EQ(0, crew.runs);

	ASSERT_LE(1, read_events(self->inst, ev, MAX_EVENTS))
		TH_LOG("trace:\n%s", text);
	expect_event(_metadata, &ev[0], SIGUSR1, me, me, "blocked", 0, 0);

	ASSERT_EQ(0, crew_run(unblocker, OP_UNBLOCK));
	tg_wait_at_least(&crew.runs, 1);
	EXPECT_EQ(crew.tid[unblocker], crew.ran_on);
}

/* The group_kill child: GROUP_THREADS threads that sleep until killed. */
struct group {
	pid_t tid[GROUP_THREADS];	/* [0] the main thread */
	int ready;
	int never;			/* a futex word nobody changes */
};

static struct group *grp;

static void *group_thread(void *arg)
{
	grp->tid[(long)arg] = tg_gettid();
	tg_add_and_wake(&grp->ready, 1);
	for (;;)
		tg_futex_wait(&grp->never, 0);
	return NULL;
}

static int group_child(pid_t parent, bool main_blocks, struct tg_event *up)
{
	pthread_t th;
	sigset_t set;
	long i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		return 1;
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&set);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	grp->tid[0] = tg_gettid();
	for (i = 1; i < GROUP_THREADS; i++)
		if (pthread_create(&th, NULL, group_thread, (void *)i))
			return 2;
	tg_wait_at_least(&grp->ready, GROUP_THREADS - 1);
	if (main_blocks) {
		sigaddset(&set, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	}
	if (tg_event_post(up))
		return 3;
	for (;;)
		tg_futex_wait(&grp->never, 0);
}

FIXTURE(group_kill) {
	char inst[PATH_MAX];
	pid_t child;
};

FIXTURE_VARIANT(group_kill) {
	int sig;
	bool main_blocks;	/* the main thread blocks sig */
};

FIXTURE_VARIANT_ADD(group_kill, sigkill) {
	.sig = SIGKILL,
};

FIXTURE_VARIANT_ADD(group_kill, sigterm_default) {
	.sig = SIGTERM,
};

FIXTURE_VARIANT_ADD(group_kill, sigterm_main_blocks) {
	.sig = SIGTERM,
	.main_blocks = true,
};

FIXTURE_SETUP(group_kill)
{
	trace_setup(_metadata, self->inst, sizeof(self->inst));
}

FIXTURE_TEARDOWN(group_kill)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	trace_teardown(_metadata, self->inst);
}

/*
 * A signal fatal to the group, sent with kill() to a child of
 * GROUP_THREADS threads, marks them all.  The thread chosen is the one
 * the search found: the main thread, named by kill(), when it can take
 * the signal, else a worker.  The group dies of the signal.
 */
TEST_F(group_kill, fatal_signal_reports_group_kill_over_every_thread)
{
	struct wake_event ev[MAX_EVENTS];
	pid_t me = getpid(), child, chosen;
	struct tg_event up;
	int status, i;

	grp = mmap(NULL, sizeof(*grp), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, grp);
	ASSERT_EQ(0, tg_event_init(&up));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		close(up.fd[0]);
		_exit(group_child(me, variant->main_blocks, &up));
	}
	self->child = child;
	close(up.fd[1]);
	ASSERT_EQ(0, tg_event_wait(&up))
		TH_LOG("the child died before its threads were up");
	close(up.fd[0]);
	ASSERT_EQ(GROUP_THREADS, tg_thread_count(child));

	trace_arm(_metadata, self->inst, child);
	ASSERT_EQ(0, kill(child, variant->sig));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	self->child = 0;
	ASSERT_TRUE(WIFSIGNALED(status))
		TH_LOG("child status %#x", status);
	EXPECT_EQ(variant->sig, WTERMSIG(status));

	ASSERT_EQ(1, read_events(self->inst, ev, MAX_EVENTS))
		TH_LOG("trace:\n%s", text);
	chosen = child;
	if (variant->main_blocks) {
		/* Any worker: which one is up to the walk. */
		for (i = 1; i < GROUP_THREADS; i++)
			if (ev[0].chosen == grp->tid[i])
				chosen = grp->tid[i];
		EXPECT_NE(child, chosen)
			TH_LOG("chosen %d is not a worker", ev[0].chosen);
	}
	expect_event(_metadata, &ev[0], variant->sig, child, child,
		     "group_kill", chosen, GROUP_THREADS);
}

TEST_HARNESS_MAIN
