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
#include "tg_team.h"

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
#define GROUP_THREADS	TG_TEAM_MAX	/* the group_kill team, main included */

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
 * The process under test: a team (tg_team.h) of NR_THREADS threads, [0]
 * the main thread, that catches SIGUSR1; its handler records the thread
 * it ran on.  OP_KILL has a thread send SIGUSR1 to its own process.
 */
enum { OP_KILL = TG_OP_USER };

static void crew_run_op(struct tg_team *t, int i)
{
	if (t->op[i] == OP_KILL)
		t->res[i] = kill(getpid(), SIGUSR1) ? errno : 0;
}

static const struct tg_team_ops crew_ops = { .run = crew_run_op };

/* Start the crew, thread i blocking SIGUSR1 if bit i of @blocks is set. */
static struct tg_team *crew_start(unsigned int blocks)
{
	struct tg_team *t = tg_team_new(&crew_ops, 0);
	int i;

	if (!t)
		return NULL;
	t->nr = NR_THREADS;
	t->caught = TG_SIGBIT(SIGUSR1);
	for (i = 0; i < NR_THREADS; i++)
		if (blocks & (1u << i))
			t->blocked[i] = TG_SIGBIT(SIGUSR1);
	return tg_team_start(t) ? t : NULL;
}

/* The handler ran once; on which thread (0 when the subject died). */
static pid_t crew_ran_on(struct tg_team *t)
{
	if (!tg_team_wait(t, &t->hit[SIGUSR1].count, 1))
		return 0;
	return t->hit[SIGUSR1].tid;
}

FIXTURE(wake_target) {
	char inst[PATH_MAX];
	struct tg_team *t;
};

FIXTURE_SETUP(wake_target)
{
	self->t = NULL;
	trace_setup(_metadata, self->inst, sizeof(self->inst));
}

FIXTURE_TEARDOWN(wake_target)
{
	tg_team_kill(self->t);
	trace_teardown(_metadata, self->inst);
}

/*
 * kill() names the main thread, which sleeps waiting for a command with
 * nothing pending: it takes the signal, sent by a worker that blocks it.
 */
TEST_F(wake_target, linux_kill_wakes_the_main_thread_it_names)
{
	const int sender = 3;
	struct wake_event ev[MAX_EVENTS];
	struct tg_team *t;
	pid_t ran_on;

	t = crew_start(1u << sender);
	self->t = t;
	ASSERT_NE(NULL, t);
	trace_arm(_metadata, self->inst, t->pid);
	ASSERT_TRUE(tg_team_run(t, sender, OP_KILL, 0));
	ASSERT_EQ(0, t->res[sender]);
	ran_on = crew_ran_on(t);
	EXPECT_EQ(t->tid[0], ran_on);

	ASSERT_EQ(1, read_events(self->inst, ev, MAX_EVENTS))
		TH_LOG("trace:\n%s", text);
	expect_event(_metadata, &ev[0], SIGUSR1, t->pid, t->pid, "named",
		     t->tid[0], 0);
	EXPECT_EQ(ran_on, ev[0].chosen);
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
	struct tg_team *t;
	pid_t ran_on;

	t = crew_start((1u << NR_THREADS) - 1 - (1u << taker));
	self->t = t;
	ASSERT_NE(NULL, t);
	trace_arm(_metadata, self->inst, t->pid);
	ASSERT_EQ(0, kill(t->pid, SIGUSR1));
	ran_on = crew_ran_on(t);
	EXPECT_EQ(t->tid[taker], ran_on);

	ASSERT_EQ(1, read_events(self->inst, ev, MAX_EVENTS))
		TH_LOG("trace:\n%s", text);
	expect_event(_metadata, &ev[0], SIGUSR1, t->pid, t->pid,
		     "curr_target", t->tid[taker], 0);
	EXPECT_EQ(ran_on, ev[0].chosen);
}

/*
 * tgkill() names a worker, which can take the signal: it is woken and
 * runs the handler, although the main thread does not block it either.
 */
TEST_F(wake_target, tgkill_wakes_the_thread_it_names)
{
	const int target = 2;
	struct wake_event ev[MAX_EVENTS];
	struct tg_team *t;
	pid_t ran_on;

	t = crew_start(0);
	self->t = t;
	ASSERT_NE(NULL, t);
	trace_arm(_metadata, self->inst, t->pid);
	ASSERT_EQ(0, tg_tgkill(t->pid, t->tid[target], SIGUSR1));
	ran_on = crew_ran_on(t);
	EXPECT_EQ(t->tid[target], ran_on);

	ASSERT_EQ(1, read_events(self->inst, ev, MAX_EVENTS))
		TH_LOG("trace:\n%s", text);
	expect_event(_metadata, &ev[0], SIGUSR1, t->pid, t->tid[target],
		     "named", t->tid[target], 0);
	EXPECT_EQ(ran_on, ev[0].chosen);
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
	struct tg_team *t;

	t = crew_start((1u << NR_THREADS) - 1);
	self->t = t;
	ASSERT_NE(NULL, t);
	trace_arm(_metadata, self->inst, t->pid);
	ASSERT_EQ(0, kill(t->pid, SIGUSR1));
	EXPECT_TRUE(tg_team_shared_pending(t, SIGUSR1));
	EXPECT_EQ(0, t->hit[SIGUSR1].count);

	ASSERT_LE(1, read_events(self->inst, ev, MAX_EVENTS))
		TH_LOG("trace:\n%s", text);
	expect_event(_metadata, &ev[0], SIGUSR1, t->pid, t->pid, "blocked",
		     0, 0);

	ASSERT_TRUE(tg_team_run(t, unblocker, TG_OP_UNBLOCK, SIGUSR1));
	EXPECT_EQ(t->tid[unblocker], crew_ran_on(t));
}

FIXTURE(group_kill) {
	char inst[PATH_MAX];
	struct tg_team *t;
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
	self->t = NULL;
	trace_setup(_metadata, self->inst, sizeof(self->inst));
}

FIXTURE_TEARDOWN(group_kill)
{
	tg_team_kill(self->t);
	trace_teardown(_metadata, self->inst);
}

/*
 * A signal fatal to the group, sent with kill() to a team of
 * GROUP_THREADS threads with the default action, marks them all.  The
 * thread chosen is the one the search found: the main thread, named by
 * kill(), when it can take the signal, else a worker.  The group dies of
 * the signal.
 */
TEST_F(group_kill, fatal_signal_reports_group_kill_over_every_thread)
{
	struct wake_event ev[MAX_EVENTS];
	pid_t pid, chosen;
	struct tg_team *t;
	int status, i;

	t = tg_team_new(&crew_ops, 0);
	self->t = t;
	ASSERT_NE(NULL, t);
	t->nr = GROUP_THREADS;
	if (variant->main_blocks)
		t->blocked[0] = TG_SIGBIT(variant->sig);
	ASSERT_TRUE(tg_team_start(t))
		TH_LOG("the team died before its threads were up");
	pid = t->pid;
	ASSERT_EQ(GROUP_THREADS, tg_thread_count(pid));

	trace_arm(_metadata, self->inst, pid);
	ASSERT_EQ(0, kill(pid, variant->sig));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	t->pid = 0;
	ASSERT_TRUE(WIFSIGNALED(status))
		TH_LOG("team status %#x", status);
	EXPECT_EQ(variant->sig, WTERMSIG(status));

	ASSERT_EQ(1, read_events(self->inst, ev, MAX_EVENTS))
		TH_LOG("trace:\n%s", text);
	chosen = pid;
	if (variant->main_blocks) {
		/* Any worker: which one is up to the walk. */
		for (i = 1; i < GROUP_THREADS; i++)
			if (ev[0].chosen == t->tid[i])
				chosen = t->tid[i];
		EXPECT_NE(pid, chosen)
			TH_LOG("chosen %d is not a worker", ev[0].chosen);
	}
	expect_event(_metadata, &ev[0], variant->sig, pid, pid,
		     "group_kill", chosen, GROUP_THREADS);
}

TEST_HARNESS_MAIN
