// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 7: what the series is about, measured inside the kernel.
 *
 * The guest kernel has tracepoints (CONFIG_EVENT_TRACING) but no function
 * tracer, so the spans come from event timestamps, with the x86-tsc trace
 * clock: under QEMU -icount shift=0 the guest's TSC counts one tick per
 * guest nanosecond, which is one instruction, so a span is the number of
 * instructions between two events.  Tracing is on only around the calls
 * measured here, and off again before we exit.
 *
 * kill_all_kernel: for each P of --procs, with P sleeping processes of
 * ours outside the namespace, the init of a PID namespace of NS_PROCS
 * processes sends kill(-1, SIGURG) --reps times; the span from the kill
 * syscall's raw_syscalls:sys_enter to its sys_exit (the only events on,
 * filtered to that call and that task) is kill_something_info() and the
 * syscall's entry and exit around it.  kill_something_info() holds
 * tasklist_lock for reading over all of its walk, so the span bounds the
 * lock's hold time from above.  With --initial-ns yes, the same from the
 * initial PID namespace, to every process on the machine (SIGURG is
 * ignored by default: nobody sees it).
 *
 *   tgsig-bench kill_all_kernel procs=P caller=pidns syscall=NS ns
 *   tgsig-bench kill_all_kernel procs=P caller=initial syscall=NS ns
 *
 * pidns_zap_kernel: for each C of --children and T of --zap-threads,
 * --reps times, the init of a new PID namespace with C sleeping children
 * of T threads each exits; its zap sends each child SIGKILL while it
 * holds tasklist_lock for reading.  The span from the first to the last
 * signal:signal_generate of SIGKILL from that init (the only event on)
 * is that walk, its tracing included (one event per child, the same on
 * both kernels).  The zap never looks outside its namespace: it runs
 * with the first --procs only.
 *
 *   tgsig-bench pidns_zap_kernel children=C threads=T walk=NS ns
 *
 * Each is the median of --reps calls.  Checks: every kill(-1) returns 0
 * and shows in the trace as one sys_enter and one sys_exit; every zap
 * shows one SIGKILL per child, and waitpid() returns for its init; every
 * process is reaped.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "bench.h"

#define NS_PROCS	16	/* init and its children */
#define MAX_REPS	1000
#define MAX_PROCS	100000
#define MAX_CHILDREN	1024
#define MAX_THREADS	16
#define TRACING		"/sys/kernel/tracing"
#define TRACE_BUF	(4 << 20)

enum command { CMD_TIME = 1, CMD_EXIT };

struct shared {
	ino_t outer_ns;
	int members;		/* children of init set up, futex word */
	int reps;
	int cmd;		/* what init does next */
	int given;		/* commands given to init, futex word */
	int done;		/* commands init finished, futex word */
	int ready;		/* the zap's children set up, futex word */
	int go;			/* the zap's init exits, futex word */
	int children;
	int threads;		/* of each of the zap's children */
	pid_t init_pid;		/* the sending init, as the trace names it */
	long long span[MAX_REPS];
};

static struct shared *sh;
static char *trace_text;

/* Write @text to the tracefs file @name; fail the benchmark when refused. */
static void tracing_write(const char *name, const char *text)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), TRACING "/%s", name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		bench_fail("write '%s' to %s: %s", text, path, strerror(errno));
	close(fd);
}

/* Every event off, no filter, an empty buffer, tracing stopped. */
static void tracing_reset(void)
{
	tracing_write("tracing_on", "0");
	tracing_write("events/enable", "0");
	tracing_write("events/raw_syscalls/sys_enter/filter", "0");
	tracing_write("events/raw_syscalls/sys_exit/filter", "0");
	tracing_write("events/signal/signal_generate/filter", "0");
	tracing_write("trace", "");
}

static void tracing_setup(void)
{
	char path[] = TRACING "/events";
	struct stat st;

	if (stat(path, &st) &&
	    mount("tracefs", TRACING, "tracefs", 0, NULL))
		bench_fail("mount tracefs on " TRACING ": %s",
			   strerror(errno));
	tracing_write("trace_clock", "x86-tsc");
	tracing_reset();
	trace_text = malloc(TRACE_BUF);
	if (!trace_text)
		bench_fail("out of memory");
}

/* The trace buffer as text; fails when it does not fit. */
static char *tracing_read(void)
{
	ssize_t n, len = 0;
	int fd = open(TRACING "/trace", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		bench_fail("open " TRACING "/trace: %s", strerror(errno));
	while ((n = read(fd, trace_text + len, TRACE_BUF - 1 - len)) > 0)
		len += n;
	if (n < 0 || len >= TRACE_BUF - 1)
		bench_fail("reading " TRACING "/trace: %s",
			   n < 0 ? strerror(errno) : "more than fits");
	close(fd);
	trace_text[len] = '\0';
	return trace_text;
}

/*
 * One line of the trace, "COMM-PID [CPU] FLAGS TIMESTAMP: EVENT: ...":
 * whether it is @event (e.g. "sys_enter"), with its task's pid and its
 * timestamp.
 */
static bool trace_event(const char *line, const char *event, pid_t *pid,
			long long *ts)
{
	char pattern[64];
	const char *at, *p;

	if (line[0] == '#')
		return false;
	snprintf(pattern, sizeof(pattern), ": %s: ", event);
	at = strstr(line, pattern);
	if (!at)
		return false;
	for (p = at; p > line && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	if (p == at)
		bench_fail("no timestamp in trace line '%.100s'", line);
	*ts = strtoll(p, NULL, 10);
	at = strstr(line, " [");
	if (!at)
		bench_fail("no CPU in trace line '%.100s'", line);
	while (at > line && at[-1] == ' ')
		at--;
	for (p = at; p > line && p[-1] >= '0' && p[-1] <= '9'; p--)
		;
	if (p == at || p == line || p[-1] != '-')
		bench_fail("no task in trace line '%.100s'", line);
	*pid = atoi(p);
	return true;
}

/* The next line of @text after the one at @line, or NULL. */
static char *next_line(char *line)
{
	char *nl = strchr(line, '\n');

	return nl ? nl + 1 : NULL;
}

/*
 * The span of the one kill syscall of @pid in the trace, from its
 * sys_enter to its sys_exit.
 */
static long long syscall_span(pid_t pid)
{
	long long ts, enter = -1, exit = -1;
	char *line;
	pid_t who;

	for (line = tracing_read(); line && *line; line = next_line(line)) {
		if (trace_event(line, "sys_enter", &who, &ts) && who == pid) {
			if (enter >= 0)
				bench_fail("two kill calls of %d traced", pid);
			enter = ts;
		} else if (trace_event(line, "sys_exit", &who, &ts) &&
			   who == pid) {
			if (exit >= 0)
				bench_fail("two kill returns of %d traced",
					   pid);
			exit = ts;
		}
	}
	if (enter < 0 || exit < enter)
		bench_fail("the kill(-1) of %d is not in the trace (%lld, %lld)",
			   pid, enter, exit);
	return exit - enter;
}

/* Trace the kill syscalls of @pid (as the initial namespace names it). */
static void trace_kill_calls(pid_t pid)
{
	char filter[64];

	tracing_reset();
	snprintf(filter, sizeof(filter), "id == %d && common_pid == %d",
		 (int)SYS_kill, pid);
	tracing_write("events/raw_syscalls/sys_enter/filter", filter);
	tracing_write("events/raw_syscalls/sys_exit/filter", filter);
	tracing_write("events/raw_syscalls/sys_enter/enable", "1");
	tracing_write("events/raw_syscalls/sys_exit/enable", "1");
}

/* @reps kill(-1, SIGURG) through @send, each traced alone, into sh->span. */
static void time_calls(int (*send)(int), pid_t self)
{
	int i;

	for (i = 0; i < sh->reps; i++) {
		tracing_write("trace", "");
		tracing_write("tracing_on", "1");
		if (send(SIGURG))
			bench_fail("kill(-1, SIGURG): %s", strerror(errno));
		tracing_write("tracing_on", "0");
		sh->span[i] = syscall_span(self);
	}
}

static int init_main(void *arg)
{
	int seen = 0, i;

	bench_allow_kill_all(sh->outer_ns);
	for (i = 1; i < NS_PROCS; i++)
		if (!bench_fork()) {
			tg_add_and_wake(&sh->members, 1);
			bench_sleep_forever();
		}
	for (;;) {
		tg_wait_at_least(&sh->given, ++seen);
		if (sh->cmd != CMD_TIME)
			return 0;
		time_calls(bench_kill_all, bench_outer_pid());
		tg_add_and_wake(&sh->done, 1);
	}
}

static void give(enum command cmd)
{
	sh->cmd = cmd;
	tg_add_and_wake(&sh->given, 1);
}

static int kill_all_here(int sig)
{
	return kill(-1, sig);
}

static int zap_init(void *arg)
{
	int i;

	for (i = 0; i < sh->children; i++)
		if (!bench_fork()) {
			if (!bench_start_sleepers(sh->threads, &sh->ready))
				bench_fail("pidns_zap_kernel: threads");
			tg_add_and_wake(&sh->ready, 1);
			bench_sleep_forever();
		}
	tg_wait_at_least(&sh->go, 1);
	return 0;
}

/* The span of the SIGKILLs from @init in the trace; checks their number. */
static long long zap_span(pid_t init, int children)
{
	long long ts, first = -1, last = -1;
	int n = 0;
	char *line;
	pid_t who;

	for (line = tracing_read(); line && *line; line = next_line(line)) {
		if (!trace_event(line, "signal_generate", &who, &ts) ||
		    who != init)
			continue;
		if (first < 0)
			first = ts;
		last = ts;
		n++;
	}
	if (n != children)
		bench_fail("pidns_zap_kernel: %d SIGKILL from the exiting init, not %d",
			   n, children);
	return last - first;
}

static long long one_zap(int children, int threads)
{
	char filter[64];
	pid_t init;

	sh->ready = 0;
	sh->go = 0;
	sh->children = children;
	sh->threads = threads;
	init = bench_fork_init(zap_init, NULL);
	bench_wait(&sh->ready, children * threads, init, NULL,
		   "the zap's children");
	tracing_reset();
	snprintf(filter, sizeof(filter), "sig == %d && common_pid == %d",
		 SIGKILL, init);
	tracing_write("events/signal/signal_generate/filter", filter);
	tracing_write("events/signal/signal_generate/enable", "1");
	tracing_write("tracing_on", "1");
	tg_add_and_wake(&sh->go, 1);
	bench_reap(init, 0, "the init of the zapped namespace");
	tracing_write("tracing_on", "0");
	return zap_span(init, children);
}

int main(int argc, char **argv)
{
	struct bench_opt opts[] = {
		{ "procs", "10,1000,5000,10000" },
		{ "reps", "9" },
		{ "children", "16" },
		{ "initial-ns", "no" },
		{ "zap-threads", "1" },
		{ NULL, NULL },
	};
	long procs[BENCH_MAX_SIZES], children[BENCH_MAX_SIZES];
	long threads[BENCH_MAX_SIZES];
	int nsizes, nchildren, nthreads, reps, s, c, t, i, nproc = 0;
	bool initial;
	char params[64];
	pid_t init, *outside;

	bench_init("kernel_cost");
	bench_args(argc, argv, opts);
	nsizes = bench_sizes(opts[0].value, procs, 0, MAX_PROCS);
	reps = bench_number(opts[1].value, 1, MAX_REPS);
	nchildren = bench_sizes(opts[2].value, children, 1, MAX_CHILDREN);
	nthreads = bench_sizes(opts[4].value, threads, 1, MAX_THREADS);
	initial = !strcmp(opts[3].value, "yes");
	if (!initial && strcmp(opts[3].value, "no"))
		bench_fail("--initial-ns %s: yes or no", opts[3].value);
	if (initial && bench_pidns(0) != TG_INIT_PID_NS_INO)
		bench_fail("--initial-ns yes: not in the initial PID namespace");
	outside = calloc(procs[nsizes - 1] + 1, sizeof(*outside));
	if (!outside)
		bench_fail("out of memory");
	sh = bench_shared(sizeof(*sh));
	sh->outer_ns = bench_pidns(0);
	sh->reps = reps;
	tracing_setup();

	init = bench_fork_init(init_main, NULL);
	bench_wait(&sh->members, NS_PROCS - 1, init, NULL,
		   "members of the namespace");
	for (s = 0; s < nsizes; s++) {
		bench_grow_crowd(outside, &nproc, procs[s]);
		printf("# kernel_cost: procs=%ld: %d processes on the machine\n",
		       procs[s], bench_count_processes());

		trace_kill_calls(init);
		give(CMD_TIME);
		bench_wait(&sh->done, sh->given, init, NULL, "init's kill(-1)");
		snprintf(params, sizeof(params), "procs=%ld caller=pidns",
			 procs[s]);
		bench_report("kill_all_kernel", params, "syscall",
			     bench_median(sh->span, reps), "ns");

		if (initial) {
			trace_kill_calls(getpid());
			time_calls(kill_all_here, getpid());
			snprintf(params, sizeof(params),
				 "procs=%ld caller=initial", procs[s]);
			bench_report("kill_all_kernel", params, "syscall",
				     bench_median(sh->span, reps), "ns");
		}

		for (c = 0; c < nchildren && !s; c++)
			for (t = 0; t < nthreads; t++) {
				for (i = 0; i < reps; i++)
					sh->span[i] = one_zap(children[c],
							      threads[t]);
				snprintf(params, sizeof(params),
					 "children=%ld threads=%ld",
					 children[c], threads[t]);
				bench_report("pidns_zap_kernel", params, "walk",
					     bench_median(sh->span, reps), "ns");
			}
	}
	tracing_reset();

	give(CMD_EXIT);
	bench_reap(init, 0, "the init of the namespace");
	bench_kill_and_reap(outside, nproc, "a process outside the namespace");
	printf("# kernel_cost: ok: %d processes reaped\n", nproc + 1);
	return 0;
}
