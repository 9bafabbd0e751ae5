# SPDX-License-Identifier: GPL-2.0
"""Which selftests there are: tgsig's own (selftests/ at the top of the
repository), the kernel's own that run with them on a base
(selftests/neighbours), the base's known failures, and copying ours into
a kernel tree where lib.mk expects them."""
from __future__ import annotations

import os
import shutil
from typing import Dict, Iterable, List, Optional, Union

from . import bases
from .paths import REPO
from .shell import Progress, Shell


def our_selftests() -> Dict[str, str]:
    """Top-level selftest directories: name -> path."""
    top = os.path.join(REPO, 'selftests')
    return {n: os.path.join(top, n) for n in sorted(os.listdir(top))
            if os.path.exists(os.path.join(top, n, 'Makefile'))}


def neighbour_selftests(base: str) -> List[str]:
    """The kernel's own selftest directories that run with ours on this
    base (selftests/neighbours; @NAME lines are for one base)."""
    with open(os.path.join(REPO, 'selftests', 'neighbours'),
              encoding='utf-8') as f:
        return list(bases.for_base(f, bases.get(base)))


def known_failures(base: str) -> Dict[str, str]:
    """{collection:program/case: why} of the base's known failures."""
    with open(os.path.join(REPO, 'selftests', 'known-failures'),
              encoding='utf-8') as f:
        return read_reasons(list(bases.for_base(f, bases.get(base))))


def slow_under_tcg() -> Dict[str, str]:
    """{collection:program: why} of the programs left out under TCG."""
    return read_reasons(os.path.join(REPO, 'selftests', 'slow-under-tcg'))


def read_reasons(lines: Union[str, Iterable[str]]) -> Dict[str, str]:
    """{name: why} from `name  why` lines (a path, or the lines)."""
    if isinstance(lines, str):
        try:
            with open(lines, encoding='utf-8') as f:
                return read_reasons(f.read().splitlines())
        except OSError:
            return {}
    out = {}
    for line in lines:
        line = line.strip()
        if line and not line.startswith('#'):
            name, _, why = line.partition(' ')
            out[name] = why.strip()
    return out


def selftest_files(path: str, shell: Optional[Shell] = None) -> List[str]:
    """The files of a top-level selftest directory that belong in a tree:
    those git tracks or would track (build output is ignored)."""
    shell = shell or Shell(Progress())
    proc = shell.run(['git', '-C', REPO, 'ls-files', '-co',
                      '--exclude-standard', '--', path], capture=True,
                     check=False, mutates=False)
    if proc.returncode != 0:
        return sorted(os.path.join(dp, f) for dp, _, fs in os.walk(path)
                      for f in fs)
    return sorted(os.path.join(REPO, f) for f in proc.stdout.splitlines()
                  if os.path.exists(os.path.join(REPO, f)))


def all_selftest_files(shell: Optional[Shell] = None) -> List[str]:
    """The files of every one of tgsig's selftest directories."""
    return [f for p in our_selftests().values()
            for f in selftest_files(p, shell)]


def overlay_selftests(tree: str, shell: Shell) -> None:
    """Copy tgsig's selftests into the tree being built, where lib.mk
    expects them."""
    for name, path in our_selftests().items():
        dest = os.path.join(tree, 'tools/testing/selftests', name)
        shell.show(['cp', '-r', path + '/.', dest])
        if shell.dry_run:
            continue
        if os.path.isdir(dest):
            shutil.rmtree(dest)
        for src in selftest_files(path, shell):
            target = os.path.join(dest, os.path.relpath(src, path))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(src, target)
