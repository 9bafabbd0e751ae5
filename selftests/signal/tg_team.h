/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A team: a subject process of N threads (index 0 is the main thread, the
 * others in creation order) that serve commands posted through a
 * MAP_SHARED page, and whose handlers record, per signal, how often they
 * ran and on which thread.  The test process posts the commands, sends
 * the signals and reads /proc.
 *
 * The page is one struct tg_team, followed by @priv, the program's own
 * shared state.  A program adds its own ops (numbered from TG_OP_USER)
 * and what its handlers do through struct tg_team_ops.  Every wait of the
 * test process gives up at once when the subject has died.
 */
#ifndef TG_TEAM_H
#define TG_TEAM_H

#include <sys/mman.h>
#include <sys/prctl.h>

#include "tg_util.h"

#define TG_TEAM_MAX	8
#define TG_TEAM_STACK	(64 * 1024)

enum tg_team_op {
	TG_OP_NONE,
	TG_OP_QUIT,
	TG_OP_UNBLOCK,	/* res: handler runs seen right after the unblock */
	TG_OP_VFORK,	/* sleep in vfork() until team->release */
	TG_OP_USER,	/* the first of the program's own ops */
};

struct tg_hit {
	int claimed;
	int count;	/* handler runs, futex word */
	pid_t tid;	/* thread of the first run */
	int code;	/* its si_code */
	pid_t pid;	/* its si_pid */
};

struct tg_team;

struct tg_team_ops {
	/* In the subject before the handlers: 0 or an exit status. */
	int (*setup)(struct tg_team *t);
	/* The handler of every caught signal; records a hit if NULL. */
	void (*on_signal)(struct tg_team *t, int sig, siginfo_t *si);
	/* Runs t->op[i] (TG_OP_USER and above) on thread @i. */
	void (*run)(struct tg_team *t, int i);
};

struct tg_team {
	pid_t tester, pid;
	int nr;					/* threads, main included */
	unsigned long long blocked[TG_TEAM_MAX];	/* initial masks */
	unsigned long long caught;		/* signals with a handler */
	/* signals blocked while a handler runs, by signal */
	unsigned long long sa_mask[_NSIG];
	pid_t tid[TG_TEAM_MAX];
	int gone[TG_TEAM_MAX];	/* exited: gets no TG_OP_QUIT */
	int ready;
	int idle[TG_TEAM_MAX];	/* set just before waiting for a command */
	int cmd[TG_TEAM_MAX];
	int done[TG_TEAM_MAX];
	int op[TG_TEAM_MAX], arg[TG_TEAM_MAX];
	long res[TG_TEAM_MAX], res2[TG_TEAM_MAX];
	int release;		/* ends the vfork child, or a program's wait */
	int in_child;
	struct tg_hit hit[_NSIG];
	const struct tg_team_ops *ops;
	size_t size;		/* of the mapping */
	void *priv;		/* the program's shared state */
};

/* The team of the subject process, for its signal handlers. */
static struct tg_team *tg_team_self;

static inline void tg_team_sigset(sigset_t *set, unsigned long long bits)
{
	int sig;

	sigemptyset(set);
	for (sig = 1; sig <= 64; sig++)
		if (bits & TG_SIGBIT(sig))
			sigaddset(set, sig);
}

/* Count a handler run in @h; the first one claims it and says where. */
static inline void tg_team_hit(struct tg_hit *h, siginfo_t *si)
{
	if (!__atomic_fetch_add(&h->claimed, 1, __ATOMIC_ACQ_REL)) {
		h->tid = tg_gettid();
		h->code = si->si_code;
		h->pid = si->si_pid;
	}
	tg_add_and_wake(&h->count, 1);
}

static inline void tg_team_on_signal(int sig, siginfo_t *si, void *uc)
{
	struct tg_team *t = tg_team_self;
	int saved = errno;

	if (t->ops->on_signal)
		t->ops->on_signal(t, sig, si);
	else
		tg_team_hit(&t->hit[sig], si);
	errno = saved;
}

/*
 * The vfork child: it shares the memory and keeps its parent thread in an
 * uninterruptible wait until the test releases it.
 */
static inline int tg_team_vfork_child(void *arg)
{
	struct tg_team *t = arg;

	/* Do not outlive the subject when a failed test kills it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != t->pid)
		return 1;
	tg_add_and_wake(&t->in_child, 1);
	tg_wait_at_least(&t->release, 1);
	return 0;
}

static inline void tg_team_run_op(struct tg_team *t, int i)
{
	sigset_t set;
	pid_t child;
	char *stack;

	switch (t->op[i]) {
	case TG_OP_UNBLOCK:
		sigemptyset(&set);
		sigaddset(&set, t->arg[i]);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		t->res[i] = __atomic_load_n(&t->hit[t->arg[i]].count,
					    __ATOMIC_ACQUIRE);
		break;
	case TG_OP_VFORK:
		stack = malloc(TG_TEAM_STACK);
		child = stack ? clone(tg_team_vfork_child,
				      stack + TG_TEAM_STACK,
				      CLONE_VM | CLONE_VFORK, t) : -1;
		t->res[i] = child > 0 &&
			    waitpid(child, NULL, __WALL) == child;
		free(stack);
		break;
	default:
		if (t->ops->run)
			t->ops->run(t, i);
		break;
	}
}

static inline void tg_team_serve(struct tg_team *t, int i)
{
	int seen = 0, c;

	for (;;) {
		__atomic_store_n(&t->idle[i], 1, __ATOMIC_RELEASE);
		tg_futex_wake(&t->idle[i]);
		while ((c = __atomic_load_n(&t->cmd[i], __ATOMIC_ACQUIRE)) ==
		       seen)
			tg_futex_wait(&t->cmd[i], seen);
		__atomic_store_n(&t->idle[i], 0, __ATOMIC_RELEASE);
		seen = c;
		if (t->op[i] == TG_OP_QUIT)
			return;
		tg_team_run_op(t, i);
		tg_add_and_wake(&t->done[i], 1);
	}
}

static inline void *tg_team_member(void *arg)
{
	struct tg_team *t = tg_team_self;
	int i = (long)arg;
	sigset_t set;

	tg_team_sigset(&set, t->blocked[i]);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	t->tid[i] = tg_gettid();
	tg_add_and_wake(&t->ready, 1);
	tg_team_serve(t, i);
	return NULL;
}

/* The subject's main thread: its exit status. */
static inline int tg_team_subject(struct tg_team *t)
{
	pthread_t th[TG_TEAM_MAX];
	struct sigaction sa;
	sigset_t set;
	int i, sig, err;

	tg_team_self = t;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != t->tester)
		return 1;
	if (t->ops->setup) {
		err = t->ops->setup(t);
		if (err)
			return err;
	}
	for (sig = 1; sig <= 64; sig++) {
		if (!(t->caught & TG_SIGBIT(sig)))
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = tg_team_on_signal;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		tg_team_sigset(&sa.sa_mask, t->sa_mask[sig]);
		if (sigaction(sig, &sa, NULL))
			return 3;
	}
	tg_team_sigset(&set, t->blocked[0]);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	t->tid[0] = tg_gettid();
	/* One at a time: the thread list is in creation order. */
	for (i = 1; i < t->nr; i++)
		if (pthread_create(&th[i], NULL, tg_team_member,
				   (void *)(long)i))
			return 4;
	tg_add_and_wake(&t->ready, 1);
	tg_team_serve(t, 0);
	for (i = 1; i < t->nr; i++)
		pthread_join(th[i], NULL);
	return 0;
}

/* Wait for *word >= target, giving up when the subject has died. */
static inline bool tg_team_wait(struct tg_team *t, int *word, int target)
{
	struct timespec ts = { .tv_nsec = 20 * 1000000 };
	siginfo_t si;
	int v;

	while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) < target) {
		si.si_pid = 0;
		if (!waitid(P_PID, t->pid, &si, WEXITED | WNOHANG | WNOWAIT) &&
		    si.si_pid)
			return false;
		syscall(__NR_futex, word, FUTEX_WAIT, v, &ts, NULL, 0);
	}
	return true;
}

/* Thread @i waits for its next command, asleep in futex(2). */
static inline bool tg_team_idle(struct tg_team *t, int i)
{
	return tg_team_wait(t, &t->idle[i], 1) &&
	       tg_wait_task_state(t->pid, t->tid[i], "S") == 'S';
}

static inline void tg_team_post(struct tg_team *t, int i, int op, int arg)
{
	t->op[i] = op;
	t->arg[i] = arg;
	tg_add_and_wake(&t->cmd[i], 1);
}

/* Have thread @i run @op and wait until it sleeps for the next one. */
static inline bool tg_team_run(struct tg_team *t, int i, int op, int arg)
{
	int done = t->done[i];

	tg_team_post(t, i, op, arg);
	return tg_team_wait(t, &t->done[i], done + 1) && tg_team_idle(t, i);
}

/* A zeroed team with @priv_size bytes of the program's own; NULL if not. */
static inline struct tg_team *tg_team_new(const struct tg_team_ops *ops,
					  size_t priv_size)
{
	size_t size = sizeof(struct tg_team) + priv_size;
	struct tg_team *t;

	t = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED)
		return NULL;
	t->ops = ops;
	t->size = size;
	t->priv = t + 1;
	return t;
}

/* Fork the subject and wait until all its threads sleep for commands. */
static inline bool tg_team_start(struct tg_team *t)
{
	pid_t pid;
	int i;

	/* t is shared: only the parent may store the pid. */
	t->tester = getpid();
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid)
		_exit(tg_team_subject(t));
	t->pid = pid;
	if (!tg_team_wait(t, &t->ready, t->nr))
		return false;
	for (i = 0; i < t->nr; i++)
		if (!tg_team_idle(t, i))
			return false;
	return true;
}

/* Let every thread return and reap the subject; its exit status. */
static inline int tg_team_stop(struct tg_team *t)
{
	int i, status;

	tg_add_and_wake(&t->release, 1);
	for (i = t->nr - 1; i >= 0; i--)
		if (!t->gone[i])
			tg_team_post(t, i, TG_OP_QUIT, 0);
	if (waitpid(t->pid, &status, 0) != t->pid)
		return -1;
	t->pid = 0;
	return status;
}

/* Kill and reap the subject, if any, and unmap @t (NULL is fine). */
static inline void tg_team_kill(struct tg_team *t)
{
	if (!t)
		return;
	tg_add_and_wake(&t->release, 1);	/* ends a vfork child */
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	munmap(t, t->size);
}

/*
 * Pin the caller and thread @i of the subject to one CPU the caller may
 * run on.  While the caller runs, thread @i is then on no CPU, whatever
 * state /proc shows for it: a task on its way to sleep reads "D" or "S"
 * before it leaves its CPU, and task_curr() makes wants_signal() take it
 * until it has.  Returns 0, or -1 with errno set.
 */
static inline int tg_team_share_cpu(struct tg_team *t, int i)
{
	cpu_set_t cpus, one;
	int cpu;

	if (sched_getaffinity(0, sizeof(cpus), &cpus))
		return -1;
	for (cpu = 0; !CPU_ISSET(cpu, &cpus); cpu++)
		;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(t->tid[i], sizeof(one), &one))
		return -1;
	return sched_setaffinity(0, sizeof(one), &one);
}

/* @sig is pending for the whole subject (ShdPnd). */
static inline bool tg_team_shared_pending(struct tg_team *t, int sig)
{
	unsigned long long set = 0;

	return !tg_proc_sigset(t->pid, 0, "ShdPnd", &set) &&
	       (set & TG_SIGBIT(sig));
}

/* @sig is pending for thread @i of the subject (SigPnd). */
static inline bool tg_team_thread_pending(struct tg_team *t, int i, int sig)
{
	unsigned long long set = 0;

	return !tg_proc_sigset(t->pid, t->tid[i], "SigPnd", &set) &&
	       (set & TG_SIGBIT(sig));
}

#endif /* TG_TEAM_H */
