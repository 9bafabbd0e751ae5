# SPDX-License-Identifier: GPL-2.0
"""`tgsig run`: from a bare machine to selftest results from a kernel
booted under QEMU (testrun.execute() does the work; this is the
command)."""
from __future__ import annotations

import json
from typing import Any, Optional

from .options import Options
from .record import RunRecord
from .shell import Progress, Shell
from .testrun import execute, run

# Adapters: benchrun.py, mutants.py and their tests still take these names
# from here; each lives in the shared module named for it.
from .accel import choose_accel
from .initramfs import pack_guest as pack_initramfs
from .kernel import Kernel, prepare_base, prepare_kernel
from .paths import BUSYBOX, GUEST_INIT, REPO, work_dir
from .plan import DEFAULT_TEST_TIMEOUT, make_plan
from .rundirs import dry_run_dir, new_run_dir, point_latest
from .selftests import our_selftests, selftest_files

__all__ = ['Options', 'run', 'run_command', 'load_json',
           # the adapters above
           'choose_accel', 'pack_initramfs', 'Kernel', 'prepare_base',
           'prepare_kernel', 'BUSYBOX', 'GUEST_INIT', 'REPO', 'work_dir',
           'DEFAULT_TEST_TIMEOUT', 'make_plan', 'dry_run_dir', 'new_run_dir',
           'point_latest', 'our_selftests', 'selftest_files']


def run_command(opts: Options, shell: Shell, progress: Progress) -> int:
    """`tgsig run`; returns the exit code."""
    record: Optional[RunRecord] = execute(opts, shell, progress)
    return 1 if record is not None and record.failed else 0


def load_json(path: str) -> Any:
    with open(path, encoding='utf-8') as f:
        return json.load(f)
