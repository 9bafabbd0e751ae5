# SPDX-License-Identifier: GPL-2.0
"""Run directories: work/runs/STAMP-NAME, one per run, and
work/runs/latest naming the newest."""
from __future__ import annotations

import os
import time

DRY_RUN = 'DRY-RUN'


def new_run_dir(work: str, variant: str) -> str:
    stamp = time.strftime('%Y%m%d-%H%M%S')
    base = os.path.join(work, 'runs', f'{stamp}-{variant}')
    path, n = base, 1
    while os.path.exists(path):
        n += 1
        path = f'{base}.{n}'
    os.makedirs(path)
    point_latest(work, path)
    return path


def dry_run_dir(work: str, suffix: str = '') -> str:
    """The name a dry run prints for the run directory it does not make."""
    return os.path.join(work, 'runs', DRY_RUN + suffix)


def point_latest(work: str, run_dir: str) -> None:
    """work/runs/latest names run_dir (best effort: a link is a
    convenience, not a result)."""
    latest = os.path.join(work, 'runs', 'latest')
    try:
        if os.path.islink(latest):
            os.unlink(latest)
        os.symlink(os.path.basename(run_dir), latest)
    except OSError:
        pass
