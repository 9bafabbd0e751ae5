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

Every figure is measured by one clock (CLOCKS): `icount`, where QEMU
counts instructions (-icount shift=0: one nanosecond of guest time per
guest instruction, on one vCPU) and a figure repeats from boot to boot,
or `wall`, the host's time as TCG gives it, for the figures about two
CPUs at once.  The noise floor of a row is the larger of the two
kernels' spreads across boots, (max - min) / median: what booting the
same kernel again moves the figure by.  A ratio is called a change only
when it is further from 1 than that.
"""
from __future__ import annotations

import dataclasses
import re
import statistics
import textwrap
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from .errors import TgsigError

PREFIX = 'tgsig-bench'
UNPATCHED, PATCHED = 'unpatched', 'patched'
VARIANTS = (UNPATCHED, PATCHED)

_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_.-]*$')
_VALUE = re.compile(r'^[^\s=]+$')
_NUMBER = re.compile(r'^-?[0-9]+(\.[0-9]+)?$')

ICOUNT, WALL = 'icount', 'wall'
CLOCKS = {
    ICOUNT: 'instructions (insn, kinsn, Minsn), counted by QEMU -icount '
            'shift=0,sleep=off: one nanosecond of guest time per guest '
            'instruction',
    WALL: "the host's time as QEMU TCG passes it to the guest",
}

# What each figure measures, for the legend under the Markdown table.
FIGURES = {
    'kill_all': 'kill(-1, SIGUSR1) from a PID namespace of 16 processes, '
                'per call, with `procs` more processes outside it',
    'kill_all_fork': 'fork() outside that namespace while it sends '
                     'kill(-1) in a loop: median and 90th percentile',
    'kill_all_init': 'kill(-1, SIGURG) from the initial PID namespace, '
                     'per call, with `procs` processes of ours on the '
                     'machine, where every process is a recipient',
    'kill_all_whole_ns': 'kill(-1, SIGURG) from the init of a PID '
                         'namespace of `procs` processes of `threads` '
                         'threads each, nearly all of the machine, where '
                         'both kernels find the same recipients',
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
    'pidns_zap_fork': 'fork() outside the namespace while it is zapped '
                      '(the forks that overlapped the zap, over every '
                      'zap): median, 90th percentile and maximum',
    'fork_exit': 'fork() of a child that exits at once, until waitpid() '
                 'returns, from our PID namespace (way=here) or from the '
                 'init of a new one (way=pidns)',
    'hot_path': 'kill() to a process of `threads` threads, or tgkill() to '
                'one of them, until its handler has run and woken the '
                'sender',
    'distribution': 'kill(SIGRTMIN) to a process of `threads` threads, all '
                    'asleep (sleeping), all spinning (busy) or asleep with '
                    'the main thread blocking it (main_blocking), in '
                    'bursts of `inflight`: how many threads handled one, '
                    'and the shares of the busiest thread and of the main '
                    'thread',
    'kill_all_kernel': 'kill(-1, SIGURG) inside the kernel, from the '
                       "kill syscall's sys_enter to its sys_exit event "
                       '(x86-tsc trace clock): kill_something_info(), which '
                       'holds tasklist_lock over its walk, with the '
                       'syscall around it; from the init of a PID namespace '
                       'of 16 (caller=pidns) or from the initial one '
                       '(caller=initial), with `procs` processes of ours '
                       'outside the namespace',
    'pidns_zap_kernel': "the zap's walk inside the kernel: from the first "
                        'to the last SIGKILL signal_generate event of an '
                        "exiting PID namespace init with `children` "
                        'children of `threads` threads each, under '
                        'tasklist_lock (tracing included: one event per '
                        'child on both kernels)',
}


class ProtocolError(TgsigError):
    pass


@dataclasses.dataclass(frozen=True)
class Key:
    figure: str
    params: Tuple[Tuple[str, str], ...]     # in the line's order
    metric: str
    unit: str

    @property
    def params_text(self) -> str:
        return ' '.join(f'{k}={v}' for k, v in self.params)

    def to_json(self) -> Dict[str, object]:
        return {'figure': self.figure, 'params': dict(self.params),
                'metric': self.metric, 'unit': self.unit}


@dataclasses.dataclass(frozen=True)
class Sample:
    key: Key
    value: float
    clock: str = WALL


def parse_line(line: str) -> Optional[Sample]:
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
    split: List[Tuple[str, str]] = []
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


def parse_output(lines: Iterable[str], clock: str = WALL) -> List[Sample]:
    """Every measurement in a program's output, in order, each marked with
    the clock it was measured by."""
    return [dataclasses.replace(s, clock=clock)
            for s in (parse_line(line) for line in lines) if s]


@dataclasses.dataclass
class Spread:
    values: List[float]

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    @property
    def noise(self) -> Optional[float]:
        """(max - min) / median across boots: None for one value or a
        median of 0."""
        if self.n < 2 or not self.median:
            return None
        return (self.high - self.low) / abs(self.median)

    def to_json(self) -> Dict[str, object]:
        return {'n': self.n, 'median': self.median, 'min': self.low,
                'max': self.high, 'values': list(self.values)}


@dataclasses.dataclass
class Row:
    key: Key
    unpatched: Optional[Spread] = None
    patched: Optional[Spread] = None
    clock: str = WALL

    @property
    def ratio(self) -> Optional[float]:
        """Patched median / unpatched median, None when either is missing
        or the unpatched one is 0."""
        if not self.unpatched or not self.patched or \
                not self.unpatched.median:
            return None
        return self.patched.median / self.unpatched.median

    @property
    def noise(self) -> Optional[float]:
        """The noise floor: the larger of the two kernels' spreads across
        boots, relative to their medians; None when neither kernel has
        two values."""
        found = [s.noise for s in (self.unpatched, self.patched)
                 if s and s.noise is not None]
        if not found and all(s and s.n >= 2 and s.low == s.high == 0
                             for s in (self.unpatched, self.patched)):
            return 0.0
        return max(found) if found else None

    @property
    def changed(self) -> bool:
        """Whether the ratio is further from 1 than the noise floor."""
        r, noise = self.ratio, self.noise
        return r is not None and noise is not None and abs(r - 1) > noise

    def to_json(self) -> Dict[str, object]:
        out = self.key.to_json()
        out['clock'] = self.clock
        for name in VARIANTS:
            spread = getattr(self, name)
            out[name] = spread.to_json() if spread else None
        out['ratio'] = self.ratio
        out['noise'] = self.noise
        out['changed'] = self.changed
        return out


def rows_from_json(data: Dict[str, Any]) -> List[Row]:
    """The rows of a results.json that the bench wrote."""
    rows = []
    for r in data['rows']:
        key = Key(r['figure'], tuple(r['params'].items()), r['metric'],
                  r['unit'])
        row = Row(key, clock=r.get('clock', WALL))
        for variant in VARIANTS:
            if r.get(variant):
                setattr(row, variant, Spread(list(r[variant]['values'])))
        rows.append(row)
    return rows


def summarize(samples: Dict[str, List[Sample]]) -> List[Row]:
    """samples: {'unpatched': [Sample], 'patched': [Sample]}.  One Row per
    key, grouped by figure; figures and the keys of each in the order
    they first appear (unpatched first)."""
    rows: Dict[Key, Row] = {}
    for variant in VARIANTS:
        for sample in samples.get(variant, []):
            row = rows.setdefault(sample.key,
                                  Row(sample.key, clock=sample.clock))
            if row.clock != sample.clock:
                raise ProtocolError(
                    f'{sample.key.figure} {sample.key.params_text} '
                    f'{sample.key.metric} measured by two clocks, '
                    f'{row.clock} and {sample.clock}')
            spread = getattr(row, variant)
            if spread is None:
                setattr(row, variant, Spread([sample.value]))
            else:
                spread.values.append(sample.value)
    figures = list(dict.fromkeys(key.figure for key in rows))
    return sorted(rows.values(), key=lambda r: figures.index(r.key.figure))


def incomplete(rows: List[Row],
               boots: Union[int, Dict[str, int]]) -> List[str]:
    """Descriptions of rows that do not have exactly `boots` values of
    each kernel (boots: a number, or one for each clock)."""
    out = []
    for row in rows:
        want = boots.get(row.clock) if isinstance(boots, dict) else boots
        for variant in VARIANTS:
            spread = getattr(row, variant)
            n = spread.n if spread else 0
            if n != want:
                out.append(f'{row.key.figure} {row.key.params_text} '
                           f'{row.key.metric}: {n} values from the '
                           f'{variant} kernel, expected {want}')
    return out


# -- rendering ----------------------------------------------------------

_TIME_SCALES = ((1e4, 1, 'ns'), (1e7, 1e3, 'us'), (None, 1e6, 'ms'))
# Under icount a guest nanosecond is an instruction: the tables say so.
_COUNT_SCALES = ((1e4, 1, 'insn'), (1e7, 1e3, 'kinsn'), (None, 1e6, 'Minsn'))


def scale(row: Row) -> Tuple[float, str]:
    """(divisor, unit) that shows the row's medians with few digits; the
    times of a counted figure in instructions."""
    if row.key.unit != 'ns':
        return 1, row.key.unit
    medians = [s.median for s in (row.unpatched, row.patched) if s]
    top = max(medians) if medians else 0
    scales = _COUNT_SCALES if row.clock == ICOUNT else _TIME_SCALES
    for limit, div, unit in scales:
        if limit is None or top < limit:
            return div, unit
    return 1, 'ns'      # not reached


def number(value: float) -> str:
    """Three significant digits (all of the whole part), never an
    exponent."""
    a = abs(value)
    if a >= 100:
        return f'{value:.0f}'
    if a >= 10:
        return f'{value:.1f}'
    return f'{value:.2f}'


def cell(spread: Optional[Spread], div: float, unit: str) -> str:
    if spread is None:
        return '-'
    return (f'{number(spread.median / div)} {unit} '
            f'({number(spread.low / div)}-{number(spread.high / div)})')


CHANGE_MARK = '*'


def ratio_text(row: Row) -> str:
    """Two decimals (three within 1% of 1 for a counted figure, whose
    noise floor can be that small); two significant digits below 0.1;
    CHANGE_MARK after a ratio outside the noise floor."""
    r = row.ratio
    if r is None:
        return '-'
    if r < 0.1:
        text = f'{r:.2g}'
    elif row.clock == ICOUNT and abs(r - 1) < 0.01:
        text = f'{r:.3f}'
    else:
        text = f'{r:.2f}'
    return text + (CHANGE_MARK if row.changed else '')


def noise_text(row: Row) -> str:
    """The noise floor in percent: 0 when every boot gave the same
    figure, '-' when there is no second boot."""
    noise = row.noise
    if noise is None:
        return '-'
    if noise == 0:
        return '0%'
    if noise < 0.001:
        return '<0.1%'
    return f'{100 * noise:.1f}%'


def _cells(row: Row) -> Tuple[str, ...]:
    div, unit = scale(row)
    return (row.key.figure, row.key.params_text, row.key.metric, row.clock,
            cell(row.unpatched, div, unit), cell(row.patched, div, unit),
            ratio_text(row), noise_text(row))


HEADER = ('FIGURE', 'PARAMETERS', 'METRIC', 'CLOCK',
          'UNPATCHED median (min-max)', 'PATCHED median (min-max)',
          'PATCHED/UNPATCHED', 'NOISE')


def table(rows: List[Row]) -> str:
    """The terminal table."""
    lines = [HEADER] + [_cells(r) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(8)]
    out = []
    for line in lines:
        left = '  '.join(v.ljust(w) for v, w in zip(line[:4], widths))
        right = '  '.join(v.rjust(w) for v, w in zip(line[4:], widths[4:]))
        out.append(f'  {left}  {right}'.rstrip())
    return '\n'.join(out)


def floor_summary(rows: List[Row]) -> str:
    """One sentence per clock: the largest noise floor among its rows,
    and which row has it."""
    out = []
    for clock in CLOCKS:
        some = [r for r in rows if r.clock == clock and r.noise is not None
                and r.key.unit == 'ns']
        if not some:
            continue
        top = max(some, key=lambda r: r.noise or 0.0)     # never None
        out.append(f'Noise floor of the {len(some)} {clock} times: at most '
                   f'{noise_text(top)} ({top.key.figure} '
                   f'{top.key.params_text} {top.key.metric}).')
    return ' '.join(out)


LEGEND = (f'Clock: {ICOUNT}, {CLOCKS[ICOUNT]}; {WALL}, {CLOCKS[WALL]}. '
          'Noise: the noise floor, the larger spread (max - min) / median '
          'of one kernel across its boots. A ratio marked '
          f'{CHANGE_MARK} is further from 1 than the noise floor: a change; '
          'the others are within what booting the same kernel again moves.')


def markdown(rows: List[Row], note: str = '') -> str:
    """A Markdown table, with the note above it and a legend below."""
    out = []
    if note:
        out += [note.strip(), '']
    floor = floor_summary(rows)
    if floor:
        out += [floor, '']
    out += ['| Figure | Parameters | Metric | Clock '
            '| Unpatched: median (min-max) | Patched: median (min-max) '
            '| Patched/unpatched | Noise |',
            '|---|---|---|---|---:|---:|---:|---:|']
    for row in rows:
        cells = [c.replace('|', '\\|') for c in _cells(row)]
        cells[0] = f'`{cells[0]}`'
        cells[6] = cells[6].replace(CHANGE_MARK, '\\' + CHANGE_MARK)
        out.append('| ' + ' | '.join(cells) + ' |')
    legend = [f'- {LEGEND}']
    for figure in dict.fromkeys(r.key.figure for r in rows):
        if figure in FIGURES:
            legend.append(f'- `{figure}`: {FIGURES[figure]}.')
    out += [''] + legend
    return '\n'.join(out) + '\n'


LETTER_WIDTH = 75
# Figures of many rows that the cover letter sums up in a few lines;
# results.md has every row.
SUMMED_UP = ('pipeline', 'distribution')


def summary(figure: str, block: List[Row]) -> List[str]:
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
                     f'{statistics.median(ratios):.2f}), '
                     f'{sum(1 for r in rows if r.changed)} outside the '
                     'noise floor')
        if same:
            text += f'{"; " if ratios else ""}{same} are 0 on both kernels'
        # A ratio is there only when both kernels' figures are.
        moved = [(r, r.unpatched, r.patched) for r in rows
                 if r.unpatched and r.patched and
                 (r.ratio is not None or
                  r.unpatched.median != r.patched.median)]
        if same and len(moved) <= 8:
            text += ', the others (unpatched / patched): ' + '; '.join(
                f'{r.key.params_text} {r.key.metric} '
                f'{number(a.median)} / {number(b.median)}'
                for r, a, b in moved)
        out.append(text + '.')
    return textwrap.wrap(' '.join(out), 72)


def letter(rows: List[Row], note: str = '') -> str:
    """The table as plain text for a cover letter: lines of at most 75
    columns (checkpatch's limit for a commit message), one block per
    figure under its legend; the figures of SUMMED_UP in a few lines."""
    out = textwrap.wrap(note.strip(), 72) + [''] if note else []
    floor = floor_summary(rows)
    out += textwrap.wrap(floor, 72) + [''] if floor else []
    out += textwrap.wrap(LEGEND, 72) + ['']
    for figure in dict.fromkeys(r.key.figure for r in rows):
        block = [r for r in rows if r.key.figure == figure]
        clocks = ', '.join(dict.fromkeys(r.clock for r in block))
        out += textwrap.wrap(f'{figure} ({clocks}): '
                             f'{FIGURES.get(figure, "")}', 72)
        if figure in SUMMED_UP:
            out += summary(figure, block) + ['']
            continue
        lines = [('', 'unpatched', 'patched', 'ratio', 'noise')]
        for row in block:
            div, unit = scale(row)
            params = row.key.params_text
            if row.key.metric not in ('call', 'kill_to_reaped',
                                      'exit_to_reaped', 'round_trip',
                                      'syscall', 'walk'):
                params += f' {row.key.metric}'
            lines.append((params, cell(row.unpatched, div, unit),
                          cell(row.patched, div, unit), ratio_text(row),
                          noise_text(row)))
        widths = [max(len(line[i]) for line in lines) for i in range(5)]
        if 2 + sum(widths) + 8 <= LETTER_WIDTH:
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
