# SPDX-License-Identifier: GPL-2.0
"""`tgsig compare`: runs' results side by side, program by program.

The cover letter shows the selftests on the unpatched and the patched
kernel; this writes that table from the runs' records (results.json), so
that no count in it is typed by hand."""
from __future__ import annotations

import textwrap
from typing import Dict, List, Optional, Tuple

from .errors import TgsigError
from .record import RunRecord, leaf_counts

_COUNTED = ('pass', 'fail', 'skip', 'xfail', 'error', 'timeout')

Counts = Dict[str, int]


def load(run_dir: str) -> RunRecord:
    return RunRecord.load(run_dir)


def programs(record: RunRecord) -> List[Tuple[str, Counts]]:
    """(name, counts) for each program: the children of each collection
    of the results tree, in order."""
    out = []
    for collection in record.results.subtests:
        for prog in collection.subtests:
            name = prog.name
            if ':' not in name:
                name = f'{collection.name}:{name}'
            out.append((name, leaf_counts(prog)))
    return out


def _cell(counts: Optional[Counts]) -> str:
    if not counts:
        return 'not run'
    parts = [f'{counts[s]} {s}' for s in _COUNTED if counts.get(s)]
    return ', '.join(parts) or '-'


def _totals(res: RunRecord) -> str:
    t = res.totals
    return (f'  {(res.accel or "?").upper()} -smp '
            f'{res.smp if res.smp is not None else "?"}: '
            f'{t.get("pass", 0)} passed, {t.get("fail", 0)} failed, '
            f'{t.get("skip", 0)} skipped')


def run_label(record: RunRecord) -> str:
    """What a run was: unpatched or patched, and with the debug config."""
    name = 'unpatched' if record.variant == 'baseline' else 'patched'
    return name + (', debug config' if record.debug else '')


def table(a: RunRecord, b: RunRecord, *also: RunRecord,
          label_a: str = 'unpatched', label_b: str = 'patched') -> str:
    """A plain-text table, as a cover letter wants it: a and b side by
    side; each run of also (a debug kernel, say) in a few lines under
    it, with the programs whose counts differ from b's."""
    rows_a, rows_b = dict(programs(a)), dict(programs(b))
    names = [n for n, _ in programs(a)]
    names += [n for n, _ in programs(b) if n not in rows_a]
    width = max([len(n) for n in names] + [7])
    cells = max([len(_cell(rows_a.get(n))) for n in names] + [len(label_a)])
    lines = [f'{"program":<{width}}  {label_a:<{cells}}  {label_b}']
    for name in names:
        lines.append(f'{name:<{width}}  {_cell(rows_a.get(name)):<{cells}}'
                     f'  {_cell(rows_b.get(name))}')
    # A cover letter's lines stay within 75 columns: the tree on a line
    # of its own, long lists wrapped.
    for label, res in ((label_a, a), (label_b, b)):
        lines.append(f'{label}:')
        lines.append(f'  {res.tree or "?"}')
        lines.append(_totals(res))
    for res in also:
        rows = dict(programs(res))
        differ = [n for n in dict.fromkeys(list(rows) + list(rows_b))
                  if rows.get(n) != rows_b.get(n)]
        lines.append(f'{run_label(res)}:')
        lines.append(f'  {res.tree or "?"}')
        lines.append(f'{_totals(res)}; {len(res.splats)} kernel splats')
        if differ:
            lines += textwrap.wrap(
                f'programs whose counts differ from {label_b}: ' + ', '.join(
                    f'{n} ({_cell(rows.get(n))})' for n in differ),
                75, initial_indent='  ', subsequent_indent='    ')
        else:
            lines.append(f'  every program as on the {label_b} kernel')
    return '\n'.join(lines) + '\n'


def tables(runs: List[RunRecord]) -> str:
    """One table per base, mainline first: the runs of each base in the
    order given (its unpatched run, its patched run, then any more)."""
    groups: Dict[str, List[RunRecord]] = {}
    for res in runs:
        groups.setdefault(res.base or 'lts', []).append(res)
    out = []
    for base in sorted(groups, key=lambda b: (b != 'mainline', b)):
        group = groups[base]
        if len(group) < 2:
            raise TgsigError(f'compare: one run only of the {base} base',
                             'give its unpatched run and its patched run')
        out.append(f'{base}:\n' + table(*group) if len(groups) > 1
                   else table(*group))
    return '\n'.join(out)
