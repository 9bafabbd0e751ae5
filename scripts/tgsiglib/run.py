# SPDX-License-Identifier: GPL-2.0
"""`tgsig run`: from a bare machine to selftest results from a kernel
booted under QEMU (testrun.execute() does the work; this is the
command)."""
from __future__ import annotations

from typing import Optional

from .options import Options
from .record import RunRecord
from .shell import Progress, Shell
from .testrun import execute, run

__all__ = ['Options', 'run', 'run_command']


def run_command(opts: Options, shell: Shell, progress: Progress) -> int:
    """`tgsig run`; returns the exit code."""
    record: Optional[RunRecord] = execute(opts, shell, progress)
    return 1 if record is not None and record.failed else 0
