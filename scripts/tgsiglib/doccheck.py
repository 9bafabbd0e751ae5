# SPDX-License-Identifier: GPL-2.0
"""Cheap, deterministic checks of the series' reference page,
Documentation/core-api/thread-group-signals.rst.

The page names the selftest that pins each rule: the program as
``tools/testing/selftests/signal/NAME.c``, then, until the next program,
its tests as ``fixture.test``.  Right after a test, a parenthesis may list
the variants it means as lower-case literals (``variant``, up to the first
';' or ')'), or say how many it means: "(the four variants)", "(the same
four variants)".  A literal ``fixture.test`` before the first program is an
example, not a citation, and ``name.c`` or ``name.h`` is a file.

check_citations() compares the citations with what the C sources define;
docutils_messages() runs Debian's docutils over the page.
"""
from __future__ import annotations

import collections
import dataclasses
import glob
import os
import re
import subprocess
from typing import Dict, List, Optional, Tuple

from .errors import TgsigError
from .shell import Progress, Shell

PROGRAM_PREFIX = 'tools/testing/selftests/signal/'

# The programs of selftests/signal/ whose tests the page need not cite:
# they pin no one rule of the page but check the books under failure and
# load (mainline's own programs of the directory are not in selftests/).
NOT_CITED = ('failslab', 'storm')

# Debian's python3; the first python3 on PATH may be another one, without
# python3-docutils.
DEBIAN_PYTHON = '/usr/bin/python3'

_TOKEN = re.compile(r'``' + re.escape(PROGRAM_PREFIX) + r'(\w+)\.c``'
                    r'|``(\w+)\.(\w+)``')
_NOT_A_TEST = {'c', 'h'}
_PAREN = re.compile(r'\s*\(([^;)]*)')
_VARIANT_NAME = re.compile(r'``([a-z0-9_]+)``')
_VARIANT_COUNT = re.compile(r'the (?:same )?(\w+) variants')
_NUMBERS = {w: n for n, w in enumerate(
    'zero one two three four five six seven eight nine ten eleven twelve'
    .split())}

_C_COMMENT_OR_LITERAL = re.compile(
    r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
    re.S)
_C_DEFINITION = re.compile(
    r'^[ \t]*(TEST|TEST_SIGNAL|TEST_F|TEST_F_SIGNAL|TEST_F_TIMEOUT'
    r'|FIXTURE_VARIANT_ADD)\(\s*(\w+)(?:\s*,\s*(\w+))?', re.M)
# kselftest_harness.h files TEST() and TEST_SIGNAL() under this fixture.
GLOBAL_FIXTURE = 'global'

_DOCUTILS_MESSAGE = re.compile(
    r'^\S.*?: \((DEBUG|INFO|WARNING|ERROR|SEVERE)/[0-4]\) ')


@dataclasses.dataclass(frozen=True)
class Citation:
    """One ``fixture.test`` the page cites, under the program named last."""
    program: str        # 'action_table', for .../signal/action_table.c
    fixture: str
    test: str
    variants: Tuple[str, ...]   # the variant names listed right after it
    count: Optional[int]        # from "(the N variants)", else None
    line: int           # on the page, from 1


@dataclasses.dataclass
class Program:
    """What one selftest source defines, in source order."""
    # (fixture, test), and fixture: [variant names]
    tests: List[Tuple[str, str]] = dataclasses.field(default_factory=list)
    variants: Dict[str, List[str]] = dataclasses.field(
        default_factory=dict)


CitationCheck = collections.namedtuple(
    'CitationCheck', 'problems uncited tests_checked variants_checked')
CitationCheck.__doc__ = """problems: one line per wrong citation;
uncited: 'prog.c: fixture.test' for each test the page never cites;
tests_checked, variants_checked: how many test citations and variant
names were found right (a test cited twice counts twice)."""


def _line(text: str, pos: int) -> int:
    return text.count('\n', 0, pos) + 1


def cited_programs(rst_text: str) -> List[Tuple[str, int]]:
    """[(program, line)] for every ``tools/.../signal/NAME.c``."""
    return [(m.group(1), _line(rst_text, m.start()))
            for m in _TOKEN.finditer(rst_text) if m.group(1)]


def _after_test(rst_text: str,
                end: int) -> Tuple[Tuple[str, ...], Optional[int]]:
    """(variants, count) from the parenthesis right after a citation."""
    paren = _PAREN.match(rst_text, end)
    if not paren:
        return (), None
    inside = ' '.join(paren.group(1).split())
    count = _VARIANT_COUNT.fullmatch(inside)
    if count:
        word = count.group(1)
        return (), int(word) if word.isdigit() else _NUMBERS.get(word)
    return tuple(_VARIANT_NAME.findall(inside)), None


def cited_tests(rst_text: str) -> List[Citation]:
    """[Citation] in page order."""
    out = []
    program = None
    for m in _TOKEN.finditer(rst_text):
        if m.group(1):
            program = m.group(1)
        elif program and m.group(3) not in _NOT_A_TEST:
            variants, count = _after_test(rst_text, m.end())
            out.append(Citation(program, m.group(2), m.group(3), variants,
                                count, _line(rst_text, m.start())))
    return out


def _strip_comments(src: str) -> str:
    return _C_COMMENT_OR_LITERAL.sub(
        lambda m: m.group(0) if m.group(0)[0] in '"\'' else
        '\n' * m.group(0).count('\n'), src)


def parse_source(src: str) -> Program:
    """Program from the text of one kselftest_harness.h source."""
    prog = Program()
    for kind, first, second in _C_DEFINITION.findall(_strip_comments(src)):
        if kind == 'FIXTURE_VARIANT_ADD':
            prog.variants.setdefault(first, []).append(second)
        elif kind.startswith('TEST_F'):
            prog.tests.append((first, second))
        else:
            prog.tests.append((GLOBAL_FIXTURE, first))
    return prog


def defined_tests(selftest_dir: str) -> Dict[str, Program]:
    """{program: Program} for every NAME.c in selftest_dir."""
    out = {}
    for path in sorted(glob.glob(os.path.join(selftest_dir, '*.c'))):
        with open(path, encoding='utf-8') as f:
            out[os.path.basename(path)[:-2]] = parse_source(f.read())
    return out


def _citation_problems(cite: Citation, prog: Program) -> List[str]:
    """Problems of one citation of an existing program."""
    where = f'line {cite.line}: {cite.program}.c'
    name = f'{cite.fixture}.{cite.test}'
    if (cite.fixture, cite.test) not in prog.tests:
        if any(f == cite.fixture for f, _ in prog.tests):
            return [f'{where} has no test {name}']
        return [f'{where} has no fixture {cite.fixture} (cited as {name})']
    have = prog.variants.get(cite.fixture, [])
    # After a test without variants, a parenthesis says something else.
    out = [f'{where}: fixture {cite.fixture} has no variant {v} '
           f'(cited for {name})'
           for v in cite.variants if have and v not in have]
    if cite.count is not None and cite.count != len(have):
        out.append(f'{where}: {name} is cited with {cite.count} variants, '
                   f'fixture {cite.fixture} has {len(have)}')
    return out


def check_citations(rst_text: str, selftest_dir: str,
                    not_cited: Tuple[str, ...] = ()) -> CitationCheck:
    """CitationCheck of the page's citations against the sources; the
    tests of the programs not_cited need not be cited (but may be)."""
    defined = defined_tests(selftest_dir)
    problems = [f'line {line}: no program {PROGRAM_PREFIX}{name}.c '
                f'({name}.c is not in {selftest_dir})'
                for name, line in cited_programs(rst_text)
                if name not in defined]
    cited = set()
    ntests = nvariants = 0
    for cite in cited_tests(rst_text):
        prog = defined.get(cite.program)
        if prog is None:
            continue
        found = _citation_problems(cite, prog)
        problems += found
        if not found:
            cited.add((cite.program, cite.fixture, cite.test))
            ntests += 1
            if prog.variants.get(cite.fixture):
                nvariants += len(cite.variants)
    uncited = [f'{name}.c: {fixture}.{test}'
               for name, prog in defined.items() if name not in not_cited
               for fixture, test in prog.tests
               if (name, fixture, test) not in cited]
    return CitationCheck(problems, uncited, ntests, nvariants)


def _messages(stderr: str) -> List[str]:
    """docutils' report, one string per message with its detail lines."""
    out: List[List[str]] = []
    for line in stderr.splitlines():
        if _DOCUTILS_MESSAGE.match(line):
            out.append([line])
        elif out and not line.startswith('Exiting due to level-'):
            out[-1].append(line)
    return ['\n'.join(m).rstrip() for m in out]


def _run(argv: List[str], env: Dict[str, str],
         shell: Optional[Shell]) -> 'subprocess.CompletedProcess[str]':
    shell = shell or Shell(Progress())
    try:
        return shell.run(argv, env=env, capture=True, check=False,
                         mutates=False)
    except TgsigError:
        raise TgsigError(f'{argv[0]} not found', 'apt-get install python3 '
                         'python3-docutils') from None


def docutils_messages(path: str, python: str = DEBIAN_PYTHON,
                      shell: Optional[Shell] = None) -> List[str]:
    """docutils' messages of level info and above about the page at path,
    [] when it has none.  Every message is reported (docutils would stop
    at the first one with --halt=info).  Runs through shell.run() when a
    Shell is given."""
    if not os.path.isfile(path):
        raise TgsigError(f'no such page: {path}')
    argv = [python, '-m', 'docutils', '--report=info', '--exit-status=info',
            path, os.devnull]
    # No docutils.conf of the machine or the user changes the verdict.
    proc = _run(argv, {'DOCUTILSCONFIG': ''}, shell)
    if 'No module named docutils' in proc.stderr:
        raise TgsigError(f'python3-docutils is not installed (for {python})',
                         'apt-get install python3-docutils')
    messages = _messages(proc.stderr)
    if proc.returncode and not messages:
        messages = [f'docutils exited with status {proc.returncode}: '
                    + (proc.stderr.strip() or 'no output')]
    return messages
