// SPDX-License-Identifier: GPL-2.0
/*
 * Figure 6: how process-directed signals are spread over the threads of
 * a process.
 *
 * complete_signal() gives a process-directed signal to the main thread
 * when wants_signal() says it wants it (it does not block the signal, and
 * it runs or has no signal pending), else to the first thread that wants
 * it from signal->curr_target on.  For each T of --threads, each load of
 * --loads and each N of --inflight, a new child process of T threads (the
 * main one included) counts, per thread, the SIGRTMIN its handler ran
 * for; we send it --signals kill(child, SIGRTMIN) in bursts of N and wait
 * after each burst until all of it is handled.  SIGRTMIN is real-time so
 * that a burst queues: a classic signal sent while pending would merge.
 * The loads:
 *
 *   sleeping       every thread sleeps in pause(), again before each burst
 *   busy           every thread spins in user space, without a syscall
 *   main_blocking  as sleeping, but the main thread blocks SIGRTMIN
 *
 *   tgsig-bench distribution PARAMS threads_used=U threads
 *   tgsig-bench distribution PARAMS busiest=PCT pct
 *   tgsig-bench distribution PARAMS main=PCT pct
 *   # distribution PARAMS counts=C0,C1,... ms=MS
 *
 * where PARAMS is "threads=T load=L inflight=N".  threads_used is how
 * many threads handled at least one signal; busiest the share of the
 * signals, in whole percent, handled by the thread that handled most;
 * main that of the main thread.  The comment gives each thread's count,
 * the main thread's first, the others in the order they were created,
 * which is the order curr_target walks; and the time the sending took.
 *
 * Checks: every kill() returns 0; the counts add up to exactly --signals;
 * the main thread handles none in main_blocking; the child has its T
 * threads before and after, and dies of our SIGKILL.
 */
#define _GNU_SOURCE
#include "bench.h"

#define MAX_THREADS	1024
#define MAX_SIGNALS	1000000
/* Well under RLIMIT_SIGPENDING, which a burst must not reach. */
#define MAX_INFLIGHT	64

enum load { SLEEPING, BUSY, MAIN_BLOCKING, NR_LOADS };

static const char *const load_names[NR_LOADS] = {
	[SLEEPING] = "sleeping",
	[BUSY] = "busy",
	[MAIN_BLOCKING] = "main_blocking",
};

struct shared {
	int ready;		/* threads in the load's state, futex word */
	int error;		/* the child failed to set up */
	int handled;		/* handler runs, futex word */
	int stop;		/* ends the busy loops */
	pid_t tids[MAX_THREADS];
	int counts[MAX_THREADS];	/* handler runs of each thread */
};

static struct shared *sh;
static enum load load;		/* of the child, which inherits it */
static __thread int my_index;	/* into tids[] and counts[]; main is 0 */

static void on_rtmin(int sig)
{
	int saved = errno;

	__atomic_add_fetch(&sh->counts[my_index], 1, __ATOMIC_RELAXED);
	tg_add_and_wake(&sh->handled, 1);
	errno = saved;
}

/* Enter the load's state as thread @index, for good. */
static void settle(int index)
{
	sigset_t set;

	my_index = index;
	sh->tids[index] = tg_gettid();
	if (load == MAIN_BLOCKING && !index) {
		sigemptyset(&set);
		sigaddset(&set, SIGRTMIN);
		if (pthread_sigmask(SIG_BLOCK, &set, NULL))
			__atomic_store_n(&sh->error, 1, __ATOMIC_RELEASE);
	}
	tg_add_and_wake(&sh->ready, 1);
	/* No syscall in the loop: the thread stays running or runnable. */
	while (load == BUSY && !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED))
		;
	bench_sleep_forever();
}

static void *thread_main(void *arg)
{
	settle((long)arg);
	return NULL;
}

/*
 * Wait until every thread of @pid sleeps again.  The thread that ran the
 * handler woke us before it returned, and blocks SIGRTMIN until it does:
 * a signal sent meanwhile would go to another thread for a reason that is
 * no part of a sleeping load.  Every thread a burst woke is awake once the
 * burst is handled, so one pass that sees each asleep in turn sees them
 * all asleep together.
 */
static void wait_asleep(pid_t pid, int threads)
{
	long long deadline = 0;
	char state;
	int i;

	for (i = 0; i < threads; i++) {
		while ((state = tg_task_state(pid, sh->tids[i])) != 'S') {
			if (!state)
				bench_fail("thread %d of %d is gone",
					   sh->tids[i], pid);
			if (!deadline)
				deadline = bench_now_ns() +
					   BENCH_WATCHDOG_S * 1000000000LL;
			else if (bench_now_ns() > deadline)
				bench_fail("thread %d of %d never slept again",
					   sh->tids[i], pid);
			sched_yield();
		}
	}
}

static void check_threads(pid_t pid, int threads, const char *when)
{
	int n = tg_thread_count(pid);

	if (n != threads)
		bench_fail("%s: %d has %d threads, not %d", when, pid, n,
			   threads);
}

static pid_t start_child(int threads)
{
	struct sigaction sa = { .sa_handler = on_rtmin,
				.sa_flags = SA_RESTART };
	pthread_attr_t attr;
	pthread_t th;
	pid_t pid;
	long i;

	memset(sh, 0, sizeof(*sh));
	pid = bench_fork();
	if (!pid) {
		if (sigaction(SIGRTMIN, &sa, NULL))
			__atomic_store_n(&sh->error, 1, __ATOMIC_RELEASE);
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, BENCH_STACK_SIZE);
		/* One after the other: index order is the thread list's. */
		for (i = 1; i < threads; i++)
			if (pthread_create(&th, &attr, thread_main, (void *)i)) {
				__atomic_store_n(&sh->error, 1,
						 __ATOMIC_RELEASE);
				break;
			}
		settle(0);
	}
	bench_wait(&sh->ready, threads, pid, &sh->error, "threads ready");
	check_threads(pid, threads, "before the signals");
	if (load != BUSY)
		wait_asleep(pid, threads);
	return pid;
}

static void send_signals(pid_t pid, int threads, int signals, int inflight)
{
	int sent = 0, n, i;

	while (sent < signals) {
		n = signals - sent < inflight ? signals - sent : inflight;
		for (i = 0; i < n; i++)
			if (kill(pid, SIGRTMIN))
				bench_fail("kill(%d, SIGRTMIN): %s", pid,
					   strerror(errno));
		sent += n;
		bench_wait(&sh->handled, sent, pid, NULL, "SIGRTMIN handled");
		if (load != BUSY)
			wait_asleep(pid, threads);
	}
}

/* @n of @total in whole percent, to the nearest. */
static long long percent(int n, int total)
{
	return (200LL * n + total) / (2LL * total);
}

static void one_config(int threads, int inflight, int signals)
{
	int i, sum = 0, used = 0, busiest = 0, len = 0;
	static char counts[MAX_THREADS * 12];
	char params[96];
	long long t0, ms;
	pid_t pid;

	pid = start_child(threads);
	t0 = bench_now_ns();
	send_signals(pid, threads, signals, inflight);
	ms = (bench_now_ns() - t0) / 1000000;
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELAXED);
	check_threads(pid, threads, "after the signals");
	if (kill(pid, SIGKILL))
		bench_fail("kill(%d, SIGKILL): %s", pid, strerror(errno));
	bench_reap(pid, SIGKILL, "the signalled process");

	for (i = 0; i < threads; i++) {
		sum += sh->counts[i];
		used += sh->counts[i] > 0;
		if (sh->counts[i] > busiest)
			busiest = sh->counts[i];
		len += snprintf(counts + len, sizeof(counts) - len, "%s%d",
				i ? "," : "", sh->counts[i]);
	}
	snprintf(params, sizeof(params), "threads=%d load=%s inflight=%d",
		 threads, load_names[load], inflight);
	printf("# distribution %s counts=%s ms=%lld\n", params, counts, ms);
	if (sum != signals || sh->handled != signals)
		bench_fail("%s: %d signals sent, %d counted, %d handled", params,
			   signals, sum, sh->handled);
	if (load == MAIN_BLOCKING && sh->counts[0])
		bench_fail("%s: the main thread blocks SIGRTMIN but handled %d",
			   params, sh->counts[0]);

	bench_report("distribution", params, "threads_used", used, "threads");
	bench_report("distribution", params, "busiest",
		     percent(busiest, signals), "pct");
	bench_report("distribution", params, "main",
		     percent(sh->counts[0], signals), "pct");
}

int main(int argc, char **argv)
{
	struct bench_opt opts[] = {
		{ "threads", "4,16" },
		{ "loads", "sleeping,busy,main_blocking" },
		{ "inflight", "1,8" },
		{ "signals", "1000" },
		{ NULL, NULL },
	};
	long threads[BENCH_MAX_SIZES], inflight[BENCH_MAX_SIZES];
	int loads[BENCH_MAX_SIZES];
	int nthreads, nloads, ninflight, signals, t, l, f;

	bench_init("distribution");
	bench_args(argc, argv, opts);
	/* main_blocking needs a thread besides the main one. */
	nthreads = bench_sizes(opts[0].value, threads, 2, MAX_THREADS);
	nloads = bench_names(opts[1].value, load_names, NR_LOADS, loads);
	ninflight = bench_sizes(opts[2].value, inflight, 1, MAX_INFLIGHT);
	signals = bench_number(opts[3].value, 1, MAX_SIGNALS);
	sh = bench_shared(sizeof(*sh));

	for (t = 0; t < nthreads; t++)
		for (l = 0; l < nloads; l++)
			for (f = 0; f < ninflight; f++) {
				load = loads[l];
				one_config(threads[t], inflight[f], signals);
			}
	printf("# distribution: ok: %d configurations, %lld signals handled\n",
	       nthreads * nloads * ninflight,
	       (long long)nthreads * nloads * ninflight * signals);
	return 0;
}
