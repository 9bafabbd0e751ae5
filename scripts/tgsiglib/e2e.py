# SPDX-License-Identifier: GPL-2.0
"""`tgsig e2e`: the harness's end-to-end cases alone (check runs the
provoked ones too): each program of tests/provoke/ in the guest, and the
run must fail the way that program provokes (provoke.py); and
`tgsig trace` of scripts/trace/sigdemo on the patched kernel, whose
trace must land each signal on the thread it names (tracecheck.py: one
boot of a few seconds, under a minute with the kernel built)."""
from __future__ import annotations

import os

from . import report
from .ktap import finish
from .options import Options
from .paths import work_dir
from .provoke import run_cases
from .shell import Progress, Shell
from .tracecheck import run_case as trace_case


def e2e_command(opts: Options, shell: Shell, progress: Progress) -> int:
    suite = run_cases(opts, shell, progress,
                      os.path.join(work_dir(opts), 'provoke'))
    suite.subtests.append(trace_case(opts, shell, progress,
                                     os.path.join(work_dir(opts), 'trace')))
    if shell.dry_run:
        print('\ntgsig e2e: a dry run; the commands above were printed, '
              'none was run')
        return 0
    finish(suite)
    print(f'\ntgsig e2e: {suite.name}')
    for test in suite.subtests:
        print(f'  {test.status.value:7} {test.name}'
              + (f': {test.directive}' if test.directive else ''))
    print(report.totals_line(suite.counts()))
    return 1 if suite.status.failed else 0
