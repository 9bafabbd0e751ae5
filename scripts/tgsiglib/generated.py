# SPDX-License-Identifier: GPL-2.0
"""The patches of the series that tgsig generates from the top level of
this repository (selftests/, Documentation/), their commit messages, and
where each stands among the hand-written kernel patches.

The selftests go in one patch per topic, each small enough to review, and
a test of a kernel change right after that change. They go in
tools/testing/selftests/signal/, beside mainline's own signal tests. The
directory's Makefile and .gitignore grow with the programs: each patch
carries the lines of the programs added so far, after the kernel's own
lines where the base has the directory.
"""
from __future__ import annotations

import dataclasses
from typing import List, Optional, Tuple

# The hand-written kernel patches, by the start of their subject.
TABLE = 'signal: describe every signal'
TRACEPOINT = 'signal: add a tracepoint for the thread'
KILL_ALL = 'pid_namespace: zap the namespace'

# (top-level path, path in the kernel tree): a file copied whole.
Copy = Tuple[str, str]
# (file in the tree, line to insert, the line it goes next to[, 'before']):
# a line added to a file of the tree, after its neighbour unless 'before'.
Insert = Tuple[str, ...]


@dataclasses.dataclass
class Generated:
    subject: str
    body: str
    # The kernel patch this one follows (the start of its subject); None:
    # after every kernel patch.
    after: Optional[str]
    # (collection, [program, ...]): what the patch adds under
    # tools/testing/selftests/COLLECTION (PROGRAM.c, the Makefile's and
    # .gitignore's lines for it, added to the kernel's own files of the
    # directory when it has them).
    programs: Optional[Tuple[str, List[str]]] = None
    # The files copied whole.
    copies: List[Copy] = dataclasses.field(default_factory=list)
    # The lines inserted.
    inserts: List[Insert] = dataclasses.field(default_factory=list)


# Our programs join tools/testing/selftests/signal/, where mainline keeps
# its own signal tests (mangle_uc_sigmask, sas): on mainline the patches
# add lines to its Makefile and .gitignore; on a base without the
# directory (6.12) the first patch makes it, with the TARGETS line in
# its alphabetical place (a no-op where the line is there already).
_SIG = 'signal'
_SIG_DIR = f'tools/testing/selftests/{_SIG}'
_SIG_FILES: List[Copy] = [(f'selftests/{_SIG}/{n}', f'{_SIG_DIR}/{n}')
                          for n in ('config', 'settings', 'tg_util.h')]
_SIG_INSERTS: List[Insert] = [
    ('tools/testing/selftests/Makefile', f'TARGETS += {_SIG}',
     'TARGETS += sigaltstack'),
    ('MAINTAINERS', f'F:\t{_SIG_DIR}/', 'F:\tkernel/signal_kunit.c')]

GENERATED = [
    Generated(
        subject='selftests/signal: add the default action of every signal',
        after=TABLE,
        programs=(_SIG, ['action_table']),
        copies=_SIG_FILES,
        inserts=_SIG_INSERTS,
        body='''\
Linux has no selftests for what happens when a signal meets a thread
group: which thread a process-directed signal runs on, that a fatal
default action anywhere kills the whole group, that a stop signal stops
every thread, that exec from a non-leader thread keeps the pid, and that
the exit of a PID namespace's init takes every task in the namespace with
it before its parent's wait returns. These are the rules that kernel
reviewers reason about most often, and the ones a change to
kernel/signal.c is most likely to break unnoticed.

Add them to tools/testing/selftests/signal as programs written with
kselftest_harness.h, named so that the list of test names reads as a
specification, starting with action_table: every classic signal and a
sample of real-time ones, sent with kill() or tgkill() to a subject of 1
or 16 threads, must have its default action (terminate, dump core, stop,
continue, ignore) on the whole thread group, whichever thread it was
sent to. It checks the table of the previous patch from user space, as
the KUnit suite checks it from inside.

tg_util.h holds what the programs share: waiting on futex words, pipes,
pidfds and task states in /proc, never on time; reaping with a bound.
The config and settings cover every program the series adds to the
directory; the timeout is the 300 seconds the longest of them, a bounded
signal storm, needs.'''),
    Generated(
        subject='selftests/signal: add bad input and permission checks',
        after=TABLE,
        programs=(_SIG, ['bad_input']),
        body='''\
The signal-sending system calls each have exact errnos for invalid
signal numbers, the signal-0 probe, special and out-of-range pids,
thread ids outside their group, senders of another uid, forged kernel
si_codes, pids outside the sender's PID namespace, and RLIMIT_SIGPENDING.
Pin each of them, so that a change to the checks in kill_something_info(),
do_send_specific() or the siginfo copy-in shows up as an errno.'''),
    Generated(
        subject='selftests/signal: test which thread runs a handler',
        after=TABLE,
        programs=(_SIG, ['delivery']),
        copies=[(f'selftests/{_SIG}/tg_team.h', f'{_SIG_DIR}/tg_team.h')],
        body='''\
A thread-directed signal (tgkill(), a synchronous fault, SIGPIPE,
SIGXFSZ) runs its handler on the thread it names; a process-directed one
on some thread that does not block it, exactly once, and on none while
every thread blocks it. Test both with subjects whose threads serve
commands through a shared page, record in their handlers which thread
ran, and report it back; the test process sends and reads /proc.

tg_team.h holds that subject, a process of N threads that serve
commands, for this program and the next: each adds its own commands and
handler through a few hooks, and every wait gives up as soon as the
subject has died.'''),
    Generated(
        subject='selftests/signal: test how complete_signal() picks a '
        'thread',
        after=TABLE,
        programs=(_SIG, ['load_balance']),
        body='''\
What every kernel must do with a process-directed signal is run its
handler once, on a thread that does not block it. What Linux does on top
is deterministic: the thread the sender named is tried first, then the
walk starts at signal->curr_target, the last thread picked, and stays
there while that thread can take the signal; a thread that sleeps with a
signal already pending, or that its tracer stopped, is passed over. Pin
both, the Linux-specific part in tests whose names start with linux_, so
that a change to wants_signal() or to the walk is a decision, not an
accident.'''),
    Generated(
        subject='selftests/signal: test pending queues and waits',
        after=TABLE,
        programs=(_SIG, ['pending_queue', 'sigwait']),
        body='''\
Which thread ran a handler cannot tell a signal queued for one thread
from one queued for the process: the thread that raised it is current
and is tried first either way. With the signal blocked, /proc's SigPnd
and ShdPnd can: pending_queue checks that thread-directed signals land
in the named thread's queue only and process-directed ones in the
group's, that classic signals coalesce while pending and real-time ones
queue, that SIGCONT discards pending stop signals and a stop signal a
pending SIGCONT.

sigwait checks the exception complete_signal() makes for a thread
waiting in sigwaitinfo(), sigtimedwait() or a signalfd read: a blocked
signal whose default action is fatal goes to the waiter instead of
killing the group; SIGKILL and SIGSTOP are never taken by a wait.'''),
    Generated(
        subject='selftests/signal: test group kill, exec and job control',
        after=TABLE,
        programs=(_SIG, ['group_kill', 'exec_thread', 'job_control']),
        body='''\
A fatal signal ends the whole thread group: SIGKILL reaches every thread
of a group of 512 whatever each one is doing or blocking, a fatal signal
sent to one thread ends the group with that signal as its status,
exit() from a handler on any thread ends it with that code, and a fatal
signal to a ptraced process is not broadcast but stops for the tracer
with the sender's siginfo (group_kill).
execve() from a non-leader thread kills the other threads, keeps the
pid, resets handled signals and keeps ignored ones, the blocked mask and
the pending signals (exec_thread). The parent of a group that stops or
continues gets SIGCHLD with CLD_STOPPED or CLD_CONTINUED unless
SA_NOCLDSTOP is set, and SIGTSTP, SIGTTIN and SIGTTOU do not stop an
orphaned process group while SIGSTOP does (job_control).'''),
    Generated(
        subject='selftests/signal: test the signals the kernel sends',
        after=TABLE,
        programs=(_SIG, ['kernel_senders']),
        body='''\
The kernel sends signals on its own behalf, and each kind has a queue it
must land in: a POSIX timer with SIGEV_SIGNAL signals the process and is
load balanced, one with SIGEV_THREAD_ID signals its thread; exec
discards what the timers queued; the interval timers of setitimer()
signal the process; SIGIO goes to a file's owner set with F_SETOWN or
F_SETOWN_EX; the parent-death signal and mq_notify() notifications go
to the process. Check each queue in /proc with the signal blocked.'''),
    Generated(
        subject='selftests/signal: test the PID namespace zap',
        after=TABLE,
        programs=(_SIG, ['pidns_zap']),
        body='''\
When the init of a PID namespace exits, zap_pid_ns_processes() kills
every task of the namespace (children, grandchildren, all their threads,
a process whose leader has exited or whose other thread has exec'd,
members of a group or session whose leader was reaped, nested
namespaces side by side and two deep, tasks that entered with setns()),
and init is reaped only once all of them are gone. While it lives, init
ignores signals with the default action from inside its namespace,
SIGKILL included, and from an ancestor only SIGKILL and SIGSTOP get
through, sent with kill(), tgkill() or sigqueue(), and its handler sees
si_pid 0 for them. Pin both, watching the namespace's tasks through
pidfds; a task the zap passed over is named rather than waited for.'''),
    Generated(
        subject='selftests/signal: test the signal_wake_target event',
        after=TRACEPOINT,
        programs=(_SIG, ['trace_wake_target']),
        body='''\
Check the signal:signal_wake_target event against what happened: the
thread it names is the thread whose handler then ran, and its reason is
the one complete_signal() took (the named task, the walk from
curr_target, a group kill with the number of threads marked, or why no
thread was woken). The events are read from a tracefs instance of the
test's own, filtered on the thread group under test. The tests skip
when not run as root, on a kernel without tracefs or event tracing, and
on one that has the other signal events but not this one; any other
trouble with tracefs is a failure.'''),
    Generated(
        subject='selftests/signal: test kill(-1) in a PID namespace',
        after=KILL_ALL,
        programs=(_SIG, ['kill_all_pidns']),
        body='''\
kill(-1, sig) from inside a PID namespace must reach every process of
the namespace whose pid there is above 1, once per process however many
threads it has: those of nested namespaces (siblings, and one nested two
deep), a process whose leader has exited, one whose thread other than
the leader has exec'd, members of a process group or session whose
leader was reaped (whose pid names nobody). It must never reach the
caller's own group, the namespace's init or a process outside it. It
returns ESRCH when nobody is visible, else the last error other than
EPERM. No child forked while it runs escapes a SIGKILL, and one forked
while a handled signal is on its way gets it or is forked by a parent
that has handled it. Pin each, with and without a crowd of processes
outside the namespace, and the same from the initial namespace, where
an unprivileged caller with a uid of its own must reach exactly the
test's processes of that uid. Each kill(-1) goes through a guard: from
a namespace the test made, or as that unprivileged uid when no other
process has it.'''),
    Generated(
        subject='selftests/signal: test signals without a siginfo',
        after=None,
        programs=(_SIG, ['failslab']),
        body='''\
__send_signal_locked() allocates the siginfo's queue entry in the
sender's context, and that allocation can fail. Then a classic signal is
still set pending without its siginfo and must arrive; a real-time one
sent with a siginfo of its own is refused with EAGAIN, never dropped;
one sent by kill() is set pending as a classic one is; and a fatal
signal sent to a process group still ends every process with that
status, leaving the user's RLIMIT_SIGPENDING count where it was. Fail
the sender's sigqueue allocations with failslab and check each case.'''),
    Generated(
        subject='selftests/signal: add a bounded signal storm',
        after=None,
        programs=(_SIG, ['storm']),
        body='''\
Run, for a bounded time and number of operations and tasks, processes
and threads that pick at random from a seeded generator: queued
real-time signals and bursts of classic ones to other processes and
threads by every sending call, group stops and continues, fork, exec,
exit, thread creation and exit, and new PID namespaces whose inits run
their own part of the storm. At the end every task must have been
reaped, no queued real-time signal lost or duplicated, and the sigqueue
objects and RLIMIT_SIGPENDING counts back where they started. The seed
is printed, and a failure says how to replay it.'''),
    Generated(
        subject='Documentation: core-api: add thread-group signal semantics',
        after=None,
        copies=[('Documentation/core-api/thread-group-signals.rst',
                 'Documentation/core-api/thread-group-signals.rst')],
        inserts=[('Documentation/core-api/index.rst',
                  '   thread-group-signals', '   workqueue'),
                 ('MAINTAINERS',
                  'F:\tDocumentation/core-api/thread-group-signals.rst',
                  'F:\tkernel/signal_kunit.c', 'before')],
        body='''\
What Linux guarantees when a signal is sent to a multi-threaded process,
and what it does that POSIX leaves open, is today written down only in
kernel/signal.c's code and comments. People who debug runtimes and
profilers read the source to find out which thread a signal ran on.

Add a reference page: the action table, process- and thread-directed
delivery, how complete_signal() chooses the thread, the broadcast of
fatal signals, group stop and continue, exec from a non-leader thread,
the PID namespace zap, and how to watch it with the signal tracepoints.
Every rule it states names the selftest that pins it.'''),
]
