# SPDX-License-Identifier: GPL-2.0
"""The action table's compile-time checks on every architecture's signal
numbers, compiled on the host.

kernel/signal.c's static_asserts hold the masks derived from
SIG_ACTION_TABLE to the lists they replaced, but a build checks them only
for the architecture it builds. Signal numbers differ by architecture
(alpha, mips, parisc and sparc number them their own way; SIGEMT and
SIGSTKFLT exist on some only), so compile the table and the asserts once
per architecture's uapi <asm/signal.h> numbers, with the host's gcc and no
cross compiler.
"""
from __future__ import annotations

import os
import re
import tempfile
from typing import Dict, List, Optional, Protocol, Tuple

from .shell import Progress, Shell

TABLE = ('#define SIG_DFL_TERM', '#define sig_fatal(')
ASSERTS = ('#ifdef SIGEMT\n#define SIGEMT_MASK', '/*\n * SLAB caches')
_DEFINE = re.compile(r'^#define\s+(SIG[A-Z0-9]+)\s+(\w+)', re.M)
# Not signal numbers, or not constants on every architecture.
_SKIP = {'SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK', 'SIGRTMAX'}


class Tree(Protocol):
    """Files of a kernel tree: tree(path) gives one, or None."""

    def __call__(self, path: str) -> Optional[str]: ...

    def arches(self) -> List[str]: ...


def section(text: str, markers: Tuple[str, str]) -> Optional[str]:
    start, end = markers
    a = text.find(start)
    b = text.find(end, a)
    return text[a:b] if a >= 0 and b > a else None


_STATIC_ASSERT = re.compile(r'^static_assert\([^;]*\);', re.M)
_ROW_HELPER = re.compile(r'^#define\s+__SIG_\w+\(.*$', re.M)


def table_asserts(signal_c: str) -> Optional[str]:
    """kernel/signal.c's compile-time checks of the table: the block
    that starts at its SIGEMT_MASK, or else every static_assert that
    names SIG_ACTION_TABLE or SIG_TABLE_MASK, with the __SIG_ helper
    macros defined for them; None when there are none."""
    old = section(signal_c, ASSERTS)
    if old:
        return old
    found = [m.group(0) for m in _STATIC_ASSERT.finditer(signal_c)
             if 'SIG_ACTION_TABLE' in m.group(0)
             or 'SIG_TABLE_MASK' in m.group(0)]
    if not found:
        return None
    helpers = [m.group(0) for m in _ROW_HELPER.finditer(signal_c)]
    return '\n'.join(helpers + found) + '\n'


def numbering(header_text: str) -> List[str]:
    """#define lines for the signal numbers an <asm/signal.h> gives."""
    return [f'#define {k} {v}' for k, v in _DEFINE.findall(header_text)
            if k not in _SKIP]


def program(defines: List[str], table: str, asserts: str) -> str:
    return '\n'.join(defines + [
        '#define BITS_PER_LONG 64',
        '#define sigmask(sig) (1UL << ((sig) - 1))',
        '#include <assert.h>', table, asserts,
        'int main(void) { return 0; }', ''])


def headers(read: Tree) -> List[Tuple[str, str]]:
    """(architecture, header text) for every uapi <asm/signal.h> that
    numbers the signals itself, and asm-generic's. read(path) gives a
    file of the tree, or None."""
    out = [('asm-generic', read('include/uapi/asm-generic/signal.h'))]
    for arch in sorted(read.arches()):
        text = read(f'arch/{arch}/include/uapi/asm/signal.h')
        if text and re.search(r'^#define\s+SIGHUP\b', text, re.M):
            out.append((arch, text))
    return [(a, t) for a, t in out if t]


def check(read: Tree, cc: str = 'gcc',
          shell: Optional[Shell] = None) -> Optional[Dict[str, Optional[str]]]:
    """{architecture: None if the checks hold, else gcc's complaint};
    None if the tree has no action table."""
    shell = shell or Shell(Progress())
    table = section(read('include/linux/signal.h') or '', TABLE)
    asserts = table_asserts(read('kernel/signal.c') or '')
    if not table or not asserts:
        return None
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for arch, text in headers(read):
            src = os.path.join(tmp, f'{arch}.c')
            with open(src, 'w', encoding='utf-8') as f:
                f.write(program(numbering(text), table, asserts))
            proc = shell.run([cc, '-std=gnu11', '-fsyntax-only', src],
                             capture=True, check=False, mutates=False)
            results[arch] = None if proc.returncode == 0 else \
                proc.stderr.strip()
    return results


class GitTree:
    """Files of one commit of a git tree, read without a checkout."""

    def __init__(self, repo: str, rev: str,
                 shell: Optional[Shell] = None) -> None:
        self.repo = repo
        self.rev = rev
        self.shell = shell or Shell(Progress())

    def __call__(self, path: str) -> Optional[str]:
        proc = self.shell.run(['git', '-C', self.repo, 'show',
                               f'{self.rev}:{path}'], capture=True,
                              check=False, mutates=False)
        return proc.stdout if proc.returncode == 0 else None

    def arches(self) -> List[str]:
        proc = self.shell.run(['git', '-C', self.repo, 'ls-tree',
                               '--name-only', f'{self.rev}:arch'],
                              capture=True, check=False, mutates=False)
        return proc.stdout.split() if proc.returncode == 0 else []
