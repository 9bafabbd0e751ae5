# SPDX-License-Identifier: GPL-2.0
"""The harness proves its own crash detection: each program in
tests/provoke/ is run in the guest with `--exec`, and the run must fail in
the way that program provokes (an exit code, a WARN, an oops, a panic, a
hung task, a test that never ends)."""
import copy
import dataclasses
import json
import os

from .errors import TgsigError
from .ktap import Status, Test

PROVOKE = os.path.join(os.path.dirname(os.path.realpath(__file__)),
                       'tests', 'provoke')


@dataclasses.dataclass
class Case:
    program: str
    splat: str = None           # the first splat's kind
    outcome: str = 'done'       # how the boot ended
    status: str = None          # the exec test's own status
    output: str = None          # a line its output must hold
    test_timeout: int = 20


CASES = [
    Case('exit1', status='fail', output='exiting with status 1 on purpose'),
    Case('warn.sh', splat='WARNING', status='pass',
         output='still alive after the WARN'),
    Case('oops.sh', splat='oops'),
    Case('panic.sh', splat='panic', outcome='exited'),
    Case('sleep.sh', status='timeout', test_timeout=3),
    Case('hung_task.sh', splat='hung task', outcome='test timeout'),
]


def build_exit1(shell, dest):
    src = os.path.join(PROVOKE, 'exit1.c')
    out = os.path.join(dest, 'exit1')
    shell.run(['gcc', '-static', '-O2', '-o', out, src])
    return out


def _exec_status(results, name):
    for suite in results['results'].get('subtests', []):
        for test in suite.get('subtests', []):
            if test['name'] == f'exec:{name}':
                return test
    return None


def verify(case, run_dir):
    """What went wrong with this case, or [] when the run failed exactly as
    provoked."""
    with open(os.path.join(run_dir, 'results.json'), encoding='utf-8') as f:
        res = json.load(f)
    wrong = []
    if res['passed']:
        wrong.append('the run passed')
    if res['outcome'] != case.outcome:
        wrong.append(f'outcome {res["outcome"]}, expected {case.outcome}')
    splats = res['splats']
    if case.splat:
        if not splats:
            wrong.append(f'no splat found, expected {case.splat}')
        else:
            first = splats[0]
            if first['kind'] != case.splat:
                wrong.append(f'first splat {first["kind"]}, expected '
                             f'{case.splat}')
            if first['test'] != f'exec:{case.program}':
                wrong.append(f'splat tied to {first["test"]!r}, expected '
                             f'exec:{case.program}')
    elif splats:
        wrong.append(f'unexpected splat: {splats[0]["text"]}')
    test = _exec_status(res, case.program)
    if case.status:
        if test is None:
            wrong.append(f'exec:{case.program} missing from the results')
        elif test['status'] != case.status:
            wrong.append(f'exec:{case.program} {test["status"]}, expected '
                         f'{case.status}')
    if case.output:
        with open(os.path.join(run_dir, 'output.log'), encoding='utf-8',
                  errors='replace') as f:
            if case.output not in f.read():
                wrong.append(f'output lacks {case.output!r}')
    if case.outcome != 'done' and res['running_at_end'] != \
            f'exec:{case.program}':
        wrong.append(f'the end names {res["running_at_end"]!r} as running')
    return wrong


def run_cases(opts, shell, progress, scratch):
    """One Test per case."""
    from .run import run
    suite = Test(name='harness end-to-end', status=Status.PASS)
    if not shell.dry_run:
        os.makedirs(scratch, exist_ok=True)
    exit1 = build_exit1(shell, scratch)
    for case in CASES:
        path = exit1 if case.program == 'exit1' else \
            os.path.join(PROVOKE, case.program)
        copts = copy.deepcopy(opts)
        copts.exec_files = [path]
        copts.filter = None
        copts.test_timeout = case.test_timeout
        copts.smp = 2
        with progress.step(f'harness end-to-end: {case.program}'):
            try:
                _, _, run_dir = run(copts, shell, progress)
                if shell.dry_run:
                    continue
                wrong = verify(case, run_dir)
            except TgsigError as err:
                wrong, run_dir = [str(err)], ''
        suite.subtests.append(Test(
            f'{case.program} is caught', Status.FAIL if wrong else
            Status.PASS, directive='; '.join(wrong), log=[run_dir] + wrong))
    return suite
