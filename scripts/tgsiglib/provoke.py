# SPDX-License-Identifier: GPL-2.0
"""The harness proves its own crash detection: each program in
tests/provoke/ is run in the guest with `--exec`, and the run must fail in
the way that program provokes (an exit code, a WARN, an oops, a panic, a
hung task, a lockdep report, a test that never ends)."""
from __future__ import annotations

import copy
import dataclasses
import os
from typing import List, Optional

from .errors import TgsigError
from .ktap import Status, Test
from .options import Options
from .record import RunRecord
from .shell import Progress, Shell
from .testrun import execute

PROVOKE = os.path.join(os.path.dirname(os.path.realpath(__file__)),
                       'tests', 'provoke')


@dataclasses.dataclass
class Case:
    program: str
    splat: Optional[str] = None     # the first splat's kind
    outcome: str = 'done'           # how the boot ended
    status: Optional[str] = None    # the exec test's own status
    output: Optional[str] = None    # a line its output must hold
    test_timeout: int = 20
    debug: bool = False             # needs the kconfig/debug.config kernel


CASES = [
    Case('exit1', status='fail', output='exiting with status 1 on purpose'),
    Case('warn.sh', splat='WARNING', status='pass',
         output='still alive after the WARN'),
    Case('oops.sh', splat='oops'),
    Case('panic.sh', splat='panic', outcome='exited'),
    Case('sleep.sh', status='timeout', test_timeout=3),
    Case('hung_task.sh', splat='hung task', outcome='test timeout'),
    # Lockdep is in kconfig/debug.config only: this case boots the debug
    # kernel (which check builds anyway on DEBUG_BASES). The program itself
    # returns; lockdep reports the spinlock it returned holding.
    Case('lockdep.sh', splat='lockdep', status='pass',
         output='provoke: returned holding a spinlock', debug=True),
]


def build_exit1(shell: Shell, dest: str) -> str:
    src = os.path.join(PROVOKE, 'exit1.c')
    out = os.path.join(dest, 'exit1')
    shell.run(['gcc', '-static', '-O2', '-o', out, src])
    return out


def verify(case: Case, record: RunRecord) -> List[str]:
    """What went wrong with this case, or [] when the run failed exactly as
    provoked."""
    wrong = []
    if record.passed:
        wrong.append('the run passed')
    if record.outcome != case.outcome:
        wrong.append(f'outcome {record.outcome}, expected {case.outcome}')
    splats = record.splats
    if case.splat:
        if not splats:
            wrong.append(f'no splat found, expected {case.splat}')
        else:
            first = splats[0]
            if first.kind != case.splat:
                wrong.append(f'first splat {first.kind}, expected '
                             f'{case.splat}')
            if first.test != f'exec:{case.program}':
                wrong.append(f'splat tied to {first.test!r}, expected '
                             f'exec:{case.program}')
    elif splats:
        wrong.append(f'unexpected splat: {splats[0].text}')
    test = record.program(f'exec:{case.program}')
    if case.status:
        if test is None:
            wrong.append(f'exec:{case.program} missing from the results')
        elif test.status.value != case.status:
            wrong.append(f'exec:{case.program} {test.status.value}, '
                         f'expected {case.status}')
    if case.output:
        with open(os.path.join(record.run_dir, 'output.log'),
                  encoding='utf-8', errors='replace') as f:
            if case.output not in f.read():
                wrong.append(f'output lacks {case.output!r}')
    if case.outcome != 'done' and record.running_at_end != \
            f'exec:{case.program}':
        wrong.append(f'the end names {record.running_at_end!r} as running')
    return wrong


def run_cases(opts: Options, shell: Shell, progress: Progress,
              scratch: str, cases: Optional[List[Case]] = None,
              debug_kernel: bool = True) -> Test:
    """One Test per case. Without debug_kernel, a case that needs the
    debug kernel is skipped (check leaves it out when it builds none)."""
    suite = Test(name='harness end-to-end', status=Status.PASS)
    if not shell.dry_run:
        os.makedirs(scratch, exist_ok=True)
    exit1 = build_exit1(shell, scratch)
    for case in cases if cases is not None else CASES:
        if case.debug and not debug_kernel and not opts.debug:
            suite.subtests.append(Test(
                f'{case.program} is caught', Status.SKIP,
                directive='needs the kconfig/debug.config kernel, which '
                'this check does not build'))
            continue
        path = exit1 if case.program == 'exit1' else \
            os.path.join(PROVOKE, case.program)
        copts = copy.deepcopy(opts)
        copts.exec_files = [path]
        copts.filter = None
        copts.test_timeout = case.test_timeout
        copts.smp = 2
        copts.debug = copts.debug or case.debug
        run_dir = ''
        with progress.step(f'harness end-to-end: {case.program}'):
            try:
                record = execute(copts, shell, progress)
                if record is None:
                    continue
                run_dir = record.run_dir
                wrong = verify(case, record)
            except TgsigError as err:
                wrong = [str(err)]
        suite.subtests.append(Test(
            f'{case.program} is caught', Status.FAIL if wrong else
            Status.PASS, directive='; '.join(wrong), log=[run_dir] + wrong))
    return suite
