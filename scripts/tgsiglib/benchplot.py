# SPDX-License-Identifier: GPL-2.0
"""The benchmark plot: a gnuplot script with its data inline, so that
`gnuplot plot.gp` in the run directory draws bench.svg again."""
from __future__ import annotations

import dataclasses
from typing import Dict, List, Sequence, Tuple

from .bench import ICOUNT, PATCHED, UNPATCHED, VARIANTS, Row

# (x, median, min, max) of one point of a series.
Point = Tuple[float, float, float, float]
# (title, variant, dash type, points) of one line of a panel.
Series = Tuple[str, str, int, List[Point]]


@dataclasses.dataclass(frozen=True)
class Panel:
    """One panel: @metric of @figure against the figure's first parameter,
    for the rows whose parameters include @where; the other parameters
    name the lines."""
    figure: str
    metric: str
    title: str
    xlabel: str
    where: Dict[str, str] = dataclasses.field(default_factory=dict)
    ylabel: str = 'microseconds (median, min-max bars)'


PANELS = (
    Panel('kill_all', 'call', 'kill(-1) from a PID namespace of 16, per call',
          'processes outside the namespace'),
    Panel('kill_all_fork', 'median',
          'fork() outside it while it loops kill(-1) (median)',
          'processes outside the namespace'),
    Panel('kill_all_init', 'call',
          'kill(-1) from the initial PID namespace, per call',
          'processes on the machine'),
    Panel('kill_all_whole_ns', 'call',
          'kill(-1) from a PID namespace holding nearly every process',
          'processes in the namespace'),
    Panel('pipeline', 'reaped',
          'pipeline of readers: kill began until all reaped',
          'processes in the process group', where={'variant': 'read'}),
    Panel('pipeline', 'woke',
          'pipeline of readers: processes that ran after the kill began',
          'processes in the process group', where={'variant': 'read'},
          ylabel='processes (median, min-max bars)'),
    Panel('group_kill', 'kill_to_reaped',
          'SIGKILL to one process until waitpid() returns', 'threads'),
    Panel('pidns_zap', 'exit_to_reaped',
          "PID namespace init's exit until waitpid() returns",
          "init's children"),
    Panel('hot_path', 'round_trip',
          'kill() or tgkill() until the handler has woken the sender',
          'threads of the signalled process'),
    Panel('kill_all_kernel', 'syscall',
          'in the kernel: kill(-1), sys_enter to sys_exit',
          'processes outside the namespace'),
    Panel('pidns_zap_kernel', 'walk',
          "in the kernel: the zap's walk, first to last SIGKILL",
          "init's children", where={'threads': '4'}),
)
# The y label of times, by the clock that measured them.
_TIME_LABEL = {
    ICOUNT: 'thousand instructions (median, min-max bars)',
}
_COLOUR = {UNPATCHED: '#d62728', PATCHED: '#1f77b4'}
_US = 1e3       # ns per microsecond


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def clock(rows: Sequence[Row], panel: Panel) -> str:
    """The clock of the panel's rows (the first one's)."""
    for row in rows:
        if row.key.figure == panel.figure and row.key.metric == panel.metric:
            return row.clock
    return ''


def labels(rows: Sequence[Row], panel: Panel) -> Tuple[str, str]:
    """(title, y label) of a panel: the title says which clock."""
    which = clock(rows, panel)
    ylabel = panel.ylabel
    if ylabel == Panel.ylabel and which in _TIME_LABEL:
        ylabel = _TIME_LABEL[which]
    what = 'instructions, -icount' if which == ICOUNT else 'wall clock'
    return f'{panel.title} [{what}]', ylabel


def series(rows: Sequence[Row], panel: Panel) -> List[Series]:
    """[(title, variant, dash, [(x, median, min, max)])] of one panel:
    times in microseconds, other units as they are; the first parameter
    is x, the others (but those the panel selects on) name the series."""
    groups: Dict[Tuple[str, str], List[Point]] = {}
    for row in rows:
        key = row.key
        params = dict(key.params)
        if key.figure != panel.figure or key.metric != panel.metric or \
                not key.params or \
                any(params.get(k) != v for k, v in panel.where.items()):
            continue
        try:
            x = float(key.params[0][1])
        except ValueError:
            continue
        div = _US if key.unit == 'ns' else 1
        rest = ' '.join(f'{k}={v}' for k, v in key.params[1:]
                        if k not in panel.where)
        for variant in VARIANTS:
            spread = getattr(row, variant)
            # A time of 0 is a broken measurement; a count of 0 is not.
            if spread and x > 0 and (spread.low > 0 or div == 1):
                groups.setdefault((rest, variant), []).append(
                    (x, spread.median / div, spread.low / div,
                     spread.high / div))
    rests = list(dict.fromkeys(rest for rest, _ in groups))
    out = []
    for (rest, variant), points in groups.items():
        title = f'{variant} {rest}'.strip()
        out.append((title, variant, rests.index(rest) + 1,
                    sorted(points)))
    out.sort(key=lambda s: (s[2], VARIANTS.index(s[1])))
    return out


def _axes(ss: List[Series]) -> List[str]:
    """Logarithmic axes for what spans a decade or more (log y labels
    only its decades), linear ones from 0 for the rest; room at the top
    for the key, a line for each series."""
    xs = [p[0] for s in ss for p in s[3]]
    ys = [v for s in ss for p in s[3] for v in p[2:]]
    top = min(0.6, 0.12 + 0.07 * len(ss))
    out = ['set logscale x' if max(xs) >= 10 * min(xs) else
           'unset logscale x']
    if min(ys) > 0 and max(ys) >= 10 * min(ys):
        out += ['set logscale y', 'set yrange [*:*]',
                'set format y "%.0f"' if min(ys) >= 1 else
                'set format y "%g"',
                f'set offsets graph 0.06, graph 0.06, graph {top:g}, '
                'graph 0.06']
    else:
        out += ['unset logscale y', 'set yrange [0:*]', 'set format y "%g"',
                f'set offsets graph 0.06, graph 0.06, graph {top:g}, 0']
    return out


def _height(panels: int) -> int:
    """Pixels: 450 for each row of two panels."""
    return 450 * max(1, (panels + 1) // 2)


def script(rows: Sequence[Row], output: str, title: str) -> str:
    """The gnuplot script that draws the panels that have data into
    output (an SVG file)."""
    panels = [(p, series(rows, p)) for p in PANELS]
    panels = [(p, s) for p, s in panels if s]
    lines = [f'# {title}', '# Drawn by scripts/tgsig bench; run `gnuplot '
             'plot.gp` to draw it again.',
             f'set terminal svg size 1200,{_height(len(panels))} noenhanced '
             'font "Sans,12" '
             'background "#ffffff"',
             f'set output {_quote(output)}']
    if not panels:
        lines.append('set multiplot layout 1,1 title ' + _quote(title))
        lines.append('set label 1 "no data" at graph 0.5,0.5 center')
        lines.append('plot 1 notitle lc rgb "#ffffff"')
        lines.append('unset multiplot')
        return '\n'.join(lines) + '\n'
    cols = 2 if len(panels) > 1 else 1
    nrows = (len(panels) + cols - 1) // cols
    n = 0
    blocks, plots = [], []
    for panel, ss in panels:
        parts = []
        for stitle, variant, dash, points in ss:
            name = f'$d{n}'
            n += 1
            blocks.append(f'{name} << EOD')
            blocks += [f'{x:g} {m:.6g} {lo:.6g} {hi:.6g}'
                       for x, m, lo, hi in points]
            blocks.append('EOD')
            parts.append(f'{name} using 1:2:3:4 with yerrorlines '
                         f'title {_quote(stitle)} lw 2 dt {dash} '
                         f'lc rgb {_quote(_COLOUR[variant])} pt 7 ps 0.6')
        ptitle, ylabel = labels(rows, panel)
        plots += [f'set title {_quote(ptitle)}',
                  f'set xlabel {_quote(panel.xlabel)}',
                  f'set ylabel {_quote(ylabel)}']
        plots += _axes(ss)
        plots.append('plot ' + ', \\\n     '.join(parts))
    lines += blocks
    lines += ['set format x "%g"', 'set key top left', 'set grid',
              'set autoscale fix',
              f'set multiplot layout {nrows},{cols} title {_quote(title)}']
    lines += plots
    lines.append('unset multiplot')
    return '\n'.join(lines) + '\n'
