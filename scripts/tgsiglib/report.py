# SPDX-License-Identifier: GPL-2.0
"""The summary on the terminal and the files of a run directory."""
from __future__ import annotations

from . import ktap
from typing import Dict, Iterator, Sequence, Tuple

from .ktap import Status, Test
from .record import RunRecord
from .shell import quote

_WORD = {Status.PASS: 'ok', Status.FAIL: 'FAIL', Status.SKIP: 'skip',
         Status.ERROR: 'ERROR', Status.TIMEOUT: 'TIMEOUT',
         Status.XFAIL: 'xfail'}


def command_line(argv: Sequence[str]) -> str:
    """How a command was typed, for the files that record its results."""
    return 'scripts/tgsig ' + quote(argv) if argv else 'scripts/tgsig'


def plural(n: int, word: str) -> str:
    return f'{n} {word}' + ('' if n == 1 else 's')


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f'{seconds}s'
    if seconds < 3600:
        return f'{seconds // 60}m{seconds % 60:02d}s'
    return f'{seconds // 3600}h{seconds // 60 % 60:02d}m'


def totals_line(counts: Dict[str, int]) -> str:
    failed = counts['fail'] + counts['error'] + counts['timeout']
    # A known failure is neither a pass nor news: it counts as skipped.
    return (f"{counts['pass']} passed, {failed} failed, "
            f"{counts['skip'] + counts['xfail']} skipped")


def table(root: Test) -> str:
    rows = [('TEST', 'RESULT', 'PASS', 'FAIL', 'SKIP', 'TIME')]
    for suite in root.subtests:
        for prog in suite.subtests or [suite]:
            c = prog.counts()
            secs = getattr(prog, 'seconds', None)
            rows.append((prog.name if ':' in prog.name or suite.name ==
                         prog.name else f'{suite.name}:{prog.name}',
                         _WORD[prog.status], str(c['pass']),
                         str(c['fail'] + c['error'] + c['timeout']),
                         str(c['skip'] + c['xfail']),
                         f'{secs:.1f}s' if secs is not None else ''))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        out.append('  ' + r[0].ljust(widths[0]) + '  ' + r[1].ljust(widths[1])
                   + ''.join('  ' + v.rjust(w) for v, w in
                             zip(r[2:], widths[2:])))
    return '\n'.join(out)


def failures(root: Test, limit: int = 20) -> str:
    """Each failed leaf with the lines that say why."""
    out = []
    for suite in root.subtests:
        for leaf in _failed_leaves(suite, suite.name):
            path, test = leaf
            out.append(f'  {_WORD[test.status]}: {path}'
                       + (f' ({test.directive})' if test.directive else ''))
            for line in test.log[-limit:]:
                out.append(f'      | {line}')
    return '\n'.join(out)


def known(root: Test) -> str:
    """XFAIL and XPASS lines: known failures and ones that now pass."""
    out = []
    for suite in root.subtests:
        for path, leaf in _leaves(suite, suite.name):
            if leaf.status == Status.XFAIL:
                out.append(f'  XFAIL: {path} ({leaf.directive})')
            elif leaf.directive.startswith('XPASS'):
                out.append(f'  XPASS: {path}: remove it from '
                           'selftests/known-failures')
    return '\n'.join(out)


def _leaves(test: Test, path: str) -> Iterator[Tuple[str, Test]]:
    if not test.subtests:
        yield path, test
        return
    for sub in test.subtests:
        yield from _leaves(sub, f'{path}/{sub.name}')


def _failed_leaves(test: Test, path: str) -> Iterator[Tuple[str, Test]]:
    return ((p, t) for p, t in _leaves(test, path) if t.status.failed)


def write_record(run_dir: str, record: RunRecord) -> None:
    """results.ktap and results.json of a run."""
    with open(f'{run_dir}/results.ktap', 'w', encoding='utf-8') as f:
        f.write(ktap.emit(record.results))
    record.save(run_dir)


def summary(record: RunRecord) -> str:
    """What a run found, for the terminal: its kernel and guest, a table
    of programs, the failures, the known failures, the first splat, how
    the boot ended, and the totals."""
    root = record.results
    out = ['']
    debug = ' with kconfig/debug.config' if record.debug else ''
    out.append(f'tgsig: {record.variant} kernel{debug}, {record.tree}; '
               f'{(record.accel or "?").upper()} -smp {record.smp}; '
               f'guest {record.guest or "did not boot"}')
    out.append(table(root))
    fails = failures(root)
    if fails:
        out += ['', 'failures:', fails]
    knowns = known(root)
    if knowns:
        out += ['', 'known failures of the base (selftests/known-failures):',
                knowns]
    if record.splats:
        first = record.splats[0]
        where = f'while {first.test} ran' if first.test else \
            'outside any test'
        out += ['', f'kernel splats: {len(record.splats)}; the first, a '
                f'{first.kind} {where}, at console.log line {first.line}:']
        out += [f'    {line}' for line in first.excerpt[:25]]
    if record.outcome != 'done':
        running = record.running_at_end
        out += ['', f'the run ended early: {record.outcome}'
                + (f' while {running} ran' if running else '')
                + f': {record.detail}']
    out += ['', f'run directory: {record.run_dir}',
            '  build.log console.log output.log results.ktap results.json '
            'config facts.json boot.json',
            totals_line(root.counts())]
    return '\n'.join(out)
