# SPDX-License-Identifier: GPL-2.0
"""Turn what the guest did into one tree of tests: each program's own
KTAP, the programs that never ran, KUnit's results from the console, and
the kernel's own checks (boot, splats, taint, a clean end)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence

from . import ktap, splat
from .ktap import Status, Test
from .splat import Splat
from .stream import TestRun

if TYPE_CHECKING:
    from .qemu import BootResult

KSFT_SKIP = 4


def program(run: TestRun) -> Test:
    """A Test for one program run in the guest (a stream.TestRun)."""
    parsed = ktap.parse(run.output, run.name)
    has_tap = bool(parsed.subtests) or parsed.planned is not None
    if run.timed_out:
        status, why = Status.TIMEOUT, f'{run.timeout} seconds'
    elif not run.finished:
        status, why = Status.ERROR, 'did not finish (the guest stopped)'
    elif run.rc == 0:
        status, why = Status.PASS, ''
    elif run.rc == KSFT_SKIP:
        status, why = Status.SKIP, 'exit code 4 (KSFT_SKIP)'
    else:
        status, why = Status.FAIL, f'exit code {run.rc}'
    test = Test(name=run.name, status=status, directive=why,
                log=run.output, seconds=run.seconds)
    if not has_tap:
        return test
    test.subtests = parsed.subtests
    test.planned = parsed.planned
    ktap.finish(test)
    if status.failed and not any(t.status.failed for t in test.leaves()):
        # The program failed after every case passed (or before any ran):
        # count that as a failure of its own.
        test.subtests.append(Test(name='exit status', status=status,
                                  directive=why, log=run.output[-30:]))
    if status in (Status.TIMEOUT, Status.ERROR):
        test.status, test.directive = status, why
        for leaf in test.leaves():
            if leaf.status == Status.ERROR and leaf.name.startswith(
                    'results '):
                leaf.status, leaf.directive = status, why
    return test


def known_reason(known: Dict[str, str], name: str) -> Optional[str]:
    """Why the case `collection:program/case` is listed, or None."""
    if name in known:
        return known[name]
    return known.get(name.split('/', 1)[0] + '/*')


def apply_known_failures(program_test: Test,
                         known: Dict[str, str]) -> None:
    """A listed case that fails is XFAIL; one that passes says XPASS,
    unless its reason calls it flaky: then a pass is only a pass.
    A name may end in /* for every case of a program."""
    for leaf in program_test.leaves():
        why = known_reason(known, f'{program_test.name}/{leaf.name}')
        if why is None:
            continue
        if leaf.status in (Status.FAIL, Status.ERROR, Status.TIMEOUT):
            leaf.status, leaf.directive = Status.XFAIL, why
        elif leaf.status == Status.PASS and not why.startswith('flaky'):
            leaf.directive = 'XPASS: listed in selftests/known-failures'
    if program_test.subtests and program_test.status == Status.FAIL and \
            not any(t.status.failed for t in program_test.leaves()):
        program_test.status = Status.PASS
    ktap.finish(program_test)


def build_tree(planned: Sequence[str], boot: 'BootResult',
               splats: List[Splat],
               kunit_lines: Optional[List[str]] = None,
               known: Optional[Dict[str, str]] = None,
               skipped: Optional[Dict[str, str]] = None,
               kernel_checks: bool = True) -> Test:
    """planned: plan entry names in order; boot: qemu.BootResult;
    known: {'collection:program/case': why} of known failures;
    skipped: {'collection:program': why} of programs not run."""
    root = Test(name='tgsig', status=Status.PASS)
    ran = {run.name: run for run in boot.stream.tests}
    suites: Dict[str, Test] = {}
    skipped = skipped or {}
    for name in list(planned) + list(skipped):
        suite_name = name.split(':', 1)[0]
        suite = suites.get(suite_name)
        if suite is None:
            suite = suites[suite_name] = Test(name=suite_name,
                                              status=Status.PASS)
            root.subtests.append(suite)
        if name in skipped:
            suite.subtests.append(Test(name=name, status=Status.SKIP,
                                       directive=skipped[name]))
        elif name in ran:
            test = program(ran[name])
            apply_known_failures(test, known or {})
            suite.subtests.append(test)
        else:
            why = 'not run: ' + (boot.detail or boot.outcome)
            if boot.running:
                why = f'not run: the guest stopped during {boot.running}'
            suite.subtests.append(Test(name=name, status=Status.ERROR,
                                       directive=why))
    if kunit_lines:
        kunit = ktap.parse(kunit_lines, 'kunit')
        if kunit.subtests:
            root.subtests.append(kunit)
    if kernel_checks:
        root.subtests.append(kernel_suite(boot, splats))
    for suite in root.subtests:
        ktap.finish(suite)
    ktap.finish(root)
    return root


def kernel_suite(boot: 'BootResult', splats: List[Splat]) -> Test:
    suite = Test(name='kernel', status=Status.PASS)
    stream = boot.stream
    booted = stream.booted is not None
    suite.subtests.append(Test(
        name='boot', status=Status.PASS if booted else Status.ERROR,
        directive='' if booted else boot.detail))
    if boot.outcome == 'done':
        suite.subtests.append(Test(name='run completed', status=Status.PASS))
    else:
        status = Status.TIMEOUT if 'timeout' in boot.outcome else \
            Status.ERROR
        where = f' during {boot.running}' if boot.running else ''
        suite.subtests.append(Test(name='run completed', status=status,
                                   directive=f'{boot.outcome}{where}: '
                                   f'{boot.detail}'))
    if splats:
        first = splats[0]
        where = f' during {first.test}' if first.test else ''
        suite.subtests.append(Test(
            name='no splats', status=Status.FAIL,
            directive=f'{len(splats)} found, first: {first.kind}{where}',
            log=first.excerpt))
    else:
        suite.subtests.append(Test(name='no splats', status=Status.PASS))
    if stream.taint is None:
        if booted and boot.outcome == 'done':
            suite.subtests.append(Test(name='not tainted',
                                       status=Status.ERROR,
                                       directive='the guest did not report '
                                       'its taint'))
    elif splat.taint_is_finding(stream.taint):
        flags = ', '.join(splat.decode_taint(stream.taint))
        suite.subtests.append(Test(name='not tainted', status=Status.FAIL,
                                   directive=f'tainted {stream.taint}: '
                                   f'{flags}'))
    else:
        suite.subtests.append(Test(name='not tainted', status=Status.PASS))
    return suite


_KTAP_LINE = re.compile(r'^(\s*)(KTAP version|TAP version|\d+\.\.\d+|ok |'
                        r'not ok |#)')


def kunit_section(console_lines: Sequence[str]) -> Optional[List[str]]:
    """The console's KUnit KTAP, if KUnit ran at boot.

    Other drivers print while the KUnit tests run (an input device that
    probes between a plan and its results, say): as kunit_tool does, keep
    only the lines that are KTAP, so that those do not end a suite."""
    lines = [splat.strip(line) for line in console_lines]
    for i, line in enumerate(lines):
        if line.strip().startswith('KTAP version'):
            return [x for x in lines[i:] if _KTAP_LINE.match(x)]
    return None
