// SPDX-License-Identifier: GPL-2.0
/*
 * kill(-1, sig) from inside a PID namespace.
 *
 * It sends @sig to every process visible in the caller's namespace whose
 * pid there is above 1 (nested namespaces included, the init of a nested
 * namespace too), once per process however many threads it has, except
 * the caller's own thread group, whichever of its threads sends: never to
 * the namespace's init, never to a process outside the namespace.  It
 * returns ESRCH when nobody but init and the caller is visible (a zombie
 * is visible), else the last error other than EPERM: 0 when every
 * recipient refused with EPERM, EINVAL for a signal number that does not
 * exist.  No child forked while a kill(-1, SIGKILL) is under way escapes
 * it.
 *
 * The test process unshares CLONE_NEWPID and forks the namespace's init,
 * which forks the caller and the other processes.  kill(-1) is only ever
 * sent from a process that is in a namespace the test created: sent from
 * the test's own namespace, it would reach every process of the machine.
 *
 * Every process of the test blocks the signal and has a handler for it.
 * Once the caller's kill(-1) has returned, every thread unblocks the
 * signal: a signal sent to the process is then handled, by the first
 * thread that unblocks it, before that thread reports back.  When every
 * thread has reported, the handler counts in MAP_SHARED memory are final.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "../kselftest_harness.h"
#include "tg_util.h"

/* The inode number of the initial PID namespace (include/linux/proc_ns.h). */

#define MAX_SLOTS	24
#define NR_THREADS	4	/* threads of a multi-threaded process */
#define CALLER_UID	1001	/* an unprivileged caller... */
#define STRANGER_UID	1002	/* ...and processes it may not signal */
#define ZOMBIE_CODE	7	/* exit code of the zombies */
/*
 * Processes asleep outside the namespace in the crowded variants.  The
 * kernel may find kill(-1)'s recipients by walking the machine or the
 * namespace, as the two compare in size: a crowd makes the namespace
 * small, so that both walks are pinned on any machine.
 */
#define CROWD		256

#define NR_CHAINS	4	/* fork race: chains forking at once */
#define CHAIN_LEN	200	/* forks per chain at most */
#define NR_ROUNDS	64
#define KILL_AFTER	(4 * NR_CHAINS)	/* forks before the kill */

enum role {
	ROLE_INIT,		/* pid 1 of the namespace */
	ROLE_CALLER,		/* sends kill(-1) */
	ROLE_PLAIN,		/* a single-threaded process */
	ROLE_THREADED,		/* a process of NR_THREADS threads */
	ROLE_LEADERLESS,	/* threads whose main thread has exited */
	ROLE_STRANGER,		/* a process owned by STRANGER_UID */
	ROLE_ZOMBIE,		/* a child of init, exited, not reaped */
	ROLE_NESTED_CREATOR,	/* unshared CLONE_NEWPID, forked... */
	ROLE_NESTED_INIT,	/* ...the init of a nested namespace... */
	ROLE_NESTED_CHILD,	/* ...which forked a child */
	ROLE_JOINED,		/* forked into the namespace from outside */
	ROLE_OUTSIDE,		/* a sibling in the test's namespace */
	ROLE_RACER,		/* the caller of the fork race */
};

static const char * const role_name[] = {
	[ROLE_INIT] = "init",
	[ROLE_CALLER] = "caller",
	[ROLE_PLAIN] = "single-threaded",
	[ROLE_THREADED] = "multi-threaded",
	[ROLE_LEADERLESS] = "multi-threaded, leader exited",
	[ROLE_STRANGER] = "other uid",
	[ROLE_ZOMBIE] = "zombie",
	[ROLE_NESTED_CREATOR] = "nested namespace's creator",
	[ROLE_NESTED_INIT] = "nested namespace's init",
	[ROLE_NESTED_CHILD] = "nested namespace's child",
	[ROLE_JOINED] = "child of the test in the namespace",
	[ROLE_OUTSIDE] = "outside the namespace",
	[ROLE_RACER] = "fork race caller",
};

struct slot {
	int role;
	int nthreads;		/* reporting threads (no exited leader) */
	uid_t uid;		/* set with setresuid(), 0: stays root */
	pid_t pid;		/* in the test's namespace */
	pid_t nspid;		/* in its own namespace */
	int hits;		/* handler runs */
	int thread_hits[NR_THREADS];
	int drained;		/* threads back from unblocking it */
	int seen_signo;		/* siginfo of the last handler run */
	int seen_code;
	pid_t seen_pid;
	uid_t seen_uid;
	int status;		/* zombies: as reaped by init */
};

struct round {
	int ret;		/* kill(-1, SIGKILL): 0 or -errno */
	int killed;		/* descendants reaped, killed by SIGKILL */
	int exited;		/* descendants reaped, exit(0) */
	int other;		/* descendants reaped with another status */
	int left;		/* kill(-1, 0) after reaping: 0 or -errno */
};

/* Shared by every process of the test (MAP_SHARED). */
struct shared {
	struct stat test_ns;	/* the test's own PID namespace */
	int sig;		/* what the caller sends */
	int handler_sig;	/* what every process blocks and handles */
	int nslots;
	struct slot slot[MAX_SLOTS];
	int error;		/* line of a failed setup step */
	int error_errno;
	int refused;		/* kill(-1) not sent: not in a new pidns */
	/* futex words */
	int ready;		/* threads set up (zombies: exited) */
	int fire;		/* the caller may send */
	int fired;		/* the caller's kill(-1) returned */
	int go;			/* everyone may unblock the signal */
	int drained;		/* threads back from unblocking it */
	int finish;		/* init may reap the zombies */
	int reaped;		/* zombies reaped by init */
	int kill_ret;
	int kill_errno;
	/* fork race */
	int forks;		/* futex word: forks of this round */
	int fork_errors;
	int after_kill;		/* futex word: the kill returned */
	int escapes;		/* tasks that outlived kill(-1, SIGKILL) */
	int rounds_done;	/* futex word */
	struct round round[NR_ROUNDS];
};

static struct shared *sh;
static int my_slot;
static __thread int my_thread;

/* A process of the namespace failed to set up: say where, and give up. */
#define TASK_CHECK(cond)						\
	do {								\
		if (!(cond))						\
			task_failed(__LINE__);				\
	} while (0)

static void task_failed(int line)
{
	sh->error_errno = errno;
	__atomic_store_n(&sh->error, line, __ATOMIC_RELEASE);
	_exit(1);
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

/*
 * kill(-1, @sig), but only from a PID namespace other than the test's own
 * and other than the initial one.  Anywhere else it is not sent: it
 * returns -1 with EPERM and sets sh->refused.
 */
static int kill_all_in_new_pidns(int sig)
{
	if (!tg_in_new_pidns(sh->test_ns.st_ino)) {
		__atomic_store_n(&sh->refused, 1, __ATOMIC_RELEASE);
		errno = EPERM;
		return -1;
	}
	return kill(-1, sig);
}

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	struct slot *s = &sh->slot[my_slot];

	s->seen_signo = si->si_signo;
	s->seen_code = si->si_code;
	s->seen_pid = si->si_pid;
	s->seen_uid = si->si_uid;
	__atomic_add_fetch(&s->thread_hits[my_thread], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->hits, 1, __ATOMIC_RELEASE);
}

/* Record our pid as the test's namespace sees it, and our own. */
static void enlist(struct slot *s)
{
	pid_t tid;

	TASK_CHECK(!tg_proc_self_ids(&s->pid, &tid));
	s->nspid = getpid();
	TASK_CHECK(s->pid > 0);
}

/* Wait for "go", unblock the signal (taking it if pending), report. */
static void drain(void)
{
	struct slot *s = &sh->slot[my_slot];
	sigset_t set;

	tg_wait_at_least(&sh->go, 1);
	sigemptyset(&set);
	sigaddset(&set, sh->handler_sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	__atomic_add_fetch(&s->drained, 1, __ATOMIC_RELEASE);
	tg_add_and_wake(&sh->drained, 1);
}

/*
 * The caller's last thread sends kill(-1) when told to: from a thread
 * other than the main one when the caller has several.
 */
static void fire(void)
{
	struct slot *s = &sh->slot[my_slot];

	if (s->role != ROLE_CALLER || my_thread != s->nthreads - 1)
		return;
	tg_wait_at_least(&sh->fire, 1);
	sh->kill_ret = kill_all_in_new_pidns(sh->sig);
	sh->kill_errno = errno;
	tg_add_and_wake(&sh->fired, 1);
}

static void *thread_main(void *arg)
{
	my_thread = (int)(long)arg;
	tg_add_and_wake(&sh->ready, 1);
	fire();
	drain();
	sleep_forever();
	return NULL;
}

/*
 * One link of a fork chain: fork the next link and exit, CHAIN_LEN times;
 * the last link waits for the round's kill to be over.
 *
 * Every link alive when kill(-1, SIGKILL) returns has SIGKILL pending,
 * already queued when sh->after_kill is set: it cannot complete a fork,
 * nor come back from a system call, once it has seen that flag.  A link
 * that does either escaped the kill.
 */
static void chain_link(void)
{
	bool late;
	pid_t pid;
	int i;

	for (i = 0; i < CHAIN_LEN; i++) {
		late = __atomic_load_n(&sh->after_kill, __ATOMIC_ACQUIRE);
		pid = fork();
		if (pid < 0) {
			__atomic_add_fetch(&sh->fork_errors, 1,
					   __ATOMIC_RELEASE);
			tg_futex_wake(&sh->forks);
			_exit(2);
		}
		if (pid > 0) {
			if (late)
				__atomic_add_fetch(&sh->escapes, 1,
						   __ATOMIC_RELEASE);
			_exit(0);
		}
		tg_add_and_wake(&sh->forks, 1);
	}
	tg_wait_at_least(&sh->after_kill, 1);
	/* A system call: a link with SIGKILL pending dies on its way back. */
	getppid();
	__atomic_add_fetch(&sh->escapes, 1, __ATOMIC_RELEASE);
	_exit(0);
}

/*
 * The fork race's caller, a child subreaper: every link of every chain is
 * its descendant, reparented to it when its parent exits, so once wait()
 * says there is no child left, no link is left.
 */
static void race_main(void)
{
	struct round *r;
	int i, k, v, status;
	pid_t pid;

	TASK_CHECK(!prctl(PR_SET_CHILD_SUBREAPER, 1));
	for (i = 0; i < NR_ROUNDS; i++) {
		r = &sh->round[i];
		__atomic_store_n(&sh->forks, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&sh->after_kill, 0, __ATOMIC_RELEASE);
		for (k = 0; k < NR_CHAINS; k++) {
			pid = fork();
			TASK_CHECK(pid >= 0);
			if (!pid)
				chain_link();
		}
		while ((v = __atomic_load_n(&sh->forks, __ATOMIC_ACQUIRE)) <
		       KILL_AFTER &&
		       !__atomic_load_n(&sh->fork_errors, __ATOMIC_ACQUIRE))
			tg_futex_wait(&sh->forks, v);

		r->ret = kill_all_in_new_pidns(SIGKILL) ? -errno : 0;
		tg_add_and_wake(&sh->after_kill, 1);

		while ((pid = wait(&status)) > 0 || errno == EINTR) {
			if (pid < 0)
				continue;
			if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
				r->killed++;
			else if (WIFEXITED(status) && !WEXITSTATUS(status))
				r->exited++;
			else
				r->other++;
		}
		TASK_CHECK(errno == ECHILD);
		r->left = kill_all_in_new_pidns(0) ? -errno : 0;
		tg_add_and_wake(&sh->rounds_done, 1);
	}
	sleep_forever();
}

/*
 * What a process of the plan does, in slot @i.  A nested creator's or
 * init's child starts over in the next slot (a loop rather than a call,
 * which gcc, seeing that this never returns, reports as endless
 * recursion).
 */
static void participant(int i)
{
	struct slot *s;
	pthread_t th;
	pid_t pid;
	long t;

again:
	s = &sh->slot[i];
	my_slot = i;
	enlist(s);
	switch (s->role) {
	case ROLE_ZOMBIE:
		tg_add_and_wake(&sh->ready, 1);
		_exit(ZOMBIE_CODE);
	case ROLE_RACER:
		race_main();
		break;
	case ROLE_NESTED_CREATOR:
	case ROLE_NESTED_INIT:
		/* The creator forks the nested init, which forks a child. */
		if (s->role == ROLE_NESTED_CREATOR)
			TASK_CHECK(!unshare(CLONE_NEWPID));
		pid = fork();
		TASK_CHECK(pid >= 0);
		if (!pid) {
			i++;
			goto again;
		}
		break;
	}
	if (s->uid)
		TASK_CHECK(!setresuid(s->uid, s->uid, s->uid));
	for (t = 1; t < s->nthreads; t++)
		TASK_CHECK(!pthread_create(&th, NULL, thread_main, (void *)t));
	if (s->role == ROLE_LEADERLESS) {
		/* Threads 1..nthreads report, the main thread exits. */
		TASK_CHECK(!pthread_create(&th, NULL, thread_main, (void *)t));
		pthread_exit(NULL);
	}
	tg_add_and_wake(&sh->ready, 1);
	fire();
	drain();
	sleep_forever();
}

/* The namespace's init: forks its part of the plan, reaps the zombies. */
static void init_main(void)
{
	bool race = false;
	int i, role;
	pid_t pid;

	my_slot = 0;
	enlist(&sh->slot[0]);
	for (i = 1; i < sh->nslots; i++) {
		role = sh->slot[i].role;
		if (role != ROLE_CALLER && role != ROLE_PLAIN &&
		    role != ROLE_THREADED && role != ROLE_LEADERLESS &&
		    role != ROLE_STRANGER &&
		    role != ROLE_ZOMBIE && role != ROLE_NESTED_CREATOR &&
		    role != ROLE_RACER)
			continue;
		race |= role == ROLE_RACER;
		pid = fork();
		TASK_CHECK(pid >= 0);
		if (!pid) {
			participant(i);
			_exit(0);
		}
	}
	if (race)
		sleep_forever();
	tg_add_and_wake(&sh->ready, 1);
	drain();
	tg_wait_at_least(&sh->finish, 1);
	for (i = 1; i < sh->nslots; i++) {
		if (sh->slot[i].role != ROLE_ZOMBIE)
			continue;
		TASK_CHECK(waitpid(sh->slot[i].nspid, &sh->slot[i].status,
				   0) == sh->slot[i].nspid);
		tg_add_and_wake(&sh->reaped, 1);
	}
	sleep_forever();
}

/* Who is in the namespace (and next to it), and what the caller sends. */
struct population {
	int sig;
	bool rt;		/* send SIGRTMIN instead of ->sig */
	int caller_threads;	/* 0: 1 */
	bool unprivileged;	/* caller, plain and threaded: CALLER_UID */
	int plain;
	int threaded;
	int leaderless;
	int strangers;
	int zombies;
	bool nested;
	bool joined;
	bool race;		/* the fork race instead of a single kill */
	bool crowd;		/* CROWD processes asleep outside */
};

static int add_slot(int role, int nthreads, uid_t uid)
{
	struct slot *s = &sh->slot[sh->nslots];

	s->role = role;
	s->nthreads = nthreads;
	s->uid = uid;
	return sh->nslots++;
}

/* Fill the slots; returns how many "ready" reports to wait for. */
static int plan(const struct population *p)
{
	uid_t uid = p->unprivileged ? CALLER_UID : 0;
	int i, ready = 0;

	sh->sig = p->rt ? SIGRTMIN : p->sig;
	sh->handler_sig = p->rt ? SIGRTMIN : SIGUSR1;
	add_slot(ROLE_INIT, 1, 0);
	if (p->race) {
		add_slot(ROLE_RACER, 1, 0);
		return 0;
	}
	add_slot(ROLE_CALLER, p->caller_threads ? p->caller_threads : 1, uid);
	for (i = 0; i < p->plain; i++)
		add_slot(ROLE_PLAIN, 1, uid);
	for (i = 0; i < p->threaded; i++)
		add_slot(ROLE_THREADED, NR_THREADS, uid);
	for (i = 0; i < p->leaderless; i++)
		add_slot(ROLE_LEADERLESS, NR_THREADS - 1, uid);
	for (i = 0; i < p->strangers; i++)
		add_slot(ROLE_STRANGER, 1, STRANGER_UID);
	for (i = 0; i < p->zombies; i++)
		add_slot(ROLE_ZOMBIE, 0, 0);
	if (p->nested) {
		add_slot(ROLE_NESTED_CREATOR, 1, 0);
		add_slot(ROLE_NESTED_INIT, 1, 0);
		add_slot(ROLE_NESTED_CHILD, 1, 0);
	}
	if (p->joined)
		add_slot(ROLE_JOINED, 1, 0);
	add_slot(ROLE_OUTSIDE, 1, 0);
	for (i = 0; i < sh->nslots; i++)
		ready += sh->slot[i].role == ROLE_ZOMBIE ? 1 :
			 sh->slot[i].nthreads;
	return ready;
}

static int find_role(int role)
{
	int i;

	for (i = 0; i < sh->nslots; i++)
		if (sh->slot[i].role == role)
			return i;
	return -1;
}

/* Gone, or a zombie: @pid is a process of the test's namespace. */
static bool gone(pid_t pid)
{
	char state = tg_task_state(pid, pid);

	return !state || state == 'Z' || state == 'X';
}

struct world {
	pid_t init;
	pid_t outside;
	pid_t joined;
	int pidfd[MAX_SLOTS];
	pid_t crowd[CROWD];
};

/*
 * Wait until *@word >= @target.  False when a process failed to set up,
 * or init or the caller (slot 1) is gone instead.
 */
static bool await(struct world *w, int *word, int target)
{
	struct timespec ts = { .tv_nsec = 20 * 1000000 };
	pid_t caller;
	int v;

	while ((v = __atomic_load_n(word, __ATOMIC_ACQUIRE)) < target) {
		caller = __atomic_load_n(&sh->slot[1].pid, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&sh->error, __ATOMIC_ACQUIRE) ||
		    gone(w->init) || (caller > 0 && gone(caller)))
			return false;
		syscall(__NR_futex, word, FUTEX_WAIT, v, &ts, NULL, 0);
	}
	return true;
}

/*
 * Set up the population: the sibling outside, then the new namespace,
 * its init and everyone else.  Returns false when the test is skipped.
 */
static bool world_start(struct __test_metadata *_metadata, struct world *w,
			const struct population *p)
{
	struct sigaction sa = { .sa_sigaction = on_signal,
				.sa_flags = SA_SIGINFO };
	int ready, i, host_ns;
	sigset_t set;

	for (i = 0; i < MAX_SLOTS; i++)
		w->pidfd[i] = -1;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	ready = plan(p);
	ASSERT_EQ(0, stat("/proc/self/ns/pid", &sh->test_ns));
	host_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	ASSERT_GE(host_ns, 0);

	/* Inherited by everyone: the handler, the signal blocked. */
	signal(SIGCHLD, SIG_DFL);
	ASSERT_EQ(0, sigaction(sh->handler_sig, &sa, NULL));
	sigemptyset(&set);
	sigaddset(&set, sh->handler_sig);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &set, NULL));

	for (i = 0; p->crowd && i < CROWD; i++) {
		w->crowd[i] = fork();
		if (!w->crowd[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			sleep_forever();
		}
		ASSERT_GT(w->crowd[i], 0);
	}

	i = find_role(ROLE_OUTSIDE);
	if (i >= 0) {
		w->outside = fork();
		if (!w->outside) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			participant(i);
		}
		ASSERT_GT(w->outside, 0);
	}

	if (unshare(CLONE_NEWPID)) {
		if (errno == EINVAL)
			SKIP(return false,
			     "unshare(CLONE_NEWPID): EINVAL, CONFIG_PID_NS=n");
		ASSERT_EQ(0, -errno)
			TH_LOG("unshare(CLONE_NEWPID): %s", strerror(errno));
	}
	w->init = fork();
	if (!w->init) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		init_main();
	}
	ASSERT_GT(w->init, 0);
	i = find_role(ROLE_JOINED);
	if (i >= 0) {
		/* Still in the new namespace: its init is alive. */
		w->joined = fork();
		if (!w->joined) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			participant(i);
		}
		ASSERT_GT(w->joined, 0);
	}
	ASSERT_EQ(0, setns(host_ns, CLONE_NEWPID));
	close(host_ns);

	if (p->race)
		return true;
	ASSERT_TRUE(await(w, &sh->ready, ready))
		TH_LOG("%d of %d threads set up; failed at line %d: %s",
		       sh->ready, ready, sh->error,
		       strerror(sh->error_errno));
	for (i = 0; i < sh->nslots; i++) {
		/* A zombie, or the exited main thread of a process. */
		if (sh->slot[i].role == ROLE_ZOMBIE ||
		    sh->slot[i].role == ROLE_LEADERLESS)
			ASSERT_EQ('Z', tg_wait_task_state(sh->slot[i].pid,
							  sh->slot[i].pid,
							  "Z"));
		if (sh->slot[i].role == ROLE_ZOMBIE)
			continue;
		if (!sh->slot[i].nthreads)
			continue;
		w->pidfd[i] = tg_pidfd_open(sh->slot[i].pid, 0);
		ASSERT_GE(w->pidfd[i], 0)
			TH_LOG("pidfd_open(%d): %s", sh->slot[i].pid,
			       strerror(errno));
	}
	return true;
}

static void world_end(struct world *w)
{
	int i;

	/* init's zap waits for the joined child, ours to reap: first. */
	tg_reap(&w->joined);
	tg_reap(&w->init);
	tg_reap(&w->outside);
	for (i = 0; i < CROWD; i++)
		tg_reap(&w->crowd[i]);
	for (i = 0; i < MAX_SLOTS; i++)
		if (w->pidfd[i] >= 0)
			close(w->pidfd[i]);
}

/*
 * Wait until every thread of every process of the plan has either come
 * back to user space after "go" (its process had no fatal signal pending
 * then) or is gone with its process.  @dead[i]: slot i's process exited.
 */
static bool settle(struct world *w, bool *dead)
{
	struct timespec ts = { .tv_nsec = 20 * 1000000 };
	int i, open, v;
	struct slot *s;

	for (;;) {
		v = __atomic_load_n(&sh->drained, __ATOMIC_ACQUIRE);
		open = 0;
		for (i = 0; i < sh->nslots; i++) {
			s = &sh->slot[i];
			if (s->role == ROLE_ZOMBIE)
				continue;
			if (__atomic_load_n(&s->drained, __ATOMIC_ACQUIRE) ==
			    s->nthreads)
				dead[i] = false;
			else if (tg_pidfd_exited(w->pidfd[i]))
				dead[i] = true;
			else
				open++;
		}
		if (!open)
			return true;
		if (__atomic_load_n(&sh->error, __ATOMIC_ACQUIRE))
			return false;
		syscall(__NR_futex, &sh->drained, FUTEX_WAIT, v, &ts, NULL, 0);
	}
}

/* Let the caller send, let everyone take what it got, reap the zombies. */
static void kill_and_settle(struct __test_metadata *_metadata,
			    struct world *w, const struct population *p,
			    bool *dead)
{
	ASSERT_EQ(0, sh->fired);
	tg_add_and_wake(&sh->fire, 1);
	ASSERT_TRUE(await(w, &sh->fired, 1))
		TH_LOG("the caller did not come back from kill(-1, %d)",
		       sh->sig);
	ASSERT_EQ(0, sh->refused)
		TH_LOG("caller not in a new PID namespace: kill(-1) not sent");
	tg_add_and_wake(&sh->go, 1);
	ASSERT_TRUE(settle(w, dead))
		TH_LOG("failed at line %d: %s", sh->error,
		       strerror(sh->error_errno));
	tg_add_and_wake(&sh->finish, 1);
	ASSERT_TRUE(await(w, &sh->reaped, p->zombies))
		TH_LOG("init reaped %d of %d zombies", sh->reaped, p->zombies);
}

/* A catchable signal that exists: the handler will count it. */
static bool counted(int sig)
{
	return sig > 0 && sig <= SIGRTMAX && sig != SIGKILL && sig != SIGSTOP;
}

/* Whether kill(-1) sends to slot @i: visible, other than init, permitted. */
static bool recipient(int i)
{
	struct slot *s = &sh->slot[i], *caller = &sh->slot[1];

	switch (s->role) {
	case ROLE_INIT:
	case ROLE_CALLER:
	case ROLE_OUTSIDE:
	case ROLE_ZOMBIE:
		return false;
	}
	return !caller->uid || s->uid == caller->uid;
}

/* The pid si_pid names: the caller's in the recipient's namespace. */
static pid_t caller_seen_by(int i)
{
	switch (sh->slot[i].role) {
	case ROLE_NESTED_INIT:
	case ROLE_NESTED_CHILD:
		return 0;	/* the caller has no pid in there */
	}
	return sh->slot[1].nspid;
}

/*
 * Every process of the plan got the signal exactly once if it was a
 * recipient, else not at all; SIGKILL: recipients, and only they, died.
 * Zombies stay zombies with their own exit status.
 */
static void check_slots(struct __test_metadata *_metadata, const bool *dead)
{
	int i, t, want, threads;
	struct slot *s;

	for (i = 0; i < sh->nslots; i++) {
		s = &sh->slot[i];
		if (s->role == ROLE_ZOMBIE) {
			EXPECT_TRUE(WIFEXITED(s->status) &&
				    WEXITSTATUS(s->status) == ZOMBIE_CODE)
				TH_LOG("zombie %d reaped with status %#x",
				       s->pid, s->status);
			continue;
		}
		if (sh->sig == SIGKILL) {
			EXPECT_EQ(recipient(i), dead[i])
				TH_LOG("%s (pid %d, %d in its namespace) %s",
				       role_name[s->role], s->pid, s->nspid,
				       dead[i] ? "was killed" : "survived");
			continue;
		}
		EXPECT_FALSE(dead[i])
			TH_LOG("%s (pid %d) died", role_name[s->role], s->pid);
		want = counted(sh->sig) && recipient(i);
		EXPECT_EQ(want, s->hits)
			TH_LOG("%s (pid %d, %d in its ns): %d taken %d times",
			       role_name[s->role], s->pid, s->nspid, sh->sig,
			       s->hits);
		if (!want || s->hits != 1)
			continue;
		threads = 0;
		for (t = 0; t < NR_THREADS; t++)
			threads += !!s->thread_hits[t];
		EXPECT_EQ(1, threads);
		EXPECT_EQ(sh->sig, s->seen_signo);
		EXPECT_EQ(SI_USER, s->seen_code);
		EXPECT_EQ(caller_seen_by(i), s->seen_pid)
			TH_LOG("%s: si_pid %d, the caller is %d",
			       role_name[s->role], s->seen_pid,
			       sh->slot[1].nspid);
		EXPECT_EQ(sh->slot[1].uid, s->seen_uid);
	}
}

FIXTURE(recipients) {
	struct world w;
};

FIXTURE_VARIANT(recipients) {
	struct population p;
};

FIXTURE_SETUP(recipients)
{
}

FIXTURE_TEARDOWN(recipients)
{
	world_end(&self->w);
}

#define EVERYONE							\
	.caller_threads = 3, .plain = 2, .threaded = 2,			\
	.leaderless = 1, .strangers = 1, .zombies = 1, .nested = true,	\
	.joined = true

FIXTURE_VARIANT_ADD(recipients, sigusr1) {
	.p = { .sig = SIGUSR1, EVERYONE },
};

/* Queued: a second send would be a second handler run. */
FIXTURE_VARIANT_ADD(recipients, sigrtmin) {
	.p = { .rt = true, EVERYONE },
};

FIXTURE_VARIANT_ADD(recipients, sigkill) {
	.p = { .sig = SIGKILL, EVERYONE },
};

FIXTURE_VARIANT_ADD(recipients, sigusr1_crowded) {
	.p = { .sig = SIGUSR1, EVERYONE, .crowd = true },
};

FIXTURE_VARIANT_ADD(recipients, sigrtmin_crowded) {
	.p = { .rt = true, EVERYONE, .crowd = true },
};

FIXTURE_VARIANT_ADD(recipients, sigkill_crowded) {
	.p = { .sig = SIGKILL, EVERYONE, .crowd = true },
};

/*
 * Everyone in the namespace and in the nested one (its init included)
 * gets one signal, one per process however many threads it has, its main
 * thread exited or not; init, the caller's threads (it sends from one that
 * is not its main thread) and the process outside get none.
 */
TEST_F(recipients, once_to_each_process_in_the_pidns_but_init_and_caller)
{
	bool dead[MAX_SLOTS] = { };

	if (!world_start(_metadata, &self->w, &variant->p))
		return;
	kill_and_settle(_metadata, &self->w, &variant->p, dead);
	EXPECT_EQ(0, sh->kill_ret)
		TH_LOG("kill(-1, %d): %s", sh->sig, strerror(sh->kill_errno));
	check_slots(_metadata, dead);
}

FIXTURE(retval) {
	struct world w;
};

FIXTURE_VARIANT(retval) {
	struct population p;
	int err;		/* errno of kill(-1), 0: it returns 0 */
};

FIXTURE_SETUP(retval)
{
}

FIXTURE_TEARDOWN(retval)
{
	world_end(&self->w);
}

FIXTURE_VARIANT_ADD(retval, recipients_present) {
	.p = { .sig = SIGUSR1, .plain = 1, .threaded = 1 },
};

FIXTURE_VARIANT_ADD(retval, alone_with_init) {
	.p = { .sig = SIGUSR1 },
	.err = ESRCH,
};

FIXTURE_VARIANT_ADD(retval, alone_with_init_threaded_caller) {
	.p = { .sig = SIGUSR1, .caller_threads = 3 },
	.err = ESRCH,
};

/* A zombie is still visible: it counts, though nothing is sent. */
FIXTURE_VARIANT_ADD(retval, only_a_zombie) {
	.p = { .sig = SIGUSR1, .zombies = 1 },
};

FIXTURE_VARIANT_ADD(retval, signal_0) {
	.p = { .sig = 0, .plain = 1, .threaded = 1 },
};

FIXTURE_VARIANT_ADD(retval, signal_0_alone) {
	.p = { .sig = 0 },
	.err = ESRCH,
};

FIXTURE_VARIANT_ADD(retval, all_refuse_eperm) {
	.p = { .sig = SIGUSR1, .unprivileged = true, .strangers = 2 },
};

FIXTURE_VARIANT_ADD(retval, some_refuse_eperm) {
	.p = { .sig = SIGUSR1, .unprivileged = true, .plain = 1,
	       .strangers = 2 },
};

FIXTURE_VARIANT_ADD(retval, all_refuse_eperm_signal_0) {
	.p = { .sig = 0, .unprivileged = true, .strangers = 2 },
};

FIXTURE_VARIANT_ADD(retval, unprivileged_alone_with_init) {
	.p = { .sig = SIGUSR1, .unprivileged = true },
	.err = ESRCH,
};

FIXTURE_VARIANT_ADD(retval, invalid_signal_nsig_plus_1) {
	.p = { .sig = _NSIG + 1, .plain = 1, .threaded = 1 },
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(retval, invalid_signal_negative) {
	.p = { .sig = -1, .plain = 1, .threaded = 1 },
	.err = EINVAL,
};

FIXTURE_VARIANT_ADD(retval, invalid_signal_int_max) {
	.p = { .sig = INT_MAX, .plain = 1 },
	.err = EINVAL,
};

/* EINVAL is checked before the permission. */
FIXTURE_VARIANT_ADD(retval, invalid_signal_all_refuse_eperm) {
	.p = { .sig = _NSIG + 1, .unprivileged = true, .strangers = 2 },
	.err = EINVAL,
};

/* The signal number is checked per recipient: with none, ESRCH. */
FIXTURE_VARIANT_ADD(retval, invalid_signal_alone) {
	.p = { .sig = _NSIG + 1 },
	.err = ESRCH,
};

/*
 * kill(-1) returns the last error other than EPERM from the processes it
 * found (0 if every one refused), ESRCH if it found none but init; an
 * invalid signal is EINVAL and reaches nobody.
 */
TEST_F(retval, last_error_but_eperm_or_esrch_when_nobody_but_init_visible)
{
	bool dead[MAX_SLOTS] = { };

	if (!world_start(_metadata, &self->w, &variant->p))
		return;
	kill_and_settle(_metadata, &self->w, &variant->p, dead);
	EXPECT_EQ(variant->err, sh->kill_ret ? sh->kill_errno : 0)
		TH_LOG("kill(-1, %d) = %d: %s, want %s", sh->sig,
		       sh->kill_ret, strerror(sh->kill_errno),
		       strerror(variant->err));
	EXPECT_EQ(variant->err ? -1 : 0, sh->kill_ret);
	check_slots(_metadata, dead);
}

FIXTURE(fork_race) {
	struct world w;
};

FIXTURE_SETUP(fork_race)
{
}

FIXTURE_TEARDOWN(fork_race)
{
	world_end(&self->w);
}

/*
 * NR_CHAINS chains of processes each fork their successor and exit while
 * the caller sends kill(-1, SIGKILL): once it returns, no process forked
 * in between is left running, and the namespace empties but for init and
 * the caller.  (A fraction of a second on hardware; the timeout is for
 * TCG.)
 */
TEST_F_TIMEOUT(fork_race, no_child_forked_during_kill_minus_1_sigkill_survives,
	       90)
{
	const struct population p = { .race = true };
	struct round *r;
	int i;

	if (!world_start(_metadata, &self->w, &p))
		return;
	ASSERT_TRUE(await(&self->w, &sh->rounds_done, NR_ROUNDS))
		TH_LOG("%d of %d rounds done; failed at line %d: %s",
		       sh->rounds_done, NR_ROUNDS, sh->error,
		       strerror(sh->error_errno));
	ASSERT_EQ(0, sh->refused)
		TH_LOG("caller not in a new PID namespace: kill(-1) not sent");
	EXPECT_EQ(0, sh->fork_errors);
	EXPECT_EQ(0, sh->escapes)
		TH_LOG("%d processes forked or ran on after kill(-1, SIGKILL)",
		       sh->escapes);
	for (i = 0; i < NR_ROUNDS; i++) {
		r = &sh->round[i];
		EXPECT_EQ(0, r->ret)
			TH_LOG("round %d: kill(-1, SIGKILL): %s", i,
			       strerror(-r->ret));
		/* Each chain had a process alive when the kill came. */
		EXPECT_GE(r->killed, NR_CHAINS)
			TH_LOG("round %d: %d killed, %d exited", i, r->killed,
			       r->exited);
		EXPECT_EQ(0, r->other);
		EXPECT_EQ(-ESRCH, r->left)
			TH_LOG("round %d: kill(-1, 0) after the reaping: %s",
			       i, strerror(-r->left));
	}
}

TEST_HARNESS_MAIN
