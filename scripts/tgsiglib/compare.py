# SPDX-License-Identifier: GPL-2.0
"""`tgsig compare`: runs' results side by side, program by program.

The cover letter shows the selftests on the unpatched and the patched
kernel; this writes that table from the runs' results.json, so that no
count in it is typed by hand."""
import json
import os

from .errors import TgsigError

_COUNTED = ('pass', 'fail', 'skip', 'xfail', 'error', 'timeout')


def load(run_dir):
    path = os.path.join(run_dir, 'results.json')
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError) as err:
        raise TgsigError(f'{path}: {err}',
                         'give the run directories that tgsig run printed')


def leaf_counts(node):
    """{status: count} over the leaves below node."""
    subs = node.get('subtests') or []
    if not subs:
        return {node.get('status', 'error'): 1}
    counts = {}
    for sub in subs:
        for status, n in leaf_counts(sub).items():
            counts[status] = counts.get(status, 0) + n
    return counts


def programs(results):
    """(name, counts) for each program: the children of each collection
    of the results tree, in order."""
    out = []
    for collection in results['results'].get('subtests', []):
        for prog in collection.get('subtests', []):
            name = prog['name']
            if ':' not in name:
                name = f'{collection["name"]}:{name}'
            out.append((name, leaf_counts(prog)))
    return out


def _cell(counts):
    if not counts:
        return 'not run'
    parts = [f'{counts[s]} {s}' for s in _COUNTED if counts.get(s)]
    return ', '.join(parts) or '-'


def _totals(res):
    t = res.get('totals', {})
    return (f'  {res.get("accel", "?").upper()} -smp {res.get("smp", "?")}: '
            f'{t.get("pass", 0)} passed, {t.get("fail", 0)} failed, '
            f'{t.get("skip", 0)} skipped')


def run_label(results):
    """What a run was: unpatched or patched, and with the debug config."""
    name = 'unpatched' if results.get('variant') == 'baseline' else \
        'patched'
    return name + (', debug config' if results.get('debug')
                   else '')


def table(a, b, *also, label_a='unpatched', label_b='patched'):
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
    for label, res in ((label_a, a), (label_b, b)):
        lines.append(f'{label}: {res.get("tree", "?")}')
        lines.append(_totals(res))
    for res in also:
        rows = dict(programs(res))
        differ = [n for n in dict.fromkeys(list(rows) + list(rows_b))
                  if rows.get(n) != rows_b.get(n)]
        splats = len(res.get('splats') or [])
        lines.append(f'{run_label(res)}: {res.get("tree", "?")}')
        lines.append(f'{_totals(res)}; {splats} kernel splats')
        if differ:
            lines.append('  programs whose counts differ from '
                         f'{label_b}: ' + ', '.join(
                             f'{n} ({_cell(rows.get(n))})' for n in differ))
        else:
            lines.append(f'  every program as on the {label_b} kernel')
    return '\n'.join(lines) + '\n'


def tables(runs):
    """One table per base, mainline first: the runs of each base in the
    order given (its unpatched run, its patched run, then any more)."""
    groups = {}
    for res in runs:
        groups.setdefault(res.get('base') or 'lts', []).append(res)
    out = []
    for base in sorted(groups, key=lambda b: (b != 'mainline', b)):
        group = groups[base]
        if len(group) < 2:
            raise TgsigError(f'compare: one run only of the {base} base',
                             'give its unpatched run and its patched run')
        out.append(f'{base}:\n' + table(*group) if len(groups) > 1
                   else table(*group))
    return '\n'.join(out)
