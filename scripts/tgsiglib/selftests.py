# SPDX-License-Identifier: GPL-2.0
"""Which selftests there are: tgsig's own (selftests/ at the top of the
repository), the kernel's own that run with them on a base
(selftests/neighbours), the base's known failures, and copying ours into
a kernel tree where lib.mk expects them.

A directory of ours may be one the kernel has too (selftests/signal/ is
tools/testing/selftests/signal/ on mainline, with mainline's own
programs): then ours join it. Our files go in beside the kernel's, and
our Makefile's and .gitignore's lines are added to the kernel's files of
that directory (merge_lines()), as the series adds them."""
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


def collections(base: str) -> List[str]:
    """The selftest directories a kernel of this base builds and runs:
    ours, then the neighbours that are not ours too (on mainline, our
    signal/ is also the kernel's: one directory, built once)."""
    ours = list(our_selftests())
    return ours + [n for n in neighbour_selftests(base) if n not in ours]


# The files that list a directory's programs: the kernel's and ours are
# merged line by line; every other file of ours is copied as it is.
MERGED = ('Makefile', '.gitignore')
_INCLUDE = 'include ../lib.mk'


def _body(ours: str) -> List[str]:
    """Our file's own lines: without the SPDX line and the include of
    lib.mk, which the kernel's file has, and without blank lines at
    either end."""
    rows = [r for r in ours.split('\n') if r != _INCLUDE]
    if rows and rows[0].startswith('# SPDX-License-Identifier:'):
        rows = rows[1:]
    while rows and not rows[0].strip():
        rows = rows[1:]
    while rows and not rows[-1].strip():
        rows = rows[:-1]
    return rows


def _squeeze(rows: List[str]) -> List[str]:
    """rows without a blank line right after another, but for those that
    end the file."""
    last = max((i for i, r in enumerate(rows) if r.strip()), default=-1)
    return [r for i, r in enumerate(rows) if i > last or r.strip()
            or not i or rows[i - 1].strip()]


def merge_lines(theirs: Optional[str], ours: str) -> str:
    """The kernel's Makefile or .gitignore of a directory (theirs; None
    when the kernel has no such file) with our lines added: in a Makefile
    before its `include ../lib.mk`, with a blank line after them; in a
    .gitignore after its last line. Our lines already in theirs (a tree
    that carries the series) are taken out first, so that merging again
    gives the same file."""
    if theirs is None:
        return ours
    body = _body(ours)
    rows = theirs.split('\n')
    mine = {r for r in body if r.strip()}
    if any(r in mine for r in rows):
        rows = _squeeze([r for r in rows if r not in mine])
    if _INCLUDE in rows:
        at = rows.index(_INCLUDE)
        if at and rows[at - 1].strip():
            body = [''] + body
        rows[at:at] = body + ['']
    else:
        at = max((i for i, r in enumerate(rows) if r.strip()), default=-1)
        rows[at + 1:at + 1] = body
    return '\n'.join(rows)


def overlay_selftests(tree: str, shell: Shell) -> None:
    """Copy tgsig's selftests into the tree being built, where lib.mk
    expects them: into the kernel's own directory of the same name when
    it has one (its Makefile and .gitignore with our lines added)."""
    for name, path in our_selftests().items():
        dest = os.path.join(tree, 'tools/testing/selftests', name)
        shell.show(['cp', '-r', path + '/.', dest])
        if shell.dry_run:
            continue
        theirs = {}
        for merged in MERGED:
            try:
                with open(os.path.join(dest, merged),
                          encoding='utf-8') as f:
                    theirs[merged] = f.read()
            except OSError:
                pass
        if not theirs and os.path.isdir(dest):
            # Not the kernel's: ours from an earlier overlay.
            shutil.rmtree(dest)
        for src in selftest_files(path, shell):
            rel = os.path.relpath(src, path)
            target = os.path.join(dest, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if rel in MERGED:
                with open(src, encoding='utf-8') as f:
                    text = merge_lines(theirs.get(rel), f.read())
                with open(target, 'w', encoding='utf-8') as f:
                    f.write(text)
            else:
                # A fresh mtime: the build directory is shared, and a
                # binary built there from other sources (another run,
                # another worktree) must not look newer than ours.
                shutil.copyfile(src, target)
                shutil.copymode(src, target)
