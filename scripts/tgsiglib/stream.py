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
import dataclasses
import re

_MARK = re.compile(r'tgsig:(booted|begin|end|taint|done)\b ?(.*)$')
_KV = re.compile(r'(\w+)=(\S+)')

# busybox timeout kills with SIGKILL: 128 + 9.
TIMEOUT_RC = 137


@dataclasses.dataclass
class TestRun:
    name: str
    timeout: int
    started: float = 0.0        # host clock when the begin marker arrived
    ended: float = None
    rc: int = None
    guest_cs: int = None
    output: list = dataclasses.field(default_factory=list)

    @property
    def finished(self):
        return self.rc is not None

    @property
    def timed_out(self):
        """The guest's timeout killed it: SIGKILL after the whole budget."""
        return (self.rc == TIMEOUT_RC and self.guest_cs is not None
                and self.guest_cs >= self.timeout * 100)

    @property
    def seconds(self):
        if self.guest_cs is not None:
            return self.guest_cs / 100
        if self.ended is not None:
            return self.ended - self.started
        return None


class GuestStream:
    def __init__(self):
        self.partial = ''
        self.booted = None          # "RELEASE cpus=N" once booted
        self.tests = []
        self.current = None
        self.taint = None
        self.done = False
        self.preamble = []

    def feed(self, text, now=0.0):
        text = self.partial + text.replace('\r', '')
        lines = text.split('\n')
        self.partial = lines.pop()
        for line in lines:
            self._line(line, now)

    def close(self, now=0.0):
        if self.partial:
            self._line(self.partial, now)
            self.partial = ''

    def _line(self, line, now):
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

    def _text(self, line):
        if self.current is not None:
            self.current.output.append(line)
        elif line.strip() != 'alive':
            self.preamble.append(line)
