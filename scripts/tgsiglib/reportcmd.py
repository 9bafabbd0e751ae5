# SPDX-License-Identifier: GPL-2.0
"""`tgsig report RUN_DIR`: a run's results again from its saved logs,
as kunit_tool's `kunit.py parse` does: console.log (splats, KUnit),
output.log (each program's output between the guest's markers),
facts.json (the plan, the base, the kernel, the accelerator) and
boot.json (how the boot ended). Writes results.ktap and results.json and
prints the summary; boots nothing, builds nothing."""
from __future__ import annotations

import os
from typing import Optional

from . import report
from .errors import TgsigError
from .testrun import rebuild


def report_command(run_dir: str, out: Optional[str] = None,
                   dry_run: bool = False) -> int:
    """Returns the exit code a run with these results gave."""
    if not os.path.isdir(run_dir):
        raise TgsigError(f'{run_dir}: no such run directory')
    record = rebuild(run_dir)
    out = out or run_dir
    if not dry_run:
        os.makedirs(out, exist_ok=True)
        report.write_record(out, record)
    if record.variant == 'host':
        print(report.table(record.results))
        print(report.totals_line(record.results.counts()))
    else:
        print(report.summary(record))
    if dry_run:
        print('\ntgsig report: a dry run; nothing was written')
    elif os.path.abspath(out) != os.path.abspath(run_dir):
        print(f'wrote {os.path.join(out, "results.ktap")} and results.json')
    return 1 if record.failed else 0
