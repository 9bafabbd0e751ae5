# SPDX-License-Identifier: GPL-2.0
"""`tgsig mutants`: the patches of mutants/ each break one rule that the
selftests pin. Each is applied on top of the series (as `run
--extra-patch` does), built, booted, and the selftests run; the mutant is
caught when one of the tests its commit message names in a `Must-fail:`
trailer failed.

A Must-fail line names one or more tests, separated by commas or spaces:

    Must-fail: signal:pidns_zap
    Must-fail: signal:load_balance/curr_target.*

`collection:program` (a glob) means any case of that program;
`collection:program/case` (globs both) means a case whose path below the
program matches, e.g. `default_action.*.ignored_signals_...` for every
variant of a kselftest_harness test. A program that crashed, timed out or
did not finish before reporting the case counts as that case failing; a
program that was never run (the guest stopped earlier) does not.

Verdicts: caught; survived (the named tests ran and passed); skipped (a
named test skipped: the runner could not judge, which is a failure of the
run, never a catch, even when another named test failed: on the patched
kernel none of tgsig's tests may skip, and a skip can hide a broken
kernel); not tested (none of the named tests ran: a --filter that leaves
them out, or a guest that stopped before them); did not boot; build
failed (the patch does not apply, or the kernel or the selftests do not
build). Only `caught` is a kill: the command exits 1 unless every mutant
was caught.
"""
from __future__ import annotations

import dataclasses
import email
import email.policy
import fnmatch
import json
import os
import re
import time
from typing import (Callable, Dict, Iterator, List, Optional, Sequence,
                    Tuple)

from . import testrun
from .errors import (BuildFailed, ConfigNotKept, PatchDoesNotApply,
                     TgsigError)
from .ktap import Status, Test
from .mutantfiles import MUTANT_DIR, base_subdir, mutant_files
from .options import Options
from .paths import REPO, work_dir
from .record import RunRecord
from .report import command_line, duration, plural
from .rundirs import new_run_dir, point_latest
from .selftests import our_selftests
from .shell import Progress, Shell

# A case listed in selftests/known-failures that failed is XFAIL in the
# run's tree: the list excuses it for check, not for a mutant, whose
# verdict is whether the named test failed.
FAILED = ('fail', 'error', 'timeout', 'xfail')
VERDICTS = ('caught', 'survived', 'skipped', 'not tested', 'did not boot',
            'build failed', 'error')
SKIPPED = ('skip',)
_TRAILER = re.compile(r'^(Must-fail|Rule):\s*(.*?)\s*$', re.IGNORECASE)
_SUBJECT_PREFIX = re.compile(r'^\[PATCH[^\]]*\]\s*')

# How a mutant is run: testrun.run, or a fake in the tests; it returns
# (exit code, the results tree or None in a dry run, the run directory).
Runner = Callable[[Options, Shell, Progress],
                  Tuple[int, Optional[Test], str]]


@dataclasses.dataclass
class Mutant:
    name: str           # the file name without .patch
    path: str
    subject: str        # what the mutant does, from the Subject line
    rule: str           # the rule it breaks: Rule: trailer, else subject
    must_fail: List[str]    # test specs, see the module's docstring


def parse_patch(text: str, path: str) -> Mutant:
    """A Mutant from the text of a `git format-patch` file."""
    name = os.path.basename(path)
    if name.endswith('.patch'):
        name = name[:-len('.patch')]
    msg = email.message_from_string(text, policy=email.policy.compat32)
    subject = ' '.join((msg.get('Subject') or '').split())
    subject = _SUBJECT_PREFIX.sub('', subject)
    if subject.lower().startswith('mutant:'):
        subject = subject[len('mutant:'):].strip()
    body = msg.get_payload()
    if not isinstance(body, str):
        raise TgsigError(f'{path}: not a single-part patch mail')
    must_fail: List[str] = []
    rule: Optional[str] = None
    for line in body.splitlines():
        if line.rstrip() == '---':
            break       # the commit message ends where the diffstat begins
        m = _TRAILER.match(line)
        if not m:
            continue
        if m.group(1).lower() == 'rule':
            rule = m.group(2)
        else:
            must_fail.extend(s for s in re.split(r'[,\s]+', m.group(2)) if s)
    if not must_fail:
        raise TgsigError(f'{path}: no Must-fail: line in its commit message',
                         'name the tests that must fail, e.g. '
                         '"Must-fail: signal:pidns_zap"')
    for spec in must_fail:
        if ':' not in spec.split('/', 1)[0]:
            raise TgsigError(f'{path}: Must-fail: {spec}: not '
                             'collection:program[/case]')
    return Mutant(name, path, subject, rule or subject, must_fail)


def read_mutant(path: str) -> Mutant:
    with open(path, encoding='utf-8', errors='replace') as f:
        return parse_patch(f.read(), path)


def select(wanted: Sequence[str], directory: str = MUTANT_DIR,
           subdir: Optional[str] = None) -> List[str]:
    """The mutant files to run: all of @directory when @wanted is empty,
    else each entry as a path, a name in @directory (with or without
    .patch) or a glob over those names; @subdir as mutant_files()."""
    files = mutant_files(directory, subdir)
    if not wanted:
        if not files:
            raise TgsigError(f'no mutants in {directory}')
        return files
    names = {os.path.basename(f)[:-len('.patch')]: f for f in files}
    out: List[str] = []
    for item in wanted:
        if os.path.isfile(item):
            found = [os.path.abspath(item)]
        else:
            key = item[:-len('.patch')] if item.endswith('.patch') else item
            found = [names[n] for n in sorted(names)
                     if fnmatch.fnmatchcase(n, key)]
        if not found:
            raise TgsigError(f'no mutant {item!r}',
                             'mutants: ' + ', '.join(sorted(names)))
        out.extend(f for f in found if f not in out)
    return out


def default_filter(collections: List[str]) -> Optional[str]:
    """A --filter pattern for tgsig's own collections, whose names share a
    prefix; None (every test) if not."""
    if len(collections) == 1:
        return f'{collections[0]}:*'
    prefix = os.path.commonprefix(list(collections))
    return f'{prefix}*' if prefix else None


# -- the results tree (a run record's results) ------------------------------

def programs(tree: Test) -> Iterator[Tuple[str, Test]]:
    """(key, program) for every program of a results tree; the key is
    `collection:program` (kunit:SUITE, kernel:CHECK)."""
    for suite in tree.subtests:
        for prog in suite.subtests or [suite]:
            name = prog.name
            key = name if ':' in name else f'{suite.name}:{name}'
            yield key, prog


def leaves(node: Test, path: str = '') -> Iterator[Tuple[str, Test]]:
    """(case path below @node, leaf) for every leaf of @node: the path
    is what a Must-fail case glob matches."""
    if not node.subtests:
        yield path, node
        return
    for sub in node.subtests:
        yield from leaves(sub, f'{path}/{sub.name}' if path else sub.name)


def _not_run(prog: Test) -> bool:
    return prog.directive.startswith('not run')


def spec_outcome(spec: str, tree: Test) -> Tuple[str, List[str]]:
    """('failed', [what failed]), ('passed', []) or ('not run', []) for
    one Must-fail spec."""
    prog_glob, _, case_glob = spec.partition('/')
    failed: List[str] = []
    ran = False
    for key, prog in programs(tree):
        if not fnmatch.fnmatchcase(key, prog_glob) or _not_run(prog):
            continue
        ran = True
        matched = [(p, leaf) for p, leaf in leaves(prog)
                   if not case_glob or (p and fnmatch.fnmatchcase(p, case_glob))]
        failed += [f'{key}/{p}' if p else key
                   for p, leaf in matched if leaf.status.value in FAILED]
        if not matched and prog.status in (Status.ERROR, Status.TIMEOUT):
            failed.append(f'{key} ({prog.status.value}: {prog.directive})')
    if failed:
        return 'failed', failed
    return ('passed' if ran else 'not run'), []


def skipped_tests(spec: str, tree: Test) -> List[str]:
    """The tests that one Must-fail spec names and that skipped."""
    prog_glob, _, case_glob = spec.partition('/')
    out: List[str] = []
    for key, prog in programs(tree):
        if not fnmatch.fnmatchcase(key, prog_glob) or _not_run(prog):
            continue
        out += [f'{key}/{p}' if p else key for p, leaf in leaves(prog)
                if leaf.status.value in SKIPPED
                and (not case_glob
                     or (p and fnmatch.fnmatchcase(p, case_glob)))]
    return out


def failed_tests(tree: Test) -> Dict[str, List[str]]:
    """{program key: [failed case paths]}, every failure of the run."""
    out: Dict[str, List[str]] = {}
    for key, prog in programs(tree):
        cases = [p or key for p, leaf in leaves(prog)
                 if leaf.status.value in FAILED]
        if cases:
            out[key] = cases
    return out


def booted(tree: Test) -> bool:
    for key, prog in programs(tree):
        if key == 'kernel:boot':
            return prog.status is Status.PASS
    return True


def judge(mutant: Mutant, tree: Test) -> Tuple[str, List[str], str]:
    """(verdict, the named tests that failed, detail) from a run's tree."""
    if not booted(tree):
        return 'did not boot', [], 'the kernel did not reach init'
    skipped: List[str] = []
    for spec in mutant.must_fail:
        skipped += [t for t in skipped_tests(spec, tree) if t not in skipped]
    if skipped:
        more = f' and {len(skipped) - 3} more' if len(skipped) > 3 else ''
        return 'skipped', [], ('a named test skipped, which the runner '
                               'cannot judge: ' + ', '.join(skipped[:3])
                               + more)
    named: List[str] = []
    outcomes: Dict[str, str] = {}
    for spec in mutant.must_fail:
        outcome, what = spec_outcome(spec, tree)
        outcomes[spec] = outcome
        named += [w for w in what if w not in named]
    if named:
        return 'caught', named, ''
    if all(o == 'not run' for o in outcomes.values()):
        return 'not tested', [], ('none of ' + ', '.join(mutant.must_fail)
                                  + ' ran')
    passed = [s for s, o in outcomes.items() if o == 'passed']
    return 'survived', [], 'passed: ' + ', '.join(passed)


# -- one mutant, and all of them --------------------------------------------

@dataclasses.dataclass
class Outcome:
    mutant: Mutant
    verdict: str
    named: List[str] = dataclasses.field(default_factory=list)
    failed: Dict[str, List[str]] = dataclasses.field(default_factory=dict)
    detail: str = ''
    run_dir: Optional[str] = None
    seconds: float = 0.0
    record: Optional[RunRecord] = None      # the run's, once it booted

    def to_json(self) -> Dict[str, object]:
        m = self.mutant
        return {'name': m.name, 'file': os.path.relpath(m.path, REPO),
                'rule': m.rule, 'subject': m.subject,
                'must_fail': m.must_fail, 'verdict': self.verdict,
                'caught': self.verdict == 'caught',
                'named_failed': self.named, 'failed': self.failed,
                'detail': self.detail, 'run_dir': self.run_dir,
                'seconds': round(self.seconds, 1),
                'kernel': {k: getattr(self.record, k) if self.record
                           else None for k in
                           ('tree', 'head', 'accel', 'smp', 'guest',
                            'outcome')}}


def outcome_from_results(mutant: Mutant, record: RunRecord, run_dir: str,
                         seconds: float) -> Outcome:
    """The Outcome of one mutant from its run's record."""
    tree = record.results
    verdict, named, detail = judge(mutant, tree)
    if record.outcome not in (None, 'done') and verdict != 'caught':
        running = record.running_at_end
        detail += (f'; the run ended early ({record.outcome}'
                   + (f' during {running}' if running else '') + ')')
    return Outcome(mutant, verdict, named, failed_tests(tree), detail,
                   run_dir, seconds, record)


def _latest(work: str) -> Optional[str]:
    link = os.path.join(work, 'runs', 'latest')
    try:
        return os.path.join(work, 'runs', os.readlink(link))
    except OSError:
        return None


def run_one(mutant: Mutant, opts: Options, shell: Shell, progress: Progress,
            runner: Runner) -> Outcome:
    """Build and boot the series + @mutant with the run machinery."""
    work = work_dir(opts)
    mopts = dataclasses.replace(opts, extra_patches=[mutant.path])
    before = _latest(work)
    t0 = time.monotonic()
    try:
        _, _, run_dir = runner(mopts, shell, progress)
    except TgsigError as err:
        made = _latest(work)
        if made == before:
            made = None
        first = (str(err.what).splitlines() or [''])[0]
        build = isinstance(err, (PatchDoesNotApply, BuildFailed,
                                 ConfigNotKept))
        return Outcome(mutant, 'build failed' if build else 'error',
                       detail=first, run_dir=made,
                       seconds=time.monotonic() - t0)
    seconds = time.monotonic() - t0
    if shell.dry_run:
        return Outcome(mutant, 'dry run', run_dir=run_dir, seconds=seconds)
    try:
        record = RunRecord.load(run_dir)
    except TgsigError as err:
        return Outcome(mutant, 'did not boot', detail=f'no results: {err}',
                       run_dir=run_dir, seconds=seconds)
    return outcome_from_results(mutant, record, run_dir, seconds)


# -- reports -----------------------------------------------------------------

def caught_word(verdict: str) -> str:
    return {'caught': 'yes', 'survived': 'NO',
            'skipped': 'NO (skipped)'}.get(verdict, verdict)


def failed_summary(outcome: Outcome) -> str:
    """The failed programs, with how many of their cases failed."""
    if not outcome.failed:
        return '-'
    named = {n.split(' (', 1)[0].split('/', 1)[0] for n in outcome.named}
    return ', '.join(f'{key}{"*" if key in named else ""} ({len(cases)})'
                     for key, cases in outcome.failed.items())


def rows(outcomes: List[Outcome]) -> List[Tuple[str, ...]]:
    return [(o.mutant.name, o.mutant.rule, failed_summary(o),
             caught_word(o.verdict), duration(o.seconds)) for o in outcomes]


HEADER = ('mutant', 'the rule it breaks', 'tests that failed', 'caught',
          'time')


def totals(outcomes: List[Outcome]) -> Dict[str, int]:
    counts = {v: 0 for v in VERDICTS}
    for o in outcomes:
        counts[o.verdict] = counts.get(o.verdict, 0) + 1
    return counts


def totals_line(outcomes: List[Outcome]) -> str:
    c = totals(outcomes)
    line = f'{c["caught"]} of {plural(len(outcomes), "mutant")} caught'
    rest = [f'{n} {v}' for v, n in c.items() if v != 'caught' and n]
    return line + ('; ' + ', '.join(rest) if rest else '')


def terminal_table(outcomes: List[Outcome]) -> str:
    table = [HEADER] + rows(outcomes)
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    out = []
    for r in table:
        out.append('  ' + '  '.join(v.ljust(w) for v, w in
                                    zip(r, widths)).rstrip())
    return '\n'.join(out)


def _cell(text: str) -> str:
    return text.replace('|', '\\|').replace('\n', ' ')


def markdown(outcomes: List[Outcome], command: str, seconds: float,
             test_filter: Optional[str], started: str) -> str:
    kernel = next((o.record for o in outcomes if o.record), None)
    # The tree the mutants went on, without the first one's patch name.
    tree = kernel.tree.split(' + ')[0] if kernel else ''
    lines = [f'# Mutants, {started}', '',
             f'`{command}`: each mutant applied on top of the series, built '
             'and booted'
             + (f' ({(kernel.accel or "?").upper()}, -smp {kernel.smp}, '
                f'{tree})' if kernel else '')
             + f', selftests `{test_filter or "all"}`; '
             f'{plural(len(outcomes), "mutant")} in {duration(seconds)}.', '',
             '| ' + ' | '.join(HEADER) + ' |',
             '| ' + ' | '.join('---' for _ in HEADER) + ' |']
    for r in rows(outcomes):
        lines.append('| ' + ' | '.join(_cell(v) for v in r) + ' |')
    lines += ['', totals_line(outcomes) + '.', '',
              'Tests that failed: the programs with a failed case, and how '
              'many; `*` marks those the mutant names in its Must-fail '
              'lines. A build failure is not a kill.', '']
    for o in outcomes:
        lines += [f'## {o.mutant.name}', '',
                  f'- rule: {o.mutant.rule}',
                  f'- does: {o.mutant.subject}',
                  '- must fail: ' + ', '.join(f'`{s}`'
                                              for s in o.mutant.must_fail),
                  f'- verdict: {o.verdict}'
                  + (f' ({o.detail})' if o.detail else ''),
                  f'- time: {duration(o.seconds)}']
        if o.run_dir:
            lines.append(f'- run directory: `{o.run_dir}`')
        if o.named:
            lines.append('- named tests that failed:')
            lines += [f'  - `{n}`' for n in o.named[:20]]
            if len(o.named) > 20:
                lines.append(f'  - ... and {len(o.named) - 20} more')
        others = [f'{k}/{c}' if c != k else k for k, cs in o.failed.items()
                  for c in cs]
        others = [t for t in others if t not in o.named]
        if others:
            lines.append('- other failures:')
            lines += [f'  - `{t}`' for t in others[:20]]
            if len(others) > 20:
                lines.append(f'  - ... and {len(others) - 20} more')
        lines.append('')
    return '\n'.join(lines)


def write_reports(run_dir: str, outcomes: List[Outcome], command: str,
                  seconds: float, test_filter: Optional[str],
                  started: str) -> None:
    data = {'command': command, 'started': started,
            'seconds': round(seconds, 1), 'filter': test_filter,
            'totals': totals(outcomes),
            'passed': all(o.verdict == 'caught' for o in outcomes),
            'mutants': [o.to_json() for o in outcomes]}
    with open(os.path.join(run_dir, 'results.json'), 'w',
              encoding='utf-8') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
    with open(os.path.join(run_dir, 'results.md'), 'w',
              encoding='utf-8') as f:
        f.write(markdown(outcomes, command, seconds, test_filter, started))


def _link(run_dir: str, name: str, target: Optional[str]) -> None:
    if not target:
        return
    link = os.path.join(run_dir, name)
    try:
        if os.path.islink(link):
            os.unlink(link)
        os.symlink(os.path.relpath(target, run_dir), link)
    except OSError:
        pass


def mutants_command(opts: Options, wanted: Sequence[str], shell: Shell,
                    progress: Progress, argv: Sequence[str] = (),
                    runner: Optional[Runner] = None,
                    directory: str = MUTANT_DIR) -> int:
    """`tgsig mutants`; returns the exit code."""
    runner = runner or testrun.run
    if opts.baseline or opts.extra_patches or opts.exec_files:
        raise TgsigError('mutants apply on top of the series: --baseline, '
                         '--extra-patch and --exec do not go with it')
    files = select(wanted, directory, base_subdir(opts.base))
    mutants = [read_mutant(p) for p in files]
    if not opts.filter:
        opts = dataclasses.replace(
            opts, filter=default_filter(list(our_selftests())))
    command = command_line(list(argv))
    work = work_dir(opts)
    started = time.strftime('%Y-%m-%d %H:%M:%S')
    run_dir: Optional[str] = None
    if not shell.dry_run:
        run_dir = new_run_dir(work, 'mutants')
    progress.say(f'tgsig mutants: {plural(len(mutants), "mutant")}, selftests '
                 f'{opts.filter or "all"}'
                 + (f'; run directory {run_dir}' if run_dir else ''))
    t0 = time.monotonic()
    outcomes: List[Outcome] = []
    for i, mutant in enumerate(mutants, 1):
        progress.say(f'==> mutant {i}/{len(mutants)}: {mutant.name}: '
                     f'{mutant.rule}')
        outcome = run_one(mutant, opts, shell, progress, runner)
        outcomes.append(outcome)
        progress.say(f'<== mutant {mutant.name}: {outcome.verdict}'
                     + (f' ({outcome.detail})' if outcome.detail else '')
                     + f' in {duration(outcome.seconds)}')
        if run_dir:
            _link(run_dir, mutant.name, outcome.run_dir)
            write_reports(run_dir, outcomes, command, time.monotonic() - t0,
                          opts.filter, started)
    if run_dir is None:     # a dry run, which made no run directory
        print(f'\ndry run: {plural(len(mutants), "mutant")}, each with the '
              'commands above')
        return 0
    point_latest(work, run_dir)
    print()
    print(f'tgsig mutants: {command}')
    print(terminal_table(outcomes))
    print()
    for o in outcomes:
        if o.verdict != 'caught':
            print(f'  {o.mutant.name}: {o.verdict}'
                  + (f': {o.detail}' if o.detail else ''))
    print(f'\nrun directory: {run_dir}')
    print('  results.md results.json, and a link to each mutant\'s run')
    print(totals_line(outcomes) + f', in {duration(time.monotonic() - t0)}')
    return 0 if all(o.verdict == 'caught' for o in outcomes) else 1
