# SPDX-License-Identifier: GPL-2.0
"""timeline.svg: one lane per thread of the traced program, each signal
drawn from where it was sent to the thread that took it, coloured by the
reason the kernel gave for the thread it woke.

The SVG is written as text (standard library only). Time runs left to
right, but events are placed one slot each in time order, not to scale:
a signal is handled microseconds after it is sent while the program
runs for milliseconds, and to scale every signal would be one dot. The
axis gives each signal's time in ms since the first event."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple
from xml.sax.saxutils import escape

from .tracemodel import EXIT_GROUP, NO_EVENT, Model, Signal, signal_name

# Okabe-Ito colours: told apart with the common colour blindnesses.
COLORS = {
    'named': '#0072B2',
    'curr_target': '#E69F00',
    'group_kill': '#D55E00',
    'blocked': '#7F7F7F',
    'sigpending': '#CC79A7',
    'stopped': '#009E73',
    'exiting': '#56B4E9',
    NO_EVENT: '#000000',
    EXIT_GROUP: '#D55E00',
}
MEANING = {
    'named': 'named: the thread the sender named took it',
    'curr_target': 'curr_target: the named thread could not; the walk '
                   'from signal->curr_target found this one',
    'group_kill': 'group_kill: fatal to the process, every thread is '
                  'woken to die',
    'blocked': 'none woken, blocked: every thread blocks it; it waits',
    'sigpending': 'none woken, sigpending: a thread will see it on its '
                  'way out of the kernel',
    'stopped': 'none woken, stopped: it waits for the group to resume',
    'exiting': 'none woken, exiting: the threads that could take it exit',
    NO_EVENT: 'no signal_wake_target on this kernel: the kernel\'s choice '
              'is unknown',
}

LEFT, RIGHT, TOP = 190, 200, 78
LANE, HEAD = 26, 22
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


def _short(sig: int) -> str:
    name = signal_name(sig)
    return name[3:] if name.startswith('SIG') else name


class _Svg:
    def __init__(self) -> None:
        self.parts: List[str] = []

    def add(self, text: str, tip: str = '') -> None:
        if tip:
            # A <title> in a group: a browser's tooltip for the mark.
            text = f'<g><title>{escape(tip)}</title>{text}</g>'
        self.parts.append(text)

    def text(self, x: float, y: float, s: str, size: int = 12,
             anchor: str = 'start', weight: str = 'normal',
             fill: str = '#000', extra: str = '') -> None:
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" {FONT} '
            f'text-anchor="{anchor}" font-weight="{weight}" fill="{fill}"'
            f'{" " + extra if extra else ""}>{escape(s)}</text>')

    def line(self, x1: float, y1: float, x2: float, y2: float,
             color: str, width: float = 1.5, dash: str = '',
             tip: str = '') -> None:
        d = f' stroke-dasharray="{dash}"' if dash else ''
        self.add(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
                 f'y2="{y2:.1f}" stroke="{color}" stroke-width="{width}"'
                 f'{d}/>', tip)


def _slots(model: Model) -> List[float]:
    times = set()
    for t in model.threads.values():
        for ts in (t.start, t.exit):
            if ts is not None:
                times.add(ts)
    for s in model.signals:
        for ts in (s.generated, s.delivered, *(k.ts for k in s.killed)):
            if ts is not None:
                times.add(ts)
    return sorted(times)


def _tip(model: Model, s: Signal) -> str:
    parts = [f'#{s.id} {s.name} ({s.sig})']
    if s.generated is not None:
        parts.append(f'sent by {model.label(s.sender)} to '
                     f'{"the process of " if s.group else "thread "}'
                     f'{model.label(s.target)} at '
                     f'{(s.generated - model.first) * 1e3:.3f} ms')
    if s.reason != NO_EVENT:
        parts.append(f'woken: {model.label(s.woken)} ({s.reason}'
                     + (f', {s.threads} threads' if s.threads else '')
                     + ')')
    if s.dequeued_by is not None:
        parts.append(f'taken by {model.label(s.dequeued_by)}'
                     + (f' ({s.action})' if s.action else ''))
    parts.append(s.outcome)
    return '; '.join(parts)


def render(model: Model, title: str, subtitle: str) -> str:
    """The SVG text of the model's timeline."""
    slots = _slots(model)
    index = {ts: i for i, ts in enumerate(slots)}
    step = max(12.0, min(44.0, 760.0 / max(1, len(slots))))
    width = LEFT + step * (len(slots) + 1) + RIGHT
    width = max(width, 1180)
    lanes: Dict[int, float] = {}
    y = TOP
    procs = model.processes()
    heads: List[Tuple[float, int, str]] = []
    for tgid, threads in procs:
        leader = model.threads.get(tgid)
        heads.append((y, tgid, leader.name if leader else ''))
        y += HEAD
        for t in threads:
            lanes[t.tid] = y + LANE / 2
            y += LANE
    plot_bottom = y
    legend_top = plot_bottom + 70
    height = legend_top + 22 * (len(MEANING) // 2 + 1) + 80

    def x(ts: Optional[float]) -> float:
        if ts is None:
            return LEFT
        return LEFT + step * (index[ts] + 1)

    right_edge = LEFT + step * (len(slots) + 1)
    svg = _Svg()
    svg.parts.append(f'<svg xmlns="http://www.w3.org/2000/svg" '
                     f'width="{width:.0f}" height="{height:.0f}" '
                     f'viewBox="0 0 {width:.0f} {height:.0f}">')
    svg.parts.append(f'<rect width="{width:.0f}" height="{height:.0f}" '
                     'fill="#ffffff"/>')
    svg.text(12, 24, title, size=17, weight='bold')
    svg.text(12, 44, subtitle, size=12, fill='#333')
    svg.text(12, 62, 'Each signal: a ring where it was sent (on the thread '
             'the sender named), a line to the thread the kernel woke, a '
             'bar while it waits, a dot on the thread that took it.',
             size=12, fill='#333')

    # Lanes.
    for i, (hy, tgid, name) in enumerate(heads):
        svg.text(12, hy + 15, f'process {tgid} ({name})', size=12,
                 weight='bold')
        svg.line(12, hy + 19, width - 12, hy + 19, '#bbbbbb', 1)
    for n, t in enumerate(model.threads.values()):
        ly = lanes[t.tid]
        if n % 2 == 0:
            svg.parts.append(f'<rect x="12" y="{ly - LANE / 2:.1f}" '
                             f'width="{width - 24:.0f}" height="{LANE}" '
                             'fill="#f3f3f3"/>')
        who = 'main thread' if t.tid == t.tgid else 'thread'
        svg.text(LEFT - 10, ly + 4, f'{t.name or "?"}', size=12,
                 anchor='end', weight='bold')
        svg.text(LEFT - 10, ly + 4 - 11, f'{who} {t.tid}', size=8,
                 anchor='end', fill='#555')
        x0 = x(t.start) if t.start is not None else LEFT
        x1 = x(t.exit) if t.exit is not None else right_edge
        svg.line(x0, ly, x1, ly, '#9a9a9a', 1.2,
                 tip=f'{t.label()}: alive')
        if t.exit is not None:
            svg.line(x1, ly - 7, x1, ly + 7, '#000', 2.5,
                     tip=f'{t.label()} exits at '
                     f'{(t.exit - model.first) * 1e3:.3f} ms')
        taken = model.taken(t.tid)
        took = ', '.join(f'{_short(sig)}\u00d7{k}'
                         for sig, k in sorted(taken.items()))
        took = f': {took}' if took else ''
        svg.text(right_edge + 14, ly + 4, f'took {sum(taken.values())}{took}',
                 size=12, weight='bold' if taken else 'normal',
                 fill='#000' if taken else '#888')

    # Signals.
    for s in model.signals:
        _draw_signal(svg, model, s, lanes, x, right_edge)

    # Time axis: each signal's time, under the lanes.
    ay = plot_bottom + 8
    svg.line(LEFT, ay, right_edge, ay, '#000', 1)
    for s in model.signals:
        if s.generated is None:
            continue
        gx = x(s.generated)
        svg.line(gx, ay, gx, ay + 5, '#000', 1)
        svg.text(gx + 3, ay + 14, f'{(s.generated - model.first) * 1e3:.2f}',
                 size=9, extra=f'transform="rotate(35 {gx + 3:.1f} '
                 f'{ay + 14:.1f})"')
    svg.text(LEFT - 10, ay + 14, 'sent at, ms', size=10, anchor='end')
    svg.text(LEFT, ay + 52, 'Time runs left to right; events are in '
             'order but not to scale (one slot each).', size=11,
             fill='#333')

    # Legend.
    ly = legend_top + 10
    svg.text(12, ly, 'Colour: the reason signal_wake_target gave', size=12,
             weight='bold')
    items = list(MEANING.items())
    for i, (reason, meaning) in enumerate(items):
        col, row = i % 2, i // 2
        lx, lyy = 12 + col * (width / 2), ly + 20 + row * 22
        svg.parts.append(f'<rect x="{lx:.1f}" y="{lyy - 9:.1f}" width="22" '
                         f'height="8" fill="{COLORS[reason]}"/>')
        svg.text(lx + 28, lyy, meaning, size=11)
    my = ly + 20 + (len(items) + 1) // 2 * 22 + 8
    svg.text(12, my, 'Marks:', size=12, weight='bold')
    mx = 70
    svg.parts.append(f'<circle cx="{mx}" cy="{my - 4}" r="5" fill="#fff" '
                     'stroke="#000" stroke-width="1.8"/>')
    svg.text(mx + 9, my, 'sent', size=11)
    mx += 48
    svg.parts.append(f'<circle cx="{mx}" cy="{my - 4}" r="3" '
                     'fill="#555555"/>')
    svg.line(mx, my - 4, mx + 22, my - 4, '#555555', 1.2, dash='1.5,2.5')
    svg.text(mx + 27, my, 'by this thread', size=11)
    mx += 120
    svg.parts.append(f'<circle cx="{mx}" cy="{my - 4}" r="5.5" '
                     'fill="#000"/>')
    svg.text(mx + 9, my, 'taken, its handler ran there', size=11)
    mx += 190
    svg.parts.append(f'<rect x="{mx - 5}" y="{my - 9}" width="10" '
                     'height="10" fill="#000"/>')
    svg.text(mx + 9, my, 'taken, default action', size=11)
    mx += 150
    svg.text(mx, my + 1, '\u00d7', size=16, anchor='middle',
             fill=COLORS['group_kill'], weight='bold')
    svg.text(mx + 9, my, 'dequeued SIGKILL of a group kill', size=11)
    mx += 215
    svg.line(mx, my - 11, mx, my + 3, '#000', 2.5)
    svg.text(mx + 7, my, 'thread exits', size=11)
    svg.text(12, my + 22, 'A dashed bar: no thread was woken, the signal '
             'waited; a dashed vertical line: a thread other than the one '
             'woken took it.', size=11, fill='#333')
    svg.parts.append('</svg>')
    return '\n'.join(svg.parts) + '\n'


def _draw_signal(svg: _Svg, model: Model, s: Signal,
                 lanes: Dict[int, float], x, right_edge: float) -> None:
    color = COLORS.get(s.reason, '#000000')
    tip = _tip(model, s)
    named_y = lanes.get(s.target)
    if s.generated is not None and named_y is not None:
        gx = x(s.generated)
        sy = lanes.get(s.sender) if s.sender is not None else None
        if sy is not None and sy != named_y:
            svg.line(gx, sy, gx, named_y, '#555555', 1.2, dash='1.5,2.5',
                     tip=tip)
            svg.add(f'<circle cx="{gx:.1f}" cy="{sy:.1f}" r="3" '
                    'fill="#555555"/>', tip)
        holder = s.woken if s.woken else None
        if holder is None and s.reason == NO_EVENT:
            holder = s.dequeued_by
        hy = lanes.get(holder, named_y) if holder else named_y
        if hy != named_y:
            svg.line(gx, named_y, gx, hy, color, 2.2, tip=tip)
            tip_y = hy - 6 if hy > named_y else hy + 6
            svg.parts.append(
                f'<polygon points="{gx - 4:.1f},{tip_y:.1f} '
                f'{gx + 4:.1f},{tip_y:.1f} {gx:.1f},{hy:.1f}" '
                f'fill="{color}"/>')
        if s.killed:
            why = s.reason if s.reason != NO_EVENT else 'fatal'
            count = f', {s.threads} threads' if s.threads else ''
            svg.text(gx + 7, named_y - 8, f'{_short(s.sig)}: {why}{count}',
                     size=10, fill=color, weight='bold')
            ys = [lanes[t.tid] for t in model.threads.values()
                  if t.tgid == s.tgid and t.tid in lanes]
            svg.line(gx, min(ys) - 8, gx, max(ys) + 8, color, 1.2,
                     dash='5,3', tip=tip)
        end = s.end
        none_woken = s.woken == 0
        if s.outcome.startswith('discarded'):
            svg.line(gx - 5, named_y - 5, gx + 5, named_y + 5, '#7f7f7f',
                     1.5, tip=tip)
        elif end is None:
            svg.line(gx, hy, right_edge, hy, color, 4, dash='3,3',
                     tip=tip)
            svg.text(right_edge - 2, hy - 6, f'{_short(s.sig)} never taken',
                     size=9, anchor='end', fill=color)
        elif not s.killed:
            svg.add(f'<line x1="{gx:.1f}" y1="{hy:.1f}" x2="{x(end):.1f}" '
                    f'y2="{hy:.1f}" stroke="{color}" stroke-width="5" '
                    f'stroke-opacity="0.55"'
                    + (' stroke-dasharray="4,3"' if none_woken else '')
                    + '/>', tip)
        svg.add(f'<circle cx="{gx:.1f}" cy="{named_y:.1f}" r="5" '
                f'fill="#fff" stroke="{color}" stroke-width="1.8"/>', tip)
        if s.dequeued_by is not None and s.delivered is not None:
            dy = lanes.get(s.dequeued_by)
            dx = x(s.delivered)
            if dy is not None and dy != hy:
                svg.line(dx, hy, dx, dy, color, 1.5, dash='3,2', tip=tip)
    if s.dequeued_by is not None and s.delivered is not None:
        dy = lanes.get(s.dequeued_by)
        if dy is not None:
            _mark(svg, x(s.delivered), dy, s, color, tip)
    for k in s.killed:
        ky = lanes.get(k.tid)
        if ky is not None:
            svg.add(f'<text x="{x(k.ts):.1f}" y="{ky + 5:.1f}" '
                    f'font-size="16" {FONT} text-anchor="middle" '
                    f'font-weight="bold" fill="{color}">\u00d7</text>',
                    f'{model.label(k.tid)} dequeues SIGKILL at '
                    f'{(k.ts - model.first) * 1e3:.3f} ms ({s.name} '
                    f'#{s.id})')


def _mark(svg: _Svg, dx: float, dy: float, s: Signal, color: str,
          tip: str) -> None:
    if s.action == 'default':
        svg.add(f'<rect x="{dx - 5.5:.1f}" y="{dy - 5.5:.1f}" width="11" '
                f'height="11" fill="{color}"/>', tip)
    else:
        svg.add(f'<circle cx="{dx:.1f}" cy="{dy:.1f}" r="5.5" '
                f'fill="{color}"/>', tip)
    svg.text(dx, dy - 8, _short(s.sig), size=9, anchor='middle',
             fill='#000')
