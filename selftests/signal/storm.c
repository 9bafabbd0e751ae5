// SPDX-License-Identifier: GPL-2.0
/*
 * A signal storm, bounded in time, in operations and in tasks.
 *
 * Processes ("agents") and their threads pick, at random from a seeded
 * generator, one operation after another: send a queued real-time signal
 * or a burst of a classic one to another process or to another thread
 * (kill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal),
 * stop a process with SIGSTOP and continue it, fork (the child goes on as
 * an agent or re-executes this program in agent mode), exec, exit, create
 * or end a thread, and enter a new PID namespace (unshare(CLONE_NEWPID),
 * fork its init, setns() back) whose init runs its own part of the storm
 * with the agents it forks.  The storm ends after --duration seconds or
 * --ops operations, whichever comes first, with at most --procs processes
 * of at most 1 + --threads threads alive at a time.
 *
 * Every process and every thread that can receive owns a slot in a shared
 * table (a memfd, so that it survives exec), and counts there what its
 * handlers take.  A sender holds the slot while it sends and counts what
 * the kernel accepted.  Before a thread or a process ends (exit, exec) it
 * blocks the signals, closes its slots, waits until no sender holds them,
 * and takes what is pending with sigtimedwait(); or, at one exit in four,
 * leaves it for the kernel to discard (counted apart).  So every
 * other signal went to a live receiver with a handler for it, and none
 * may be lost: each queued real-time signal is handled exactly once, and
 * a classic one, which coalesces, is handled at least once after any
 * burst started (the receiver's count must end above what the sender read
 * before the burst).  Thread-directed ones carry the receiving slot's tag
 * in si_value where the call allows, and must reach that thread.
 *
 * The storm runs under a real uid of its own (root's effective uid and
 * capabilities kept), so that the count of queued signals that
 * RLIMIT_SIGPENDING limits (SigQ in /proc/self/status) is the storm's
 * alone.  When it is over the test process, a child subreaper, reaps until
 * it has no child left, and asserts: as many reaps as forks, every thread
 * accounted for, no signal lost, duplicated or misdelivered, and SigQ and
 * the objects of the sigqueue slab cache (when the kernel shows that cache
 * unmerged) back where they were.
 *
 * Options, among the kselftest ones: --duration=S --ops=N --procs=N
 * --threads=N --ns=N --sigpending=N --seed=N.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "../kselftest_harness.h"
#include "tg_util.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD	O_EXCL
#endif

#define MAX_PROCS	64
#define MAX_WORKERS	8
#define MAX_NS		8
#define MAX_TSLOTS	(MAX_PROCS * (MAX_WORKERS + 1))
#define NR_LOG		8
#define STORM_UID_BASE	2000000000U	/* plus the test's pid */

/* The four signals of the storm. */
#define SIG_PRT		(SIGRTMIN)	/* queued, process-directed */
#define SIG_TRT		(SIGRTMIN + 1)	/* queued, thread-directed */
#define SIG_PCL		SIGUSR1		/* classic, process-directed */
#define SIG_TCL		SIGUSR2		/* classic, thread-directed */

/* Slot word: state in the top byte, senders holding it in the rest. */
#define SLOT_FREE	0
#define SLOT_CLAIMED	1	/* its owner fills it in */
#define SLOT_OPEN	2	/* senders may take it */
#define SLOT_CLOSING	3	/* its owner waits for the holders to go */
#define SLOT_STATE(w)	((unsigned int)(w) >> 24)
#define SLOT_HOLDERS(w)	((w) & 0xffffff)

struct slot {
	int word;
	int gen;		/* bumped at each claim; part of the tag */
	int ns;			/* 0: the test's PID namespace */
	pid_t pid, tid;		/* in the test's namespace; tid 0: process */
	pid_t lpid, ltid;	/* in the slot's own namespace */
	int rt_sent, rt_recv;	/* queued real-time signals */
	int cl_sent, cl_recv;	/* classic signals */
	int cl_need;		/* cl_recv must end at least here */
	int cl_noinfo;		/* classic ones handled without a siginfo */
};

struct storm {
	/* Parameters. */
	long long deadline;	/* CLOCK_MONOTONIC, ns */
	long max_ops;
	int max_procs, max_workers, max_ns;
	unsigned long long seed;
	int memfd;

	int stop;		/* over: everyone winds down */
	int ended_by;		/* 1: time, 2: operations, 3: teardown */
	long ops;
	int seq;		/* seeds the threads' generators */
	int procs_live;		/* forked and not yet reaped */
	int stop_lock;		/* one SIGSTOP/SIGCONT at a time */
	int ns_live;
	struct {
		int used, closing;
	} ns[MAX_NS + 1];	/* 1..MAX_NS */

	/* Figures. */
	long forks, reaps, abnormal, fork_failures;
	long threads_created, threads_ended, thread_failures;
	long execs, ns_created, ns_unavailable, stops;
	long rt_sent, rt_recv, rt_eagain, cl_sent, cl_recv, cl_bursts;
	long cl_noinfo;
	long rt_left, slots_left;	/* left pending at an exit */
	long lost_rt, extra_rt, lost_classic, misrouted, stray, errors;

	int nlog;
	char log[NR_LOG][96];

	struct slot pslot[MAX_PROCS];
	struct slot tslot[MAX_TSLOTS];
};

static struct params {
	int duration, procs, threads, ns, sigpending;
	long ops;
	unsigned long long seed;
	bool seeded;
} P = {
	.duration = 50, .ops = 1000000, .procs = 12, .threads = 3, .ns = 2,
	.sigpending = 32,
};

static struct storm *S;

/* This process. */
static int my_ns;		/* index in S->ns, 0 for the test's */
static bool ns_init;		/* the init of PID namespace my_ns */
static int my_pslot = -1;
static int running;		/* threads not parked, futex word */
static int nworkers;		/* threads besides the first */
static int coordinating;	/* a thread ends the process */

/* This thread. */
static __thread int my_tslot = -1;
static __thread unsigned long long rng;
static __thread bool no_fork;	/* its setns() back failed */

static __noreturn void agent(void);

#define LOAD(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)

static void add(long *counter, long n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

static void note(const char *fmt, ...)
{
	int i = __atomic_fetch_add(&S->nlog, 1, __ATOMIC_RELAXED);
	va_list ap;

	if (i >= NR_LOG)
		return;
	va_start(ap, fmt);
	vsnprintf(S->log[i], sizeof(S->log[i]), fmt, ap);
	va_end(ap);
}

/* An unexpected failure of a system call. */
static void error(const char *what, int err)
{
	add(&S->errors, 1);
	note("pid %d: %s: %s", getpid(), what, strerror(err));
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static unsigned int rnd(unsigned int n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (rng >> 11) % n : 0;
}

static void seed_thread(void)
{
	int seq = __atomic_add_fetch(&S->seq, 1, __ATOMIC_RELAXED);

	rng = S->seed ^ (0x9e3779b97f4a7c15ULL * seq);
	if (!rng)
		rng = 1;
}

static bool storm_over(void)
{
	if (LOAD(&S->stop))
		return true;
	if (__atomic_add_fetch(&S->ops, 1, __ATOMIC_RELAXED) >= S->max_ops) {
		__atomic_compare_exchange_n(&S->ended_by, &(int){ 0 }, 2,
					    false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
		__atomic_store_n(&S->stop, 1, __ATOMIC_RELEASE);
		return true;
	}
	if (now_ns() >= S->deadline) {
		__atomic_compare_exchange_n(&S->ended_by, &(int){ 0 }, 1,
					    false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
		__atomic_store_n(&S->stop, 1, __ATOMIC_RELEASE);
		return true;
	}
	return my_ns && LOAD(&S->ns[my_ns].closing);
}

static int storm_sigs[] = { 0, 0, SIGUSR1, SIGUSR2 };

static void storm_set(sigset_t *set)
{
	int i;

	storm_sigs[0] = SIG_PRT;
	storm_sigs[1] = SIG_TRT;
	sigemptyset(set);
	for (i = 0; i < 4; i++)
		sigaddset(set, storm_sigs[i]);
}

/* Slots. */

static int tag(struct slot *tab, struct slot *s)
{
	return (s->gen & 0x1fffff) << 10 | (int)(s - tab);
}

static int slot_claim(struct slot *tab, int n)
{
	int i, w;

	for (i = 0; i < n; i++) {
		w = SLOT_FREE << 24;
		if (__atomic_compare_exchange_n(&tab[i].word, &w,
						SLOT_CLAIMED << 24, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			tab[i].gen++;
			return i;
		}
	}
	return -1;
}

/* Fill in the calling thread's ids; open the slot to senders. */
static void slot_open(struct slot *s, bool thread)
{
	pid_t pid = 0, tid = 0;

	errno = 0;
	if (tg_proc_self_ids(&pid, &tid))
		error("readlink /proc/thread-self", errno ? errno : EINVAL);
	s->ns = my_ns;
	s->pid = pid;
	s->tid = thread ? tid : 0;
	s->lpid = getpid();
	s->ltid = thread ? tg_gettid() : 0;
	__atomic_store_n(&s->word, SLOT_OPEN << 24, __ATOMIC_RELEASE);
}

/* Take @s if it is open: its owner stays alive until it is released. */
static bool slot_get(struct slot *s)
{
	int w = LOAD(&s->word);

	do {
		if (SLOT_STATE(w) != SLOT_OPEN)
			return false;
	} while (!__atomic_compare_exchange_n(&s->word, &w, w + 1, true,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return true;
}

static void slot_put(struct slot *s)
{
	int w = __atomic_sub_fetch(&s->word, 1, __ATOMIC_ACQ_REL);

	if (SLOT_STATE(w) == SLOT_CLOSING && !SLOT_HOLDERS(w))
		tg_futex_wake(&s->word);
}

/* No new sender; wait until the ones holding @s are done. */
static void slot_close(struct slot *s)
{
	int w = LOAD(&s->word);

	while (!__atomic_compare_exchange_n(&s->word, &w,
					    (SLOT_CLOSING << 24) |
					    SLOT_HOLDERS(w), true,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		;
	while (SLOT_HOLDERS(w = LOAD(&s->word)))
		tg_futex_wait(&s->word, w);
}

/*
 * A closed slot whose signals have all been taken (or, when @left, are
 * left pending, blocked, for the exit to discard): check its counts, add
 * them to the totals and free it.
 */
static void slot_retire(struct slot *tab, struct slot *s, const char *kind,
			bool left)
{
	int idx = s - tab;

	add(&S->rt_sent, s->rt_sent);
	add(&S->rt_recv, s->rt_recv);
	add(&S->cl_sent, s->cl_sent);
	add(&S->cl_recv, s->cl_recv);
	add(&S->cl_noinfo, s->cl_noinfo);
	if (left) {
		add(&S->rt_left, s->rt_sent - s->rt_recv);
		add(&S->slots_left, 1);
	}
	if (s->rt_recv < s->rt_sent && !left) {
		add(&S->lost_rt, s->rt_sent - s->rt_recv);
		note("%s %d (%d/%d): %d real-time signals sent, %d handled",
		     kind, idx, s->pid, s->tid, s->rt_sent, s->rt_recv);
	} else if (s->rt_recv > s->rt_sent) {
		add(&S->extra_rt, s->rt_recv - s->rt_sent);
		note("%s %d (%d/%d): %d real-time signals sent, %d handled",
		     kind, idx, s->pid, s->tid, s->rt_sent, s->rt_recv);
	}
	if (s->cl_recv < s->cl_need && !left) {
		add(&S->lost_classic, 1);
		note("%s %d (%d/%d): classic count %d, a burst needs %d",
		     kind, idx, s->pid, s->tid, s->cl_recv, s->cl_need);
	}
	s->rt_sent = 0;
	s->rt_recv = 0;
	s->cl_sent = 0;
	s->cl_recv = 0;
	s->cl_need = 0;
	s->cl_noinfo = 0;
	__atomic_store_n(&s->word, SLOT_FREE << 24, __ATOMIC_RELEASE);
}

/* Receiving. */

static void take(int sig, const siginfo_t *si)
{
	bool proc = sig == SIG_PRT || sig == SIG_PCL;
	struct slot *tab = proc ? S->pslot : S->tslot;
	int i = proc ? my_pslot : my_tslot;
	struct slot *s;

	if (i < 0) {
		add(&S->stray, 1);
		return;
	}
	s = &tab[i];
	if (si->si_code == SI_QUEUE && si->si_value.sival_int != tag(tab, s))
		add(&S->misrouted, 1);
	if (sig == SIG_PRT || sig == SIG_TRT) {
		__atomic_add_fetch(&s->rt_recv, 1, __ATOMIC_RELAXED);
	} else {
		/* si_pid is 0 too from outside the receiver's namespace */
		if (si->si_code == SI_USER && !si->si_pid && !my_ns)
			__atomic_add_fetch(&s->cl_noinfo, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&s->cl_recv, 1, __ATOMIC_RELEASE);
	}
}

static void handler(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	take(sig, si);
	errno = saved;
}

/* Block @set in this thread and take what of it is pending. */
static void drain(const sigset_t *set)
{
	const struct timespec zero = { 0 };
	siginfo_t si;
	int sig;

	pthread_sigmask(SIG_BLOCK, set, NULL);
	for (;;) {
		sig = sigtimedwait(set, &si, &zero);
		if (sig > 0)
			take(sig, &si);
		else if (errno != EINTR)
			break;
	}
}

static void thread_sigs(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIG_TRT);
	sigaddset(set, SIG_TCL);
}

/*
 * Block this thread's thread-directed signals, close its slot, and take
 * what is pending, or (one time in four) leave it for the thread's end to
 * discard.
 */
static void retire_thread_slot(void)
{
	bool left = !rnd(4);
	struct slot *s;
	sigset_t set;

	if (my_tslot < 0)
		return;
	s = &S->tslot[my_tslot];
	thread_sigs(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	slot_close(s);
	if (!left)
		drain(&set);
	my_tslot = -1;
	slot_retire(S->tslot, s, "thread", left);
}

static void open_thread_slot(void)
{
	int i = slot_claim(S->tslot, S->max_procs * (S->max_workers + 1));

	if (i < 0) {
		error("no free thread slot", ENOSPC);
		return;
	}
	my_tslot = i;
	slot_open(&S->tslot[i], true);
}

/* Sending. */

/* An open slot of a receiver this thread may address, held. */
static struct slot *pick(struct slot *tab, int n)
{
	struct slot *s;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		s = &tab[rnd(n)];
		if (!slot_get(s))
			continue;
		if (!my_ns || s->ns == my_ns)
			return s;
		slot_put(s);
	}
	return NULL;
}

/* Its ids as this thread's PID namespace sees them. */
static pid_t pid_of(struct slot *s)
{
	return my_ns ? s->lpid : s->pid;
}

static pid_t tid_of(struct slot *s)
{
	return my_ns ? s->ltid : s->tid;
}

static void fill_info(siginfo_t *si, int sig, int value)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = sig;
	si->si_code = SI_QUEUE;
	si->si_pid = getpid();
	si->si_uid = getuid();
	si->si_value.sival_int = value;
}

/*
 * Send @sig to the process (@thread false) or thread of held slot @s, by
 * a random one of the system calls that can.  Returns 0 or the errno.
 */
static int send_one(struct slot *tab, struct slot *s, int sig, bool thread,
		    bool queued_only)
{
	siginfo_t si;
	int fd, ret;

	fill_info(&si, sig, tag(tab, s));
	switch (rnd(queued_only ? 2 : 3)) {
	case 1:
		/* pidfd_send_signal(), with a siginfo when queued_only */
		fd = tg_pidfd_open(thread ? tid_of(s) : pid_of(s),
				   thread ? PIDFD_THREAD : 0);
		if (fd >= 0) {
			ret = tg_pidfd_send_signal(fd, sig,
						   queued_only ? &si : NULL, 0);
			if (ret)
				ret = errno;
			close(fd);
			return ret;
		}
		/* No PIDFD_THREAD before Linux 6.9: queue it instead. */
		if (!thread || errno != EINVAL)
			return errno;
		ret = tg_rt_tgsigqueueinfo(pid_of(s), tid_of(s), sig, &si);
		break;
	case 0:
		ret = thread ? tg_rt_tgsigqueueinfo(pid_of(s), tid_of(s), sig,
						    &si)
			     : tg_rt_sigqueueinfo(pid_of(s), sig, &si);
		break;
	default:
		/*
		 * kill() or tgkill().  A real-time signal only goes by
		 * tgkill(): kill()'s SI_USER would be set pending without a
		 * queue entry when none can be allocated, and coalesce.
		 */
		ret = thread ? tg_tgkill(pid_of(s), tid_of(s), sig)
			     : kill(pid_of(s), sig);
		break;
	}
	return ret ? errno : 0;
}

static void op_send_rt(bool thread)
{
	struct slot *tab = thread ? S->tslot : S->pslot;
	int n = thread ? S->max_procs * (S->max_workers + 1) : S->max_procs;
	struct slot *s = pick(tab, n);
	int err;

	if (!s)
		return;
	if (thread && !rnd(3))
		/* tgkill() sends SI_TKILL, refused with EAGAIN too */
		err = tg_tgkill(pid_of(s), tid_of(s), SIG_TRT) ? errno : 0;
	else
		err = send_one(tab, s, thread ? SIG_TRT : SIG_PRT, thread,
			       true);
	if (!err)
		__atomic_add_fetch(&s->rt_sent, 1, __ATOMIC_RELAXED);
	else if (err == EAGAIN)
		add(&S->rt_eagain, 1);
	else
		error(thread ? "thread-directed rt signal" :
			       "process-directed rt signal", err);
	slot_put(s);
}

static void op_send_classic(bool thread)
{
	struct slot *tab = thread ? S->tslot : S->pslot;
	int n = thread ? S->max_procs * (S->max_workers + 1) : S->max_procs;
	struct slot *s = pick(tab, n);
	int before, need, burst, i, err, sent = 0;

	if (!s)
		return;
	before = LOAD(&s->cl_recv);
	burst = 1 + rnd(3);
	for (i = 0; i < burst; i++) {
		err = send_one(tab, s, thread ? SIG_TCL : SIG_PCL, thread,
			       false);
		if (err)
			error(thread ? "thread-directed classic signal" :
				       "process-directed classic signal", err);
		else
			sent++;
	}
	if (sent) {
		/* Handled at least once after the burst started. */
		need = LOAD(&s->cl_need);
		while (need < before + 1 &&
		       !__atomic_compare_exchange_n(&s->cl_need, &need,
						    before + 1, true,
						    __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED))
			;
		__atomic_add_fetch(&s->cl_sent, sent, __ATOMIC_RELAXED);
		add(&S->cl_bursts, 1);
	}
	slot_put(s);
}

/*
 * Stop another process and continue it.  One stop at a time, so that no
 * two processes stop each other; not a namespace's init from inside, which
 * ignores SIGSTOP from there.
 */
static void op_stop(void)
{
	struct slot *s;
	int unlocked = 0;

	if (!__atomic_compare_exchange_n(&S->stop_lock, &unlocked, 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	s = pick(S->pslot, S->max_procs);
	if (s && (s->lpid == getpid() && s->ns == my_ns)) {
		slot_put(s);
		s = NULL;
	}
	if (s && my_ns && s->lpid == 1) {
		slot_put(s);
		s = NULL;
	}
	if (s) {
		if (kill(pid_of(s), SIGSTOP)) {
			error("SIGSTOP", errno);
		} else {
			/* /proc speaks the test's namespace */
			if (tg_wait_task_state(s->pid, s->pid, "T") != 'T')
				error("stopped process gone", ESRCH);
			if (kill(pid_of(s), SIGCONT))
				error("SIGCONT", errno);
			add(&S->stops, 1);
		}
		slot_put(s);
	}
	__atomic_store_n(&S->stop_lock, 0, __ATOMIC_RELEASE);
}

/* Processes. */

static void account_reap(pid_t pid, int status)
{
	add(&S->reaps, 1);
	__atomic_sub_fetch(&S->procs_live, 1, __ATOMIC_RELAXED);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		add(&S->abnormal, 1);
		note("pid %d ended with status %#x", pid, status);
	}
}

static void reap_some(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		account_reap(pid, status);
}

static bool reserve_proc(void)
{
	int n = LOAD(&S->procs_live);

	do {
		if (n >= S->max_procs)
			return false;
	} while (!__atomic_compare_exchange_n(&S->procs_live, &n, n + 1, true,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return true;
}

static void exec_agent(void)
{
	char fd[16], ns[16];

	snprintf(fd, sizeof(fd), "%d", S->memfd);
	snprintf(ns, sizeof(ns), "%d", my_ns);
	execl("/proc/self/exe", "storm", "--agent", fd, ns,
	      ns_init ? "init" : "member", (char *)NULL);
}

/* In a new child: forget the parent's threads and slots. */
static void child_reset(bool init)
{
	my_pslot = -1;
	my_tslot = -1;
	running = 1;
	nworkers = 0;
	coordinating = 0;
	no_fork = false;
	ns_init = init;
	seed_thread();
}

/* The child goes on as an agent, or as this program in agent mode. */
static __noreturn void child_run(void)
{
	if (rnd(2)) {
		add(&S->execs, 1);
		exec_agent();
		error("exec", errno);
		_exit(1);
	}
	agent();
}

static void op_fork(void)
{
	pid_t pid;

	if (no_fork || !reserve_proc())
		return;
	pid = fork();
	if (pid == 0) {
		child_reset(false);
		child_run();
	}
	if (pid < 0) {
		__atomic_sub_fetch(&S->procs_live, 1, __ATOMIC_RELAXED);
		if (errno == EAGAIN || errno == ENOMEM)
			add(&S->fork_failures, 1);
		else
			error("fork", errno);
		return;
	}
	add(&S->forks, 1);
}

/* Enter a new PID namespace: fork its init there, then come back. */
static void op_new_ns(void)
{
	int k, fd, err, n = LOAD(&S->ns_live);
	pid_t pid;

	if (my_ns || no_fork)
		return;
	do {
		if (n >= S->max_ns)
			return;
	} while (!__atomic_compare_exchange_n(&S->ns_live, &n, n + 1, true,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	for (k = 1; k <= MAX_NS; k++)
		if (!__atomic_exchange_n(&S->ns[k].used, 1, __ATOMIC_ACQ_REL))
			break;
	if (k > MAX_NS || !reserve_proc()) {
		if (k <= MAX_NS)
			__atomic_store_n(&S->ns[k].used, 0, __ATOMIC_RELEASE);
		__atomic_sub_fetch(&S->ns_live, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_store_n(&S->ns[k].closing, 0, __ATOMIC_RELEASE);
	fd = open("/proc/thread-self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || unshare(CLONE_NEWPID)) {
		err = errno;
		if (fd < 0 || (err != EPERM && err != EINVAL))
			error("unshare(CLONE_NEWPID)", err);
		else
			add(&S->ns_unavailable, 1);
		pid = -1;
	} else {
		pid = fork();
		if (pid == 0) {
			close(fd);
			my_ns = k;
			child_reset(true);
			child_run();
		}
		err = errno;
		if (setns(fd, CLONE_NEWPID)) {
			/* Its next fork would land in namespace k. */
			error("setns back", errno);
			no_fork = true;
		}
		if (pid < 0 && err != EAGAIN && err != ENOMEM)
			error("fork of a namespace init", err);
		else if (pid < 0)
			add(&S->fork_failures, 1);
	}
	if (fd >= 0)
		close(fd);
	if (pid < 0) {
		__atomic_sub_fetch(&S->procs_live, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&S->ns[k].used, 0, __ATOMIC_RELEASE);
		__atomic_sub_fetch(&S->ns_live, 1, __ATOMIC_RELAXED);
		return;
	}
	add(&S->forks, 1);
	add(&S->ns_created, 1);
}

/* Threads, and the end of a process. */

static __noreturn void agent_loop(void);

static void *worker(void *arg)
{
	seed_thread();
	open_thread_slot();
	agent_loop();
}

static void op_thread(void)
{
	int n = LOAD(&nworkers), err;
	pthread_attr_t attr;
	pthread_t th;

	do {
		if (n >= S->max_workers)
			return;
	} while (!__atomic_compare_exchange_n(&nworkers, &n, n + 1, true,
					      __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	__atomic_add_fetch(&running, 1, __ATOMIC_ACQ_REL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	err = pthread_create(&th, &attr, worker, NULL);
	pthread_attr_destroy(&attr);
	if (!err) {
		add(&S->threads_created, 1);
		return;
	}
	__atomic_sub_fetch(&nworkers, 1, __ATOMIC_ACQ_REL);
	__atomic_sub_fetch(&running, 1, __ATOMIC_ACQ_REL);
	tg_futex_wake(&running);
	if (err == EAGAIN)
		add(&S->thread_failures, 1);
	else
		error("pthread_create", err);
}

/*
 * A thread other than the process's first one ends.  It blocks the
 * process-directed signals too, so that none is taken by a thread on its
 * way out once the process may count itself done.
 */
static void op_thread_exit(void)
{
	sigset_t set;

	retire_thread_slot();
	storm_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	add(&S->threads_ended, 1);
	__atomic_sub_fetch(&nworkers, 1, __ATOMIC_ACQ_REL);
	__atomic_sub_fetch(&running, 1, __ATOMIC_ACQ_REL);
	tg_futex_wake(&running);
	pthread_exit(NULL);
}

/*
 * Another thread ends the process: retire this thread's slot, block the
 * storm's signals (the process-directed ones go to the threads that still
 * run) and sleep until the exit or exec takes this thread away.
 */
static __noreturn void park(void)
{
	sigset_t set;

	retire_thread_slot();
	storm_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	__atomic_sub_fetch(&running, 1, __ATOMIC_ACQ_REL);
	tg_futex_wake(&running);
	for (;;)
		pause();
}

/*
 * End the process, by exit or exec.  Once the other threads are parked,
 * an init reaps its namespace; then the storm's signals are blocked, the
 * slots close, and what is pending is taken, or (one exit in four) left
 * for the exit to discard.  An exec keeps pending signals: it takes them all.
 */
static __noreturn void end_process(bool do_exec)
{
	bool left = !do_exec && !rnd(4);
	struct slot *p;
	sigset_t set;
	int v, status;
	pid_t pid;

	if (__atomic_exchange_n(&coordinating, 1, __ATOMIC_ACQ_REL))
		park();
	while ((v = LOAD(&running)) > 1)
		tg_futex_wait(&running, v);
	if (ns_init && !do_exec) {
		__atomic_store_n(&S->ns[my_ns].closing, 1, __ATOMIC_RELEASE);
		for (;;) {
			pid = waitpid(-1, &status, 0);
			if (pid > 0)
				account_reap(pid, status);
			else if (errno != EINTR)
				break;
		}
	}
	storm_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	p = &S->pslot[my_pslot];
	slot_close(p);
	if (my_tslot >= 0)
		slot_close(&S->tslot[my_tslot]);
	if (!left)
		drain(&set);
	my_pslot = -1;
	slot_retire(S->pslot, p, "process", left);
	if (my_tslot >= 0) {
		p = &S->tslot[my_tslot];
		my_tslot = -1;
		slot_retire(S->tslot, p, "thread", left);
	}
	/* The exit or exec takes the other threads. */
	add(&S->threads_ended, nworkers);
	if (do_exec) {
		add(&S->execs, 1);
		exec_agent();
		error("exec", errno);
		_exit(1);
	}
	if (ns_init) {
		__atomic_store_n(&S->ns[my_ns].used, 0, __ATOMIC_RELEASE);
		__atomic_sub_fetch(&S->ns_live, 1, __ATOMIC_RELAXED);
	}
	_exit(0);
}

static __thread bool leader;	/* the process's first thread */

static void agent_loop(void)
{
	unsigned int op;

	for (;;) {
		if (LOAD(&coordinating))
			park();
		if (storm_over())
			end_process(false);
		op = rnd(100);
		if (op < 22)
			op_send_rt(false);
		else if (op < 40)
			op_send_rt(true);
		else if (op < 54)
			op_send_classic(false);
		else if (op < 66)
			op_send_classic(true);
		else if (op < 69)
			op_stop();
		else if (op < 76)
			op_fork();
		else if (op < 78)
			end_process(true);
		else if (op < 81 && (!ns_init || !rnd(4)))
			end_process(false);
		else if (op < 87)
			op_thread();
		else if (op < 91 && !leader)
			op_thread_exit();
		else if (op < 93)
			op_new_ns();
		else
			sched_yield();
		reap_some();
	}
}

/* The calling thread becomes the first thread of an agent process. */
static void agent(void)
{
	struct sigaction sa = {
		.sa_sigaction = handler,
		.sa_flags = SA_SIGINFO | SA_RESTART,
	};
	sigset_t set;
	int i;

	storm_set(&set);
	for (i = 0; i < 4; i++)
		sigaction(storm_sigs[i], &sa, NULL);
	my_pslot = slot_claim(S->pslot, S->max_procs);
	if (my_pslot < 0) {
		error("no free process slot", ENOSPC);
		_exit(1);
	}
	slot_open(&S->pslot[my_pslot], false);
	open_thread_slot();
	leader = true;
	/* An exec'd agent comes with them blocked. */
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	agent_loop();
}

/* storm --agent MEMFD NS init|member: an agent after exec. */
static int agent_main(int argc, char **argv)
{
	int fd;

	if (argc != 5)
		return 1;
	fd = atoi(argv[2]);
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (S == MAP_FAILED)
		return 1;
	my_ns = atoi(argv[3]);
	child_reset(!strcmp(argv[4], "init"));
	agent();
}

/* The test process. */

static long read_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

#define SLAB	"/sys/kernel/slab/sigqueue/"

/*
 * Objects allocated from the sigqueue cache, once the per-CPU slabs are
 * flushed (shrink) so that the count is exact; -1 with the reason in @why
 * when it cannot be told.  Not from /proc/slabinfo: that needs the same
 * CONFIG_SLUB_DEBUG, and without a shrink its active objects include the
 * free ones of the per-CPU slabs.  A cache merged with others counts theirs
 * too: the kernel must not merge it (slab_nomerge, or
 * CONFIG_SLAB_MERGE_DEFAULT=n as in this collection's config).
 */
static long sigqueue_objects(char *why, size_t len)
{
	long aliases;
	int fd;

	if (read_long(SLAB "objects") < 0) {
		snprintf(why, len,
			 "no %sobjects (CONFIG_SYSFS, CONFIG_SLUB_DEBUG, CONFIG_SLUB_TINY=n)",
			 SLAB);
		return -1;
	}
	aliases = read_long(SLAB "aliases");
	if (aliases) {
		snprintf(why, len,
			 "the cache is shared with %ld others (CONFIG_SLAB_MERGE_DEFAULT=n or slab_nomerge)",
			 aliases);
		return -1;
	}
	fd = open(SLAB "shrink", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		snprintf(why, len, "%sshrink: %s", SLAB, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return read_long(SLAB "objects");
}

/* Free, and nothing counted since it was retired. */
static bool slot_clean(struct slot *s)
{
	return !s->word && !s->rt_sent && !s->rt_recv && !s->cl_sent &&
	       !s->cl_recv && !s->cl_need;
}

static bool over(void)
{
	return LOAD(&S->stop) || LOAD(&S->ops) >= S->max_ops ||
	       now_ns() >= S->deadline;
}

static void spawn_agent(void)
{
	pid_t pid;

	if (!reserve_proc())
		return;
	pid = fork();
	if (pid == 0) {
		child_reset(false);
		child_run();
	}
	if (pid < 0) {
		__atomic_sub_fetch(&S->procs_live, 1, __ATOMIC_RELAXED);
		error("fork", errno);
		return;
	}
	add(&S->forks, 1);
}

/* Reap until no child is left: the orphans of ns 0 come here too. */
static void reap_all(void)
{
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, 0);
		if (pid > 0)
			account_reap(pid, status);
		else if (errno == EINTR)
			continue;
		else if (errno != ECHILD)
			error("waitpid", errno);
		if (!over() && LOAD(&S->procs_live) < 2)
			spawn_agent();
		else if (pid < 0)
			break;
	}
}

FIXTURE(storm) {
	int memfd;
};

FIXTURE_SETUP(storm)
{
	pid_t pid, tid;

	ASSERT_EQ(0, tg_proc_self_ids(&pid, &tid));
	if (pid != getpid() || tid != tg_gettid())
		SKIP(return, "/proc is not from this PID namespace");
	self->memfd = memfd_create("tg_signal_storm", 0);
	ASSERT_GE(self->memfd, 0);
	ASSERT_EQ(ftruncate(self->memfd, sizeof(*S)), 0);
	S = mmap(NULL, sizeof(*S), PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->memfd, 0);
	ASSERT_NE(S, MAP_FAILED);
	S->memfd = self->memfd;
	S->max_ops = P.ops;
	S->max_procs = P.procs;
	S->max_workers = P.threads;
	S->max_ns = P.ns;
	S->seed = P.seed;
}

FIXTURE_TEARDOWN(storm)
{
	if (!S)
		return;
	/* When the test stopped early: end the storm, reap it. */
	__atomic_compare_exchange_n(&S->ended_by, &(int){ 0 }, 3, false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	__atomic_store_n(&S->stop, 1, __ATOMIC_RELEASE);
	reap_all();
	munmap(S, sizeof(*S));
	close(self->memfd);
}

/*
 * How to run this storm again: the same seed and bounds make the same
 * choices; the kernel's interleaving of them may differ.
 */
static void print_replay(void)
{
	char bounds[128];

	snprintf(bounds, sizeof(bounds),
		 "--procs=%d --threads=%d --ns=%d --sigpending=%d",
		 P.procs, P.threads, P.ns, P.sigpending);
	ksft_print_msg("storm: to replay: storm --seed=%llu --duration=%d --ops=%ld %s\n",
		       P.seed, P.duration, P.ops, bounds);
}

TEST_F_TIMEOUT(storm, ends_with_all_reaped_and_no_signal_lost, 280)
{
	static const char * const ended[] = {
		"?", "time", "operations", "teardown",
	};
	uid_t uid = STORM_UID_BASE + getpid();
	long objs0, objs1, lim;
	char why[160] = "";
	struct rlimit rl;
	long long t0, t1;
	int q0, q1, i;

	/*
	 * The storm's queued signals are counted against its real uid: one
	 * of its own, with root's effective uid and capabilities kept, so
	 * that no other process adds to the count.
	 */
	if (geteuid())
		uid = getuid();
	if (!geteuid())
		ASSERT_EQ(setresuid(uid, 0, 0), 0);
	q0 = tg_sigq(&lim);
	ASSERT_GE(q0, 0) TH_LOG("no SigQ in /proc/self/status");
	objs0 = sigqueue_objects(why, sizeof(why));

	ASSERT_EQ(getrlimit(RLIMIT_SIGPENDING, &rl), 0);
	if (rl.rlim_cur > (rlim_t)P.sigpending)
		rl.rlim_cur = P.sigpending;
	ASSERT_EQ(setrlimit(RLIMIT_SIGPENDING, &rl), 0);
	ASSERT_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ksft_print_msg("storm: seed %llu; bounds: %d s, %ld operations\n",
		       P.seed, P.duration, P.ops);
	print_replay();
	ksft_print_msg("storm: up to %d processes of %d threads, %d PID namespaces\n",
		       P.procs, P.threads + 1, P.ns);
	ksft_print_msg("storm: uid %u, RLIMIT_SIGPENDING %ld\n", uid,
		       (long)rl.rlim_cur);

	seed_thread();
	t0 = now_ns();
	S->deadline = t0 + P.duration * 1000000000LL;
	for (i = 0; i < 4 && i < P.procs; i++)
		spawn_agent();
	reap_all();
	t1 = now_ns();

	q1 = tg_sigq(&lim);
	objs1 = objs0 < 0 ? -1 : sigqueue_objects(why, sizeof(why));

	ksft_print_msg("storm: ended by %s after %.1f s and %ld operations\n",
		       ended[S->ended_by], (t1 - t0) / 1e9, S->ops);
	ksft_print_msg("storm: processes: %ld forked (%ld ns inits), %ld execs, %ld reaped\n",
		       S->forks, S->ns_created, S->execs, S->reaps);
	ksft_print_msg("storm: threads: %ld created, %ld ended; %ld abnormal exits\n",
		       S->threads_created, S->threads_ended, S->abnormal);
	ksft_print_msg("storm: real-time signals: %ld sent, %ld received, %ld EAGAIN\n",
		       S->rt_sent, S->rt_recv, S->rt_eagain);
	ksft_print_msg("storm: %ld real-time signals left for an exit to discard, in %ld slots\n",
		       S->rt_left, S->slots_left);
	ksft_print_msg("storm: classic signals: %ld sent in %ld bursts, %ld received\n",
		       S->cl_sent, S->cl_bursts, S->cl_recv);
	ksft_print_msg("storm: classic ones handled without siginfo %ld; stops %ld\n",
		       S->cl_noinfo, S->stops);
	ksft_print_msg("storm: failures: fork %ld, thread %ld, namespace %ld\n",
		       S->fork_failures, S->thread_failures, S->ns_unavailable);
	if (objs0 >= 0 && objs1 >= 0)
		ksft_print_msg("storm: sigqueue objects: before %ld, after %ld\n",
			       objs0, objs1);
	else
		ksft_print_msg("storm: sigqueue objects: not measurable: %s\n",
			       why);
	ksft_print_msg("storm: SigQ: before %d, after %d (limit %ld)\n", q0, q1,
		       lim);
	for (i = 0; i < S->nlog && i < NR_LOG; i++)
		TH_LOG("%s", S->log[i]);

	/* Every task reaped. */
	EXPECT_EQ(S->forks, S->reaps);
	EXPECT_EQ(S->procs_live, 0);
	EXPECT_EQ(S->abnormal, 0);
	EXPECT_EQ(S->threads_created, S->threads_ended);
	for (i = 0; i < MAX_PROCS; i++)
		EXPECT_TRUE(slot_clean(&S->pslot[i]))
			TH_LOG("process slot %d", i);
	for (i = 0; i < MAX_TSLOTS; i++)
		EXPECT_TRUE(slot_clean(&S->tslot[i]))
			TH_LOG("thread slot %d", i);
	/* No signal lost, duplicated or misdelivered. */
	EXPECT_EQ(S->lost_rt, 0);
	EXPECT_EQ(S->extra_rt, 0);
	EXPECT_EQ(S->rt_sent, S->rt_recv + S->rt_left);
	EXPECT_EQ(S->lost_classic, 0);
	EXPECT_EQ(S->misrouted, 0);
	EXPECT_EQ(S->stray, 0);
	EXPECT_EQ(S->errors, 0);
	/* The storm did send. */
	EXPECT_GT(S->rt_sent, 0);
	EXPECT_GT(S->cl_bursts, 0);
	/*
	 * Nothing left queued: exactly, for the storm's own uid; the cache
	 * counts every process's sigqueues, and one that another process
	 * had pending when the storm began (a SIGCHLD siginfo of the test
	 * runner, say) may be gone by its end, so there no more than before.
	 */
	EXPECT_EQ(q1, q0);
	if (objs0 >= 0 && objs1 >= 0)
		EXPECT_LE(objs1, objs0)
			TH_LOG("%ld sigqueue objects before the storm, %ld after",
			       objs0, objs1);
	if (_metadata->exit_code == KSFT_FAIL) {
		ksft_print_msg("storm: FAILED with seed %llu\n", P.seed);
		print_replay();
	}
}

static bool param(const char *arg)
{
	static const struct {
		const char *name;
		long min, max;
		void *val;
		bool is_long;
	} opts[] = {
		{ "--duration=", 1, 200, &P.duration, false },
		{ "--ops=", 1, LONG_MAX, &P.ops, true },
		{ "--procs=", 1, MAX_PROCS, &P.procs, false },
		{ "--threads=", 0, MAX_WORKERS, &P.threads, false },
		{ "--ns=", 0, MAX_NS, &P.ns, false },
		{ "--sigpending=", 1, INT_MAX, &P.sigpending, false },
	};
	size_t i, len;
	long v;

	if (!strncmp(arg, "--seed=", 7)) {
		P.seed = strtoull(arg + 7, NULL, 0);
		P.seeded = true;
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		len = strlen(opts[i].name);
		if (strncmp(arg, opts[i].name, len))
			continue;
		v = strtol(arg + len, NULL, 0);
		if (v < opts[i].min)
			v = opts[i].min;
		if (v > opts[i].max)
			v = opts[i].max;
		if (opts[i].is_long)
			*(long *)opts[i].val = v;
		else
			*(int *)opts[i].val = v;
		return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	int i, n = 1;

	if (argc > 1 && !strcmp(argv[1], "--agent"))
		return agent_main(argc, argv);
	for (i = 1; i < argc; i++)
		if (!param(argv[i]))
			argv[n++] = argv[i];
	argv[n] = NULL;
	if (!P.seeded)
		P.seed = (unsigned long long)now_ns() ^ getpid();
	return test_harness_run(n, argv);
}
