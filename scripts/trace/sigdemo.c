// SPDX-License-Identifier: GPL-2.0
/*
 * sigdemo: the cases of `scripts/tgsig trace`'s examples, one mode each.
 *
 *   sigdemo main        kill(pid, SIGUSR1) four times while every thread
 *                       sleeps: the main thread, the task kill() names,
 *                       takes every one (reason named)
 *   sigdemo sigthread   every thread blocks SIGUSR1 but one, the signal
 *                       thread: it takes every one (curr_target)
 *   sigdemo sticky      the main thread blocks SIGUSR1, three workers do
 *                       not: the first worker takes every one, as
 *                       curr_target stays on it (curr_target)
 *   sigdemo groupkill   16 threads; one of them sends kill(pid, SIGKILL):
 *                       every thread dies (group_kill, threads=16)
 *   sigdemo fatal       tgkill(pid, worker2, SIGTERM) with SIGTERM's default
 *                       action: a signal sent to one thread that is not the
 *                       main thread kills them all (group_kill)
 *
 * Every thread is named (PR_SET_NAME) so that a trace shows who is who.
 * Each signal is sent only once the handler of the one before it has run
 * (a semaphore the handler posts) and every other thread is asleep again
 * (state S in /proc/self/task/TID/stat): a thread still on its way out
 * of a handler, preempted with TIF_SIGPENDING set, is passed over, and
 * the signal would land elsewhere. The modes that survive print which thread ran each handler and
 * exit 1 when it is not the one the mode expects; the fatal modes never
 * return (exit status 128 + the signal).
 *
 * Built static by `scripts/tgsig trace` users with gcc -O2 -static -pthread.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SIGNALS		4
#define MAX_THREADS	16

static sem_t handled;
static pid_t took[SIGNALS];
static int ntook;		/* handlers run so far */
static int idle_pipe[2];	/* workers sleep in read() until it closes */
static pthread_barrier_t ready;
static pid_t tids[MAX_THREADS];

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

static void on_usr1(int sig)
{
	int k = __atomic_fetch_add(&ntook, 1, __ATOMIC_SEQ_CST);

	(void)sig;
	if (k < SIGNALS)
		took[k] = gettid_();
	sem_post(&handled);
}

static void block_usr1(int how)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(how, &set, NULL);
}

struct role {
	int index;
	char name[16];
	int block;		/* block SIGUSR1 in this thread */
	void *(*body)(struct role *r);
};

static struct role roles[MAX_THREADS];

static void *idle(struct role *r)
{
	char c;

	(void)r;
	while (read(idle_pipe[0], &c, 1) != 0)
		;
	return NULL;
}

/* Wait until every thread but this one sleeps. */
static void settle(int n)
{
	char path[64], buf[256], *state;
	pid_t self = gettid_();
	int i, fd, len, busy;

	do {
		busy = 0;
		for (i = 0; i <= n; i++) {
			if (tids[i] == self)
				continue;
			snprintf(path, sizeof(path), "/proc/self/task/%d/stat",
				 tids[i]);
			fd = open(path, O_RDONLY);
			if (fd < 0)
				continue;	/* exited */
			len = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			buf[len > 0 ? len : 0] = '\0';
			state = strrchr(buf, ')');
			if (state && state[1] == ' ' && state[2] != 'S')
				busy = 1;
		}
		if (busy)
			sched_yield();
	} while (busy);
}

static int nthreads;

static void *sender(struct role *r)
{
	int i;

	(void)r;
	for (i = 0; i < SIGNALS; i++) {
		settle(nthreads);
		kill(getpid(), SIGUSR1);
		while (sem_wait(&handled) != 0)
			;
	}
	return NULL;
}

static void *signal_thread(struct role *r)
{
	sigset_t none;

	(void)r;
	sigemptyset(&none);
	while (__atomic_load_n(&ntook, __ATOMIC_SEQ_CST) < SIGNALS)
		sigsuspend(&none);
	return NULL;
}

static void *killer(struct role *r)
{
	(void)r;
	kill(getpid(), SIGKILL);
	return NULL;
}

static void *start(void *arg)
{
	struct role *r = arg;

	prctl(PR_SET_NAME, r->name);
	tids[r->index] = gettid_();
	if (r->block)
		block_usr1(SIG_BLOCK);
	else
		block_usr1(SIG_UNBLOCK);
	pthread_barrier_wait(&ready);
	return r->body(r);
}

static void bad_mode(void)
{
	fputs("usage: sigdemo main|sigthread|sticky|groupkill|fatal\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	pthread_t threads[MAX_THREADS];
	const char *mode = argc > 1 ? argv[1] : "";
	const char *expect = NULL;
	struct sigaction sa;
	int n = 0, i, bad = 0, main_blocks = 0, last = -1;

	if (argc != 2)
		bad_mode();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	sem_init(&handled, 0, 0);
	if (pipe(idle_pipe))
		return 2;
	prctl(PR_SET_NAME, "main");
	tids[0] = gettid_();

#define ADD(nm, blk, fn) do {						\
		n++;							\
		roles[n].index = n;					\
		snprintf(roles[n].name, sizeof(roles[n].name), "%s", nm); \
		roles[n].block = (blk);					\
		roles[n].body = (fn);					\
	} while (0)

	if (!strcmp(mode, "main")) {
		ADD("worker1", 0, idle);
		ADD("worker2", 0, idle);
		ADD("sender", 0, sender);
		expect = "main";
	} else if (!strcmp(mode, "sigthread")) {
		main_blocks = 1;
		ADD("worker1", 1, idle);
		ADD("worker2", 1, idle);
		ADD("sigthread", 0, signal_thread);
		ADD("sender", 1, sender);
		expect = "sigthread";
	} else if (!strcmp(mode, "sticky")) {
		main_blocks = 1;
		ADD("worker1", 0, idle);
		ADD("worker2", 0, idle);
		ADD("worker3", 0, idle);
		ADD("sender", 1, sender);
		expect = "worker1";
	} else if (!strcmp(mode, "groupkill")) {
		char name[16];

		for (i = 1; i < MAX_THREADS - 1; i++) {
			snprintf(name, sizeof(name), "worker%d", i);
			ADD(name, 0, idle);
		}
		ADD("killer", 0, killer);
	} else if (!strcmp(mode, "fatal")) {
		ADD("worker1", 0, idle);
		ADD("worker2", 0, idle);
		ADD("worker3", 0, idle);
		last = 2;	/* the one that main sends SIGTERM */
	} else {
		bad_mode();
	}
	nthreads = n;
	pthread_barrier_init(&ready, NULL, n + 1);
	for (i = 1; i <= n; i++)
		if (pthread_create(&threads[i], NULL, start, &roles[i]))
			return 2;
	if (main_blocks)
		block_usr1(SIG_BLOCK);
	pthread_barrier_wait(&ready);
	if (last > 0) {
		syscall(SYS_tgkill, getpid(), tids[last], SIGTERM);
		pause();
	}
	for (i = 1; i <= n; i++)
		if (roles[i].body == sender || roles[i].body == signal_thread)
			pthread_join(threads[i], NULL);
	if (!expect) {
		/* groupkill: the killer's SIGKILL ends everyone here. */
		for (;;)
			pause();
	}
	close(idle_pipe[1]);
	for (i = 1; i <= n; i++)
		if (roles[i].body != sender && roles[i].body != signal_thread)
			pthread_join(threads[i], NULL);
	for (i = 0; i < SIGNALS; i++) {
		const char *who = "?";
		int k;

		for (k = 0; k <= n; k++)
			if (tids[k] == took[i])
				who = k ? roles[k].name : "main";
		printf("sigdemo %s: SIGUSR1 %d handled by thread %d (%s)\n",
		       mode, i + 1, took[i], who);
		if (strcmp(who, expect))
			bad = 1;
	}
	printf("sigdemo %s: %s\n", mode, bad ? "a signal went to an unexpected thread" :
	       "every signal went to the expected thread");
	return bad;
}
