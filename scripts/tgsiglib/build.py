# SPDX-License-Identifier: GPL-2.0
"""Configure and build the kernel out of tree, its headers and the
selftests; keep each variant's artifacts so that an unchanged variant is
reused without running make at all."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from typing import Any, Dict, List, Optional, Sequence

from . import kconfig
from .errors import BuildFailed, CommandFailed, ConfigNotKept
from .shell import Periodic, Progress, Shell

ARCH = 'x86_64'
# Bump when the recipe below changes in a way that makes old artifacts
# wrong.
RECIPE = 3


def make_argv(tree: str, out: str, *targets: str,
              jobs: Optional[int] = None) -> List[str]:
    argv = ['make', '-C', tree, f'O={out}', f'ARCH={ARCH}', 'CC=ccache gcc']
    if jobs:
        argv.append(f'-j{jobs}')
    return argv + list(targets)


# make's own lines for an object it compiles or assembles: "  CC      x.o".
_OBJECT = re.compile(r'^  (CC|AS)( \[M\])?\s+\S+\.o$', re.M)
# How often a build in progress says how far it is.
PROGRESS_EVERY = 60
COUNTS = 'build-counts.json'


def count_objects(text: str) -> int:
    """Objects compiled in a stretch of make's output."""
    return len(_OBJECT.findall(text))


class BuildProgress(Periodic):
    """While make runs, every PROGRESS_EVERY seconds and only when it
    changed: how many objects it has compiled so far, from its own
    output in the build log, and how many the last finished build of the
    same target in this tree compiled."""

    def __init__(self, log: str, progress: Progress, what: str,
                 before: Optional[int] = None,
                 every: float = PROGRESS_EVERY) -> None:
        self.log = log
        self.progress = progress
        self.what = what
        self.before = before
        super().__init__(every)
        self.offset = os.path.getsize(log) if os.path.exists(log) else 0
        self.said = 0

    def count(self) -> int:
        try:
            with open(self.log, encoding='utf-8', errors='replace') as f:
                f.seek(self.offset)
                return count_objects(f.read())
        except OSError:
            return 0

    def line(self, n: int) -> str:
        if self.before:
            return (f'{self.what}: {n} objects compiled so far (the last '
                    f'finished build here compiled {self.before})')
        return f'{self.what}: {n} objects compiled so far'

    def tick(self) -> None:
        """Say how far it is, if that changed since it last said."""
        n = self.count()
        if n != self.said:
            self.said = n
            self.progress.say(self.line(n))


def _read_counts(root: str) -> Dict[str, int]:
    try:
        with open(os.path.join(root, COUNTS), encoding='utf-8') as f:
            data = json.load(f)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_count(root: str, target: str, n: int) -> None:
    counts = _read_counts(root)
    counts[target] = n
    with open(os.path.join(root, COUNTS), 'w', encoding='utf-8') as f:
        json.dump(counts, f, indent=1)


class Builder:
    def __init__(self, ws: Any, shell: Shell, progress: Progress,
                 jobs: int) -> None:
        self.ws = ws
        self.shell = shell
        self.progress = progress
        self.jobs = jobs

    def _make(self, argv: Sequence[str], log: str,
              env: Optional[Dict[str, str]] = None) -> None:
        try:
            self.shell.run(argv, log=log, env=env)
        except CommandFailed as err:
            raise BuildFailed(err.what, err.hint, err.log) from err

    def configure(self, fragments: List[str], log: str) -> str:
        """tinyconfig + fragments, then olddefconfig; fail listing every
        requested option that did not survive."""
        out = self.ws.build
        tree = self.ws.repo
        self.shell.run(['mkdir', '-p', out])
        self._make(make_argv(tree, out, 'tinyconfig'), log)
        self.shell.run([os.path.join(tree, 'scripts/kconfig/merge_config.sh'),
                        '-m', '-O', out, os.path.join(out, '.config'),
                        *fragments], cwd=tree, log=log)
        self._make(make_argv(tree, out, 'olddefconfig'), log)
        if self.shell.dry_run:
            return 'DRY-RUN'
        wanted = kconfig.merge(fragments)
        have = kconfig.parse_file(os.path.join(out, '.config'))
        lost = kconfig.missing(wanted, have)
        if lost:
            raise ConfigNotKept(
                f'{len(lost)} requested config option(s) did not survive '
                'olddefconfig:\n' + kconfig.describe_missing(lost),
                [str(o) for o in lost],
                'an option is dropped when its dependencies are not met: '
                f'look it up with `make O={out} menuconfig` (press /) and '
                'add what it depends on to the fragment', log=log)
        with open(os.path.join(out, '.config'), 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()

    def kernel(self, log: str) -> None:
        argv = make_argv(self.ws.repo, self.ws.build, 'bzImage',
                         jobs=self.jobs)
        if self.shell.dry_run:
            self._make(argv, log, env=_ccache_env())
        else:
            before = _read_counts(self.ws.root).get('bzImage')
            with BuildProgress(log, self.progress, 'build kernel',
                               before) as watch:
                self._make(argv, log, env=_ccache_env())
            n = watch.count()
            self.progress.say(f'build kernel: {n} objects compiled')
            if n:
                _save_count(self.ws.root, 'bzImage', n)
        self._make(make_argv(self.ws.repo, self.ws.build, 'headers',
                             jobs=self.jobs), log)

    def selftests(self, targets: List[str], install: str, log: str) -> None:
        if os.path.isdir(install) and not self.shell.dry_run:
            shutil.rmtree(install)
        self._make(
            ['make', '-C', os.path.join(self.ws.repo, 'tools/testing/selftests'),
             f'O={self.ws.build}', f'ARCH={ARCH}', f'-j{self.jobs}',
             'TARGETS=' + ' '.join(targets), 'FORCE_TARGETS=1',
             'USERLDFLAGS=-static', f'KSFT_INSTALL_PATH={install}',
             'install'], log)
        if self.shell.dry_run:
            return
        lst = os.path.join(install, 'kselftest-list.txt')
        have = set()
        if os.path.exists(lst):
            with open(lst, encoding='utf-8') as f:
                have = {line.split(':', 1)[0] for line in f if ':' in line}
        lost = [t for t in targets if t not in have]
        if lost:
            raise BuildFailed('selftests built nothing to run for: '
                              + ', '.join(lost), log=log)


def _ccache_env() -> Dict[str, str]:
    return {'CCACHE_MAXSIZE': os.environ.get('CCACHE_MAXSIZE', '5G')}


def artifact_key(head: str, config_hash: str, selftest_digest: str) -> str:
    h = hashlib.sha256(f'{RECIPE}\n{head}\n{config_hash}\n'
                       f'{selftest_digest}'.encode())
    return h.hexdigest()[:16]


class Artifacts:
    """root/kernels/KEY: bzImage, config, kselftest/ and key.json.

    Keyed by what went into them, so that two variants with the same tree
    (an empty series) share one build, and switching back and forth
    between variants rebuilds nothing."""

    KEEP = 4

    def __init__(self, root: str, key: str) -> None:
        self.root = os.path.join(root, 'kernels')
        self.dir = os.path.join(self.root, key)
        self.bzimage = os.path.join(self.dir, 'bzImage')
        self.config = os.path.join(self.dir, 'config')
        self.kselftest = os.path.join(self.dir, 'kselftest')
        self.meta = os.path.join(self.dir, 'key.json')

    def key(self) -> Optional[str]:
        try:
            with open(self.meta, encoding='utf-8') as f:
                return json.load(f).get('key')
        except (OSError, ValueError):
            return None

    def valid(self, key: str) -> bool:
        return (self.key() == key and os.path.exists(self.bzimage)
                and os.path.isdir(self.kselftest))

    def save(self, key: str, build_dir: str, install: str,
             info: Dict[str, Any]) -> None:
        tmp = self.dir + '.new'
        if os.path.exists(tmp):
            shutil.rmtree(tmp)
        os.makedirs(tmp)
        shutil.copy2(os.path.join(build_dir, 'arch/x86/boot/bzImage'),
                     os.path.join(tmp, 'bzImage'))
        shutil.copy2(os.path.join(build_dir, '.config'),
                     os.path.join(tmp, 'config'))
        shutil.copytree(install, os.path.join(tmp, 'kselftest'),
                        symlinks=True)
        with open(os.path.join(tmp, 'key.json'), 'w', encoding='utf-8') as f:
            json.dump(dict(info, key=key), f, indent=1)
        if os.path.exists(self.dir):
            shutil.rmtree(self.dir)
        os.rename(tmp, self.dir)
        self.prune()

    def pin(self, root: str) -> 'Artifacts':
        """A copy of the kernel (bzImage, config, key.json; not the
        selftests) under root/kernels/KEY, out of prune()'s reach: for a
        run that boots it for longer than other runs take to build four
        more."""
        pinned = Artifacts(root, os.path.basename(self.dir))
        os.makedirs(pinned.dir, exist_ok=True)
        for path in (self.bzimage, self.config, self.meta):
            shutil.copy2(path, os.path.join(pinned.dir,
                                            os.path.basename(path)))
        return pinned

    def prune(self) -> None:
        """Keep the newest few builds: each is a kernel and its tests."""
        dirs = [os.path.join(self.root, d) for d in os.listdir(self.root)
                if not d.endswith('.new')]
        dirs.sort(key=os.path.getmtime, reverse=True)
        for old in dirs[self.KEEP:]:
            shutil.rmtree(old, ignore_errors=True)
