# SPDX-License-Identifier: GPL-2.0
"""The end-to-end case of `tgsig trace`: build scripts/trace/sigdemo,
trace one of its modes in the guest on the patched kernel, and check from
the trace alone the thread each signal landed on, the thread the kernel
woke and the reason it gave (tgsig e2e runs it, and so can
`tgsig trace` by hand: see the README)."""
from __future__ import annotations

import copy
import os
from typing import Dict, List, Optional, Tuple

from .errors import TgsigError
from .ktap import Status, Test
from .options import Options
from .paths import REPO
from .shell import Progress, Shell
from .tracemodel import Model
from .tracerun import trace

SIGDEMO = os.path.join(REPO, 'scripts', 'trace', 'sigdemo.c')
SIGUSR1 = 10

# For each mode: (reason, woken, taken by) of each SIGUSR1, by thread name.
EXPECT: Dict[str, List[Tuple[str, str, str]]] = {
    'main': [('named', 'main', 'main')] * 4,
    'sigthread': [('curr_target', 'sigthread', 'sigthread')] * 4,
    'sticky': [('curr_target', 'worker1', 'worker1')] * 4,
}


def build_sigdemo(shell: Shell, dest: str) -> str:
    out = os.path.join(dest, 'sigdemo')
    shell.run(['gcc', '-O2', '-static', '-pthread', '-o', out, SIGDEMO])
    return out


def _name(model: Model, tid: Optional[int]) -> str:
    t = model.threads.get(tid) if tid is not None else None
    return t.name if t else str(tid)


def landed(model: Model) -> List[Tuple[str, str, str]]:
    """(reason, woken, taken by) of each SIGUSR1 of the trace."""
    return [(s.reason, _name(model, s.woken), _name(model, s.dequeued_by))
            for s in model.signals if s.sig == SIGUSR1]


def verify(mode: str, model: Model, exit_status: Optional[int]
           ) -> List[str]:
    wrong = []
    got = landed(model)
    if got != EXPECT[mode]:
        wrong.append(f'signals landed as {got}, expected {EXPECT[mode]}')
    if exit_status != 0:
        wrong.append(f'sigdemo {mode} exited with {exit_status}')
    return wrong


def run_case(opts: Options, shell: Shell, progress: Progress,
             scratch: str, mode: str = 'sticky') -> Test:
    """One Test: sigdemo MODE traced in the guest lands every signal on
    the thread EXPECT names, for the reason it names."""
    name = f'trace: sigdemo {mode} lands each signal on its thread'
    if not shell.dry_run:
        os.makedirs(scratch, exist_ok=True)
    program = build_sigdemo(shell, scratch)
    copts = copy.deepcopy(opts)
    copts.baseline = False
    copts.smp = 2
    run_dir = ''
    with progress.step(f'harness end-to-end: trace sigdemo {mode}'):
        try:
            traced = trace(copts, program, [mode], shell, progress)
            if traced is None:
                return Test(name, Status.SKIP, directive='dry run')
            run_dir = traced.run_dir
            wrong = traced.problems + verify(
                mode, traced.model, traced.capture.exit_status)
        except TgsigError as err:
            wrong = [str(err)]
    return Test(name, Status.FAIL if wrong else Status.PASS,
                directive='; '.join(wrong), log=[run_dir] + wrong)
