# SPDX-License-Identifier: GPL-2.0
"""Benchmark results: the line protocol, the statistics, the tables.

The benchmark programs (scripts/bench/*.c) run in the guest and print one
line per measurement:

    tgsig-bench FIGURE PARAM=VALUE [PARAM=VALUE...] METRIC=NUMBER UNIT

for example

    tgsig-bench kill_all procs=1000 call=441200 ns
    tgsig-bench pidns_zap children=256 threads=4 exit_to_reaped=8125000 ns

FIGURE names what is measured; the PARAM=VALUE pairs (one or more) the
size it was measured at, the first one being the size a plot puts on its
x axis; METRIC=NUMBER is the measurement and UNIT its unit (`ns` for
times).  The last KEY=VALUE before the unit is the metric, the others are
parameters.  Every other line is the program's own (it starts its
comments with '#'); a line that starts with `tgsig-bench ` and does not
parse is an error, not something to skip.

A program reports, for each size, a median of many runs inside one boot.
Each kernel is booted several times; for every (figure, parameters,
metric, unit) the lines of all boots of one kernel are pooled, and the
tables show the median of the pool and its spread (min-max), for the
unpatched and the patched kernel, and the ratio patched/unpatched of the
medians.
"""
import dataclasses
import re
import statistics
import textwrap

from .errors import TgsigError

PREFIX = 'tgsig-bench'
UNPATCHED, PATCHED = 'unpatched', 'patched'
VARIANTS = (UNPATCHED, PATCHED)

_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_.-]*$')
_VALUE = re.compile(r'^[^\s=]+$')
_NUMBER = re.compile(r'^-?[0-9]+(\.[0-9]+)?$')

# What each figure measures, for the legend under the Markdown table.
FIGURES = {
    'kill_all': 'kill(-1, SIGUSR1) from a PID namespace of 16 processes, '
                'per call, with `procs` more processes outside it',
    'kill_all_fork': 'fork() outside that namespace while it sends '
                     'kill(-1) in a loop: median and 90th percentile',
    'kill_all_init': 'kill(-1, SIGURG) from the initial PID namespace, '
                     'per call, with `procs` processes of ours on the '
                     'machine: the code the series keeps',
    'kill_all_whole_ns': 'kill(-1, SIGURG) from the init of a PID '
                         'namespace of `procs` processes of `threads` '
                         'threads each, nearly all of the machine, where '
                         'both kernels find the same recipients (the '
                         'patched one walks the process list here, but for '
                         'the smallest namespace)',
    'pipeline': 'teardown of a pipeline of `procs` processes in one '
                'process group, all blocked in read() (variant=read) or '
                'write() (variant=write), by kill(-pgrp), a kill() loop in '
                'pipeline order, or SIGSTOP, the loop and SIGCONT: how many '
                'ran user code after the kill began (woke), and the time '
                'until all are reaped',
    'group_kill': 'kill(SIGKILL) of one process of `threads` threads '
                  'until waitpid() returns',
    'pidns_zap': "exit of a PID namespace's init with `children` children "
                 'of `threads` threads each until waitpid() for it returns',
    'hot_path': 'kill() to a process of `threads` threads, or tgkill() to '
                'one of them, until its handler has run and woken the '
                'sender',
    'distribution': 'kill(SIGRTMIN) to a process of `threads` threads, all '
                    'asleep (sleeping), all spinning (busy) or asleep with '
                    'the main thread blocking it (main_blocking), in '
                    'bursts of `inflight`: how many threads handled one, '
                    'and the shares of the busiest thread and of the main '
                    'thread',
}


class ProtocolError(TgsigError):
    pass


@dataclasses.dataclass(frozen=True)
class Key:
    figure: str
    params: tuple           # ((name, value), ...) in the line's order
    metric: str
    unit: str

    @property
    def params_text(self):
        return ' '.join(f'{k}={v}' for k, v in self.params)

    def to_json(self):
        return {'figure': self.figure, 'params': dict(self.params),
                'metric': self.metric, 'unit': self.unit}


@dataclasses.dataclass(frozen=True)
class Sample:
    key: Key
    value: float


def parse_line(line):
    """A Sample, or None for a line that is not a measurement."""
    words = line.strip().split()
    if not words or words[0] != PREFIX:
        return None
    if len(words) < 5:
        raise ProtocolError(f'too few fields in {line.strip()!r}: expected '
                            f'{PREFIX} FIGURE PARAM=VALUE... METRIC=NUMBER '
                            'UNIT')
    figure, pairs, unit = words[1], words[2:-1], words[-1]
    if not _NAME.match(figure) or '=' in unit or not _NAME.match(unit):
        raise ProtocolError(f'bad figure or unit in {line.strip()!r}')
    split = []
    for pair in pairs:
        name, eq, value = pair.partition('=')
        if not eq or not _NAME.match(name) or not _VALUE.match(value):
            raise ProtocolError(f'{pair!r} is not NAME=VALUE in '
                                f'{line.strip()!r}')
        split.append((name, value))
    metric, number = split[-1]
    if not _NUMBER.match(number):
        raise ProtocolError(f'{metric}={number} is not a number in '
                            f'{line.strip()!r}')
    names = [n for n, _ in split]
    if len(set(names)) != len(names):
        raise ProtocolError(f'a name appears twice in {line.strip()!r}')
    return Sample(Key(figure, tuple(split[:-1]), metric, unit),
                  float(number))


def parse_output(lines):
    """Every measurement in a program's output, in order."""
    return [s for s in (parse_line(line) for line in lines) if s]


@dataclasses.dataclass
class Spread:
    values: list

    @property
    def n(self):
        return len(self.values)

    @property
    def median(self):
        return statistics.median(self.values)

    @property
    def low(self):
        return min(self.values)

    @property
    def high(self):
        return max(self.values)

    def to_json(self):
        return {'n': self.n, 'median': self.median, 'min': self.low,
                'max': self.high, 'values': list(self.values)}


@dataclasses.dataclass
class Row:
    key: Key
    unpatched: Spread = None
    patched: Spread = None

    @property
    def ratio(self):
        """Patched median / unpatched median, None when either is missing
        or the unpatched one is 0."""
        if not self.unpatched or not self.patched or \
                not self.unpatched.median:
            return None
        return self.patched.median / self.unpatched.median

    def to_json(self):
        out = self.key.to_json()
        for name in VARIANTS:
            spread = getattr(self, name)
            out[name] = spread.to_json() if spread else None
        out['ratio'] = self.ratio
        return out


def rows_from_json(data):
    """The rows of a results.json that the bench wrote."""
    rows = []
    for r in data['rows']:
        key = Key(r['figure'], tuple(r['params'].items()), r['metric'],
                  r['unit'])
        row = Row(key)
        for variant in VARIANTS:
            if r.get(variant):
                setattr(row, variant, Spread(list(r[variant]['values'])))
        rows.append(row)
    return rows


def summarize(samples):
    """samples: {'unpatched': [Sample], 'patched': [Sample]}.  One Row per
    key, grouped by figure; figures and the keys of each in the order
    they first appear (unpatched first)."""
    rows = {}
    for variant in VARIANTS:
        for sample in samples.get(variant, []):
            row = rows.setdefault(sample.key, Row(sample.key))
            spread = getattr(row, variant)
            if spread is None:
                setattr(row, variant, Spread([sample.value]))
            else:
                spread.values.append(sample.value)
    figures = list(dict.fromkeys(key.figure for key in rows))
    return sorted(rows.values(), key=lambda r: figures.index(r.key.figure))


def incomplete(rows, boots):
    """Descriptions of rows that do not have exactly `boots` values of
    each kernel."""
    out = []
    for row in rows:
        for variant in VARIANTS:
            spread = getattr(row, variant)
            n = spread.n if spread else 0
            if n != boots:
                out.append(f'{row.key.figure} {row.key.params_text} '
                           f'{row.key.metric}: {n} values from the '
                           f'{variant} kernel, expected {boots}')
    return out


# -- rendering ----------------------------------------------------------

_TIME_SCALES = ((1e4, 1, 'ns'), (1e7, 1e3, 'us'), (None, 1e6, 'ms'))


def scale(row):
    """(divisor, unit) that shows the row's medians with few digits."""
    if row.key.unit != 'ns':
        return 1, row.key.unit
    medians = [s.median for s in (row.unpatched, row.patched) if s]
    top = max(medians) if medians else 0
    for limit, div, unit in _TIME_SCALES:
        if limit is None or top < limit:
            return div, unit
    return 1, 'ns'      # not reached


def number(value):
    """Three significant digits (all of the whole part), never an
    exponent."""
    a = abs(value)
    if a >= 100:
        return f'{value:.0f}'
    if a >= 10:
        return f'{value:.1f}'
    return f'{value:.2f}'


def cell(spread, div, unit):
    if spread is None:
        return '-'
    return (f'{number(spread.median / div)} {unit} '
            f'({number(spread.low / div)}-{number(spread.high / div)})')


def ratio_text(row):
    """Two decimals; two significant digits below 0.1."""
    r = row.ratio
    if r is None:
        return '-'
    return f'{r:.2f}' if r >= 0.1 else f'{r:.2g}'


def _cells(row):
    div, unit = scale(row)
    return (row.key.figure, row.key.params_text, row.key.metric,
            cell(row.unpatched, div, unit), cell(row.patched, div, unit),
            ratio_text(row))


HEADER = ('FIGURE', 'PARAMETERS', 'METRIC', 'UNPATCHED median (min-max)',
          'PATCHED median (min-max)', 'PATCHED/UNPATCHED')


def table(rows):
    """The terminal table."""
    lines = [HEADER] + [_cells(r) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(6)]
    out = []
    for line in lines:
        left = '  '.join(v.ljust(w) for v, w in zip(line[:3], widths))
        right = '  '.join(v.rjust(w) for v, w in zip(line[3:], widths[3:]))
        out.append(f'  {left}  {right}'.rstrip())
    return '\n'.join(out)


def markdown(rows, note=''):
    """A Markdown table, with the note above it and a legend below."""
    out = []
    if note:
        out += [note.strip(), '']
    out += ['| Figure | Parameters | Metric | Unpatched: median (min-max) '
            '| Patched: median (min-max) | Patched/unpatched |',
            '|---|---|---|---:|---:|---:|']
    for row in rows:
        cells = [c.replace('|', '\\|') for c in _cells(row)]
        cells[0] = f'`{cells[0]}`'
        out.append('| ' + ' | '.join(cells) + ' |')
    legend = []
    for figure in dict.fromkeys(r.key.figure for r in rows):
        if figure in FIGURES:
            legend.append(f'- `{figure}`: {FIGURES[figure]}.')
    if legend:
        out += [''] + legend
    return '\n'.join(out) + '\n'


LETTER_WIDTH = 75
# Figures of many rows that the cover letter sums up in a few lines;
# results.md has every row.
SUMMED_UP = ('pipeline', 'distribution')


def summary(figure, block):
    """A few lines for a figure of many rows: how many, and the spread of
    the ratios of its times and of its other measurements."""
    out = [f'{figure}: {len(block)} rows in results.md.']
    for what, rows in (('times', [r for r in block if r.key.unit == 'ns']),
                       ('counts', [r for r in block
                                   if r.key.unit != 'ns'])):
        if not rows:
            continue
        ratios = [r.ratio for r in rows if r.ratio is not None]
        same = sum(1 for r in rows if r.ratio is None and r.unpatched and
                   r.patched and r.unpatched.median == r.patched.median)
        text = f'The {len(rows)} {what}: '
        if ratios:
            text += (f'patched/unpatched {min(ratios):.2f} to '
                     f'{max(ratios):.2f} (median '
                     f'{statistics.median(ratios):.2f})')
        if same:
            text += f'{"; " if ratios else ""}{same} are 0 on both kernels'
        moved = [r for r in rows if r.ratio is not None or
                 (r.unpatched and r.patched and
                  r.unpatched.median != r.patched.median)]
        if same and len(moved) <= 8:
            text += ', the others (unpatched / patched): ' + '; '.join(
                f'{r.key.params_text} {r.key.metric} '
                f'{number(r.unpatched.median)} / '
                f'{number(r.patched.median)}' for r in moved)
        out.append(text + '.')
    return textwrap.wrap(' '.join(out), 72)


def letter(rows, note=''):
    """The table as plain text for a cover letter: lines of at most 75
    columns (checkpatch's limit for a commit message), one block per
    figure under its legend; the figures of SUMMED_UP in a few lines."""
    out = textwrap.wrap(note.strip(), 72) + [''] if note else []
    for figure in dict.fromkeys(r.key.figure for r in rows):
        block = [r for r in rows if r.key.figure == figure]
        out += textwrap.wrap(f'{figure}: {FIGURES.get(figure, "")}', 72)
        if figure in SUMMED_UP:
            out += summary(figure, block) + ['']
            continue
        lines = [('', 'unpatched', 'patched', 'ratio')]
        for row in block:
            div, unit = scale(row)
            params = row.key.params_text
            if row.key.metric not in ('call', 'kill_to_reaped',
                                      'exit_to_reaped', 'round_trip'):
                params += f' {row.key.metric}'
            lines.append((params, cell(row.unpatched, div, unit),
                          cell(row.patched, div, unit), ratio_text(row)))
        widths = [max(len(line[i]) for line in lines) for i in range(4)]
        if 2 + sum(widths) + 6 <= LETTER_WIDTH:
            for line in lines:
                out.append(('  ' + line[0].ljust(widths[0]) + '  ' +
                            '  '.join(v.rjust(w) for v, w in
                                      zip(line[1:], widths[1:]))).rstrip())
        else:
            # Too wide for one line: the parameters above the numbers.
            for line in lines:
                if line[0]:
                    out.append('  ' + line[0])
                out.append(('      ' + '  '.join(
                    v.rjust(w) for v, w in zip(line[1:], widths[1:])))
                    .rstrip())
        out.append('')
    return '\n'.join(out).rstrip('\n') + '\n'
