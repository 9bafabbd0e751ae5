// SPDX-License-Identifier: GPL-2.0
/*
 * sigfuzz: random signals between the processes and threads of one PID
 * namespace, made from the system calls trinity never calls.
 *
 *	sigfuzz SEED SECONDS WORKERS
 *
 * Trinity marks kill, tkill, tgkill, rt_sigqueueinfo, clone, clone3, fork,
 * exit_group and ptrace AVOID: random targets would kill trinity itself.
 * Those are the calls that reach kill_something_info(), complete_signal()
 * and the PID namespace zap.  sigfuzz makes them safe the other way round:
 * it is the init of a PID namespace of its own (guest/fuzz.sh starts it
 * with unshare --pid --fork --mount-proc), so nothing outside can be hit,
 * and as init it cannot be killed from inside.  It keeps WORKERS worker
 * processes alive.  Each loops over random calls: signals of every kind
 * (kill(-1), process groups, threads, queued siginfo, pidfds) sent to
 * pids and tids the workers have had, to nobody, or to junk; handlers,
 * masks and waits; fork, threads, clone3 with CLONE_NEWPID and setns
 * into another namespace, exec from any thread, setsid/setpgid, ptrace;
 * the exit of a thread, of a leader with live threads, of a group.
 *
 * SEED fixes every choice a worker makes (each draws from its own
 * generator, seeded by SEED, its slot and its generation); the
 * interleaving of workers is the scheduler's, as it is for trinity.
 *
 * The supervisor (pid 1) reaps, respawns a worker that died, wakes the
 * stopped every second and, every RESET_EVERY seconds or when no call
 * completed for STALL_AFTER seconds (everything stopped or traced),
 * sends SIGKILL to -1: the whole namespace, nested ones included.  At
 * SECONDS it prints its totals and exits with its workers alive, and
 * the kernel zaps the namespace.  It stops early, within a tenth of a
 * second, when the kernel's taint changes, as trinity does: the last
 * calls of each worker slot are then those around the finding.
 *
 * Lines for the host (fuzz.py and sigfuzz.py read them), on stdout:
 *	sigfuzz: start seed=S seconds=N workers=W
 *	sigfuzz: progress calls=N ok=S
 *	sigfuzz: op NAME calls=N ok=S
 *	sigfuzz: tainted from=T to=T after=SECONDS
 *	sigfuzz: last [wSLOT PID:TID] CALL
 *	sigfuzz: total calls=N ok=S spawned=P resets=R
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define MAX_WORKERS	16
#define POOL		64	/* pids and tids seen, newest first */
#define RING		64	/* calls remembered per worker slot */
#define MAX_PROCS	48	/* no fork or clone above this many */
#define MAX_THREADS	6	/* per process */
#define RESET_EVERY	20
#define STALL_AFTER	3
#define LINE		96

#ifndef PIDFD_SIGNAL_THREAD
#define PIDFD_SIGNAL_THREAD		(1UL << 0)
#define PIDFD_SIGNAL_THREAD_GROUP	(1UL << 1)
#define PIDFD_SIGNAL_PROCESS_GROUP	(1UL << 2)
#endif

#define OPS(X) \
	X(kill) X(kill_all) X(kill_pgrp) X(tkill) X(tgkill) \
	X(rt_sigqueueinfo) X(rt_tgsigqueueinfo) X(pidfd_send_signal) \
	X(rt_sigaction) X(rt_sigprocmask) X(rt_sigtimedwait) X(sigaltstack) \
	X(signalfd4) X(fork) X(thread) X(clone3) X(unshare) X(setns) \
	X(exit_group) X(exit) X(execve) X(waitid) X(setsid) X(setpgid) \
	X(ptrace) X(prctl)
#define ENUM(n) OP_##n,
#define NAME(n) #n,
enum op { OPS(ENUM) NR_OPS };
static const char *const op_name[] = { OPS(NAME) };

struct ring {
	unsigned long next;
	char line[RING][LINE];
};

/* Shared by every process of the namespace: mapped before the first fork. */
struct shared {
	volatile int stop;
	volatile int procs;		/* counted by the supervisor in /proc */
	unsigned long pool_next;
	volatile pid_t pool[POOL][2];	/* a thread: its tgid and its tid */
	unsigned long calls[NR_OPS], ok[NR_OPS];
	unsigned long done;		/* calls completed, for stall detection */
	struct ring ring[MAX_WORKERS];
};

static struct shared *sh;
static uint64_t seed;
static const char *self_exe = "/proc/self/exe";

/* Per thread: its generator, its worker slot, how many calls are left. */
static __thread uint64_t rng;
static __thread int slot;
static __thread long budget;
/* Per process. */
static int nthreads = 1;
/*
 * A child of clone3(), which glibc does not know of: it must not take a
 * lock another thread may have held at the clone (malloc's, the thread
 * list's), so it makes no threads and no fork(); clone3() it may.
 */
static int raw_child;
static int shared_fd;
static pthread_mutex_t threads_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t rnd(void)
{
	rng = mix(rng);
	return rng;
}

static unsigned int below(unsigned int n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned int percent)
{
	return below(100) < percent;
}

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

static void pool_add(void)
{
	unsigned long i = __atomic_fetch_add(&sh->pool_next, 1,
					     __ATOMIC_RELAXED);

	sh->pool[i % POOL][0] = getpid();
	sh->pool[i % POOL][1] = gettid_();
}

/*
 * Someone the workers have been: a tgid or a tid as this namespace numbers
 * it (or as a nested one does, whoever added it), never pid 1, whose
 * ptrace stop would stall the supervisor.
 */
static pid_t known_thread(pid_t *tgid)
{
	unsigned int i = below(POOL);
	pid_t tid = sh->pool[i][1];

	*tgid = sh->pool[i][0];
	if (tid > 1 && *tgid > 1)
		return tid;
	*tgid = getpid();
	return gettid_();
}

static pid_t known(void)
{
	pid_t tgid, tid = known_thread(&tgid);

	return chance(70) ? tgid : tid;
}

/* A target for a send: mostly someone real, sometimes nobody or junk. */
static pid_t target(void)
{
	switch (below(10)) {
	case 0:
		return getpid();
	case 1:
		return gettid_();
	case 2:
		return 1;
	case 3:
		return 1 + below(4 * POOL);
	case 4:
		return chance(50) ? 0 : (chance(50) ? -1 : (pid_t)rnd());
	default:
		return known();
	}
}

/* A signal: most neither fatal nor stopping, so the workers live a while. */
static int signo(void)
{
	static const int plain[] = { SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH,
				     SIGURG, SIGCONT, SIGPROF, SIGVTALRM };
	static const int stop[] = { SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU };
	static const int fatal[] = { SIGKILL, SIGTERM, SIGINT, SIGHUP,
				     SIGALRM, SIGPIPE, SIGQUIT, SIGSEGV };
	unsigned int r = below(100);

	if (r < 45)
		return plain[below(8)];
	if (r < 65)
		return 32 + below(33);		/* real-time, kernel numbering */
	if (r < 72)
		return stop[below(4)];
	if (r < 80)
		return fatal[below(8)];
	if (r < 92)
		return 0;
	return chance(50) ? 65 + (int)below(100) : -(int)below(3);
}

static void note(const char *fmt, ...)
{
	struct ring *r = &sh->ring[slot];
	unsigned long i = __atomic_fetch_add(&r->next, 1, __ATOMIC_RELAXED);
	char *line = r->line[i % RING];
	va_list ap;
	int n;

	n = snprintf(line, LINE, "[w%d %d:%d] ", slot, getpid(), gettid_());
	va_start(ap, fmt);
	vsnprintf(line + n, LINE - n, fmt, ap);
	va_end(ap);
}

static void count_failed(enum op op)
{
	__atomic_fetch_add(&sh->calls[op], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->done, 1, __ATOMIC_RELAXED);
}

static void count(enum op op, long ret)
{
	__atomic_fetch_add(&sh->calls[op], 1, __ATOMIC_RELAXED);
	if (ret >= 0)
		__atomic_fetch_add(&sh->ok[op], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&sh->done, 1, __ATOMIC_RELAXED);
}

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	(void)uc;
}

static void set_action(int sig)
{
	static const int flags[] = { 0, SA_RESTART, SA_NODEFER, SA_RESETHAND,
				     SA_ONSTACK, SA_NOCLDSTOP, SA_NOCLDWAIT };
	struct sigaction sa = { 0 };
	long ret;

	switch (below(5)) {
	case 0:
		sa.sa_handler = SIG_IGN;
		break;
	case 1:
		sa.sa_handler = SIG_DFL;
		break;
	default:
		sa.sa_sigaction = handler;
		sa.sa_flags = SA_SIGINFO;
	}
	sa.sa_flags |= flags[below(7)];
	if (chance(30))
		sigaddset(&sa.sa_mask, 1 + below(64));
	note("rt_sigaction(%d, %s, 0x%x)", sig, sa.sa_flags & SA_SIGINFO ?
	     "handler" : sa.sa_handler == SIG_IGN ? "SIG_IGN" : "SIG_DFL",
	     sa.sa_flags);
	ret = syscall(SYS_rt_sigaction, sig, &sa, NULL, 8);
	count(OP_rt_sigaction, ret);
}

static void random_set(sigset_t *set)
{
	int i, n = below(6);

	sigemptyset(set);
	for (i = 0; i < n; i++)
		sigaddset(set, 1 + below(64));
}

static void loop(void);

static void *thread_main(void *arg)
{
	uint64_t s = (uint64_t)(uintptr_t)arg;

	rng = s;
	slot = s % MAX_WORKERS;
	budget = 50 + below(500);
	pool_add();
	loop();
	pthread_mutex_lock(&threads_lock);
	nthreads--;
	pthread_mutex_unlock(&threads_lock);
	return NULL;
}

static void new_thread(void)
{
	pthread_attr_t attr;
	pthread_t t;
	long ret;

	pthread_mutex_lock(&threads_lock);
	if (nthreads < MAX_THREADS) {
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 64 << 10);
		note("clone(CLONE_THREAD)");
		ret = -pthread_create(&t, &attr, thread_main,
				      (void *)(uintptr_t)((rnd() & ~0xfULL) |
							  slot));
		if (!ret)
			nthreads++;
		pthread_attr_destroy(&attr);
		count(OP_thread, ret);
	}
	pthread_mutex_unlock(&threads_lock);
}

/* A new process of the worker: it goes on with a shorter budget. */
static void child_starts(void)
{
	nthreads = 1;
	pthread_mutex_init(&threads_lock, NULL);
	rng = mix(rng ^ (uint64_t)getpid() << 32);
	budget = below(budget / 2 + 1);
	pool_add();
}

static void do_fork(void)
{
	pid_t pid;

	if (sh->procs >= MAX_PROCS || raw_child)
		return;
	note("fork()");
	pid = fork();
	if (!pid) {
		child_starts();
		return;
	}
	count(OP_fork, pid);
}

static void do_clone3(void)
{
	static const uint64_t flags[] = { CLONE_NEWPID, CLONE_PARENT,
					  CLONE_PIDFD, CLONE_NEWPID | CLONE_PIDFD,
					  CLONE_CLEAR_SIGHAND, 0 };
	struct clone_args args = { 0 };
	int pidfd = -1;
	long pid;

	if (sh->procs >= MAX_PROCS)
		return;
	args.flags = flags[below(6)];
	if (args.flags & CLONE_PIDFD)
		args.pidfd = (uintptr_t)&pidfd;
	args.exit_signal = chance(70) ? SIGCHLD : below(65);
	note("clone3(flags=0x%llx, exit_signal=%llu)",
	     (unsigned long long)args.flags,
	     (unsigned long long)args.exit_signal);
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (!pid) {
		raw_child = 1;
		child_starts();
		return;
	}
	count(OP_clone3, pid);
	if (pidfd >= 0) {
		if (chance(50)) {
			note("pidfd_send_signal(clone3 pidfd, SIGUSR1)");
			count(OP_pidfd_send_signal,
			      syscall(SYS_pidfd_send_signal, pidfd, SIGUSR1,
				      NULL, 0));
		}
		close(pidfd);
	}
}

static void send_one(void)
{
	int sig = signo();
	pid_t pid = target();
	siginfo_t si;
	long ret;
	int fd;

	switch (below(9)) {
	case 0:
	case 1:
		note("kill(%d, %d)", pid, sig);
		count(OP_kill, syscall(SYS_kill, pid, sig));
		break;
	case 2:
		note("kill(-1, %d)", sig);
		count(OP_kill_all, syscall(SYS_kill, -1, sig));
		break;
	case 3:
		pid = chance(30) ? 0 : -getpgid(known());
		note("kill(%d, %d)", pid, sig);
		count(OP_kill_pgrp, syscall(SYS_kill, pid, sig));
		break;
	case 4:
		note("tkill(%d, %d)", pid, sig);
		count(OP_tkill, syscall(SYS_tkill, pid, sig));
		break;
	case 5:
	{
		pid_t tgid, tid = known_thread(&tgid);

		if (chance(10))
			tgid = pid;
		note("tgkill(%d, %d, %d)", tgid, tid, sig);
		count(OP_tgkill, syscall(SYS_tgkill, tgid, tid, sig));
		break;
	}
	case 6:
	case 7:
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = chance(80) ? SI_QUEUE : (int)rnd();
		si.si_value.sival_int = below(1000);
		if (chance(50)) {
			note("rt_sigqueueinfo(%d, %d, code %d)", pid, sig,
			     si.si_code);
			ret = syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
			count(OP_rt_sigqueueinfo, ret);
		} else {
			note("rt_tgsigqueueinfo(%d, %d, %d, code %d)",
			     getpid(), pid, sig, si.si_code);
			ret = syscall(SYS_rt_tgsigqueueinfo, getpid(), pid, sig,
				      &si);
			count(OP_rt_tgsigqueueinfo, ret);
		}
		break;
	default: {
		static const unsigned int pflags[] = {
			0, PIDFD_SIGNAL_THREAD, PIDFD_SIGNAL_THREAD_GROUP,
			PIDFD_SIGNAL_PROCESS_GROUP, 8 };
		unsigned int fl = pflags[below(5)];

		/* O_EXCL is PIDFD_THREAD: a pidfd of a thread, since 6.9. */
		fd = syscall(SYS_pidfd_open, known(), chance(30) ? O_EXCL : 0);
		if (fd < 0)
			break;
		note("pidfd_send_signal(pidfd, %d, 0x%x)", sig, fl);
		count(OP_pidfd_send_signal,
		      syscall(SYS_pidfd_send_signal, fd, sig, NULL, fl));
		close(fd);
	}
	}
}

static void wait_some(void)
{
	static const int opts[] = { WEXITED, WSTOPPED, WCONTINUED, WNOWAIT,
				    __WALL, __WNOTHREAD, __WCLONE };
	int options = WNOHANG, i, n = 1 + below(3);
	idtype_t type = chance(60) ? P_ALL : chance(50) ? P_PID : P_PGID;
	siginfo_t si;

	for (i = 0; i < n; i++)
		options |= opts[below(7)];
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		options |= WEXITED;
	note("waitid(%d, 0x%x)", type, options);
	count(OP_waitid, waitid(type, type == P_ALL ? 0 : known(), &si,
				options));
}

/* The thread this one traces, if any: most requests go to it. */
static __thread pid_t tracee;

static void do_ptrace(void)
{
	pid_t tgid, pid = tracee && chance(90) ? tracee :
		known_thread(&tgid);
	long ret;

	switch (tracee ? 2 + below(6) : below(4)) {
	case 0:
		note("ptrace(PTRACE_SEIZE, %d)", pid);
		ret = ptrace(PTRACE_SEIZE, pid, 0, chance(50) ? 0 :
			     PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC);
		if (!ret)
			tracee = pid;
		break;
	case 1:
		note("ptrace(PTRACE_ATTACH, %d)", pid);
		ret = ptrace(PTRACE_ATTACH, pid, 0, 0);
		if (!ret)
			tracee = pid;
		break;
	case 2:
		note("ptrace(PTRACE_INTERRUPT, %d)", pid);
		ret = ptrace(PTRACE_INTERRUPT, pid, 0, 0);
		break;
	case 3:
	case 4:
		note("ptrace(PTRACE_CONT, %d)", pid);
		ret = ptrace(PTRACE_CONT, pid, 0, chance(50) ? 0 : signo());
		break;
	case 5:
		note("ptrace(PTRACE_LISTEN, %d)", pid);
		ret = ptrace(PTRACE_LISTEN, pid, 0, 0);
		break;
	case 6: {
		siginfo_t si;

		note("ptrace(PTRACE_GETSIGINFO, %d)", pid);
		ret = ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
		break;
	}
	default:
		note("ptrace(PTRACE_DETACH, %d)", pid);
		ret = ptrace(PTRACE_DETACH, pid, 0, chance(50) ? 0 : signo());
		if (!ret || errno == ESRCH)
			tracee = 0;
	}
	count(OP_ptrace, ret);
}

static void do_setns(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", known());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	note("setns(%s, CLONE_NEWPID)", path);
	count(OP_setns, setns(fd, CLONE_NEWPID));
	close(fd);
}

static void do_execve(void)
{
	char f[12], s[24], b[24], w[8];
	char *argv[] = { "sigfuzz", "--exec", f, s, w, b, NULL };

	snprintf(f, sizeof(f), "%d", shared_fd);
	snprintf(s, sizeof(s), "%llu", (unsigned long long)rnd());
	snprintf(w, sizeof(w), "%d", slot);
	snprintf(b, sizeof(b), "%ld", budget / 2);
	note("execve(/proc/self/exe) from tid %d", gettid_());
	/* Counted as done by the new image: --exec below. */
	if (execve(self_exe, argv, environ))
		count_failed(OP_execve);
}

static void one_call(void)
{
	unsigned int r = below(1000);
	sigset_t set;
	long ret;

	if (r < 450) {
		send_one();
	} else if (r < 520) {
		set_action(1 + below(64));
	} else if (r < 580) {
		random_set(&set);
		note("rt_sigprocmask(%s)", chance(50) ? "block" : "unblock");
		ret = sigprocmask(chance(50) ? SIG_BLOCK : SIG_UNBLOCK, &set,
				  NULL);
		count(OP_rt_sigprocmask, ret);
	} else if (r < 630) {
		struct timespec ts = { 0, chance(50) ? 0 : 1000000 };

		random_set(&set);
		note("rt_sigtimedwait()");
		count(OP_rt_sigtimedwait, sigtimedwait(&set, NULL, &ts));
	} else if (r < 640) {
		static __thread char alt[16384];
		stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt),
			       .ss_flags = chance(20) ? SS_DISABLE : 0 };

		note("sigaltstack()");
		count(OP_sigaltstack, sigaltstack(&ss, NULL));
	} else if (r < 655) {
		random_set(&set);
		note("signalfd4()");
		ret = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
		if (ret >= 0) {
			struct signalfd_siginfo ssi;

			if (read(ret, &ssi, sizeof(ssi)) < 0)
				errno = 0;
			close(ret);
		}
		count(OP_signalfd4, ret);
	} else if (r < 705) {
		do_fork();
	} else if (r < 745) {
		if (!raw_child)
			new_thread();
	} else if (r < 770) {
		do_clone3();
	} else if (r < 775) {
		note("unshare(CLONE_NEWPID)");
		count(OP_unshare, unshare(CLONE_NEWPID));
	} else if (r < 785) {
		do_setns();
	} else if (r < 790) {
		note("exit_group(0)");
		count(OP_exit_group, 0);
		syscall(SYS_exit_group, 0);
	} else if (r < 798) {
		/* A thread, or the leader while its threads live. */
		count(OP_exit, 0);
		note("exit(0) of tid %d", gettid_());
		if (gettid_() != getpid()) {
			pthread_mutex_lock(&threads_lock);
			nthreads--;
			pthread_mutex_unlock(&threads_lock);
		}
		syscall(SYS_exit, 0);
	} else if (r < 803) {
		do_execve();
	} else if (r < 880) {
		wait_some();
	} else if (r < 890) {
		note("setsid()");
		count(OP_setsid, setsid());
	} else if (r < 905) {
		pid_t pgid = chance(50) ? 0 : getpgid(known());

		/*
		 * Never a namespace's init into another process's group:
		 * once that process is reaped, its pid lives on as the
		 * group's, held by init alone, and zap_pid_ns_processes()
		 * waits for it forever when init exits.  A bug of the base
		 * kernels (README, Fuzzing), found here; not fuzzed again.
		 */
		if (getpid() == 1)
			pgid = 0;
		note("setpgid(0, %d)", pgid);
		count(OP_setpgid, setpgid(0, pgid));
	} else if (r < 960) {
		do_ptrace();
	} else {
		int sig = signo();

		if (chance(50)) {
			note("prctl(PR_SET_PDEATHSIG, %d)", sig);
			ret = prctl(PR_SET_PDEATHSIG, sig);
		} else {
			note("prctl(PR_SET_CHILD_SUBREAPER)");
			ret = prctl(PR_SET_CHILD_SUBREAPER, chance(50));
		}
		count(OP_prctl, ret);
	}
}

static void loop(void)
{
	while (budget-- > 0 && !sh->stop)
		one_call();
}

static void worker(int w, uint64_t s, long calls)
{
	int i;

	rng = s;
	slot = w;
	budget = calls;
	pool_add();
	/* Most signals handled, so that most sends do not kill. */
	for (i = 1; i <= 64; i++) {
		struct sigaction sa = { .sa_sigaction = handler,
					.sa_flags = SA_SIGINFO | SA_RESTART };

		if (chance(85))
			sigaction(i, &sa, NULL);
	}
	loop();
	syscall(SYS_exit_group, 0);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The processes of the namespace, nested ones and zombies included. */
static int count_procs(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return MAX_PROCS;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			n++;
	closedir(d);
	return n;
}

static void report(unsigned long spawned, unsigned long resets)
{
	unsigned long calls = 0, ok = 0;
	unsigned long j;
	int i;

	for (i = 0; i < NR_OPS; i++) {
		printf("sigfuzz: op %s calls=%lu ok=%lu\n", op_name[i],
		       sh->calls[i], sh->ok[i]);
		calls += sh->calls[i];
		ok += sh->ok[i];
	}
	for (i = 0; i < MAX_WORKERS; i++) {
		struct ring *r = &sh->ring[i];
		unsigned long n = r->next;

		for (j = n > RING ? n - RING : 0; j < n; j++)
			printf("sigfuzz: last %.*s\n", LINE, r->line[j % RING]);
	}
	printf("sigfuzz: total calls=%lu ok=%lu spawned=%lu resets=%lu\n",
	       calls, ok, spawned, resets);
	fflush(stdout);
}

static void progress(void)
{
	unsigned long calls = 0, ok = 0;
	int i;

	for (i = 0; i < NR_OPS; i++) {
		calls += sh->calls[i];
		ok += sh->ok[i];
	}
	printf("sigfuzz: progress calls=%lu ok=%lu\n", calls, ok);
	fflush(stdout);
}

static long taint(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/kernel/tainted", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return atol(buf);
}

static int supervise(double seconds, int workers)
{
	pid_t slots[MAX_WORKERS] = { 0 };
	unsigned long spawned = 0, resets = 0, last_done = 0;
	double start = now(), last_reset = start, last_wake = start;
	double last_progress = start, last_change = start;
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	long tainted = taint(), now_tainted;
	sigset_t chld;
	int i;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	printf("sigfuzz: start seed=%llu seconds=%.0f workers=%d\n",
	       (unsigned long long)seed, seconds, workers);
	fflush(stdout);
	while (now() - start < seconds) {
		double t = now();
		pid_t pid;

		for (i = 0; i < workers; i++) {
			if (slots[i])
				continue;
			pid = fork();
			if (!pid) {
				sigprocmask(SIG_UNBLOCK, &chld, NULL);
				worker(i, mix(seed ^ ((uint64_t)i << 48) ^
					      spawned), 200 + spawned % 4000);
			}
			if (pid > 0) {
				slots[i] = pid;
				spawned++;
			}
		}
		sigtimedwait(&chld, NULL, &tick);
		while ((pid = waitpid(-1, NULL, WNOHANG | __WALL)) > 0)
			for (i = 0; i < workers; i++)
				if (slots[i] == pid)
					slots[i] = 0;
		if (sh->done != last_done) {
			last_done = sh->done;
			last_change = t;
		}
		if (t - last_wake >= 1) {
			last_wake = t;
			sh->procs = count_procs();
			kill(-1, SIGCONT);
		}
		if (t - last_reset >= RESET_EVERY ||
		    t - last_change >= STALL_AFTER) {
			kill(-1, SIGKILL);
			last_reset = last_change = t;
			resets++;
		}
		if (t - last_progress >= 30) {
			last_progress = t;
			progress();
		}
		now_tainted = taint();
		if (now_tainted != tainted) {
			printf("sigfuzz: tainted from=%ld to=%ld after=%.0f\n",
			       tainted, now_tainted, t - start);
			break;
		}
	}
	sh->stop = 1;
	report(spawned, resets);
	/* Exit with the workers alive: the namespace's zap is fuzzed too. */
	return 0;
}

/*
 * The page every process shares, in a file so that a worker that execs
 * maps it again from the descriptor it kept.
 */
static int map_shared(int fd)
{
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  0);
	if (sh == MAP_FAILED) {
		perror("sigfuzz: mmap");
		return -1;
	}
	shared_fd = fd;
	return 0;
}

static int make_shared(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/sigfuzz-%llu.shared",
		 (unsigned long long)seed);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || unlink(path) || ftruncate(fd, sizeof(*sh))) {
		fprintf(stderr, "sigfuzz: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return map_shared(fd);
}

int main(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };
	int workers;

	/* A worker that exec'd: --exec FD SEED SLOT BUDGET. */
	if (argc == 6 && !strcmp(argv[1], "--exec")) {
		if (map_shared(atoi(argv[2])))
			return 1;
		count(OP_execve, 0);
		worker(atoi(argv[4]) % MAX_WORKERS,
		       strtoull(argv[3], NULL, 0), atol(argv[5]));
		return 0;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: sigfuzz SEED SECONDS WORKERS\n");
		return 2;
	}
	seed = strtoull(argv[1], NULL, 0);
	workers = atoi(argv[3]);
	if (workers < 1 || workers > MAX_WORKERS) {
		fprintf(stderr, "sigfuzz: WORKERS must be 1 to %d\n",
			MAX_WORKERS);
		return 2;
	}
	if (getpid() != 1) {
		fprintf(stderr, "sigfuzz: must be the init of a PID namespace "
			"of its own: unshare --pid --fork --mount-proc sigfuzz\n");
		return 2;
	}
	/*
	 * A process group reaches across PID namespaces: kill(0) and
	 * kill(-pgrp) would hit the guest's shell, which shares ours.
	 */
	if (setsid() < 0) {
		perror("sigfuzz: setsid");
		return 1;
	}
	setrlimit(RLIMIT_CORE, &no_core);
	if (make_shared())
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	return supervise(strtod(argv[2], NULL), workers);
}
