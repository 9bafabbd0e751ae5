# SPDX-License-Identifier: GPL-2.0
"""From the events of one traced program to one record per signal, from
its generation to its delivery or discard, and the threads it ran on.

Which events say what (include/trace/events/signal.h):

- signal_generate, in the sender: the signal, the task the sender named
  (for kill() the thread group's leader), whether it went to the group
  (grp=1) or to that thread, and the result (delivered, ignored, already
  pending, queue overflow, info lost);
- signal_wake_target (the series; the kernel fires it in
  complete_signal(), just before signal_generate, on the same CPU and in
  the same task): the thread woken to take it and why (named,
  curr_target, group_kill with the number of threads), or 0 and why none
  (blocked, sigpending, stopped, exiting);
- signal_deliver, in the thread that dequeued it, with the action taken
  (sa_handler 0: the default action, 1: ignored, else the handler, run by
  that thread); after a group kill or exit_group(), each thread dequeues
  a SIGKILL that no signal_generate announced;
- task_newtask, task_rename, sched_process_exec and sched_process_exit:
  the threads and processes of the program, and their names.

A signal is matched to the delivery that took it the way dequeue_signal()
takes it: the thread's own queue first, then its group's, oldest first.
sigwaitinfo(), sigtimedwait() and signalfd dequeue without signal_deliver:
a signal taken that way shows as not seen dequeued."""
from __future__ import annotations

import dataclasses
import os
from typing import Any, Dict, List, Optional, Tuple

from .tracefmt import Capture, Event

CLONE_THREAD = 0x10000

NAMES = {1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP',
         6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL',
         10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE',
         14: 'SIGALRM', 15: 'SIGTERM', 16: 'SIGSTKFLT', 17: 'SIGCHLD',
         18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN',
         22: 'SIGTTOU', 23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ',
         26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO',
         30: 'SIGPWR', 31: 'SIGSYS'}
# Default actions other than ending the process (the kernel's masks).
DEFAULT_IGNORE = {17, 18, 23, 28}
DEFAULT_STOP = {19, 20, 21, 22}
SIGKILL = 9

# TRACE_SIGNAL_* of signal_generate's res.
RESULTS = {0: 'delivered', 1: 'ignored', 2: 'already pending',
           3: 'queue overflow', 4: 'info lost'}
DISCARDS = {1: 'discarded: ignored or the process is exiting',
            2: 'discarded: the same signal was already pending',
            3: 'discarded: the real-time queue was full'}

# The reasons of signal_wake_target, and the two this model adds.
WOKEN = ('named', 'curr_target', 'group_kill')
NONE_WOKEN = ('blocked', 'sigpending', 'stopped', 'exiting')
REASONS = WOKEN + NONE_WOKEN
NO_EVENT = 'no event'       # the kernel has no signal_wake_target
EXIT_GROUP = 'exit_group'   # SIGKILLs of an exit without a signal


def signal_name(sig: int) -> str:
    if sig in NAMES:
        return NAMES[sig]
    if sig >= 32:
        return f'SIGRTMIN+{sig - 32}' if sig > 32 else 'SIGRTMIN'
    return f'SIG{sig}'


def fatal_by_default(sig: int) -> bool:
    return sig not in DEFAULT_IGNORE and sig not in DEFAULT_STOP


@dataclasses.dataclass
class Thread:
    tid: int
    tgid: int
    name: str = ''
    start: Optional[float] = None     # task_newtask, None: before tracing
    exit: Optional[float] = None      # sched_process_exit

    def label(self) -> str:
        return f'{self.tid} {self.name}'.strip()


@dataclasses.dataclass
class Kill:
    """A thread dequeuing the SIGKILL of a group kill."""
    tid: int
    ts: float


@dataclasses.dataclass
class Signal:
    id: int
    sig: int
    generated: Optional[float]      # None: no signal_generate (exit_group)
    sender: Optional[int] = None
    sender_name: str = ''
    target: int = 0                 # the task the sender named
    target_name: str = ''
    tgid: int = 0                   # the target's thread group
    group: bool = True              # sent to the group, not one thread
    result: str = 'delivered'
    woken: Optional[int] = None     # 0: none; None: no signal_wake_target
    reason: str = NO_EVENT
    threads: int = 0                # group_kill's thread count
    dequeued_by: Optional[int] = None
    delivered: Optional[float] = None
    action: str = ''                # handler 0x..., default, ignore
    handler_thread: Optional[int] = None
    killed: List[Kill] = dataclasses.field(default_factory=list)
    outcome: str = 'pending'
    note: str = ''

    @property
    def name(self) -> str:
        return signal_name(self.sig)

    @property
    def end(self) -> Optional[float]:
        """When it was taken: its delivery, or the last SIGKILL of its
        group kill."""
        if self.delivered is not None:
            return self.delivered
        if self.killed:
            return max(k.ts for k in self.killed)
        return None

    def to_json(self) -> Dict[str, Any]:
        data = dataclasses.asdict(self)
        data['name'] = self.name
        data['killed'] = [[k.tid, k.ts] for k in self.killed]
        return data


@dataclasses.dataclass
class Model:
    root: Optional[int]
    threads: Dict[int, Thread]
    signals: List[Signal]
    first: float = 0.0              # the first event's time

    def thread(self, tid: Optional[int]) -> Optional[Thread]:
        return self.threads.get(tid) if tid is not None else None

    def label(self, tid: Optional[int]) -> str:
        if tid is None:
            return '-'
        if tid == 0:
            return 'none'
        t = self.threads.get(tid)
        return t.label() if t else str(tid)

    def processes(self) -> List[Tuple[int, List[Thread]]]:
        """(tgid, its threads by tid), in the order they appeared."""
        out: Dict[int, List[Thread]] = {}
        for t in self.threads.values():
            out.setdefault(t.tgid, []).append(t)
        return list(out.items())

    def taken(self, tid: int) -> Dict[int, int]:
        """{signal: how many} that this thread dequeued."""
        out: Dict[int, int] = {}
        for s in self.signals:
            if s.dequeued_by == tid:
                out[s.sig] = out.get(s.sig, 0) + 1
            for k in s.killed:
                if k.tid == tid:
                    out[SIGKILL] = out.get(SIGKILL, 0) + 1
        return out


class _Builder:
    def __init__(self, root: Optional[int]) -> None:
        self.root = root
        self.threads: Dict[int, Thread] = {}
        if root is not None:
            self.threads[root] = Thread(root, root)
        self.signals: List[Signal] = []
        self.wakes: Dict[Tuple[int, int], Event] = {}
        # Pending signals: thread-directed by tid, group-directed by tgid.
        self.private: Dict[int, List[Signal]] = {}
        self.shared: Dict[int, List[Signal]] = {}
        self.group_exit: Dict[int, Signal] = {}

    def feed(self, e: Event) -> None:
        t = self.threads.get(e.pid)
        if t is not None and e.comm and e.comm != '<...>':
            t.name = e.comm
        getattr(self, '_' + e.name, self._other)(e)

    def _other(self, e: Event) -> None:
        pass

    def _task_newtask(self, e: Event) -> None:
        parent = self.threads.get(e.pid)
        if parent is None:
            return
        child = e.int('pid')
        try:    # printed with %lx
            flags = int(e.fields.get('clone_flags', '0'), 16)
        except ValueError:
            flags = 0
        tgid = parent.tgid if flags & CLONE_THREAD else child
        self.threads[child] = Thread(child, tgid, e.fields.get('comm', ''),
                                     start=e.ts)

    def _task_rename(self, e: Event) -> None:
        t = self.threads.get(e.int('pid'))
        if t is not None:
            t.name = e.fields.get('newcomm', t.name)

    def _sched_process_exec(self, e: Event) -> None:
        t = self.threads.get(e.int('pid'))
        if t is not None:
            t.name = os.path.basename(e.fields.get('filename', ''))[:15]

    def _sched_process_exit(self, e: Event) -> None:
        t = self.threads.get(e.int('pid'))
        if t is not None:
            t.exit = e.ts
            t.name = e.fields.get('comm', t.name)

    def _signal_wake_target(self, e: Event) -> None:
        self.wakes[(e.cpu, e.pid)] = e

    def _signal_generate(self, e: Event) -> None:
        sig, target = e.int('sig'), e.int('pid')
        wake = self.wakes.pop((e.cpu, e.pid), None)
        if wake is not None and (wake.int('sig') != sig
                                 or wake.int('named') != target):
            wake = None
        t = self.threads.get(target)
        if t is None:
            return
        sender = self.threads.get(e.pid)
        res = e.int('res')
        s = Signal(id=len(self.signals) + 1, sig=sig, generated=e.ts,
                   sender=e.pid, sender_name=sender.name if sender
                   else e.comm, target=target,
                   target_name=e.fields.get('comm', ''), tgid=t.tgid,
                   group=e.fields.get('grp') == '1',
                   result=RESULTS.get(res, str(res)))
        if wake is not None:
            s.woken = wake.int('chosen')
            s.reason = wake.fields.get('reason', '?')
            s.threads = wake.int('threads')
        self.signals.append(s)
        if res in DISCARDS:
            s.outcome = DISCARDS[res]
            return
        if s.reason == 'group_kill' or sig == SIGKILL:
            self._group_exit(s)
            return
        queue = self.shared.setdefault(t.tgid, []) if s.group else \
            self.private.setdefault(target, [])
        queue.append(s)

    def _group_exit(self, s: Signal, note: str = '') -> None:
        self.group_exit[s.tgid] = s
        s.outcome = 'group kill: every thread dequeues SIGKILL and exits'
        if note:
            s.note = note
        for queue in (self.shared.get(s.tgid, []),
                      *(q for tid, q in self.private.items()
                        if self.threads[tid].tgid == s.tgid)):
            if s in queue:
                queue.remove(s)

    def _signal_deliver(self, e: Event) -> None:
        t = self.threads.get(e.pid)
        if t is None:
            return
        sig = e.int('sig')
        handler = e.int('sa_handler')
        if sig == SIGKILL:
            owner = self.group_exit.get(t.tgid)
            if owner is None:
                owner = self._kill_owner(t, e)
            owner.killed.append(Kill(t.tid, e.ts))
            return
        s = self._dequeue(t, sig)
        if s is None:
            s = Signal(id=len(self.signals) + 1, sig=sig, generated=None,
                       target=t.tid, target_name=t.name, tgid=t.tgid,
                       note='generated before the trace began')
            self.signals.append(s)
        s.dequeued_by, s.delivered = t.tid, e.ts
        if handler == 0:
            s.action = 'default'
            if fatal_by_default(sig):
                s.outcome = 'default action: the process dies'
                self._group_exit(s)
                s.outcome = ('default action: the process dies, every '
                             'other thread dequeues SIGKILL')
            elif sig in DEFAULT_STOP:
                s.outcome = 'default action: the process stops'
            else:
                s.outcome = 'default action: ignored'
        elif handler == 1:
            s.action = 'ignore'
            s.outcome = 'ignored when dequeued'
        else:
            s.action = f'handler {handler:#x}'
            s.handler_thread = t.tid
            s.outcome = 'handled'

    def _kill_owner(self, t: Thread, e: Event) -> Signal:
        """A SIGKILL that no group kill of ours explains: without
        signal_wake_target a fatal signal still pending in the group, else
        an exit_group() (or an exec) that killed the other threads."""
        pending = [s for s in self.shared.get(t.tgid, [])] + [
            s for tid, q in self.private.items()
            if self.threads[tid].tgid == t.tgid for s in q]
        fatal = [s for s in pending if fatal_by_default(s.sig)
                 and s.reason == NO_EVENT]
        if fatal:
            s = min(fatal, key=lambda x: x.generated or 0.0)
            self._group_exit(s, note='taken as fatal: the first SIGKILL '
                             'came while it was pending')
            return s
        s = Signal(id=len(self.signals) + 1, sig=SIGKILL, generated=None,
                   target=t.tgid, tgid=t.tgid, reason=EXIT_GROUP,
                   note='no signal_generate: exit_group(), a fatal signal '
                   'or exec killed the other threads')
        self.signals.append(s)
        self.group_exit[t.tgid] = s
        s.outcome = 'every other thread dequeues SIGKILL and exits'
        return s

    def _dequeue(self, t: Thread, sig: int) -> Optional[Signal]:
        for queue in (self.private.get(t.tid, []),
                      self.shared.get(t.tgid, [])):
            for s in queue:
                if s.sig == sig:
                    queue.remove(s)
                    return s
        return None

    def finish(self) -> None:
        for queue in [*self.private.values(), *self.shared.values()]:
            for s in queue:
                group = [t for t in self.threads.values()
                         if t.tgid == s.tgid]
                if group and all(t.exit is not None for t in group):
                    s.outcome = 'still pending when the process exited'
                else:
                    s.outcome = ('not seen dequeued: still pending, or '
                                 'taken by sigwaitinfo() or signalfd, '
                                 'which signal_deliver does not show')


def build(events: List[Event], root: Optional[int]) -> Model:
    """The model of the program whose pid is root (its threads, the
    processes it forks and theirs) from all the events of the trace."""
    b = _Builder(root)
    for e in sorted(events, key=lambda x: x.ts):
        b.feed(e)
    b.finish()
    first = min((e.ts for e in events if e.pid in b.threads),
                default=events[0].ts if events else 0.0)
    return Model(root, b.threads, b.signals, first)


def from_capture(cap: Capture) -> Model:
    return build(cap.events, cap.pid)


def to_json(model: Model, cap: Capture, meta: Dict[str, Any]
            ) -> Dict[str, Any]:
    """trace.json: the run, the threads and one record per signal, times
    in seconds of the trace clock and in ms since the first event."""
    def ms(ts: Optional[float]) -> Optional[float]:
        return None if ts is None else round((ts - model.first) * 1e3, 3)
    signals = []
    for s in model.signals:
        data = s.to_json()
        data['generated_ms'] = ms(s.generated)
        data['delivered_ms'] = ms(s.delivered)
        signals.append(data)
    return {
        **meta,
        'kernel': cap.kernel, 'events': cap.enabled,
        'missing_events': cap.missing, 'pid': cap.pid,
        'exit_status': cap.exit_status, 'first_event': model.first,
        'threads': [dict(dataclasses.asdict(t), start_ms=ms(t.start),
                         exit_ms=ms(t.exit),
                         taken={str(k): v for k, v in
                                sorted(model.taken(t.tid).items())})
                    for t in model.threads.values()],
        'signals': signals,
    }


def _ms(model: Model, ts: Optional[float]) -> str:
    return '-' if ts is None else f'{(ts - model.first) * 1e3:.3f}'


def summary(model: Model, cap: Capture, title: str) -> str:
    """The text summary: one line per signal, then per thread the signals
    it took, by number."""
    lines = [title]
    if cap.missing:
        lines.append('this kernel lacks: ' + ', '.join(cap.missing)
                     + ('  (signal_wake_target is the series\' event: the '
                        'woken thread and the reason are unknown here)'
                        if 'signal/signal_wake_target' in cap.missing
                        else ''))
    status = cap.exit_status
    if status is not None:
        how = f'killed by {signal_name(status - 128)}' if status > 128 \
            else f'exit status {status}'
        lines.append(f'the program: pid {cap.pid}, {how}')
    lines.append('')
    head = (f'{"#":>3} {"sent ms":>8}  {"signal":9} {"sender":15} '
            f'{"named":22} {"woken":15} {"reason":13} {"taken by":15} '
            f'{"taken ms":>8}')
    lines.append(head)
    for s in model.signals:
        named = model.label(s.target) + ('' if s.group else ' (thread)')
        if s.killed:
            taker = f'{len(s.killed)} threads'
        else:
            taker = model.label(s.dequeued_by)
        reason = s.reason + (f'={s.threads}' if s.threads else '')
        lines.append(
            f'{s.id:>3} {_ms(model, s.generated):>8}  {s.name:9} '
            f'{model.label(s.sender)[:15]:15} {named[:22]:22} '
            f'{model.label(s.woken)[:15]:15} {reason[:13]:13} '
            f'{taker[:15]:15} {_ms(model, s.end):>8}')
        note = f'; {s.note}' if s.note else ''
        lines.append(f'{"":14}{s.outcome}{note}')
    lines.append('')
    lines.append('signals taken, per thread (signal_deliver):')
    for tgid, threads in model.processes():
        lines.append(f'  process {tgid}:')
        for t in threads:
            taken = model.taken(t.tid)
            text = ', '.join(f'{signal_name(sig)} ({sig}) x{n}'
                             for sig, n in sorted(taken.items())) or 'none'
            woken = sum(1 for s in model.signals if s.woken == t.tid)
            lines.append(f'    {t.label():24} {sum(taken.values()):3}  '
                         f'{text}' + (f'; woken for {woken}' if woken
                                      else ''))
    return '\n'.join(lines) + '\n'
