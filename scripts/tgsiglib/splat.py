# SPDX-License-Identifier: GPL-2.0
"""Find kernel splats in a console log, as rcutorture's console-badness.sh
does, and decode the taint flags the guest reports at the end.

Each finding names its kind, its line in the log, the test that was running
(from the "tgsig: begin" markers the guest writes to /dev/kmsg), and an
excerpt of the report.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Dict, List, Optional, Sequence, Union

from .ktap import _STAMP

# Order matters: the first pattern that matches a line names its kind.
PATTERNS = [
    ('panic', re.compile(r'Kernel panic - not syncing')),
    ('KASAN', re.compile(r'BUG: KASAN:')),
    ('UBSAN', re.compile(r'UBSAN:')),
    ('lockdep', re.compile(
        r'WARNING: (possible (circular|recursive) locking|inconsistent lock'
        r' state|possible irq lock inversion|held lock freed|lock held when'
        r' returning|bad unlock balance|suspicious unlock|nested lock)|'
        r'INFO: possible (recursive|circular) locking|'
        r'BUG: (held lock freed|lock held when returning)|'
        r'DEBUG_LOCKS_WARN_ON')),
    ('RCU', re.compile(r'WARNING: suspicious RCU usage|'
                       r'rcu: INFO: \S+ (self-)?detected stall|'
                       r'INFO: rcu_\S+ (self-)?detected stall')),
    ('hung task', re.compile(r'INFO: task .* blocked for more than')),
    ('soft lockup', re.compile(r'watchdog: BUG: soft lockup')),
    ('hard lockup', re.compile(r'Watchdog detected hard LOCKUP')),
    ('list corruption', re.compile(r'list_(add|del) corruption')),
    ('debugobjects', re.compile(r'ODEBUG: ')),
    ('oops', re.compile(r'Oops: |BUG: unable to handle|'
                        r'BUG: kernel NULL pointer dereference|'
                        r'general protection fault|stack segment: ')),
    ('BUG', re.compile(r'kernel BUG at|BUG: ')),
    ('WARNING', re.compile(r'WARNING: ')),
]

# The guest's markers, written to /dev/kmsg by the init script.
BEGIN = re.compile(r'tgsig: begin (\S+)')
END = re.compile(r'tgsig: end (\S+)')

# Reports end at the trace's end marker, or after this many lines.
_END_OF_REPORT = re.compile(r'---\[ end (trace|Kernel panic)')
_EXCERPT_LINES = 40

# Taint flags by bit, as in kernel/panic.c's taint_flags[].
TAINT_LETTERS = 'PFSRMBUDAWCIOELKXTN'
TAINT_NAMES = [
    'proprietary module', 'forced module load', 'CPU out of spec',
    'forced module unload', 'machine check', 'bad page', 'user request',
    'died (oops or BUG)', 'ACPI table overridden', 'WARNING',
    'staging driver', 'firmware workaround', 'out-of-tree module',
    'unsigned module', 'soft lockup', 'live patch', 'auxiliary',
    'randstruct', 'test (KUnit)',
]
# Loading KUnit tests taints with TAINT_TEST by design: not a finding.
TAINT_BENIGN = 1 << 18


@dataclasses.dataclass
class Splat:
    kind: str
    line: int           # 1-based line number in the console log
    text: str           # the first line of the report
    test: str           # the test running when it happened, or ''
    excerpt: List[str] = dataclasses.field(default_factory=list)

    def to_json(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> 'Splat':
        return cls(kind=data.get('kind', '?'), line=data.get('line', 0),
                   text=data.get('text', ''), test=data.get('test', ''),
                   excerpt=list(data.get('excerpt') or []))


def strip(line: str) -> str:
    return _STAMP.sub('', line.rstrip('\r\n'))


def classify(line: str) -> Optional[str]:
    for kind, pattern in PATTERNS:
        if pattern.search(line):
            return kind
    return None


def scan(lines: Union[str, Sequence[str]]) -> List[Splat]:
    """All splats in a console log, in order. A report that spans several
    matching lines (a WARNING with a lockdep headline, a BUG then a panic
    after it) counts once per headline, not once per line."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    lines = [strip(line) for line in lines]
    found = []
    running = ''
    in_report_until = -1
    for i, line in enumerate(lines):
        m = BEGIN.search(line)
        if m:
            running = m.group(1)
            continue
        m = END.search(line)
        if m:
            running = ''
            continue
        kind = classify(line)
        if not kind:
            continue
        if i <= in_report_until and kind not in ('panic',):
            continue
        excerpt = []
        for j in range(i, min(len(lines), i + _EXCERPT_LINES)):
            excerpt.append(lines[j])
            if _END_OF_REPORT.search(lines[j]):
                break
        in_report_until = i + len(excerpt) - 1
        found.append(Splat(kind, i + 1, line.strip(), running, excerpt))
    return found


def decode_taint(value: int) -> List[str]:
    """['W (WARNING)', ...] for the bits set in value."""
    out = []
    for bit, letter in enumerate(TAINT_LETTERS):
        if value & (1 << bit):
            out.append(f'{letter} ({TAINT_NAMES[bit]})')
    for bit in range(len(TAINT_LETTERS), 64):
        if value & (1 << bit):
            out.append(f'bit {bit}')
    return out


def taint_is_finding(value: int) -> bool:
    return bool(value & ~TAINT_BENIGN)
