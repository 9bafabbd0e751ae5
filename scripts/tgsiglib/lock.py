# SPDX-License-Identifier: GPL-2.0
"""One kernel tree, one writer: runs that share a work directory take
turns to check out and build, and say so while they wait.

Boots need no lock: they read a build's saved artifacts, which never
change once saved.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import time
from typing import Iterator

from .shell import Progress


@contextlib.contextmanager
def tree_lock(work: str, progress: Progress, what: str) -> Iterator[None]:
    """Hold work/tree.lock while checking out or building in work/.
    $TGSIG_TREE_LOCK names another lock file, so that runs in different
    work directories (a fresh clone's, say) can take turns too."""
    path = (os.environ.get('TGSIG_TREE_LOCK')
            or os.path.join(work, 'tree.lock'))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'a+', encoding='utf-8') as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or 'another tgsig'
            progress.say(f'{what}: waiting for {holder} to finish with the '
                         f'kernel tree ({path})')
            t0 = time.monotonic()
            fcntl.flock(f, fcntl.LOCK_EX)
            progress.say(f'{what}: waited {time.monotonic() - t0:.0f}s')
        f.seek(0)
        f.truncate()
        f.write(f'pid {os.getpid()} ({what})\n')
        f.flush()
        try:
            yield
        finally:
            f.seek(0)
            f.truncate()
            f.flush()
            fcntl.flock(f, fcntl.LOCK_UN)
