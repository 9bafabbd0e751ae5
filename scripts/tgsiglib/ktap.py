# SPDX-License-Identifier: GPL-2.0
"""Parse TAP 13 / KTAP 1 output into a tree of tests, and write canonical KTAP.

Accepts what kselftest_harness.h programs print (TAP 13, flat, diagnostics
behind '#'), what KUnit prints on the console (KTAP 1, nested by
indentation, '# Subtest:' headers), and leading noise such as console
timestamps. Writes KTAP version 1 as Documentation/dev-tools/ktap.rst
describes it: nested subtests indented by two spaces.
"""
from __future__ import annotations

import dataclasses
import enum
import re
from typing import Any, Dict, Iterable, Iterator, List, Optional, Union


class Status(enum.Enum):
    PASS = 'pass'
    FAIL = 'fail'
    SKIP = 'skip'
    ERROR = 'error'      # no result, a crash, or a malformed stream
    TIMEOUT = 'timeout'
    XFAIL = 'xfail'      # a known failure, listed with its reason

    @property
    def failed(self) -> bool:
        return self in (Status.FAIL, Status.ERROR, Status.TIMEOUT)


@dataclasses.dataclass
class Test:
    name: str
    status: Status = Status.ERROR
    directive: str = ''
    subtests: List['Test'] = dataclasses.field(default_factory=list)
    log: List[str] = dataclasses.field(default_factory=list)
    planned: Optional[int] = None
    seconds: Optional[float] = None

    def leaves(self) -> Iterator['Test']:
        if not self.subtests:
            yield self
            return
        for sub in self.subtests:
            yield from sub.leaves()

    def counts(self) -> Dict[str, int]:
        """Leaf counts by status value, as a dict of ints."""
        counts = {s.value: 0 for s in Status}
        for leaf in self.leaves():
            counts[leaf.status.value] += 1
        return counts

    def to_json(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {'name': self.name, 'status': self.status.value}
        if self.directive:
            out['directive'] = self.directive
        if self.seconds is not None:
            out['seconds'] = round(self.seconds, 2)
        if self.subtests:
            out['subtests'] = [t.to_json() for t in self.subtests]
        return out

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> 'Test':
        """The tree to_json() wrote (without logs, which it leaves out).
        A node without a status (a parent written by hand) is computed
        from its subtests as finish() does."""
        subs = [cls.from_json(d) for d in data.get('subtests') or []]
        status = data.get('status')
        test = cls(name=data.get('name', ''),
                   status=Status(status) if status else Status.PASS,
                   directive=data.get('directive', ''), subtests=subs,
                   seconds=data.get('seconds'))
        if status is None:
            finish(test)
        return test


# Console lines may carry a printk time stamp: "[    1.234567] ".
_STAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
_VERSION = re.compile(r'^(K?TAP) version (\d+)\s*$')
_PLAN = re.compile(r'^1\.\.(\d+)')
_RESULT = re.compile(r'^(ok|not ok)\s+(\d+)(?:\s+-)?(?:\s+([^#]*?))?\s*'
                     r'(?:#\s*(.*?))?\s*$')
_SUBTEST = re.compile(r'^#\s*Subtest:\s*(.*?)\s*$')


@dataclasses.dataclass
class _Line:
    indent: int
    text: str


def _lex(lines: Iterable[str]) -> List['_Line']:
    out = []
    for raw in lines:
        raw = raw.rstrip('\r\n')
        raw = _STAMP.sub('', raw)
        body = raw.lstrip(' ')
        out.append(_Line(len(raw) - len(body), body))
    return out


def _directive_status(ok: bool, directive: str) -> Status:
    word = directive.split(None, 1)[0].upper() if directive else ''
    if word == 'SKIP':
        return Status.SKIP
    if word == 'TIMEOUT':
        return Status.TIMEOUT
    if word == 'ERROR':
        return Status.ERROR
    if word == 'XFAIL':
        return Status.XFAIL
    if word == 'TODO':
        return Status.PASS if ok else Status.FAIL
    return Status.PASS if ok else Status.FAIL


def _is_start(line: '_Line') -> bool:
    return bool(_VERSION.match(line.text) or _SUBTEST.match(line.text))


class _Parser:
    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = _lex(lines)
        self.pos = 0

    def peek(self) -> Optional[_Line]:
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def parse_block(self, parent: Test, indent: int) -> None:
        """Parse results at `indent` into parent.subtests until the block
        ends (a shallower line, or the parent's own result)."""
        pending_log: List[str] = []
        pending_subs: Optional[Test] = None
        pending_name: Optional[str] = None
        while True:
            line = self.peek()
            if line is None:
                break
            if line.text == '':
                self.pos += 1
                continue
            if line.indent > indent and _is_start(line):
                holder = Test(name='')
                child_indent = line.indent
                sub = _SUBTEST.match(line.text)
                if sub:
                    holder.name = sub.group(1)
                    self.pos += 1
                self.parse_header(holder)
                self.parse_block(holder, child_indent)
                pending_subs = holder
                pending_name = holder.name
                continue
            if line.indent < indent:
                break
            m = _RESULT.match(line.text)
            if m:
                self.pos += 1
                ok = m.group(1) == 'ok'
                name = (m.group(3) or '').strip() or pending_name or \
                    f'test {m.group(2)}'
                directive = m.group(4) or ''
                test = Test(name=name, directive=directive,
                            status=_directive_status(ok, directive),
                            log=pending_log)
                if pending_subs is not None:
                    test.subtests = pending_subs.subtests
                    test.planned = pending_subs.planned
                    test.log = pending_subs.log + pending_log
                    _mark_missing(test)
                parent.subtests.append(test)
                pending_log, pending_subs, pending_name = [], None, None
                continue
            if line.indent == indent and _VERSION.match(line.text) \
                    and parent.subtests:
                # A second stream glued onto the first: stop here.
                break
            self.pos += 1
            pending_log.append(line.text)
        if pending_subs is not None:
            # Subtests whose parent never printed its own result.
            parent.subtests.append(Test(
                name=pending_name or 'unnamed', status=Status.ERROR,
                directive='no result line (crashed?)',
                subtests=pending_subs.subtests,
                log=pending_subs.log + pending_log))
        else:
            parent.log.extend(pending_log)

    def parse_header(self, holder: Test) -> None:
        """Consume a version line and plan (either may be missing)."""
        line = self.peek()
        if line is not None and _VERSION.match(line.text):
            self.pos += 1
        while (line := self.peek()) is not None:
            m = _PLAN.match(line.text)
            if m:
                holder.planned = int(m.group(1))
                self.pos += 1
                return
            if line.text.startswith('#') and not _RESULT.match(line.text):
                holder.log.append(line.text)
                self.pos += 1
                continue
            return


def _missing(test: Test) -> bool:
    return test.planned is not None and len(test.subtests) < test.planned


def _mark_missing(test: Test) -> None:
    """A plan promised more results than came: count the gap as one
    failed leaf, so that totals cannot hide it."""
    if not _missing(test):
        return
    got = len(test.subtests)
    test.subtests.append(Test(
        name=f'results {got + 1}..{test.planned} missing',
        status=Status.ERROR, directive='no result line (crashed?)'))
    test.status = Status.ERROR
    test.directive = f'{got} of {test.planned} results'
    test.planned = len(test.subtests)


def parse(lines: Union[str, Iterable[str]], name: str = 'results') -> Test:
    """Parse the output of one program (or a console log) into a Test
    whose subtests are the top-level results found."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    parser = _Parser(lines)
    root = Test(name=name, status=Status.PASS)
    # Skip everything before the first version line or result line.
    while (line := parser.peek()) is not None:
        if _VERSION.match(line.text) or _RESULT.match(line.text) \
                or _PLAN.match(line.text):
            break
        root.log.append(line.text)
        parser.pos += 1
    first = parser.peek()
    if first is None:
        root.status = Status.ERROR
        root.directive = 'no TAP or KTAP output'
        return root
    indent = first.indent
    parser.parse_header(root)
    parser.parse_block(root, indent)
    finish(root)
    return root


def finish(test: Test) -> Test:
    """Set a parent's status from its subtests where it has none of its own:
    failed if any failed, skipped if all skipped, else passed; and an error
    when results are missing from the plan."""
    if not test.subtests:
        return test
    _mark_missing(test)
    if any(t.status.failed for t in test.subtests):
        if not test.status.failed:
            test.status = Status.FAIL
    elif all(t.status in (Status.SKIP, Status.XFAIL)
             for t in test.subtests):
        test.status = Status.SKIP
    return test


def _clean_name(name: str) -> str:
    return name.replace('#', '_').replace('\n', ' ').strip() or 'unnamed'


def emit(test: Test, diagnostics: bool = True) -> str:
    """Canonical KTAP v1 for test's subtests, with test itself as the root
    (the root has no result line of its own, as at the top of a file)."""
    out: List[str] = []
    _emit_block(test, 0, out, diagnostics)
    return '\n'.join(out) + '\n'


def _emit_block(test: Test, depth: int, out: List[str],
                diagnostics: bool) -> None:
    pad = '  ' * depth
    out.append(f'{pad}KTAP version 1')
    out.append(f'{pad}1..{len(test.subtests)}')
    for n, sub in enumerate(test.subtests, 1):
        if sub.subtests:
            _emit_block(sub, depth + 1, out, diagnostics)
        elif diagnostics and sub.status.failed:
            for line in sub.log[-60:]:
                out.append(f'{pad}# {line.lstrip("# ").rstrip()}')
        out.append(pad + _result_line(n, sub))


def _result_line(n: int, test: Test) -> str:
    ok = 'not ok' if test.status.failed else 'ok'
    line = f'{ok} {n} {_clean_name(test.name)}'
    directive = test.directive
    if test.status == Status.SKIP:
        directive = 'SKIP' + (' ' + _strip_word(directive, 'SKIP')
                              if _strip_word(directive, 'SKIP') else '')
    elif test.status == Status.TIMEOUT:
        directive = 'TIMEOUT ' + _strip_word(directive, 'TIMEOUT')
    elif test.status == Status.ERROR:
        directive = 'ERROR ' + _strip_word(directive, 'ERROR')
    elif test.status == Status.XFAIL:
        directive = 'XFAIL ' + _strip_word(directive, 'XFAIL')
    elif directive and directive.split()[0].upper() not in ('TODO', 'XFAIL'):
        directive = ''
    directive = directive.strip()
    return f'{line} # {directive}' if directive else line


def _strip_word(text: str, word: str) -> str:
    text = (text or '').strip()
    if text.upper().startswith(word):
        text = text[len(word):].strip()
    return text
