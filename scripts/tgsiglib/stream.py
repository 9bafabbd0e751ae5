# SPDX-License-Identifier: GPL-2.0
"""The guest's side of the conversation: what guest/init writes to ttyS1.

    tgsig:booted RELEASE cpus=N
    tgsig:begin NAME timeout=SECONDS
    ... the test's own output ...
    tgsig:end NAME rc=EXIT cs=CENTISECONDS
    tgsig:taint VALUE
    tgsig:done

Fed incrementally while QEMU runs, or all at once from a saved log.
"""
from __future__ import annotations

import dataclasses
import re
from typing import List, Optional

_MARK = re.compile(r'tgsig:(booted|begin|end|taint|done)\b ?(.*)$')
_KV = re.compile(r'(\w+)=(\S+)')

# busybox timeout kills with SIGKILL: 128 + 9.
TIMEOUT_RC = 137


@dataclasses.dataclass
class TestRun:
    name: str
    timeout: int
    started: float = 0.0        # host clock when the begin marker arrived
    ended: Optional[float] = None
    rc: Optional[int] = None
    guest_cs: Optional[int] = None
    output: List[str] = dataclasses.field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.rc is not None

    @property
    def timed_out(self) -> bool:
        """The guest's timeout killed it: SIGKILL after the whole budget."""
        return (self.rc == TIMEOUT_RC and self.guest_cs is not None
                and self.guest_cs >= self.timeout * 100)

    @property
    def seconds(self) -> Optional[float]:
        if self.guest_cs is not None:
            return self.guest_cs / 100
        if self.ended is not None:
            return self.ended - self.started
        return None


class GuestStream:
    def __init__(self) -> None:
        self.partial = ''
        self.booted: Optional[str] = None   # "RELEASE cpus=N" once booted
        self.tests: List[TestRun] = []
        self.current: Optional[TestRun] = None
        self.taint: Optional[int] = None
        self.done = False
        self.preamble: List[str] = []

    def feed(self, text: str, now: float = 0.0) -> None:
        text = self.partial + text.replace('\r', '')
        lines = text.split('\n')
        self.partial = lines.pop()
        for line in lines:
            self._line(line, now)

    def close(self, now: float = 0.0) -> None:
        if self.partial:
            self._line(self.partial, now)
            self.partial = ''

    def _line(self, line: str, now: float) -> None:
        m = _MARK.search(line)
        if not m:
            self._text(line)
            return
        before = line[:m.start()]
        if before:
            self._text(before)
        kind, rest = m.group(1), m.group(2)
        fields = dict(_KV.findall(rest))
        if kind == 'booted':
            self.booted = rest.strip()
        elif kind == 'begin':
            name = rest.split()[0] if rest.split() else '?'
            self.current = TestRun(name, int(fields.get('timeout', 0)),
                                   started=now)
            self.tests.append(self.current)
        elif kind == 'end' and self.current is not None:
            self.current.rc = int(fields.get('rc', -1))
            if 'cs' in fields:
                self.current.guest_cs = int(fields['cs'])
            self.current.ended = now
            self.current = None
        elif kind == 'taint':
            try:
                self.taint = int(rest.strip())
            except ValueError:
                self.taint = None
        elif kind == 'done':
            self.done = True

    def _text(self, line: str) -> None:
        if self.current is not None:
            self.current.output.append(line)
        elif line.strip() != 'alive':
            self.preamble.append(line)
