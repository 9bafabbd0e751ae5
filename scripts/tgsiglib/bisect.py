# SPDX-License-Identifier: GPL-2.0
"""`tgsig bisect`: the series is bisectable when the tree builds, boots
and passes its tests after every patch, not only after the last.

For patch K of N it runs what `run` does on the tree with the first K
patches applied (a commit of the series branch, so the builds are
incremental in the one build directory), with the selftests that tree
has at that point rather than tgsig's own copy of the final ones: a test
added by patch 9 runs from patch 9 on. The kernel config is the final
series' config throughout. KUnit runs at boot as in any patched run.

The summary, one line per patch (its size, what it touches: the kernel
is rebuilt only after a patch that touches it; whether it built, booted
and passed; the counts, KUnit, the time), goes to the terminal and to
bisect.md, bisect.txt and bisect.json in work/runs/STAMP-bisect/, with a
link to each patch's own run directory.
"""
from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import os
import re
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from . import bases, testrun
from .errors import BuildFailed, ConfigNotKept, PatchDoesNotApply, \
    TgsigError
from .options import Options
from .paths import work_dir
from .record import RunRecord
from .report import duration, totals_line
from .rundirs import new_run_dir, point_latest
from .shell import Progress, Shell
from .workspace import series_files

# (options, shell, progress) -> the run's record, None in a dry run.
Runner = Callable[[Options, Shell, Progress], Optional[RunRecord]]


@dataclasses.dataclass
class Patch:
    number: int
    subject: str
    # 'kernel', 'selftests', 'docs' or a mix ('kernel+selftests'): the
    # kernel itself is rebuilt only after a patch that touches it.
    touches: str
    lines: int = 0      # of the patch file, as a reviewer sees it


@dataclasses.dataclass
class Step:
    patch: Patch
    verdict: str        # 'ok', 'failed', 'did not build', 'error'
    counts: Dict[str, int] = dataclasses.field(default_factory=dict)
    kunit: str = ''
    failed: List[str] = dataclasses.field(default_factory=list)
    selftests: int = 0  # programs run, KUnit and the kernel's checks aside
    detail: str = ''
    run_dir: Optional[str] = None
    seconds: float = 0.0

    def to_json(self) -> Dict[str, Any]:
        d = dataclasses.asdict(self)
        d['patch'] = dataclasses.asdict(self.patch)
        return d


_PREFIX = re.compile(r'^\[PATCH[^\]]*\]\s*')


def read_patch(number: int, path: str) -> Patch:
    """A patch's subject, and what it touches from its diffstat's paths."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    msg = email.message_from_string(text, policy=email.policy.default)
    subject = _PREFIX.sub('', ' '.join(str(msg['Subject'] or '').split()))
    paths = re.findall(r'^diff --git a/(\S+) ', text, re.MULTILINE)
    kinds = []
    docs = ('Documentation/', 'MAINTAINERS')
    for kind, test in (('kernel', lambda p: not p.startswith(
                            ('tools/',) + docs)),
                       ('selftests', lambda p: p.startswith('tools/')),
                       ('docs', lambda p: p.startswith(docs))):
        if any(test(p) for p in paths):
            kinds.append(kind)
    return Patch(number, subject, '+'.join(kinds) or '-',
                 text.count('\n'))


def kunit_word(record: RunRecord) -> str:
    """'8/8' for the KUnit cases that passed of those that ran, '-' when
    none ran."""
    for suite in record.results.subtests:
        if suite.name == 'kunit':
            c = suite.counts()
            ran = sum(c.values()) - c.get('skip', 0)
            return f"{c.get('pass', 0)}/{ran}"
    return '-'


def failed_names(record: RunRecord) -> List[str]:
    out = []
    for prog in record.programs():
        if prog.status.failed:
            out.append(prog.name)
    return out


def run_step(patch: Patch, opts: Options, shell: Shell, progress: Progress,
             runner: Runner) -> Step:
    t0 = time.monotonic()
    try:
        record = runner(dataclasses.replace(opts, series_upto=patch.number),
                        shell, progress)
    except TgsigError as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        verdict = 'did not build' if isinstance(
            err, (PatchDoesNotApply, BuildFailed, ConfigNotKept)) else 'error'
        return Step(patch, verdict, detail=first,
                    seconds=time.monotonic() - t0)
    seconds = time.monotonic() - t0
    if record is None:
        return Step(patch, 'ok', detail='dry run', seconds=seconds)
    return Step(patch, 'failed' if record.failed else 'ok',
                counts=dict(record.totals), kunit=kunit_word(record),
                failed=failed_names(record),
                selftests=sum(':' in p.name for p in record.programs()),
                run_dir=record.run_dir,
                detail='' if record.clean else
                f'guest: {record.outcome} {record.detail}'.strip(),
                seconds=seconds)


# No line may start with '#': git drops those from a commit message, and
# checkpatch says so of the cover letter that includes the table.
HEADER = ('patch', 'lines', 'touches', 'result', 'tests', 'KUnit', 'time')


def counts_text(counts: Dict[str, int]) -> str:
    """'182 passed', with the failed and skipped only when there are
    some: the table has to fit a cover letter's 75 columns."""
    c = _full(counts)
    failed = c['fail'] + c['error'] + c['timeout']
    skipped = c['skip'] + c['xfail']
    return ', '.join([f"{c['pass']} passed"]
                     + ([f'{failed} failed'] if failed else [])
                     + ([f'{skipped} skipped'] if skipped else []))


def rows(steps: Sequence[Step]) -> List[Tuple[str, ...]]:
    out: List[Tuple[str, ...]] = []
    for s in steps:
        tests = counts_text(s.counts) if s.counts else s.detail
        out.append((f'{s.patch.number:5d}', f'{s.patch.lines:5d}',
                    s.patch.touches, s.verdict, tests, s.kunit or '-',
                    duration(s.seconds)))
    return out


def _full(counts: Dict[str, int]) -> Dict[str, int]:
    return {k: counts.get(k, 0)
            for k in ('pass', 'fail', 'error', 'timeout', 'skip', 'xfail')}


def text_table(steps: Sequence[Step]) -> str:
    """The table as the cover letter quotes it: fixed columns, then each
    failure under its patch."""
    table = [HEADER] + rows(steps)
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    out = []
    for r in table:
        out.append('  '.join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    for s in steps:
        for name in s.failed:
            out.append(f'  patch {s.patch.number}: {name} failed')
        if s.verdict != 'ok' and s.detail and not s.counts:
            out.append(f'  patch {s.patch.number}: {s.detail}')
    return '\n'.join(out) + '\n'


def markdown(steps: Sequence[Step], command: str, seconds: float,
             base: str) -> str:
    out = [f'# tgsig bisect: {base}', '',
           f'`{command}`, {duration(seconds)}: '
           f'{sum(s.verdict == "ok" for s in steps)} of {len(steps)} '
           'patches build, boot and pass.', '',
           '| # | patch | lines | touches | result | tests | KUnit | time |',
           '|---|---|---|---|---|---|---|---|']
    for s, r in zip(steps, rows(steps)):
        out.append(f'| {r[0].strip()} | {s.patch.subject} | {r[1].strip()} '
                   f'| {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} |')
    failures = [(s, n) for s in steps for n in s.failed]
    if failures:
        out += ['', '## Failures', '']
        out += [f'- patch {s.patch.number}: {n}' for s, n in failures]
    return '\n'.join(out) + '\n'


def write_reports(run_dir: str, steps: List[Step], command: str,
                  seconds: float, base: str) -> None:
    with open(os.path.join(run_dir, 'bisect.json'), 'w',
              encoding='utf-8') as f:
        json.dump({'command': command, 'base': base,
                   'seconds': round(seconds, 1),
                   'passed': all(s.verdict == 'ok' for s in steps),
                   'steps': [s.to_json() for s in steps]}, f, indent=1)
        f.write('\n')
    with open(os.path.join(run_dir, 'bisect.md'), 'w',
              encoding='utf-8') as f:
        f.write(markdown(steps, command, seconds, base))
    with open(os.path.join(run_dir, 'bisect.txt'), 'w',
              encoding='utf-8') as f:
        f.write(text_table(steps))


def parse_range(spec: Optional[str], n: int) -> List[int]:
    """The patch numbers of `--patches A-B` (or `K`), all N by default."""
    if not spec:
        return list(range(1, n + 1))
    m = re.fullmatch(r'(\d+)(?:-(\d+))?', spec)
    if not m:
        raise TgsigError(f'--patches {spec!r}: not K or A-B',
                         f'e.g. --patches 10-12 for three of the {n}')
    lo = int(m.group(1))
    hi = int(m.group(2) or lo)
    if not 1 <= lo <= hi <= n:
        raise TgsigError(f'--patches {spec}: the series has patches 1 to '
                         f'{n}', 'give a range within it')
    return list(range(lo, hi + 1))


def bisect_command(opts: Options, shell: Shell, progress: Progress,
                   command: str, patches_spec: Optional[str] = None,
                   runner: Optional[Runner] = None) -> int:
    """`tgsig bisect`; returns the exit code."""
    if opts.baseline or opts.extra_patches or opts.exec_files:
        raise TgsigError('bisect runs the series patch by patch: '
                         '--baseline, --extra-patch and --exec do not go '
                         'with it')
    runner = runner or (lambda o, s, p: testrun.execute(o, s, p,
                                                        summary=False))
    files = series_files(bases.get(opts.base).patches)
    wanted = parse_range(patches_spec, len(files))
    patches = [read_patch(k, files[k - 1]) for k in wanted]
    run_dir = None if shell.dry_run else new_run_dir(work_dir(opts),
                                                     'bisect')
    progress.say(f'tgsig bisect: patches {wanted[0]}-{wanted[-1]} of '
                 f'{len(files)} on the {opts.base} base, selftests '
                 f'{opts.filter or "all"}'
                 + (f'; run directory {run_dir}' if run_dir else ''))
    t0 = time.monotonic()
    steps: List[Step] = []
    for patch in patches:
        progress.say(f'==> patch {patch.number}/{len(files)}: '
                     f'{patch.subject}')
        step = run_step(patch, opts, shell, progress, runner)
        steps.append(step)
        progress.say(f'<== patch {patch.number}: {step.verdict}'
                     + (f' ({totals_line(_full(step.counts))})'
                        if step.counts else
                        f' ({step.detail})' if step.detail else '')
                     + f' in {duration(step.seconds)}')
        if run_dir:
            if step.run_dir:
                os.symlink(os.path.relpath(step.run_dir, run_dir),
                           os.path.join(run_dir, f'patch{patch.number:02d}'))
            write_reports(run_dir, steps, command, time.monotonic() - t0,
                          opts.base)
    print()
    print(text_table(steps), end='')
    # A step may run KUnit alone (before the patch that adds the
    # collection); a filter under which no step ran a program is a typo.
    ran = [s for s in steps if s.counts]
    if ran and not any(s.selftests for s in ran):
        raise TgsigError(f'--filter {opts.filter!r} matched no selftest '
                         'after any patch',
                         'names look like collection:test, e.g. '
                         "signal:action_table; --filter '*' runs all")
    good = sum(s.verdict == 'ok' for s in steps)
    print(f'{good} of {len(steps)} patches build, boot and pass, in '
          f'{duration(time.monotonic() - t0)}')
    if run_dir:
        point_latest(work_dir(opts), run_dir)
        print(f'run directory: {run_dir}\n  bisect.md bisect.txt '
              'bisect.json, and a link to each patch\'s run')
    return 0 if good == len(steps) else 1
