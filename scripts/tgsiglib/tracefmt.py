# SPDX-License-Identifier: GPL-2.0
"""What guest/trace.sh prints, parsed: its marker lines (the kernel, the
events it enabled and those the kernel lacks, the program's pid and exit
status), the program's own output, and the lines of the tracefs trace
file as events.

A trace line, as the kernel prints it with the default options:

    sender-9110    [001] d..1.  3860.138709: signal_generate: sig=10 ...

TASK-PID (the task that was running: for signal_generate and
signal_wake_target the sender), the CPU, the flags (absent when the
irq-info option is off), the timestamp in seconds and the event, then
the event's fields as its print format has them, `name=value` each."""
from __future__ import annotations

import dataclasses
import re
from typing import Dict, List, Optional

MARK = 'tgsig-trace:'

_LINE = re.compile(r'^\s*(?P<comm>.*?)-(?P<pid>\d+)\s+'
                   r'(?:\(\s*[\d-]+\)\s+)?'          # record-tgid's column
                   r'\[(?P<cpu>\d+)\]\s+'
                   r'(?:(?P<flags>[^\s:]{4,6})\s+)?'
                   r'(?P<ts>\d+\.\d+):\s+(?P<event>\w+):\s?(?P<rest>.*)$')
_KEY = re.compile(r'(?:^|\s)(\w+)=')


@dataclasses.dataclass
class Event:
    ts: float           # seconds, the trace clock's
    cpu: int
    pid: int            # the task that was running
    comm: str           # its name when the trace was read
    name: str           # the event, without its system
    fields: Dict[str, str]

    def int(self, key: str, default: int = 0) -> int:
        """A numeric field (decimal, or hex for sa_handler and flags)."""
        value = self.fields.get(key)
        if value is None:
            return default
        try:
            return int(value, 10)
        except ValueError:
            try:
                return int(value, 16)
            except ValueError:
                return default


def parse_fields(text: str) -> Dict[str, str]:
    """`a=1 comm=b c d=2` -> {'a': '1', 'comm': 'b c', 'd': '2'}: a value
    runs to the next ` name=`."""
    keys = list(_KEY.finditer(text))
    out = {}
    for i, m in enumerate(keys):
        end = keys[i + 1].start() if i + 1 < len(keys) else len(text)
        out[m.group(1)] = text[m.end():end].strip()
    return out


def parse_line(line: str) -> Optional[Event]:
    """One line of a trace file as an Event; None for a comment, a blank
    line or anything else."""
    if line.lstrip().startswith('#'):
        return None
    m = _LINE.match(line)
    if not m:
        return None
    return Event(ts=float(m.group('ts')), cpu=int(m.group('cpu')),
                 pid=int(m.group('pid')), comm=m.group('comm').strip(),
                 name=m.group('event'), fields=parse_fields(m.group('rest')))


def parse_trace(text: str) -> List[Event]:
    return [e for e in (parse_line(line) for line in text.splitlines())
            if e is not None]


@dataclasses.dataclass
class Capture:
    """Everything guest/trace.sh printed, parsed."""
    kernel: str = ''
    enabled: List[str] = dataclasses.field(default_factory=list)
    missing: List[str] = dataclasses.field(default_factory=list)
    pid: Optional[int] = None
    exit_status: Optional[int] = None
    output: List[str] = dataclasses.field(default_factory=list)
    trace: List[str] = dataclasses.field(default_factory=list)
    complete: bool = False      # the end marker came
    error: str = ''

    @property
    def events(self) -> List[Event]:
        return parse_trace('\n'.join(self.trace))


def parse_capture(lines: List[str]) -> Capture:
    """The wrapper's output, as lines (the guest's output of the test, or
    the wrapper's stdout on this machine)."""
    cap = Capture()
    in_trace = False
    for raw in lines:
        line = raw.rstrip('\r\n')
        at = line.find(MARK)
        if at < 0:
            (cap.trace if in_trace else cap.output).append(line)
            continue
        if at > 0:      # the program's output without its newline
            (cap.trace if in_trace else cap.output).append(line[:at])
        kind, _, value = line[at + len(MARK):].partition(' ')
        value = value.strip()
        if kind == 'kernel':
            cap.kernel = value
        elif kind == 'event':
            cap.enabled.append(value)
        elif kind == 'missing':
            cap.missing.append(value)
        elif kind == 'pid' and value.isdigit():
            cap.pid = int(value)
        elif kind == 'exit' and value.isdigit():
            cap.exit_status = int(value)
        elif kind == 'trace':
            in_trace = True
        elif kind == 'end':
            in_trace = False
            cap.complete = True
        elif kind == 'error':
            cap.error = value
    return cap
