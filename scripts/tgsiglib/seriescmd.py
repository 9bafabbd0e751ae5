# SPDX-License-Identifier: GPL-2.0
"""`tgsig series`: write each base's series (patches/ for mainline,
patches/6.12/ for lts) from its sources (series.py does the writing)."""
from __future__ import annotations

import dataclasses
import functools
import os
from typing import List

from . import bases, series
from .kernel import prepare_base
from .lock import tree_lock
from .options import Options
from .paths import REPO, work_dir
from .selftests import selftest_files
from .shell import Progress, Shell


def series_command(opts: Options, shell: Shell, progress: Progress,
                   names: List[str]) -> int:
    for name in names:
        base = bases.get(name)
        bopts = dataclasses.replace(opts, base=name)
        ws, _, _ = prepare_base(bopts, shell, progress)
        with progress.step(f'{name}: write {base.patch_dir}/ from its '
                           'kernel patches, selftests/ and Documentation/'):
            if shell.dry_run:
                continue
            with tree_lock(work_dir(opts), progress, 'series'):
                written = series.regenerate(
                    ws.repo, REPO, base,
                    functools.partial(selftest_files, shell=shell))
        for path in written:
            print(f'  wrote {os.path.relpath(path, REPO)}')
    return 0
