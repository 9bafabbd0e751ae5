/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by tgsig's benchmark programs.
 *
 * Each program runs one benchmark, takes its sizes on the command line
 * (--name value pairs), checks its own result and prints one line per
 * measurement, which scripts/tgsiglib/bench.py reads:
 *
 *   tgsig-bench FIGURE PARAM=VALUE... METRIC=NUMBER UNIT
 *
 * A failed check prints "FIGURE: FAIL: why" and exits 1; lines starting
 * with '#' are comments.  `scripts/tgsig bench` builds them with
 *
 *   gcc -O2 -static -pthread -Wall -I selftests/signal -o X X.c
 *
 * and runs them in the guest; they also run on any Linux machine, as root
 * (PID namespaces).  None of them sends kill(-1) outside a PID namespace
 * of its own: bench_kill_all() refuses to.
 */
#ifndef TG_BENCH_H
#define TG_BENCH_H

#include <limits.h>
#include <stdarg.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "tg_util.h"

#define BENCH_MAX_SIZES		16
/* A wait for the benchmark's own tasks that takes this long is a bug. */
#define BENCH_WATCHDOG_S	120
#define BENCH_STACK_SIZE	(64 * 1024)

static const char *bench_figure = "bench";

static inline void bench_init(const char *figure)
{
	bench_figure = figure;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* Say why the benchmark is invalid and exit 1. */
static inline void bench_fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: FAIL: ", bench_figure);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static inline long long bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One measurement line; @params is "k=v" or "k=v k=v". */
static inline void bench_report(const char *figure, const char *params,
				const char *metric, long long value,
				const char *unit)
{
	printf("tgsig-bench %s %s %s=%lld %s\n", figure, params, metric, value,
	       unit);
	fflush(stdout);
}

static int bench_cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v in place; the median of its @n values. */
static inline long long bench_median(long long *v, int n)
{
	qsort(v, n, sizeof(*v), bench_cmp_ll);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The @pct-th percentile (nearest rank) of @v, sorted by bench_median(). */
static inline long long bench_percentile(const long long *v, int n, int pct)
{
	int rank = (n * pct + 99) / 100;

	return v[rank > 0 ? rank - 1 : 0];
}

struct bench_opt {
	const char *name;	/* without the leading "--" */
	const char *value;	/* the default, replaced by the command line */
};

/*
 * Run again, at once, without address space randomisation: where the
 * stack, the heap and the mappings land decides how many page tables a
 * fork() copies and an exit frees, and under QEMU -icount that would
 * make a counted figure differ from boot to boot.
 */
static inline void bench_fixed_layout(char **argv)
{
	int persona = personality(0xffffffff);

	if (persona < 0 || (persona & ADDR_NO_RANDOMIZE))
		return;
	if (personality(persona | ADDR_NO_RANDOMIZE) < 0)
		bench_fail("personality(ADDR_NO_RANDOMIZE): %s",
			   strerror(errno));
	execv("/proc/self/exe", argv);
	bench_fail("execv /proc/self/exe: %s", strerror(errno));
}

/*
 * Fill @opts (ended by a NULL name) from "--name value" pairs, after
 * bench_fixed_layout(): every program calls this first.
 */
static inline void bench_args(int argc, char **argv, struct bench_opt *opts)
{
	struct bench_opt *o;
	int i;

	bench_fixed_layout(argv);
	for (i = 1; i < argc; i += 2) {
		for (o = opts; o->name; o++)
			if (!strncmp(argv[i], "--", 2) &&
			    !strcmp(argv[i] + 2, o->name))
				break;
		if (!o->name || i + 1 >= argc) {
			fprintf(stderr, "usage: %s", argv[0]);
			for (o = opts; o->name; o++)
				fprintf(stderr, " [--%s %s]", o->name, o->value);
			fputc('\n', stderr);
			exit(2);
		}
		o->value = argv[i + 1];
	}
}

static inline long bench_number(const char *text, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		bench_fail("%s: not a number from %ld to %ld", text, min, max);
	return v;
}

/* A comma-separated list of sizes into @out, ascending.  Returns how many. */
static inline int bench_sizes(const char *text, long *out, long min, long max)
{
	char buf[256], *tok, *save;
	int n = 0, i, j;
	long v;

	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == BENCH_MAX_SIZES)
			bench_fail("%s: more than %d sizes", text,
				   BENCH_MAX_SIZES);
		out[n++] = bench_number(tok, min, max);
	}
	if (!n)
		bench_fail("no sizes in '%s'", text);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j - 1] > out[j]; j--) {
			v = out[j];
			out[j] = out[j - 1];
			out[j - 1] = v;
		}
	return n;
}

/*
 * A comma-separated list of names, each one of the @count @names, into
 * @out as indices into @names, each at most once.  Returns how many.
 */
static inline int bench_names(const char *text, const char *const *names,
			      int count, int *out)
{
	char buf[256], *tok, *save;
	int n = 0, i, j;

	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < count && strcmp(tok, names[i]); i++)
			;
		if (i == count)
			bench_fail("'%s' is none of the names allowed in '%s'",
				   tok, text);
		for (j = 0; j < n; j++)
			if (out[j] == i)
				bench_fail("'%s' twice in '%s'", tok, text);
		if (n == BENCH_MAX_SIZES)
			bench_fail("%s: more than %d names", text,
				   BENCH_MAX_SIZES);
		out[n++] = i;
	}
	if (!n)
		bench_fail("no names in '%s'", text);
	return n;
}

static inline void *bench_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		bench_fail("mmap(%zu): %s", size, strerror(errno));
	return p;
}

/*
 * In a new child: die with the parent, which is @parent.  (The init of a
 * new PID namespace sees its parent as pid 0.)
 */
static inline void bench_die_with_parent(pid_t parent)
{
	pid_t ppid;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		_exit(1);
	ppid = getppid();
	if (ppid != parent && ppid != 0)
		_exit(1);
}

/*
 * fork(); the child dies with us.  Returns in the child with 0, in the
 * parent with the child's pid; fails the benchmark when fork() does.
 */
static inline pid_t bench_fork(void)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		bench_fail("fork: %s", strerror(errno));
	if (!pid)
		bench_die_with_parent(parent);
	return pid;
}

/*
 * Wait until *@word >= @target.  Fails the benchmark when @pid (if not 0)
 * has exited first, when *@error is set, or after BENCH_WATCHDOG_S; those
 * are looked at only when the word has not moved for 10ms, so that the
 * wait costs one futex call when things go well.
 */
static inline void bench_wait(int *word, int target, pid_t pid, int *error,
			      const char *what)
{
	struct timespec ts = { .tv_nsec = 10 * 1000000 };
	long long deadline = 0;
	siginfo_t si;
	int v;

	while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) < target) {
		if (!syscall(__NR_futex, word, FUTEX_WAIT, v, &ts, NULL, 0) ||
		    errno != ETIMEDOUT)
			continue;
		if (error && __atomic_load_n(error, __ATOMIC_ACQUIRE))
			bench_fail("%s: the benchmark's tasks failed to set up",
				   what);
		si.si_pid = 0;
		if (pid > 0 &&
		    !waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
		    si.si_pid)
			bench_fail("%s: process %d died (status %d)", what,
				   pid, si.si_status);
		if (!deadline)
			deadline = bench_now_ns() +
				   BENCH_WATCHDOG_S * 1000000000LL;
		else if (bench_now_ns() > deadline)
			bench_fail("%s: %d of %d after %d seconds", what, v,
				   target, BENCH_WATCHDOG_S);
	}
}

/*
 * Reap @pid, which must die of @sig, or exit with status 0 when @sig is 0.
 * Returns the time waitpid() returned.
 */
static inline long long bench_reap(pid_t pid, int sig, const char *what)
{
	int status;
	pid_t got;

	do {
		got = waitpid(pid, &status, 0);
	} while (got < 0 && errno == EINTR);
	if (got != pid)
		bench_fail("%s: waitpid(%d): %s", what, pid, strerror(errno));
	if (sig && !(WIFSIGNALED(status) && WTERMSIG(status) == sig))
		bench_fail("%s: process %d ended with status %#x, not by signal %d",
			   what, pid, status, sig);
	if (!sig && !(WIFEXITED(status) && !WEXITSTATUS(status)))
		bench_fail("%s: process %d ended with status %#x, not exit 0",
			   what, pid, status);
	return bench_now_ns();
}

/* SIGKILL each of the @n processes of @pids, then reap them all. */
static inline void bench_kill_and_reap(const pid_t *pids, int n,
				       const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		if (kill(pids[i], SIGKILL))
			bench_fail("kill(%d, SIGKILL): %s", pids[i],
				   strerror(errno));
	for (i = 0; i < n; i++)
		bench_reap(pids[i], SIGKILL, what);
}

/*
 * Wait until every thread of @pid sleeps ('S'); fail at once when one has
 * ended instead.
 */
static inline void bench_wait_asleep(pid_t pid, int nthreads,
				     const char *what)
{
	const struct timespec pause = { .tv_nsec = 1000000 };
	long long deadline = bench_now_ns() + BENCH_WATCHDOG_S * 1000000000LL;
	pid_t *tids = calloc(nthreads, sizeof(*tids));
	int n, i, awake;

	if (!tids)
		bench_fail("out of memory");
	do {
		n = tg_task_ids(pid, tids, nthreads);
		if (n != nthreads)
			bench_fail("%s: %d has %d threads, not %d", what, pid,
				   n, nthreads);
		for (awake = 0, i = 0; i < n; i++) {
			char state = tg_task_state(pid, tids[i]);

			if (!state || state == 'Z' || state == 'X')
				bench_fail("%s: thread %d of %d ended", what,
					   tids[i], pid);
			if (state != 'S')
				awake++;
		}
		if (awake && bench_now_ns() > deadline)
			bench_fail("%s: %d of %d threads of %d never slept",
				   what, awake, n, pid);
		if (awake)
			nanosleep(&pause, NULL);
	} while (awake);
	free(tids);
}

/*
 * Run SCHED_FIFO (@on) or SCHED_OTHER again.  A sender that times its
 * call runs SCHED_FIFO, so that the tasks the call wakes cannot preempt
 * it before the call's end is read: on one CPU they would run inside the
 * timed call.
 */
static inline void bench_fifo(bool on)
{
	struct sched_param sp = { .sched_priority = on ? 1 : 0 };

	if (sched_setscheduler(0, on ? SCHED_FIFO : SCHED_OTHER, &sp))
		bench_fail("sched_setscheduler(%s): %s",
			   on ? "SCHED_FIFO" : "SCHED_OTHER", strerror(errno));
}

/* Sleep in pause() until killed; every thread of a benchmark's subject. */
static inline void bench_sleep_forever(void)
{
	for (;;)
		pause();
}

/*
 * Fork sleeping processes into @outside until there are @target of them;
 * *@n counts those already there.  The crowd a kill(-1) benchmark sends
 * through, grown one size after another.
 */
static inline void bench_grow_crowd(pid_t *outside, int *n, long target)
{
	for (; *n < target; (*n)++) {
		outside[*n] = bench_fork();
		if (!outside[*n])
			bench_sleep_forever();
	}
}

/* Our pid in the namespace of /proc, which is mounted outside. */
static inline pid_t bench_outer_pid(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

static inline void *bench_sleeper_thread(void *arg)
{
	int *started = arg;

	tg_add_and_wake(started, 1);
	bench_sleep_forever();
	return NULL;
}

/*
 * Start @n - 1 threads that each add 1 to *@started and sleep; the caller
 * is the n-th.  Returns false when a thread could not be created.
 */
static inline bool bench_start_sleepers(int n, int *started)
{
	pthread_attr_t attr;
	pthread_t th;
	bool ok = true;
	int i;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, BENCH_STACK_SIZE);
	for (i = 1; i < n && ok; i++)
		ok = !pthread_create(&th, &attr, bench_sleeper_thread,
				     started);
	pthread_attr_destroy(&attr);
	return ok;
}

/* Allow at least @n open files. */
static inline void bench_nofile(rlim_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		bench_fail("getrlimit: %s", strerror(errno));
	if (rl.rlim_cur >= n)
		return;
	rl.rlim_cur = n;
	if (rl.rlim_max < n)
		rl.rlim_max = n;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		bench_fail("RLIMIT_NOFILE %lu: %s", (unsigned long)n,
			   strerror(errno));
}

/* The inode of a PID namespace: of @pid, or of ours when @pid is 0. */
static inline ino_t bench_pidns(pid_t pid)
{
	char path[64];
	struct stat st;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/pid");
	if (stat(path, &st))
		bench_fail("stat %s: %s", path, strerror(errno));
	return st.st_ino;
}

/*
 * Fork the init of a new PID namespace; it runs @fn(@arg) and exits with
 * its return value.  Our own later children stay in our namespace.
 */
static inline pid_t bench_fork_init(int (*fn)(void *), void *arg)
{
	int host_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	pid_t init;

	if (host_ns < 0)
		bench_fail("open /proc/self/ns/pid: %s", strerror(errno));
	if (unshare(CLONE_NEWPID))
		bench_fail("unshare(CLONE_NEWPID): %s (CONFIG_PID_NS, root?)",
			   strerror(errno));
	init = bench_fork();
	if (!init)
		_exit(fn(arg));
	if (setns(host_ns, CLONE_NEWPID))
		bench_fail("setns back to our PID namespace: %s",
			   strerror(errno));
	close(host_ns);
	return init;
}

/* Set by bench_allow_kill_all() in the init of a new PID namespace only. */
static bool bench_kill_all_allowed;

/*
 * Called by the init that bench_fork_init() started, with @outer the
 * namespace it was forked from: the one process that may send kill(-1).
 * The guard is the selftests' own, tg_in_new_pidns(); it runs here, once,
 * so that the kill(-1) calls a benchmark times do not include it.
 */
static inline void bench_allow_kill_all(ino_t outer)
{
	if (getpid() != 1 || !tg_in_new_pidns(outer))
		bench_fail("refusing kill(-1): pid %d is not the init of a new PID namespace",
			   getpid());
	bench_kill_all_allowed = true;
}

/* kill(-1, @sig), which never leaves a namespace bench_allow_kill_all() made. */
static inline int bench_kill_all(int sig)
{
	if (!bench_kill_all_allowed)
		bench_fail("refusing kill(-1) outside a new PID namespace");
	return kill(-1, sig);
}

/* Number of processes on the machine (as /proc, mounted outside, lists). */
static inline int bench_count_processes(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			n++;
	closedir(d);
	return n;
}

#endif /* TG_BENCH_H */
