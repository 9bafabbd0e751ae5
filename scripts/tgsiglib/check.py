# SPDX-License-Identifier: GPL-2.0
"""`tgsig check`: the project's test command.

1. the harness's own unit tests;
2. the series of each base (patches/ on mainline, patches/6.12/ on lts):
   every patch applies to its pinned base and is checkpatch --strict
   clean, and the copies the series carries of top-level files (the
   selftests, the documentation) are the same as the top-level ones;
3. checkpatch --strict on tgsig's selftest sources, and libtraceevent
   decoding signal_wake_target from the format file a patched guest wrote;
4. on each base, the selftests on the unpatched and on the patched
   kernel under QEMU, and on mainline the patched kernel again with
   kconfig/debug.config (lockdep, KASAN, UBSAN, ...), where a splat fails
   the run (--no-debug leaves that kernel out; --base picks one base);
5. a short fuzz of that debug kernel: trinity and sigfuzz, seed 1, for
   CHECK_FUZZ_MINUTES (`tgsig fuzz` makes the long one).

Ends with one line: `N passed, N failed, N skipped`.
"""
from __future__ import annotations

import argparse
import copy
import dataclasses
import functools
import io
import os
import unittest
from typing import Iterator, List, Tuple

from . import archtable, bases, deps, doccheck, formatcheck, fuzzrun, \
    mutantfiles, provoke, report, series, splat, tracecheck
from .errors import TgsigError
from .kernel import prepare_base
from .lock import tree_lock
from .ktap import Status, Test, finish
from .options import Options
from .paths import REPO, work_dir
from .record import RunRecord
from .selftests import all_selftest_files, selftest_files
from .shell import Progress, Shell
from .testrun import execute
from .workspace import Workspace, series_files


def unit_tests(progress: Progress) -> Test:
    suite = unittest.defaultTestLoader.discover(
        os.path.join(REPO, 'scripts', 'tgsiglib', 'tests'),
        top_level_dir=os.path.join(REPO, 'scripts'))
    ids = [t.id() for t in _iter_tests(suite)]
    stream = io.StringIO()
    result = unittest.TextTestRunner(stream=stream, verbosity=2).run(suite)
    failed = {t.id(): msg for t, msg in result.failures + result.errors}
    skipped = {t.id(): msg for t, msg in result.skipped}
    root = Test(name='harness unit tests', status=Status.PASS)
    for tid in ids:
        if tid in failed:
            root.subtests.append(Test(tid, Status.FAIL,
                                      log=failed[tid].splitlines()))
        elif tid in skipped:
            root.subtests.append(Test(tid, Status.SKIP,
                                      directive=skipped[tid]))
        else:
            root.subtests.append(Test(tid, Status.PASS))
    progress.say(f'harness unit tests: {result.testsRun} run, '
                 f'{len(failed)} failed')
    if failed:
        print(stream.getvalue())
    return root


def _iter_tests(suite: unittest.TestSuite) -> Iterator[unittest.TestCase]:
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _iter_tests(item)
        else:
            yield item


# checkpatch runs scripts/spdxcheck.py with the python3 first on PATH; it
# needs the ply module, which Debian's python3-ply gives Debian's python3,
# as mypy is Debian's python3-mypy.
_DEBIAN_PYTHON = {'PATH': '/usr/bin:' + os.environ.get('PATH', '')}


def lint(shell: Shell) -> List[Test]:
    """pyflakes, pycodestyle and the mypy type checker over the harness,
    as Debian packages them (for Debian's own python3; mypy's settings
    are in tgsiglib/mypy.ini)."""
    scripts = os.path.join(REPO, 'scripts')
    out = []
    for name, argv in (
            ('pyflakes', ['pyflakes3', 'tgsiglib', 'tgsig']),
            ('pycodestyle', ['pycodestyle', '--max-line-length=100',
                             'tgsiglib', 'tgsig']),
            ('mypy', ['python3', '-m', 'mypy', '--config-file',
                      'tgsiglib/mypy.ini', 'tgsiglib'])):
        proc = shell.run(argv, cwd=scripts, capture=True, check=False,
                         mutates=False, env=_DEBIAN_PYTHON)
        lines = (proc.stdout + proc.stderr).splitlines()
        if name == 'mypy':
            # Clean is exit 0 and its one line "Success: no issues ...".
            lines = [x for x in lines if not x.startswith('Success:')]
        ok = proc.returncode == 0 and not lines
        out.append(Test(f'harness: {name} clean',
                        Status.PASS if ok else Status.FAIL, log=lines))
    return out


def checkpatch(shell: Shell, tree: str, paths: List[str],
               files: bool = False) -> List[Test]:
    """One test per path: checkpatch --strict must print no error, warning
    or check."""
    script = os.path.join(tree, 'scripts', 'checkpatch.pl')
    out = []
    for path in paths:
        argv = ['perl', script, '--strict', '--no-summary', '--terse']
        selftest = series.subject(path).startswith(('selftests:',
                                                    'selftests/'))
        if files or selftest:
            # A user-space test picks its trapping instructions per
            # architecture (as selftests/breakpoints does): that #if is
            # the one CHECK a selftest cannot avoid, in its file and in
            # the patch that adds it.
            argv += ['--ignore', 'ARCH_DEFINES']
        if not files and selftest:
            # A collection's first patch adds its MAINTAINERS line; the
            # patches that add programs to it later are covered by that
            # line, but checkpatch asks of any patch that adds a file and
            # leaves MAINTAINERS alone whether it needs updating.
            argv += ['--ignore', 'FILE_PATH_CHANGES']
        if files:
            argv += ['--no-tree', '-f']
        proc = shell.run(argv + [path], cwd=tree, capture=True, check=False,
                         mutates=False, env=_DEBIAN_PYTHON)
        lines = [line for line in (proc.stdout + proc.stderr).splitlines()
                 if line.strip()]
        name = os.path.relpath(path, REPO)
        status = Status.PASS if proc.returncode == 0 and not lines else \
            Status.FAIL
        out.append(Test(f'checkpatch --strict {name}', status, log=lines))
    return out


def action_table_on_every_arch(repo: str, head: str, shell: Shell) -> Test:
    """The table's static_asserts, compiled for every architecture's
    signal numbers (a kernel build checks only its own)."""
    results = archtable.check(archtable.GitTree(repo, head, shell),
                              shell=shell)
    root = Test(name='action table asserts on every architecture\'s '
                'signal numbers', status=Status.PASS)
    if results is None:
        root.status = Status.SKIP
        root.directive = 'the series under test has no SIG_ACTION_TABLE'
        return root
    for arch, error in results.items():
        root.subtests.append(Test(arch, Status.FAIL if error else
                                  Status.PASS,
                                  log=(error or '').splitlines()[:20]))
    return root


def reference_page(shell: Shell) -> List[Test]:
    """The reference page parses cleanly, and every selftest it cites
    exists and every test of the programs it covers is cited: the page
    promises that each rule names the test that pins it."""
    page = os.path.join(REPO, 'Documentation', 'core-api',
                        'thread-group-signals.rst')
    with open(page, encoding='utf-8') as f:
        text = f.read()
    try:
        messages = doccheck.docutils_messages(page, shell=shell)
        parsed = Test('reference page: docutils reports nothing',
                      Status.FAIL if messages else Status.PASS,
                      log=messages)
    except TgsigError as err:
        parsed = Test('reference page: docutils reports nothing',
                      Status.FAIL, directive=err.what)
    cites = doccheck.check_citations(
        text, os.path.join(REPO, 'selftests', 'signal'),
        not_cited=doccheck.NOT_CITED)
    return [parsed,
            Test('reference page: every cited selftest exists',
                 Status.FAIL if cites.problems else Status.PASS,
                 log=cites.problems),
            Test('reference page: every signal rule test is cited',
                 Status.FAIL if cites.uncited else Status.PASS,
                 log=cites.uncited)]


def base_series_checks(shell: Shell, progress: Progress, opts: Options,
                       base: bases.Base) -> Tuple[Test, Workspace]:
    """One base's series applies (one test per patch) with git am to the
    pinned tree, is checkpatch clean by that tree's checkpatch, holds the
    action table's asserts on every architecture, and is what
    `tgsig series` writes from its sources."""
    root = Test(name=f'{base.name} series ({base.patch_dir}/)',
                status=Status.PASS)
    bopts = dataclasses.replace(opts, base=base.name)
    ws, _, label = prepare_base(bopts, shell, progress,
                                deps.PACKAGES + deps.CHECK_PACKAGES)
    progress.say(f'{base.name} series checks on {label}')
    patches = series_files(base.patches)
    applied = Test(name='applies with git am', status=Status.PASS)
    head = None
    try:
        with tree_lock(work_dir(opts), progress, 'series checks'):
            head = ws.series_head(patches)
        for p in patches:
            applied.subtests.append(Test(os.path.basename(p), Status.PASS))
    except TgsigError as err:
        applied.subtests.append(Test('git am', Status.FAIL,
                                     directive=err.what))
    if applied.subtests:
        root.subtests.append(applied)
    if head:
        root.subtests.append(
            action_table_on_every_arch(ws.repo, head, shell))
        root.subtests.append(mutants_apply(ws.repo, head, base))
    cover = os.path.join(base.patches, '0000-cover-letter.patch')
    checked = patches + ([cover] if os.path.exists(cover) else [])
    root.subtests += checkpatch(shell, ws.repo, checked)
    name = f'{base.patch_dir}/ is what scripts/tgsig series writes'
    try:
        with tree_lock(work_dir(opts), progress, 'series checks'):
            wrong = series.stale(
                ws.repo, REPO, base,
                functools.partial(selftest_files, shell=shell))
        root.subtests.append(Test(
            name, Status.FAIL if wrong else Status.PASS,
            directive='run scripts/tgsig series' if wrong else '',
            log=[f'{n}: {why}' for n, why in wrong]))
    except TgsigError as err:
        root.subtests.append(Test(name, Status.FAIL, directive=err.what))
    return root, ws


def mutants_apply(repo: str, head: str, base: bases.Base) -> Test:
    """Every mutant of mutants/ (the base's own version where it has one)
    applies to the series as git am would take it: a mutant that no
    longer applies would only ever report "build failed"."""
    files = mutantfiles.mutant_files(
        subdir=mutantfiles.base_subdir(base.name))
    bad = mutantfiles.unapplied(repo, head, files)
    return Test(f'every mutant applies to the series ({len(files)})',
                Status.FAIL if bad else Status.PASS,
                directive=('rewrite them against the series head, or '
                           "give the base its own version (mutants/6.12/)"
                           if bad else ''),
                log=bad)


def series_checks(shell: Shell, progress: Progress, opts: Options,
                  base_names: List[str]) -> Test:
    """Each base's series, then what does not depend on a base: the
    reference page, the selftest sources (by mainline's checkpatch) and
    the harness's lint."""
    root = Test(name='static checks', status=Status.PASS)
    tree = ''
    for name in base_names:
        sub, ws = base_series_checks(shell, progress, opts, bases.get(name))
        root.subtests.append(sub)
        tree = tree or ws.repo
    root.subtests += reference_page(shell)
    root.subtests += formatcheck.checks(shell, work_dir(opts))
    sources = [f for f in all_selftest_files(shell)
               if f.endswith(('.c', '.h'))]
    root.subtests += checkpatch(shell, tree, sources, files=True)
    root.subtests += lint(shell)
    return root


# The debug config (lockdep, KASAN, ...) runs on these bases in check; a
# debug kernel is the longest build and boot of the run, and the series
# is the same code on both bases. On lts: scripts/tgsig run --base lts
# --debug.
DEBUG_BASES = ('mainline',)


def kernel_runs(opts: Options, base_names: List[str],
                debug_run: bool = True) -> List[Tuple[str, Options]]:
    """(name, options) of each kernel run that check makes: on each base
    the unpatched and the patched kernel, and with @debug_run the patched
    one again with kconfig/debug.config on DEBUG_BASES (all of them with
    it under --debug)."""
    runs = []
    for base in base_names:
        for baseline in (True, False):
            vopts = dataclasses.replace(copy.deepcopy(opts), base=base,
                                        baseline=baseline)
            runs.append((f'{base} {"unpatched" if baseline else "patched"}',
                         vopts))
        if debug_run and not opts.debug and base in DEBUG_BASES:
            vopts = dataclasses.replace(copy.deepcopy(opts), base=base,
                                        debug=True)
            runs.append((f'{base} patched, debug config', vopts))
    if opts.debug:
        runs = [(f'{name}, debug config', o) for name, o in runs]
    return runs


# The fuzz in check: short, one fixed seed. The seed fixes what each
# process chooses, not how four vCPUs interleave them, so the run is not
# the same twice; what fails it is a kernel splat, a taint or a hang, a
# kernel bug however rarely it shows. Trinity takes half a minute to
# start, more on a busy host, before its first syscall.
CHECK_FUZZ_MINUTES = 3
CHECK_FUZZ_SEED = 1


def short_fuzz(opts: Options, shell: Shell, progress: Progress,
               base: str) -> Test:
    fopts = dataclasses.replace(copy.deepcopy(opts), base=base, debug=True,
                                baseline=False)
    args = fuzzrun.FuzzArgs(minutes=CHECK_FUZZ_MINUTES,
                            seeds=[CHECK_FUZZ_SEED])
    name = (f'fuzz: trinity and sigfuzz, seed {CHECK_FUZZ_SEED}, '
            f'{CHECK_FUZZ_MINUTES} min, {base} patched debug kernel')
    try:
        run = fuzzrun.fuzz(fopts, args, shell, progress, 'scripts/tgsig '
                           f'fuzz --base {base} --seed {CHECK_FUZZ_SEED} '
                           f'--minutes {CHECK_FUZZ_MINUTES}')
    except TgsigError as err:
        return Test(name, Status.FAIL, directive=str(err), log=[str(err)])
    if run.outcome is None:
        return Test(name, Status.SKIP, directive='dry run')
    problems = run.outcome.problems
    return Test(name, Status.FAIL if problems else Status.PASS,
                directive='; '.join(problems),
                log=[run.run_dir] + run.text.splitlines())


def kernel_line(run_dir: str) -> str:
    """What the kernel itself said in a run: its splats and taint, read
    from the run's record."""
    try:
        record = RunRecord.load(run_dir)
    except TgsigError:
        return f'no {os.path.join(run_dir, "results.json")}'
    kinds = sorted({s.kind for s in record.splats})
    value = record.taint or 0
    if not value:
        taint = 'taint none'
    else:
        taint = (f'taint {value}: {", ".join(splat.decode_taint(value))}'
                 + ('' if splat.taint_is_finding(value) else
                    ', not a finding'))
    return (f'{len(record.splats)} kernel splats' +
            (f' ({", ".join(kinds)})' if kinds else '') +
            f', {taint}, '
            f'guest {record.guest or "did not boot"}, '
            f'{record.boot_seconds or 0:.0f}s booted')


def check(args: argparse.Namespace, opts: Options, shell: Shell,
          progress: Progress) -> int:
    names = [args.base] if args.base else list(bases.BASES)
    results = Test(name='check', status=Status.PASS)
    with progress.step('harness unit tests'):
        if args.dry_run:
            progress.say('dry run: would run python3 -m unittest discover '
                         '-s scripts/tgsiglib/tests')
        else:
            results.subtests.append(unit_tests(progress))
    with progress.step('series checks'):
        if args.dry_run:
            for name in names:
                prepare_base(dataclasses.replace(opts, base=name), shell,
                             progress, deps.PACKAGES + deps.CHECK_PACKAGES)
                progress.say(f'dry run: would apply {bases.get(name).patch_dir}'
                             '/ with git am, run checkpatch --strict on '
                             'each patch and compare it with what '
                             'scripts/tgsig series writes')
        else:
            results.subtests.append(series_checks(shell, progress, opts,
                                                  names))
    codes = []
    kernels = []
    if not args.quick:
        for name, vopts in kernel_runs(opts, names, not args.no_debug):
            with progress.step(f'selftests on the {name} kernel'):
                record = execute(vopts, shell, progress)
                if record is not None:
                    codes.append(1 if record.failed else 0)
                    tree = record.results
                    tree.name = f'{name} kernel ({record.run_dir})'
                    results.subtests.append(tree)
                    kernels.append((name, record.run_dir))
        fuzz_bases = [b for b in names if b in DEBUG_BASES] \
            if not args.no_debug else []
        for base in fuzz_bases:
            with progress.step(f'fuzz the {base} debug kernel'):
                suite = Test(name='fuzz', status=Status.PASS)
                suite.subtests.append(short_fuzz(opts, shell, progress,
                                                 base))
                results.subtests.append(suite)
        with progress.step('harness end-to-end: provoked failures'):
            suite = provoke.run_cases(
                opts, shell, progress,
                os.path.join(work_dir(opts), 'provoke'),
                debug_kernel=not args.no_debug and opts.base in DEBUG_BASES)
            # And one trace, checked for where each signal landed.
            suite.subtests.append(tracecheck.run_case(
                opts, shell, progress, os.path.join(work_dir(opts),
                                                    'trace-e2e')))
            results.subtests.append(suite)
    if args.dry_run:
        print('\ntgsig check: a dry run; the commands above were printed, '
              'none was run')
        return 0
    for suite in results.subtests:
        if suite.subtests:
            finish(suite)
    print('\ntgsig check:')
    for suite in results.subtests:
        c = suite.counts()
        print(f'  {suite.name}: {report.totals_line(c)}')
    for name, run_dir in kernels:
        print(f'  {name} kernel: {kernel_line(run_dir)}')
    fails = report.failures(results)
    if fails:
        print('failures:\n' + fails)
    counts = results.counts()
    print(report.totals_line(counts))
    failed = counts['fail'] + counts['error'] + counts['timeout']
    return 1 if failed or any(codes) else 0
