/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the thread-group signal selftests.
 *
 * Everything here synchronises on a condition (a pipe byte, a futex word,
 * a task state in /proc, a pidfd becoming readable); nothing waits for a
 * fixed time.  Callers bound the waits through the harness timeout.
 */
#ifndef TG_UTIL_H
#define TG_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/futex.h>

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif

static inline pid_t tg_gettid(void)
{
	return syscall(__NR_gettid);
}

static inline int tg_tgkill(pid_t tgid, pid_t tid, int sig)
{
	return syscall(__NR_tgkill, tgid, tid, sig);
}

static inline int tg_rt_sigqueueinfo(pid_t tgid, int sig, siginfo_t *info)
{
	return syscall(__NR_rt_sigqueueinfo, tgid, sig, info);
}

static inline int tg_rt_tgsigqueueinfo(pid_t tgid, pid_t tid, int sig,
				       siginfo_t *info)
{
	return syscall(__NR_rt_tgsigqueueinfo, tgid, tid, sig, info);
}

static inline int tg_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(__NR_pidfd_open, pid, flags);
}

static inline int tg_pidfd_send_signal(int pidfd, int sig, siginfo_t *info,
				       unsigned int flags)
{
	return syscall(__NR_pidfd_send_signal, pidfd, sig, info, flags);
}

/*
 * Futex word helpers: a cheap cross-thread (and, in MAP_SHARED memory,
 * cross-process) "wait until the value changes" without a sleep.
 */
static inline void tg_futex_wait(int *word, int val)
{
	syscall(__NR_futex, word, FUTEX_WAIT, val, NULL, NULL, 0);
}

static inline void tg_futex_wake(int *word)
{
	syscall(__NR_futex, word, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

/* Wait until *word >= target. */
static inline void tg_wait_at_least(int *word, int target)
{
	int v;

	while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) < target)
		tg_futex_wait(word, v);
}

static inline void tg_add_and_wake(int *word, int n)
{
	__atomic_add_fetch(word, n, __ATOMIC_RELEASE);
	tg_futex_wake(word);
}

/*
 * The /proc readers of the suite.  /proc here is the one the test mounted
 * or inherited, so the ids in it are those of that mount's PID namespace.
 */

/*
 * Read /proc/@tgid/task/@tid/stat (/proc/@tgid/stat when @tid is 0) into
 * @buf and return its fields after "(comm) ", state first, or NULL when
 * the task is gone.  comm may contain spaces and ')': the fields follow
 * the last ')'.
 */
static inline const char *tg_proc_stat(pid_t tgid, pid_t tid, char *buf,
				       size_t size)
{
	char path[64], *p;
	ssize_t n;
	int fd;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", tgid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/stat", tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

/*
 * Copy the value of line "@field:" of /proc/@tgid/task/@tid/status
 * (/proc/@tgid/status when @tid is 0) to @val.  Returns 0, or -1 when the
 * task is gone or has no such line.
 */
static inline int tg_proc_status(pid_t tgid, pid_t tid, const char *field,
				 char *val, size_t size)
{
	char path[64], line[256];
	size_t len = strlen(field);
	int ret = -1;
	FILE *f;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status",
			 tgid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/status", tgid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			const char *v = line + len + 1;
			size_t n = strnlen(v, size - 1);

			memcpy(val, v, n);
			val[n] = '\0';
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * Signals queued for this user (RLIMIT_SIGPENDING's count), from SigQ in
 * /proc/self/status; its limit in *@limit.  Returns -1 when unreadable.
 */
static inline int tg_sigq(long *limit)
{
	char val[64];
	int queued;

	if (tg_proc_status(getpid(), 0, "SigQ", val, sizeof(val)) ||
	    sscanf(val, "%d/%ld", &queued, limit) != 2)
		return -1;
	return queued;
}

/*
 * The calling thread's pid and tid as /proc names them (its mount's PID
 * namespace, which need not be the caller's).  Returns 0 or -1.
 */
static inline int tg_proc_self_ids(pid_t *pid, pid_t *tid)
{
	char link[64];
	ssize_t n;

	n = readlink("/proc/thread-self", link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	return sscanf(link, "%d/task/%d", pid, tid) == 2 ? 0 : -1;
}

/*
 * Scheduler state letter of @tid in thread group @tgid ('R', 'S', 'T',
 * 't', 'Z', ...), or 0 when the task is gone.
 */
static inline char tg_task_state(pid_t tgid, pid_t tid)
{
	char buf[512];
	const char *f = tg_proc_stat(tgid, tid, buf, sizeof(buf));

	return f ? f[0] : 0;
}

/* The process group and session of @tgid.  Returns 0, or -1 when gone. */
static inline int tg_proc_pgrp_sid(pid_t tgid, pid_t *pgrp, pid_t *sid)
{
	const char *f;
	char buf[512];

	/* state ppid pgrp session */
	f = tg_proc_stat(tgid, 0, buf, sizeof(buf));
	return f && sscanf(f, "%*c %*d %d %d", pgrp, sid) == 2 ? 0 : -1;
}

/* The inode of the initial PID namespace (PROC_PID_INIT_INO). */
#define TG_INIT_PID_NS_INO	0xEFFFFFFCU

/*
 * The guard in front of kill(-1) from a PID namespace, for the tests and
 * the benchmarks alike: whether the caller is in a PID namespace that is
 * neither the initial one nor @outer, the namespace (inode of
 * /proc/PID/ns/pid) of the test or benchmark that made it.  From anywhere
 * else kill(-1) would signal processes that are not the test's own.
 * (kill_all_pidns sends it from the initial namespace too, behind a guard
 * of its own: an unprivileged caller with a uid no other process has.)
 */
static inline bool tg_in_new_pidns(ino_t outer)
{
	struct stat st;

	return !stat("/proc/self/ns/pid", &st) &&
	       st.st_ino != TG_INIT_PID_NS_INO && st.st_ino != outer;
}

/* Number of threads of @tgid, from /proc/PID/status. -1 when gone. */
static inline int tg_thread_count(pid_t tgid)
{
	char val[64];

	return tg_proc_status(tgid, 0, "Threads", val, sizeof(val)) ? -1 :
	       atoi(val);
}

/* SIGKILL a child of ours, if there is one, and reap it. */
static inline void tg_reap(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
	}
	*pid = 0;
}

/* Block until the pidfd reports that the process has exited. */
static inline int tg_pidfd_wait_exit(int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	return poll(&pfd, 1, -1) == 1 ? 0 : -1;
}

/* Whether the pidfd reports, right now, that the process has exited. */
static inline bool tg_pidfd_exited(int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/* A one-shot event between two processes, built on a pipe. */
struct tg_event {
	int fd[2];
};

static inline int tg_event_init(struct tg_event *ev)
{
	return pipe2(ev->fd, O_CLOEXEC);
}

static inline int tg_event_post(struct tg_event *ev)
{
	char c = 1;

	return write(ev->fd[1], &c, 1) == 1 ? 0 : -1;
}

/* Returns 0 once posted, -1 if every writer went away without posting. */
static inline int tg_event_wait(struct tg_event *ev)
{
	char c;
	ssize_t n;

	do {
		n = read(ev->fd[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

static inline void tg_event_close(struct tg_event *ev)
{
	close(ev->fd[0]);
	close(ev->fd[1]);
}

/* Bit of @sig in the hex signal sets of /proc/PID/status. */
#define TG_SIGBIT(sig) (1ULL << ((sig) - 1))

/*
 * Poll until thread @tid of @tgid is in one of @states (e.g. "S" or "DS").
 * Returns the state seen, or 0 once the task is gone.
 */
static inline char tg_wait_task_state(pid_t tgid, pid_t tid, const char *states)
{
	const struct timespec pause = { .tv_nsec = 1000000 };
	char s;

	while ((s = tg_task_state(tgid, tid)) && !strchr(states, s))
		nanosleep(&pause, NULL);
	return s;
}

/*
 * Read the signal set @field ("SigPnd", "ShdPnd", "SigBlk", ...) of thread
 * @tid of @tgid from /proc, or of the process (main thread) when @tid is 0.
 * Returns 0, or -1 when the task is gone.
 */
static inline int tg_proc_sigset(pid_t tgid, pid_t tid, const char *field,
				 unsigned long long *set)
{
	char val[64];

	if (tg_proc_status(tgid, tid, field, val, sizeof(val)))
		return -1;
	*set = strtoull(val, NULL, 16);
	return 0;
}

/*
 * Wait until *@count >= @target, or until it is certain that it never will:
 * thread @tid, the one expected to take process-directed @sig, sleeps in
 * 'S' while @sig is still pending process-wide, so nobody was woken for it.
 * Only sound once the event that must have woken @tid has happened, and
 * when @tid cannot sleep between being woken and dequeuing @sig (it
 * returns to user mode from an interruptible wait).  The state is read
 * before the pending set: a thread seen asleep after it took @sig no
 * longer has it pending.  Returns true when the count was reached.
 */
static inline bool tg_wait_count_or_stuck(int *count, int target,
					  pid_t tgid, pid_t tid, int sig)
{
	const struct timespec pause = { .tv_nsec = 1000000 };
	unsigned long long shd;

	for (;;) {
		if (__atomic_load_n(count, __ATOMIC_ACQUIRE) >= target)
			return true;
		if (tg_task_state(tgid, tid) == 'S' &&
		    !tg_proc_sigset(tgid, tid, "ShdPnd", &shd) &&
		    (shd & TG_SIGBIT(sig)) &&
		    __atomic_load_n(count, __ATOMIC_ACQUIRE) < target)
			return false;
		nanosleep(&pause, NULL);
	}
}

/*
 * Fill @tids with the thread ids of @tgid listed in /proc/TGID/task, at
 * most @max of them.  Returns how many there are (may exceed @max), or -1
 * when the process is gone.
 */
static inline int tg_task_ids(pid_t tgid, pid_t *tids, int max)
{
	struct dirent *de;
	char path[64];
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", tgid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (n < max)
			tids[n] = atoi(de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

/*
 * Whether /proc/filesystems lists @fs, that is the kernel was built with
 * it: true when it cannot tell, so that the caller's use of @fs fails.
 */
static inline bool tg_fs_built_in(const char *fs)
{
	char line[128], name[64];
	bool found = false;
	FILE *f;

	f = fopen("/proc/filesystems", "re");
	if (!f)
		return true;
	while (!found && fgets(line, sizeof(line), f)) {
		/* "nodev\tsysfs" or "\text4" */
		if (sscanf(line, "%*s %63s", name) == 1 ||
		    sscanf(line, "%63s", name) == 1)
			found = !strcmp(name, fs);
	}
	fclose(f);
	return found;
}

/*
 * Threads that block every signal and sleep until the process exits: they
 * keep whatever is queued for them, for /proc to show.
 */
#define TG_SLEEPERS_MAX	8

struct tg_sleepers {
	int nr;
	int started;			/* futex word */
	int forever;			/* never changes */
	pid_t tid[TG_SLEEPERS_MAX];
};

static inline void *tg_sleeper_fn(void *arg)
{
	struct tg_sleepers *s = arg;
	int i = __atomic_load_n(&s->started, __ATOMIC_ACQUIRE);

	s->tid[i] = tg_gettid();
	tg_add_and_wake(&s->started, 1);
	for (;;)
		tg_futex_wait(&s->forever, 0);
	return NULL;
}

/*
 * Start @nr sleepers, one after the other so that each knows its index.
 * The caller's mask is inherited: block every signal before.  Returns 0,
 * or the error of pthread_create().
 */
static inline int tg_start_sleepers(struct tg_sleepers *s, int nr)
{
	pthread_t th;
	int i, err;

	s->nr = 0;
	s->started = 0;
	s->forever = 0;
	for (i = 0; i < nr && i < TG_SLEEPERS_MAX; i++) {
		err = pthread_create(&th, NULL, tg_sleeper_fn, s);
		if (err)
			return err;
		pthread_detach(th);
		tg_wait_at_least(&s->started, i + 1);
		s->nr = i + 1;
	}
	return 0;
}

/* Block every signal of the calling thread (SIGKILL and SIGSTOP aside). */
static inline void tg_block_all(void)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
}

/*
 * Whether @sig is in the set @field of thread @tid of @tgid (the main
 * thread when @tid is 0); -1 when the task is gone.
 */
static inline int tg_sig_in(pid_t tgid, pid_t tid, const char *field, int sig)
{
	unsigned long long set;

	if (tg_proc_sigset(tgid, tid, field, &set))
		return -1;
	return !!(set & TG_SIGBIT(sig));
}

/*
 * Poll until @sig is pending in @tgid, in its shared queue or in the queue
 * of one of its threads: for signals the kernel sends from a timer or
 * another context, whose generation the caller cannot wait for otherwise.
 * Returns 0, or -1 when the process is gone.
 */
static inline int tg_wait_pending_anywhere(pid_t tgid, int sig)
{
	const struct timespec pause = { .tv_nsec = 1000000 };
	pid_t tids[64];
	int i, n;

	for (;;) {
		if (tg_sig_in(tgid, 0, "ShdPnd", sig) == 1)
			return 0;
		n = tg_task_ids(tgid, tids, 64);
		if (n < 0)
			return -1;
		for (i = 0; i < n && i < 64; i++)
			if (tg_sig_in(tgid, tids[i], "SigPnd", sig) == 1)
				return 0;
		nanosleep(&pause, NULL);
	}
}

#endif /* TG_UTIL_H */
