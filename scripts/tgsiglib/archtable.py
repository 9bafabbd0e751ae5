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
import os
import re
import subprocess
import tempfile

TABLE = ('#define SIG_DFL_TERM', '#define sig_fatal(')
ASSERTS = ('#ifdef SIGEMT\n#define SIGEMT_MASK', '/*\n * SLAB caches')
_DEFINE = re.compile(r'^#define\s+(SIG[A-Z0-9]+)\s+(\w+)', re.M)
# Not signal numbers, or not constants on every architecture.
_SKIP = {'SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK', 'SIGRTMAX'}


def section(text, markers):
    start, end = markers
    a = text.find(start)
    b = text.find(end, a)
    return text[a:b] if a >= 0 and b > a else None


def numbering(header_text):
    """#define lines for the signal numbers an <asm/signal.h> gives."""
    return [f'#define {k} {v}' for k, v in _DEFINE.findall(header_text)
            if k not in _SKIP]


def program(defines, table, asserts):
    return '\n'.join(defines + [
        '#define BITS_PER_LONG 64',
        '#define sigmask(sig) (1UL << ((sig) - 1))',
        '#include <assert.h>', table, asserts,
        'int main(void) { return 0; }', ''])


def headers(read):
    """(architecture, header text) for every uapi <asm/signal.h> that
    numbers the signals itself, and asm-generic's. read(path) gives a
    file of the tree, or None."""
    out = [('asm-generic', read('include/uapi/asm-generic/signal.h'))]
    for arch in sorted(read.arches()):
        text = read(f'arch/{arch}/include/uapi/asm/signal.h')
        if text and re.search(r'^#define\s+SIGHUP\b', text, re.M):
            out.append((arch, text))
    return [(a, t) for a, t in out if t]


def check(read, cc='gcc'):
    """{architecture: None if the checks hold, else gcc's complaint};
    None if the tree has no action table."""
    table = section(read('include/linux/signal.h') or '', TABLE)
    asserts = section(read('kernel/signal.c') or '', ASSERTS)
    if not table or not asserts:
        return None
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for arch, text in headers(read):
            src = os.path.join(tmp, f'{arch}.c')
            with open(src, 'w', encoding='utf-8') as f:
                f.write(program(numbering(text), table, asserts))
            proc = subprocess.run([cc, '-std=gnu11', '-fsyntax-only', src],
                                  capture_output=True, text=True)
            results[arch] = None if proc.returncode == 0 else \
                proc.stderr.strip()
    return results


class GitTree:
    """Files of one commit of a git tree, read without a checkout."""

    def __init__(self, repo, rev):
        self.repo = repo
        self.rev = rev

    def __call__(self, path):
        proc = subprocess.run(['git', '-C', self.repo, 'show',
                               f'{self.rev}:{path}'],
                              capture_output=True, text=True)
        return proc.stdout if proc.returncode == 0 else None

    def arches(self):
        proc = subprocess.run(['git', '-C', self.repo, 'ls-tree',
                               '--name-only', f'{self.rev}:arch'],
                              capture_output=True, text=True)
        return proc.stdout.split() if proc.returncode == 0 else []
