// SPDX-License-Identifier: GPL-2.0
/*
 * kill(-1, sig).
 *
 * From inside a PID namespace, it sends @sig to every process visible in
 * the caller's namespace whose pid there is above 1 (nested namespaces
 * included, siblings and nested two deep, the inits of nested namespaces
 * too), once per process however many threads it has, its main thread
 * exited or not, a thread other than the main one having exec'd or not,
 * the leader of its process group or session reaped or not, except the
 * caller's own thread group, whichever of its threads sends: never to the
 * namespace's init, never to a process outside the namespace, never to
 * the pid of a reaped leader, which names no process.  It returns ESRCH
 * when nobody but init and the caller is visible (a zombie is visible,
 * the pid of the reaped leader of the caller's group or session is not),
 * else the last error other than EPERM: 0 when every recipient refused
 * with EPERM, EINVAL for a signal number that does not exist.  No child
 * forked while a kill(-1, SIGKILL) is under way escapes it, and a child
 * forked while a kill(-1) of a handled signal is under way either gets
 * the signal itself or is forked after its parent has handled it.
 *
 * From the test's own namespace (the initial one in the guest), a caller
 * whose uids are all UNIQUE_UID and that has no capability sends @sig
 * once to each of the test's processes of that uid, in that namespace and
 * in the nested ones, and to no process of another uid, and kill(-1) and
 * kill(-1, 0) return 0.
 *
 * The test process unshares CLONE_NEWPID and forks the namespace's init,
 * which forks the caller and the other processes.  kill(-1) is only ever
 * sent from a process that is in a namespace the test created, or from the
 * test's own namespace by that unprivileged caller once no process but the
 * test's has UNIQUE_UID: sent as root from the test's own namespace, it
 * would reach every process of the machine.
 *
 * Every process of the test blocks the signal and has a handler for it
 * (one whose thread exec'd installs it again in the new image; the mask
 * survives exec).  Once the caller's kill(-1) has returned, every thread
 * unblocks the signal: a signal sent to the process is then handled, by
 * the first thread that unblocks it, before that thread reports back.
 * When every thread has reported, the handler counts in shared memory (a
 * memfd, which exec keeps open) are final.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "../kselftest_harness.h"
#include "tg_util.h"

#define MAX_SLOTS	40
#define NR_THREADS	4	/* threads of a multi-threaded process */
#define CALLER_UID	1001	/* an unprivileged caller... */
#define STRANGER_UID	1002	/* ...and processes it may not signal */
/*
 * The caller's uid when it sends from the test's own namespace, where
 * kill(-1) reaches every process of the machine it may signal: one that
 * no process but the test's has, which is checked before each send.
 */
#define UNIQUE_UID	1003
#define ZOMBIE_CODE	7	/* exit code of the zombies */
/*
 * Processes asleep outside the namespace in the crowded variants.  The
 * kernel may find kill(-1)'s recipients by walking the machine or the
 * namespace, as the two compare in size: a crowd makes the namespace
 * small, so that both walks are pinned on any machine.
 */
#define CROWD		256

#define NR_CHAINS	4	/* fork races: chains forking at once */
#define CHAIN_LEN	200	/* forks per chain at most */
#define NR_ROUNDS	64
#define KILL_AFTER	(4 * NR_CHAINS)	/* forks before the kill */
/*
 * Handled-signal race: a chain that has forked this many times waits for
 * the kill instead of forking on, so that however the caller is
 * scheduled, no chain runs far ahead of it.
 */
#define CHAIN_PAUSE	64

/* argv[1] of this program exec'd by a thread other than the main one */
#define IMAGE_FLAG	"--tgsig-exec-recipient"

enum role {
	ROLE_INIT,		/* pid 1 of the namespace */
	ROLE_CALLER,		/* sends kill(-1) */
	ROLE_PLAIN,		/* a single-threaded process */
	ROLE_THREADED,		/* a process of NR_THREADS threads */
	ROLE_LEADERLESS,	/* threads whose main thread has exited */
	ROLE_EXECED,		/* NR_THREADS threads, a non-leader exec'd */
	ROLE_STRANGER,		/* a process owned by STRANGER_UID */
	ROLE_ZOMBIE,		/* a child of init, exited, not reaped */
	ROLE_PGRP_LEADER,	/* made a process group, forked, reaped */
	ROLE_PGRP_MEMBER,	/* in the group of a reaped leader */
	ROLE_SID_LEADER,	/* made a session, forked, reaped */
	ROLE_SID_MEMBER,	/* in the session and group of a reaped leader */
	ROLE_SID_PGRP,		/* in that session, its own group's leader */
	ROLE_NESTED_CREATOR,	/* unshared CLONE_NEWPID, forked... */
	ROLE_NESTED_INIT,	/* ...the init of a nested namespace... */
	ROLE_NESTED_CHILD,	/* ...which forked a child */
	ROLE_JOINED,		/* forked into the namespace from outside */
	ROLE_OUTSIDE,		/* a sibling in the test's namespace */
	ROLE_RACER,		/* the caller of a fork race */
};

static const char * const role_name[] = {
	[ROLE_INIT] = "init",
	[ROLE_CALLER] = "caller",
	[ROLE_PLAIN] = "single-threaded",
	[ROLE_THREADED] = "multi-threaded",
	[ROLE_LEADERLESS] = "multi-threaded, leader exited",
	[ROLE_EXECED] = "exec'd from a non-leader thread",
	[ROLE_STRANGER] = "other uid",
	[ROLE_ZOMBIE] = "zombie",
	[ROLE_PGRP_LEADER] = "reaped process group leader",
	[ROLE_PGRP_MEMBER] = "in the group of a reaped leader",
	[ROLE_SID_LEADER] = "reaped session leader",
	[ROLE_SID_MEMBER] = "in the session and group of a reaped leader",
	[ROLE_SID_PGRP] = "group leader in the session of a reaped leader",
	[ROLE_NESTED_CREATOR] = "nested namespace's creator",
	[ROLE_NESTED_INIT] = "nested namespace's init",
	[ROLE_NESTED_CHILD] = "nested namespace's child",
	[ROLE_JOINED] = "child of the test in the namespace",
	[ROLE_OUTSIDE] = "in the test's namespace",
	[ROLE_RACER] = "fork race caller",
};

struct slot {
	int role;
	int parent;		/* the slot that forks it, -1: the test */
	int depth;		/* of its PID namespace, 0: the test's */
	int nthreads;		/* reporting threads (no exited leader) */
	uid_t uid;		/* set with setresuid(), 0: stays root */
	pid_t pid;		/* in the test's namespace */
	pid_t nspid;		/* in its own namespace */
	pid_t exec_tid;		/* the thread that exec'd, test's namespace */
	int hits;		/* handler runs */
	int thread_hits[NR_THREADS];
	int drained;		/* threads back from unblocking it */
	int seen_signo;		/* siginfo of the last handler run */
	int seen_code;
	pid_t seen_pid;
	uid_t seen_uid;
	int status;		/* zombies and reaped leaders, as reaped */
};

enum race {
	RACE_NONE,
	RACE_SIGKILL,		/* kill(-1, SIGKILL) */
	RACE_HANDLED,		/* kill(-1, SIGUSR1), which every link handles */
};

enum chain_end_how {
	END_NONE,		/* the chain never ended */
	END_SAW,		/* its last link handled the signal itself */
	END_INHERITED,		/* it was forked after its parent had */
	END_LIMIT,		/* forked after the kill, without the signal */
};

static const char * const end_name[] = {
	[END_NONE] = "never ended",
	[END_SAW] = "handled SIGUSR1",
	[END_INHERITED] = "was forked after its parent handled SIGUSR1",
	[END_LIMIT] = "is past the limit: forked after kill(-1), no SIGUSR1",
};

struct chain_end {
	int how;
	int gen;		/* forks since the chain's first link */
	bool at_birth;		/* handled before its first instruction */
};

struct round {
	int ret;		/* kill(-1, sig): 0 or -errno */
	int killed;		/* descendants reaped, killed by SIGKILL */
	int exited;		/* descendants reaped, exit(0) */
	int other;		/* descendants reaped with another status */
	int left;		/* kill(-1, 0) after reaping: 0 or -errno */
	int ends;		/* handled race: chains that ended */
	struct chain_end end[NR_CHAINS];
	bool caller_hit;	/* the caller handled its own kill(-1) */
};

/* Shared by every process of the test (a MAP_SHARED memfd). */
struct shared {
	struct stat test_ns;	/* the test's own PID namespace */
	int sig;		/* what the caller sends */
	int handler_sig;	/* what every process blocks and handles */
	int race;		/* enum race */
	int nslots;
	struct slot slot[MAX_SLOTS];
	int error;		/* line of a failed setup step */
	int error_errno;
	int refused;		/* kill(-1) not sent: REFUSED_* */
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
	/* fork races */
	int forks;		/* futex word: forks of this round */
	int fork_errors;
	int after_kill;		/* futex word: the kill returned */
	int escapes;		/* tasks that outlived kill(-1, SIGKILL) */
	int rounds_done;	/* futex word */
	struct round round[NR_ROUNDS];
};

enum refusal {
	REFUSED_NOT_NEW_PIDNS = 1,
	REFUSED_NOT_UNIQUE_UID,
};

static struct shared *sh;
static int sh_fd = -1;
static int my_slot;
static __thread int my_thread;
/* Handled race: the link whose handler ran, inherited by fork(). */
static pid_t handled_by;

/* A process of the test failed to set up: say where, and give up. */
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
		__atomic_store_n(&sh->refused, REFUSED_NOT_NEW_PIDNS,
				 __ATOMIC_RELEASE);
		errno = EPERM;
		return -1;
	}
	return kill(-1, sig);
}

/*
 * A process visible in /proc, not in the plan, that a caller of
 * UNIQUE_UID may signal (its real or saved uid is UNIQUE_UID; the
 * effective and fs ones are checked too): its pid, -1 when /proc cannot
 * be read, else 0.
 */
static pid_t foreign_unique_uid_process(void)
{
	unsigned int uid[4];
	struct dirent *de;
	pid_t pid, found = 0;
	char val[128];
	int i, k;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -1;
	while (!found && (de = readdir(d))) {
		pid = atoi(de->d_name);
		if (pid <= 0 ||
		    tg_proc_status(pid, 0, "Uid", val, sizeof(val)) ||
		    sscanf(val, "%u %u %u %u", &uid[0], &uid[1], &uid[2],
			   &uid[3]) != 4)
			continue;
		for (k = 0; k < 4 && uid[k] != UNIQUE_UID; k++)
			;
		if (k == 4)
			continue;
		for (i = 0; i < sh->nslots && sh->slot[i].pid != pid; i++)
			;
		if (i == sh->nslots)
			found = pid;
	}
	closedir(d);
	return found;
}

/* Whether every uid of ours is UNIQUE_UID and we have no capability. */
static bool unprivileged_unique_uid(void)
{
	uid_t r, e, s;
	pid_t pid, tid;
	char val[64];

	return !getresuid(&r, &e, &s) && r == UNIQUE_UID &&
	       e == UNIQUE_UID && s == UNIQUE_UID &&
	       !tg_proc_self_ids(&pid, &tid) &&
	       !tg_proc_status(pid, 0, "CapEff", val, sizeof(val)) &&
	       !strtoull(val, NULL, 16);
}

/*
 * kill(-1, @sig) from the test's own namespace: only by an unprivileged
 * caller of UNIQUE_UID, and only while no process but the test's has that
 * uid.  Else it is not sent: it returns -1 with EPERM and sets
 * sh->refused.
 */
static int kill_all_as_unique_uid(int sig)
{
	if (!unprivileged_unique_uid() || foreign_unique_uid_process()) {
		__atomic_store_n(&sh->refused, REFUSED_NOT_UNIQUE_UID,
				 __ATOMIC_RELEASE);
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
	sh->kill_ret = s->depth ? kill_all_in_new_pidns(sh->sig) :
		       kill_all_as_unique_uid(sh->sig);
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

static void on_race_signal(int sig)
{
	__atomic_store_n(&handled_by, getpid(), __ATOMIC_RELAXED);
}

/*
 * One link of a chain of the handled race, in round @round: fork the next
 * link and exit, until this link or one before it has handled SIGUSR1.
 *
 * Once kill(-1, SIGUSR1) has returned (sh->after_kill is set after), each
 * link alive then has it pending or has handled it, and each link forked
 * since either had it pending from birth (its fork was under way when the
 * signal came: copy_process() recorded it for the child), or was forked
 * after its parent handled it (it was pending when the fork began, which
 * restarted after the handler).  So a fork that a link begins after seeing
 * sh->after_kill set gives a child that has handled it, or whose parent
 * had: the chain ends there.  A child that has not is past the chain's
 * limit, and ends it as a failure.
 */
static void handled_link(int round, int chain)
{
	struct chain_end *e = &sh->round[round].end[chain];
	bool late, lineage_late = false, at_birth = false;
	pid_t pid, by;
	int gen = 0;

	for (;;) {
		late = __atomic_load_n(&sh->after_kill, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&handled_by, __ATOMIC_RELAXED) ||
		    lineage_late)
			break;
		if (!late && gen >= CHAIN_PAUSE) {
			tg_futex_wait(&sh->after_kill, 0);
			continue;
		}
		pid = fork();
		if (pid < 0) {
			__atomic_add_fetch(&sh->fork_errors, 1,
					   __ATOMIC_RELEASE);
			tg_futex_wake(&sh->forks);
			_exit(2);
		}
		if (pid > 0)
			_exit(0);
		at_birth = __atomic_load_n(&handled_by, __ATOMIC_RELAXED) ==
			   getpid();
		lineage_late = late;
		gen++;
		tg_add_and_wake(&sh->forks, 1);
	}
	by = __atomic_load_n(&handled_by, __ATOMIC_RELAXED);
	e->how = !by ? END_LIMIT : by == getpid() ? END_SAW : END_INHERITED;
	e->gen = gen;
	e->at_birth = at_birth;
	__atomic_add_fetch(&sh->round[round].ends, 1, __ATOMIC_RELEASE);
	_exit(0);
}

/*
 * The fork races' caller, a child subreaper: every link of every chain is
 * its descendant, reparented to it when its parent exits, so once wait()
 * says there is no child left, no link is left.
 */
static void race_main(void)
{
	struct sigaction sa = { .sa_handler = on_race_signal };
	bool handled = sh->race == RACE_HANDLED;
	int i, k, v, status;
	struct round *r;
	sigset_t set;
	pid_t pid;

	TASK_CHECK(!prctl(PR_SET_CHILD_SUBREAPER, 1));
	if (handled) {
		/* No SA_RESTART: a link waiting for the kill looks again. */
		TASK_CHECK(!sigaction(SIGUSR1, &sa, NULL));
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		TASK_CHECK(!sigprocmask(SIG_UNBLOCK, &set, NULL));
	}
	for (i = 0; i < NR_ROUNDS; i++) {
		r = &sh->round[i];
		__atomic_store_n(&sh->forks, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&sh->after_kill, 0, __ATOMIC_RELEASE);
		/*
		 * Inherited by the chains: a link may handle the signal before
		 * its first instruction, so it must not clear it itself.
		 */
		__atomic_store_n(&handled_by, 0, __ATOMIC_RELAXED);
		for (k = 0; k < NR_CHAINS; k++) {
			pid = fork();
			TASK_CHECK(pid >= 0);
			if (pid)
				continue;
			if (handled)
				handled_link(i, k);
			chain_link();
		}
		while ((v = __atomic_load_n(&sh->forks, __ATOMIC_ACQUIRE)) <
		       KILL_AFTER &&
		       !__atomic_load_n(&sh->fork_errors, __ATOMIC_ACQUIRE))
			tg_futex_wait(&sh->forks, v);

		r->ret = kill_all_in_new_pidns(handled ? SIGUSR1 : SIGKILL) ?
			 -errno : 0;
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
		r->caller_hit = __atomic_load_n(&handled_by, __ATOMIC_RELAXED);
		r->left = kill_all_in_new_pidns(0) ? -errno : 0;
		tg_add_and_wake(&sh->rounds_done, 1);
	}
	sleep_forever();
}

/* setresuid() to the slot's uid, if it has one. */
static void set_uid(struct slot *s)
{
	if (!s->uid)
		return;
	TASK_CHECK(!setresuid(s->uid, s->uid, s->uid));
	/* A change of credentials clears it. */
	if (s->parent < 0)
		TASK_CHECK(!prctl(PR_SET_PDEATHSIG, SIGKILL));
}

static void *idle_thread(void *arg)
{
	sleep_forever();
	return NULL;
}

/* Exec this program as the recipient of our slot, from this thread. */
static void *exec_thread(void *arg)
{
	char fd[16], slot[16], arg0[] = "kill_all_pidns", flag[] = IMAGE_FLAG;
	char *argv[5];
	pid_t pid;

	snprintf(fd, sizeof(fd), "%d", sh_fd);
	snprintf(slot, sizeof(slot), "%d", my_slot);
	argv[0] = arg0;
	argv[1] = flag;
	argv[2] = fd;
	argv[3] = slot;
	argv[4] = NULL;
	TASK_CHECK(!tg_proc_self_ids(&pid, &sh->slot[my_slot].exec_tid));
	execv("/proc/self/exe", argv);
	task_failed(__LINE__);
	return NULL;
}

/*
 * NR_THREADS threads, the last of which execs: de_thread() kills the
 * others, the main one included, and the exec'ing thread takes over the
 * main thread's pid.  The new image goes on in exec_image().
 */
static void exec_from_thread(void)
{
	pthread_t th;
	int t;

	for (t = 1; t < NR_THREADS - 1; t++)
		TASK_CHECK(!pthread_create(&th, NULL, idle_thread, NULL));
	TASK_CHECK(!pthread_create(&th, NULL, exec_thread, NULL));
	sleep_forever();
}

/*
 * What a process of the plan does, in slot @i; it forks the slots whose
 * parent it is, which start over in their own slots (a loop rather than
 * a call, which gcc, seeing that this never returns, reports as endless
 * recursion).
 */
static void participant(int i)
{
	struct slot *s;
	pthread_t th;
	pid_t pid;
	long t;
	int j;

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
		TASK_CHECK(!unshare(CLONE_NEWPID));
		break;
	case ROLE_PGRP_LEADER:
	case ROLE_SID_PGRP:
		TASK_CHECK(!setpgid(0, 0));
		break;
	case ROLE_SID_LEADER:
		TASK_CHECK(setsid() > 0);
		break;
	}
	for (j = 1; j < sh->nslots; j++) {
		if (sh->slot[j].parent != i)
			continue;
		pid = fork();
		TASK_CHECK(pid >= 0);
		if (!pid) {
			i = j;
			goto again;
		}
	}
	/* Its pid lives on as its members' group or session: see init. */
	if (s->role == ROLE_PGRP_LEADER || s->role == ROLE_SID_LEADER)
		_exit(0);
	/* Root until the new image, which may not be executable by others. */
	if (s->role == ROLE_EXECED)
		exec_from_thread();
	set_uid(s);
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

/*
 * The image that a thread other than the main one exec'd, for slot @i:
 * the process it took over, now of one thread, which has the main
 * thread's pid and tid.  The signal is still blocked (the exec'ing
 * thread's mask survives exec), its handler is gone: installed again,
 * before the process reports ready.
 */
static int exec_image(int fd, int i)
{
	struct sigaction sa = { .sa_sigaction = on_signal,
				.sa_flags = SA_SIGINFO };
	struct slot *s;
	pid_t pid, tid;
	sigset_t set;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  0);
	if (sh == MAP_FAILED)
		return 1;
	sh_fd = fd;
	s = &sh->slot[i];
	my_slot = i;
	TASK_CHECK(!tg_proc_self_ids(&pid, &tid));
	TASK_CHECK(pid == s->pid && tid == s->pid && getpid() == s->nspid);
	TASK_CHECK(s->exec_tid > 0 && s->exec_tid != s->pid);
	TASK_CHECK(tg_thread_count(pid) == 1);
	TASK_CHECK(!sigprocmask(SIG_BLOCK, NULL, &set));
	TASK_CHECK(sigismember(&set, sh->handler_sig) == 1);
	TASK_CHECK(!sigaction(sh->handler_sig, &sa, NULL));
	set_uid(s);
	tg_add_and_wake(&sh->ready, 1);
	fire();
	drain();
	sleep_forever();
	return 0;
}

/*
 * The namespace's init: forks its part of the plan, reaps the group and
 * session leaders at once (their pids then name no process, only their
 * members' group or session), and the zombies when told to.
 */
static void init_main(void)
{
	struct slot *s;
	pid_t pid;
	int i;

	my_slot = 0;
	enlist(&sh->slot[0]);
	for (i = 1; i < sh->nslots; i++) {
		s = &sh->slot[i];
		if (s->parent)
			continue;
		pid = fork();
		TASK_CHECK(pid >= 0);
		if (!pid) {
			participant(i);
			_exit(0);
		}
		if (s->role == ROLE_PGRP_LEADER || s->role == ROLE_SID_LEADER) {
			TASK_CHECK(waitpid(pid, &s->status, 0) == pid);
			tg_add_and_wake(&sh->ready, 1);
		}
	}
	if (sh->race)
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
	bool unprivileged;	/* all but strangers: CALLER_UID */
	bool initial;		/* caller in the test's namespace, UNIQUE_UID */
	int caller_leader;	/* ROLE_*_LEADER: forks the caller, reaped */
	int plain;
	int threaded;
	int leaderless;
	int execed;
	int strangers;
	int zombies;
	bool leaders_gone;	/* a group and a session, leaders reaped */
	int nested;		/* sibling nested namespaces */
	bool deep;		/* one more, with one nested in it */
	bool joined;
	int neighbours;		/* in the test's namespace, uid as the caller */
	int race;		/* a fork race instead of a single kill */
	bool crowd;		/* CROWD processes asleep outside */
};

/* A slot for a process that slot @parent forks (-1: the test). */
static int add_slot(int role, int nthreads, uid_t uid, int parent)
{
	struct slot *s = &sh->slot[sh->nslots];

	if (sh->nslots == MAX_SLOTS)
		abort();
	s->role = role;
	s->nthreads = nthreads;
	s->uid = uid;
	s->parent = parent;
	if (parent < 0)
		s->depth = role == ROLE_INIT || role == ROLE_JOINED;
	else
		s->depth = sh->slot[parent].depth +
			   (sh->slot[parent].role == ROLE_NESTED_CREATOR);
	return sh->nslots++;
}

/*
 * A nested namespace made by a child of slot @parent: its init and a child
 * of that; with @deeper, one more nested namespace made by another child.
 */
static void add_nested(uid_t uid, int parent, bool deeper)
{
	int init;

	parent = add_slot(ROLE_NESTED_CREATOR, 1, uid, parent);
	init = add_slot(ROLE_NESTED_INIT, 1, uid, parent);
	add_slot(ROLE_NESTED_CHILD, 1, uid, init);
	if (deeper)
		add_nested(uid, init, false);
}

/* Fill the slots; returns how many "ready" reports to wait for. */
static int plan(const struct population *p)
{
	uid_t uid = p->initial ? UNIQUE_UID : p->unprivileged ? CALLER_UID : 0;
	int i, leader, ready = 0;

	sh->sig = p->rt ? SIGRTMIN : p->sig;
	sh->handler_sig = p->rt ? SIGRTMIN : SIGUSR1;
	sh->race = p->race;
	add_slot(ROLE_INIT, 1, 0, -1);
	if (p->race) {
		add_slot(ROLE_RACER, 1, 0, 0);
		return 0;
	}
	add_slot(ROLE_CALLER, p->caller_threads ? p->caller_threads : 1, uid,
		 p->initial ? -1 : p->caller_leader ? 2 : 0);
	if (p->caller_leader) {
		add_slot(p->caller_leader, 0, 0, 0);
		sh->slot[1].depth = sh->slot[2].depth;
	}
	for (i = 0; i < p->plain; i++)
		add_slot(ROLE_PLAIN, 1, uid, 0);
	for (i = 0; i < p->threaded; i++)
		add_slot(ROLE_THREADED, NR_THREADS, uid, 0);
	for (i = 0; i < p->leaderless; i++)
		add_slot(ROLE_LEADERLESS, NR_THREADS - 1, uid, 0);
	for (i = 0; i < p->execed; i++)
		add_slot(ROLE_EXECED, 1, uid, 0);
	for (i = 0; i < p->strangers; i++)
		add_slot(ROLE_STRANGER, 1, STRANGER_UID, 0);
	for (i = 0; i < p->zombies; i++)
		add_slot(ROLE_ZOMBIE, 0, 0, 0);
	if (p->leaders_gone) {
		leader = add_slot(ROLE_PGRP_LEADER, 0, 0, 0);
		add_slot(ROLE_PGRP_MEMBER, 1, uid, leader);
		add_slot(ROLE_PGRP_MEMBER, NR_THREADS, uid, leader);
		leader = add_slot(ROLE_SID_LEADER, 0, 0, 0);
		add_slot(ROLE_SID_MEMBER, 1, uid, leader);
		add_slot(ROLE_SID_PGRP, 1, uid, leader);
	}
	for (i = 0; i < p->nested; i++)
		add_nested(uid, 0, false);
	if (p->deep)
		add_nested(uid, 0, true);
	if (p->joined)
		add_slot(ROLE_JOINED, 1, uid, -1);
	add_slot(ROLE_OUTSIDE, 1, 0, -1);
	for (i = 0; i < p->neighbours; i++)
		add_slot(ROLE_OUTSIDE, 1, uid, -1);
	/* A zombie reports before it exits, init for a reaped leader. */
	for (i = 0; i < sh->nslots; i++)
		ready += sh->slot[i].nthreads ? sh->slot[i].nthreads : 1;
	return ready;
}

/* Gone, or a zombie: @pid is a process of the test's namespace. */
static bool gone(pid_t pid)
{
	char state = tg_task_state(pid, pid);

	return !state || state == 'Z' || state == 'X';
}

struct world {
	pid_t init;
	pid_t inner[MAX_SLOTS];	/* children of the test in the namespace */
	pid_t outer[MAX_SLOTS];	/* and in its own */
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

static pid_t fork_participant(struct __test_metadata *_metadata, int i)
{
	pid_t pid = fork();

	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		participant(i);
	}
	ASSERT_GT(pid, 0);
	return pid;
}

/*
 * Slot @i is set up as the plan says: a reaped leader's pid names no
 * process but only the group or session of the processes it forked; the
 * process whose thread exec'd has one thread, and a thread other than its
 * main one exec'd.
 */
static void check_setup(struct __test_metadata *_metadata, int i)
{
	struct slot *s = &sh->slot[i], *leader;
	pid_t pgrp = 0, sid = 0;

	switch (s->role) {
	case ROLE_ZOMBIE:
	case ROLE_LEADERLESS:
		/* A zombie, or the exited main thread of a process. */
		ASSERT_EQ('Z', tg_wait_task_state(s->pid, s->pid, "Z"))
			TH_LOG("slot %d: %s %d", i, role_name[s->role],
			       s->pid);
		break;
	case ROLE_PGRP_LEADER:
	case ROLE_SID_LEADER:
		ASSERT_EQ(0, tg_task_state(s->pid, s->pid))
			TH_LOG("slot %d: %s %d is still there", i,
			       role_name[s->role], s->pid);
		break;
	case ROLE_EXECED:
		ASSERT_NE(s->pid, s->exec_tid)
			TH_LOG("slot %d: the main thread of %d exec'd", i,
			       s->pid);
		ASSERT_EQ(1, tg_thread_count(s->pid))
			TH_LOG("slot %d: %d has %d threads after exec", i,
			       s->pid, tg_thread_count(s->pid));
		break;
	}
	if (s->parent <= 0)
		return;
	leader = &sh->slot[s->parent];
	if (leader->role != ROLE_PGRP_LEADER && leader->role != ROLE_SID_LEADER)
		return;
	ASSERT_EQ(0, tg_proc_pgrp_sid(s->pid, &pgrp, &sid));
	ASSERT_EQ(s->role == ROLE_SID_PGRP ? s->pid : leader->pid, pgrp)
		TH_LOG("slot %d: %s %d, of leader %d: group %d", i,
		       role_name[s->role], s->pid, leader->pid, pgrp);
	if (leader->role == ROLE_SID_LEADER)
		ASSERT_EQ(leader->pid, sid)
			TH_LOG("slot %d: %s %d, of leader %d: session %d", i,
			       role_name[s->role], s->pid, leader->pid, sid);
}

/*
 * Set up the population: the test's children in its own namespace (the
 * caller among them when it sends from there), then the new namespace,
 * its init and everyone else.  Returns false when the test is skipped.
 */
static bool world_start(struct __test_metadata *_metadata, struct world *w,
			const struct population *p)
{
	struct sigaction sa = { .sa_sigaction = on_signal,
				.sa_flags = SA_SIGINFO };
	int ready, i, host_ns;
	sigset_t set;
	pid_t pid;

	for (i = 0; i < MAX_SLOTS; i++)
		w->pidfd[i] = -1;
	sh_fd = memfd_create("kill_all_pidns", 0);
	ASSERT_GE(sh_fd, 0)
		TH_LOG("memfd_create(): %s (CONFIG_TMPFS?)", strerror(errno));
	ASSERT_EQ(0, ftruncate(sh_fd, sizeof(*sh)));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED,
		  sh_fd, 0);
	ASSERT_NE(MAP_FAILED, sh);
	ready = plan(p);
	if (p->initial) {
		pid = foreign_unique_uid_process();
		if (pid)
			SKIP(return false,
			     "pid %d has uid %d: kill(-1) would reach it", pid,
			     UNIQUE_UID);
	}
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

	for (i = 1; i < sh->nslots; i++)
		if (sh->slot[i].parent < 0 && !sh->slot[i].depth)
			w->outer[i] = fork_participant(_metadata, i);

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
	/* Still in the new namespace: its init is alive. */
	for (i = 1; i < sh->nslots; i++)
		if (sh->slot[i].parent < 0 && sh->slot[i].depth)
			w->inner[i] = fork_participant(_metadata, i);
	ASSERT_EQ(0, setns(host_ns, CLONE_NEWPID));
	close(host_ns);

	if (p->race)
		return true;
	ASSERT_TRUE(await(w, &sh->ready, ready))
		TH_LOG("%d of %d threads set up; failed at line %d: %s",
		       sh->ready, ready, sh->error,
		       strerror(sh->error_errno));
	for (i = 0; i < sh->nslots; i++) {
		check_setup(_metadata, i);
		if (!sh->slot[i].nthreads)
			continue;
		w->pidfd[i] = tg_pidfd_open(sh->slot[i].pid, 0);
		ASSERT_GE(w->pidfd[i], 0)
			TH_LOG("slot %d: pidfd_open(%d): %s", i,
			       sh->slot[i].pid, strerror(errno));
	}
	return true;
}

static void world_end(struct world *w)
{
	int i;

	/* init's zap waits for our children in its namespace: first. */
	for (i = 0; i < MAX_SLOTS; i++)
		tg_reap(&w->inner[i]);
	tg_reap(&w->init);
	for (i = 0; i < MAX_SLOTS; i++)
		tg_reap(&w->outer[i]);
	for (i = 0; i < CROWD; i++)
		tg_reap(&w->crowd[i]);
	for (i = 0; i < MAX_SLOTS; i++)
		if (w->pidfd[i] >= 0)
			close(w->pidfd[i]);
	if (sh_fd >= 0)
		close(sh_fd);
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
			if (!s->nthreads)
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

static const char *refusal(void)
{
	return sh->refused == REFUSED_NOT_NEW_PIDNS ?
	       "caller not in a new PID namespace" :
	       "caller privileged, or not alone with its uid";
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
		TH_LOG("kill(-1) not sent: %s", refusal());
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

/*
 * Whether kill(-1) sends to slot @i: a process, visible to the caller,
 * other than the caller's init, permitted.
 */
static bool recipient(int i)
{
	struct slot *s = &sh->slot[i], *caller = &sh->slot[1];

	/* The caller, a zombie, a reaped leader. */
	if (i == 1 || !s->nthreads)
		return false;
	if (s->depth < caller->depth ||
	    (s->depth == caller->depth && s->role == ROLE_INIT))
		return false;
	return !caller->uid || s->uid == caller->uid;
}

/* The pid si_pid names: the caller's in the recipient's namespace. */
static pid_t caller_seen_by(int i)
{
	/* The caller has no pid in a namespace below its own. */
	return sh->slot[i].depth > sh->slot[1].depth ? 0 : sh->slot[1].nspid;
}

/*
 * Every process of the plan got the signal exactly once if it was a
 * recipient, else not at all; SIGKILL: recipients, and only they, died.
 * Zombies stay zombies with their own exit status; reaped leaders had
 * exited with 0.
 */
static void check_slots(struct __test_metadata *_metadata, const bool *dead)
{
	int i, t, want, threads;
	struct slot *s;

	for (i = 0; i < sh->nslots; i++) {
		s = &sh->slot[i];
		if (!s->nthreads) {
			want = s->role == ROLE_ZOMBIE ? ZOMBIE_CODE : 0;
			EXPECT_TRUE(WIFEXITED(s->status) &&
				    WEXITSTATUS(s->status) == want)
				TH_LOG("slot %d: %s %d reaped with status %#x",
				       i, role_name[s->role], s->pid,
				       s->status);
			continue;
		}
		if (sh->sig == SIGKILL) {
			EXPECT_EQ(recipient(i), dead[i])
				TH_LOG("slot %d: %s (pid %d, %d in its ns) %s",
				       i, role_name[s->role], s->pid, s->nspid,
				       dead[i] ? "was killed" : "survived");
			continue;
		}
		EXPECT_FALSE(dead[i])
			TH_LOG("slot %d: %s (pid %d) died", i,
			       role_name[s->role], s->pid);
		want = counted(sh->sig) && recipient(i);
		EXPECT_EQ(want, s->hits)
			TH_LOG("slot %d: %s (pid %d, %d in its ns, depth %d): %d taken %d times",
			       i, role_name[s->role], s->pid, s->nspid,
			       s->depth, sh->sig, s->hits);
		if (!want || s->hits != 1)
			continue;
		threads = 0;
		for (t = 0; t < NR_THREADS; t++)
			threads += !!s->thread_hits[t];
		EXPECT_EQ(1, threads)
			TH_LOG("slot %d: %s (pid %d): %d threads took it", i,
			       role_name[s->role], s->pid, threads);
		EXPECT_EQ(sh->sig, s->seen_signo);
		EXPECT_EQ(SI_USER, s->seen_code);
		EXPECT_EQ(caller_seen_by(i), s->seen_pid)
			TH_LOG("slot %d: %s: si_pid %d, the caller is %d", i,
			       role_name[s->role], s->seen_pid,
			       sh->slot[1].nspid);
		EXPECT_EQ(sh->slot[1].uid, s->seen_uid)
			TH_LOG("slot %d: %s: si_uid %d", i, role_name[s->role],
			       s->seen_uid);
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
	.leaderless = 1, .execed = 1, .strangers = 1, .zombies = 1,	\
	.leaders_gone = true, .nested = 2, .deep = true, .joined = true

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

/* The process is found by its main thread's pid, which it took over. */
FIXTURE_VARIANT_ADD(recipients, exec_from_non_leader_thread) {
	.p = { .rt = true, .execed = 2, .threaded = 1 },
};

/* The pids of the leaders name no process: nothing is sent for them. */
FIXTURE_VARIANT_ADD(recipients, group_and_session_leaders_reaped) {
	.p = { .rt = true, .leaders_gone = true, .plain = 1 },
};

/* A walk that stops after the first nested namespace, or at depth 1. */
FIXTURE_VARIANT_ADD(recipients, nested_siblings_and_two_deep) {
	.p = { .rt = true, .nested = 2, .deep = true },
};

FIXTURE_VARIANT_ADD(recipients, initial_pidns_unique_uid) {
	.p = { .sig = SIGUSR1, EVERYONE, .initial = true, .neighbours = 2 },
};

FIXTURE_VARIANT_ADD(recipients, initial_pidns_unique_uid_sigrtmin) {
	.p = { .rt = true, EVERYONE, .initial = true, .neighbours = 2 },
};

FIXTURE_VARIANT_ADD(recipients, initial_pidns_unique_uid_sigkill) {
	.p = { .sig = SIGKILL, EVERYONE, .initial = true, .neighbours = 2 },
};

/*
 * Everyone in the namespace and in the nested ones (their inits included,
 * two sibling namespaces and one nested two deep) gets one signal, one
 * per process however many threads it has, its main thread exited or a
 * thread other than its main one exec'd, the leader of its group or
 * session reaped; init, the caller's threads (it sends from one that is
 * not its main thread) and the processes outside get none.  From the
 * initial namespace (initial_pidns_*), whose processes are the machine's,
 * the caller shares its uid with no process but the test's: it reaches
 * the test's processes of that uid in every namespace, and no other.
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

/* The pid of the caller's group's or session's leader is no process. */
FIXTURE_VARIANT_ADD(retval, alone_in_group_of_reaped_leader) {
	.p = { .sig = SIGUSR1, .caller_leader = ROLE_PGRP_LEADER },
	.err = ESRCH,
};

FIXTURE_VARIANT_ADD(retval, alone_in_session_of_reaped_leader) {
	.p = { .sig = SIGUSR1, .caller_leader = ROLE_SID_LEADER },
	.err = ESRCH,
};

/* From the initial namespace: the machine's other processes refuse. */
FIXTURE_VARIANT_ADD(retval, initial_pidns_unique_uid) {
	.p = { .sig = SIGUSR1, .initial = true, .plain = 1, .strangers = 1,
	       .neighbours = 1 },
};

FIXTURE_VARIANT_ADD(retval, initial_pidns_unique_uid_signal_0) {
	.p = { .sig = 0, .initial = true, .plain = 1, .strangers = 1,
	       .neighbours = 1 },
};

FIXTURE_VARIANT_ADD(retval, initial_pidns_unique_uid_all_refuse_eperm) {
	.p = { .sig = SIGUSR1, .initial = true, .strangers = 2 },
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

/* Wait for the rounds of a fork race; false when it failed to set up. */
static bool race_rounds(struct __test_metadata *_metadata, struct world *w,
			int race)
{
	const struct population p = { .race = race };

	if (!world_start(_metadata, w, &p))
		return false;
	ASSERT_TRUE(await(w, &sh->rounds_done, NR_ROUNDS))
		TH_LOG("%d of %d rounds done; failed at line %d: %s",
		       sh->rounds_done, NR_ROUNDS, sh->error,
		       strerror(sh->error_errno));
	ASSERT_EQ(0, sh->refused)
		TH_LOG("kill(-1) not sent: %s", refusal());
	EXPECT_EQ(0, sh->fork_errors);
	return true;
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
	struct round *r;
	int i;

	if (!race_rounds(_metadata, &self->w, RACE_SIGKILL))
		return;
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

/*
 * The same chains, each link with a handler for SIGUSR1, and each ending
 * once its last link, or one before it, has handled it, while the caller
 * sends kill(-1, SIGUSR1).  Every chain ends at most one fork after a link
 * saw that kill(-1) had returned, in a link that handled SIGUSR1 itself
 * (the fork that made it may have been under way when the signal came) or
 * was forked after its parent did (the fork began with the signal pending
 * and restarted after the handler); nobody dies of it, and the caller does
 * not get it.
 */
TEST_F_TIMEOUT(fork_race, handled_kill_minus_1_reaches_every_child_forked_meanwhile,
	       90)
{
	int i, k, how[END_LIMIT + 1] = { }, at_birth = 0;
	struct chain_end *e;
	struct round *r;

	if (!race_rounds(_metadata, &self->w, RACE_HANDLED))
		return;
	for (i = 0; i < NR_ROUNDS; i++) {
		r = &sh->round[i];
		EXPECT_EQ(0, r->ret)
			TH_LOG("round %d: kill(-1, SIGUSR1): %s", i,
			       strerror(-r->ret));
		EXPECT_FALSE(r->caller_hit)
			TH_LOG("round %d: the caller handled its own kill(-1)",
			       i);
		EXPECT_EQ(NR_CHAINS, r->ends)
			TH_LOG("round %d: %d chains of %d ended", i, r->ends,
			       NR_CHAINS);
		EXPECT_EQ(0, r->killed + r->other)
			TH_LOG("round %d: %d links killed, %d exited otherwise",
			       i, r->killed, r->other);
		EXPECT_EQ(-ESRCH, r->left)
			TH_LOG("round %d: kill(-1, 0) after the reaping: %s",
			       i, strerror(-r->left));
		for (k = 0; k < NR_CHAINS; k++) {
			e = &r->end[k];
			how[e->how]++;
			at_birth += e->how == END_SAW && e->at_birth;
			EXPECT_TRUE(e->how == END_SAW || e->how == END_INHERITED)
				TH_LOG("round %d, chain %d: the link of generation %d %s",
				       i, k, e->gen, end_name[e->how]);
		}
	}
	TH_LOG("chain ends: %d handled SIGUSR1 (%d from birth), %d forked after the parent did",
	       how[END_SAW], at_birth, how[END_INHERITED]);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], IMAGE_FLAG))
		return exec_image(atoi(argv[2]), atoi(argv[3]));
	return test_harness_run(argc, argv);
}
