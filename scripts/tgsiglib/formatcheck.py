# SPDX-License-Identifier: GPL-2.0
"""signal:signal_wake_target read by a real consumer: libtraceevent, the
library perf and trace-cmd parse tracefs format files with, decodes every
reason of the event from the format file a patched guest wrote.

The format file is tests/data/signal_wake_target.format, captured from the
patched 7.3-rc7 guest; scripts/trace/decode_wake_target.c is the consumer.
A control shows that the check can fail: the same format as the kernel
writes it without TRACE_DEFINE_ENUM() (enum names where the values are)
must not decode.
"""
from __future__ import annotations

import os
import re
from typing import List, Tuple

from .ktap import Status, Test
from .paths import REPO
from .shell import Shell

FORMAT = os.path.join(REPO, 'scripts', 'tgsiglib', 'tests', 'data',
                      'signal_wake_target.format')
DECODER = os.path.join(REPO, 'scripts', 'trace', 'decode_wake_target.c')
# The reasons in the order of their values, as patch 10 defines them.
REASONS = ['named', 'curr_target', 'group_kill', 'blocked', 'exiting',
           'stopped', 'sigpending']
_ENUMS = ['NAMED', 'CURR_TARGET', 'GROUP_KILL', 'BLOCKED', 'EXITING',
          'STOPPED', 'SIGPENDING']


def without_enum_export(text: str) -> str:
    """The format as it reads without TRACE_DEFINE_ENUM(): each value of
    __print_symbolic() is the enum's name, not its number."""
    def name(m: 're.Match[str]') -> str:
        return '{ TRACE_SIGNAL_WAKE_%s, "%s" }' % (_ENUMS[int(m.group(1))],
                                                   m.group(2))
    return re.sub(r'\{ (\d), "([a-z_]+)" \}', name, text)


def decoded(output: str) -> List[Tuple[int, str]]:
    """(value, reason) for each line the decoder printed."""
    out = []
    for line in output.splitlines():
        value, _, text = line.partition('\t')
        m = re.search(r'reason=(\S+)', text)
        if value.isdigit() and m:
            out.append((int(value), m.group(1)))
    return out


def _decode(shell: Shell, decoder: str, fmt: str) -> Tuple[int, str]:
    proc = shell.run([decoder, fmt, len(REASONS)], capture=True,
                     check=False, mutates=False)
    return proc.returncode, proc.stdout + proc.stderr


def checks(shell: Shell, work: str) -> List[Test]:
    """Build the decoder, decode the guest's format and the control."""
    out_dir = os.path.join(work, 'formatcheck')
    os.makedirs(out_dir, exist_ok=True)
    decoder = os.path.join(out_dir, 'decode_wake_target')
    proc = shell.run(['gcc', '-O1', '-Wall', '-o', decoder, DECODER,
                      '-ltraceevent'], capture=True, check=False)
    name = ('signal_wake_target: libtraceevent decodes every reason from '
            'the format file of the patched guest')
    control = ('signal_wake_target: libtraceevent decodes no enum reason '
               'from that format without TRACE_DEFINE_ENUM() (the control)')
    if proc.returncode:
        log = (proc.stdout + proc.stderr).splitlines()
        return [Test(name, Status.FAIL, log=log),
                Test(control, Status.FAIL, log=log)]
    rc, text = _decode(shell, decoder, FORMAT)
    got = decoded(text)
    ok = rc == 0 and got == list(enumerate(REASONS))
    tests = [Test(name, Status.PASS if ok else Status.FAIL,
                  log=[] if ok else text.splitlines())]
    with open(FORMAT, encoding='utf-8') as f:
        plain = without_enum_export(f.read())
    stripped = os.path.join(out_dir, 'without_enum_export.format')
    with open(stripped, 'w', encoding='utf-8') as f:
        f.write(plain)
    rc, text = _decode(shell, decoder, stripped)
    leaked = [r for _, r in decoded(text) if r in REASONS]
    ok = rc == 0 and len(decoded(text)) == len(REASONS) and not leaked
    tests.append(Test(control, Status.PASS if ok else Status.FAIL,
                      log=[] if ok else text.splitlines()))
    return tests
