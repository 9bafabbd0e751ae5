# SPDX-License-Identifier: GPL-2.0
"""sigfuzz, the fuzzer of the calls trinity will not make (kill, tkill,
tgkill, rt_sigqueueinfo, clone, clone3, fork, exit_group, ptrace): its
source, its build for the guest, and what it printed.

scripts/fuzz/sigfuzz.c says what it does; guest/fuzz.sh runs it beside
trinity, in a PID namespace of its own, for the same seed and time."""
from __future__ import annotations

import dataclasses
import os
import re
from typing import Dict, List, Optional

from .paths import REPO
from .shell import Shell

SOURCE = os.path.join(REPO, 'scripts', 'fuzz', 'sigfuzz.c')
DEFAULT_WORKERS = 4
MAX_WORKERS = 16
CFLAGS = ['-O2', '-static', '-pthread', '-Wall', '-Wextra', '-Werror']

# Its lines, among trinity's on the guest's ttyS1 (scripts/fuzz/sigfuzz.c):
#   sigfuzz: start seed=S seconds=N workers=W
#   sigfuzz: progress calls=N ok=S
#   sigfuzz: op NAME calls=N ok=S
#   sigfuzz: tainted from=T to=T after=SECONDS
#   sigfuzz: last [wSLOT PID:TID] CALL
#   sigfuzz: total calls=N ok=S spawned=P resets=R
_LINE = re.compile(r'sigfuzz: (\w+) ?(.*)$')
# guest/fuzz.sh's, when sigfuzz's namespace does not end:
#   tgsig-fuzz:hang what=sigfuzz init=PID after=SECONDS
#   tgsig-fuzz:task PID/task/TID COMM STATE WCHAN NSpid: ... PPid: ...
#   tgsig-fuzz:stack [<0>] FUNCTION+OFF/LEN
#   tgsig-fuzz:sigfuzz_exit rc=RC|stuck
_GUEST = re.compile(r'tgsig-fuzz:(hang|task|stack|sigfuzz_exit)(?: (.*))?$')
_KV = re.compile(r'(\w+)=(\d+)')
_SLOT = re.compile(r'^\[(w\d+) ')


@dataclasses.dataclass
class SigfuzzRun:
    """What one seed's sigfuzz printed."""
    started: bool = False
    calls: Optional[int] = None         # from its total line
    ok: Optional[int] = None
    spawned: int = 0
    resets: int = 0
    progress: int = 0                   # the newest progress count
    # When the kernel's taint changed, sigfuzz stopped: seconds in.
    tainted_after: Optional[int] = None
    # Its namespace did not end after its time: when, its init, the tasks
    # left and the init's kernel stack, and whether it ended after SIGKILL.
    hang_after: Optional[int] = None
    hung_init: Optional[int] = None
    tasks: List[str] = dataclasses.field(default_factory=list)
    stack: List[str] = dataclasses.field(default_factory=list)
    stuck: bool = False
    per_op: Dict[str, List[int]] = dataclasses.field(default_factory=dict)
    last: List[str] = dataclasses.field(default_factory=list)

    @property
    def executed(self) -> int:
        """Its total, or, when it died first, its last progress count."""
        return self.calls if self.calls is not None else self.progress

    def last_calls(self, n: int = 6) -> List[str]:
        """The last n calls of each worker slot, slot by slot, oldest
        first (each slot's lines come out in order)."""
        slots: Dict[str, List[str]] = {}
        for line in self.last:
            m = _SLOT.match(line)
            slots.setdefault(m.group(1) if m else '?', []).append(line)
        return [line for lines in slots.values() for line in lines[-n:]]


def parse(text: str) -> SigfuzzRun:
    run = SigfuzzRun()
    for raw in text.splitlines():
        g = _GUEST.search(raw.rstrip('\r'))
        if g:
            guest(run, g.group(1), g.group(2) or '')
            continue
        m = _LINE.search(raw.rstrip('\r'))
        if not m:
            continue
        kind, rest = m.group(1), m.group(2)
        kv = {k: int(v) for k, v in _KV.findall(rest)}
        if kind == 'start':
            run.started = True
        elif kind == 'progress':
            run.progress = kv.get('calls', run.progress)
        elif kind == 'op':
            name = rest.split(' ', 1)[0]
            run.per_op[name] = [kv.get('calls', 0), kv.get('ok', 0)]
        elif kind == 'tainted':
            run.tainted_after = kv.get('after')
        elif kind == 'last':
            run.last.append(rest)
        elif kind == 'total':
            run.calls, run.ok = kv.get('calls'), kv.get('ok')
            run.spawned, run.resets = kv.get('spawned', 0), \
                kv.get('resets', 0)
    return run


def guest(run: SigfuzzRun, kind: str, rest: str) -> None:
    kv = {k: int(v) for k, v in _KV.findall(rest)}
    if kind == 'hang':
        run.hang_after, run.hung_init = kv.get('after'), kv.get('init')
    elif kind == 'task':
        run.tasks.append(rest)
    elif kind == 'stack':
        run.stack.append(rest)
    elif kind == 'sigfuzz_exit':
        run.stuck = rest.strip() == 'rc=stuck'


def progress_so_far(text: str) -> Optional[int]:
    """The newest count sigfuzz printed in this text."""
    found = re.findall(r'sigfuzz: (?:progress|total) calls=(\d+)', text)
    return int(found[-1]) if found else None


def build(shell: Shell, out: str) -> None:
    """The guest's static binary, from the source in this repository."""
    shell.run(['gcc', *CFLAGS, '-o', out, SOURCE])
