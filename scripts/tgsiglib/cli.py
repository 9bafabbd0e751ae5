# SPDX-License-Identifier: GPL-2.0
"""Command line of scripts/tgsig.

Options come in groups (common, build, boot, test, bench), titled in each
command's --help; each command takes only the options that apply to
it."""
from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, Dict, List, Optional, Sequence

from . import bases, qemu
from .errors import TgsigError
from .options import Options
from .shell import Progress, Shell


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a whole number')
    if value < 1:
        raise argparse.ArgumentTypeError(f'{text} must be 1 or more')
    return value


Adder = Callable[[Any], None]


def _base(g: Any) -> None:
    g.add_argument('--base', choices=sorted(bases.BASES), default=None,
                   help='the kernel tree to build: mainline (default; the '
                   'series in patches/) or lts (6.12, the backport in '
                   'patches/6.12/)')


def _dry_run(g: Any) -> None:
    g.add_argument('-n', '--dry-run', action='store_true',
                   help='print every command it would run, run none')


def _work(g: Any) -> None:
    g.add_argument('--work', metavar='DIR',
                   help='work directory (default: work/ in the repository, '
                   'or $TGSIG_WORK)')


def _baseline(g: Any) -> None:
    g.add_argument('--baseline', action='store_true',
                   help='build the pristine base, without the series')


def _tree(g: Any) -> None:
    g.add_argument('--tree', metavar='PATH',
                   help='build your own kernel tree (a clean git checkout; '
                   'it is cloned, never modified)')


def _config(g: Any) -> None:
    g.add_argument('--config', metavar='FILE', action='append', default=[],
                   dest='configs', help='an extra Kconfig fragment '
                   '(repeatable)')


def _extra_patch(g: Any) -> None:
    g.add_argument('--extra-patch', metavar='FILE', action='append',
                   default=[], dest='extra_patches',
                   help='apply this patch on top (repeatable): for the '
                   'breaking patches in mutants/, never part of the series')


def _debug(g: Any) -> None:
    g.add_argument('--debug', action='store_true',
                   help='add kconfig/debug.config (lockdep, KASAN, UBSAN, '
                   '...)')


def _jobs(g: Any) -> None:
    g.add_argument('-j', '--jobs', type=_positive, default=None,
                   help='make jobs (default: the number of CPUs)')


def _smp(g: Any) -> None:
    g.add_argument('--smp', type=_positive, default=4, metavar='N',
                   help='guest CPUs (default 4)')


def _bench_smp(g: Any) -> None:
    g.add_argument('--smp', type=_positive, default=2, metavar='N',
                   help='guest CPUs (default 2: under TCG every vCPU is a '
                   'host thread, and more vCPUs than host cores widen the '
                   'spread of every timing)')


def _accel(g: Any) -> None:
    g.add_argument('--accel', choices=('auto', 'tcg', 'kvm'), default='auto',
                   help='auto (default): KVM when a short probe boot works, '
                   'else TCG')


def _boot_timeouts(g: Any) -> None:
    g.add_argument('--boot-timeout', type=_positive, default=120,
                   metavar='SECONDS',
                   help='end the boot when init has not started after this '
                   'long (default 120)')
    g.add_argument('--silence-timeout', type=_positive, default=90,
                   metavar='SECONDS',
                   help='end the run when no serial port has said anything '
                   'for this long (default 90)')
    g.add_argument('--run-timeout', type=_positive, default=3600,
                   metavar='SECONDS',
                   help='end each boot after this long (default 3600)')


def _filter(g: Any) -> None:
    g.add_argument('--filter', metavar='PATTERN',
                   help='run only tests whose collection:name matches this '
                   'glob or contains it')


def _exec(g: Any) -> None:
    g.add_argument('--exec', metavar='FILE', nargs='+', default=[],
                   dest='exec_files',
                   help='copy these static programs or scripts into the '
                   'guest and run them as tests (alone: no selftests)')


def _test_timeout(g: Any) -> None:
    g.add_argument('--test-timeout', type=_positive, metavar='SECONDS',
                   help='per-test timeout where a collection has no '
                   'settings file, and for --exec (default 45)')


def _timeout_scale(g: Any) -> None:
    g.add_argument('--timeout-scale', type=_positive, metavar='N',
                   help='multiply kselftest settings timeouts by N '
                   '(default 4 under TCG, 1 under KVM; twice that with '
                   '--debug)')


def _bench(g: Any) -> None:
    g.add_argument('--quick', action='store_true',
                   help='small sizes and 2 boots of each kernel: a few '
                   'minutes with both kernels built')
    g.add_argument('--reps', type=_positive, metavar='N',
                   help='boots of each kernel (default 5, 2 with --quick)')
    g.add_argument('--rewrite', metavar='RUN_DIR',
                   help='write results.md, letter.txt and the plot of a '
                   'bench run again from its results.json; boots nothing')
    g.add_argument('--programs', metavar='NAME[,NAME...]',
                   help='only these programs of scripts/bench/ (default: '
                   'all of them)')
    g.add_argument('--seed', type=_positive, metavar='N',
                   help='boot every -icount round with -seed N (default: '
                   'round N boots with -seed N), so that the spread '
                   'across boots is what booting the same kernel again '
                   'moves a figure by')


GROUPS = {
    'common': ('common options', [_base, _dry_run, _work]),
    'build': ('build: the kernel and its selftests',
              [_baseline, _tree, _config, _extra_patch, _debug, _jobs]),
    'boot': ('boot: the guest under QEMU',
             [_smp, _accel, _boot_timeouts]),
    'test': ('test: what the guest runs',
             [_filter, _exec, _test_timeout, _timeout_scale]),
    'bench': ('bench: the benchmarks', [_bench]),
}


def _add_groups(p: argparse.ArgumentParser, groups: Sequence[str],
                leave_out: Sequence[Adder] = (),
                replace: Optional[Dict[Adder, Adder]] = None) -> None:
    """The option groups a command takes, without leave_out; replace
    swaps one option's definition for a command's own."""
    replace = replace or {}
    for name in groups:
        title, adders = GROUPS[name]
        g = p.add_argument_group(title)
        for adder in adders:
            if adder not in leave_out:
                replace.get(adder, adder)(g)


# What each command takes: groups, and options of them it leaves out.
RUN = ('common', 'build', 'boot', 'test')


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog='tgsig', description='Build a kernel with the tgsig series, '
        'boot it under QEMU and run the selftests.')
    sub = p.add_subparsers(dest='command', metavar='COMMAND')
    sub.required = True
    run = sub.add_parser('run', help='build, boot and test one kernel')
    _add_groups(run, RUN)
    check = sub.add_parser(
        'check', help="the project's test command: the harness's unit "
        'tests, the series checks, and the selftests on the unpatched and '
        'the patched kernel, and on the patched kernel with the debug '
        'config')
    g = check.add_argument_group('check: what it runs')
    g.add_argument('--quick', action='store_true',
                   help='unit tests and series checks only: no kernel')
    g.add_argument('--no-debug', action='store_true',
                   help='leave out the third kernel: the patched one '
                   'built with kconfig/debug.config')
    _add_groups(check, RUN, leave_out=(_baseline, _extra_patch, _exec))
    gen = sub.add_parser(
        'series', help='write the generated patches of the series (the '
        'selftests and the documentation) from selftests/ and '
        'Documentation/ into patches/')
    _add_groups(gen, ('common',))
    local = sub.add_parser(
        'host', help="tgsig's selftests on this machine's own kernel, "
        'without QEMU (a quick loop; not the pinned kernel)')
    _add_groups(local, ('common', 'build', 'test'),
                leave_out=(_baseline, _tree, _config, _extra_patch, _debug,
                           _exec, _timeout_scale))
    bench = sub.add_parser(
        'bench', help='benchmarks: the unpatched and the patched kernel '
        'booted alternately, with a table, results.md and a plot',
        description='Build (or reuse) the unpatched and the patched kernel, '
        'boot them alternately under the same QEMU settings with the '
        'programs of scripts/bench/, and print for every figure and size '
        'the median of each kernel, its min-max spread across boots and '
        'the ratio patched/unpatched. results.json, results.md and '
        'bench.svg go into the run directory.')
    _add_groups(bench, ('common', 'build', 'boot', 'bench'),
                leave_out=(_baseline, _extra_patch, _debug),
                replace={_smp: _bench_smp})
    mutants = sub.add_parser(
        'mutants', help='apply each patch of mutants/ on top of the series, '
        'build, boot, run the selftests and report which tests caught it',
        description='For each mutant (all of mutants/ by default; names, '
        'globs or paths), run the patched kernel with it as an extra patch '
        "and tgsig's own selftests (--filter to change that), and check "
        'that a test its Must-fail lines name failed. results.md and '
        'results.json go into work/runs/STAMP-mutants/. Exits 1 unless '
        'every mutant was caught.')
    mutants.add_argument('mutant_files', nargs='*', metavar='MUTANT',
                         help='a mutant name (or glob) in mutants/, or a '
                         'patch file')
    _add_groups(mutants, RUN, leave_out=(_baseline, _extra_patch, _exec))
    bis = sub.add_parser(
        'bisect', help='the series patch by patch: build, boot and run the '
        'tests the tree has after each patch, with a summary table',
        description='For each patch K of the series (all of them, or '
        '--patches A-B), build the tree with the first K patches applied '
        '(incrementally, in the one build directory), with the selftests '
        "that tree has, boot it and run them: tgsig's own collection by "
        "default (--filter '*' for every collection). bisect.md, "
        'bisect.txt and bisect.json go into work/runs/STAMP-bisect/. '
        'Exits 1 unless every patch built, booted and passed.')
    bis.add_argument('--patches', metavar='A-B',
                     help='only these patches (K, or A-B; numbered from 1)')
    _add_groups(bis, RUN, leave_out=(_baseline, _extra_patch, _exec,
                                     _tree))
    e2e = sub.add_parser(
        'e2e', help="the harness's end-to-end cases: programs that provoke "
        'a failure (an exit code, a WARN, an oops, a panic, a hung task) '
        'in the guest, each of which the run must catch')
    _add_groups(e2e, ('common', 'build', 'boot'),
                leave_out=(_baseline, _extra_patch, _smp))
    fz = sub.add_parser(
        'fuzz', help='trinity, the system call fuzzer, on the patched '
        'debug kernel, pointed at the signal and process syscalls',
        description='Build (or reuse) the patched kernel with '
        'kconfig/debug.config, as run --debug does, boot it and run '
        'trinity in a PID namespace of its own, once per seed, for '
        '--minutes each, and beside it sigfuzz (scripts/fuzz/sigfuzz.c), '
        'which makes the calls trinity never makes, for the same seed and '
        'time (its own PID namespace too). A kernel splat, a taint, a '
        'hang or the guest\'s death fails the run; the summary quotes the '
        'splat, the seed, the last calls each fuzzer logged and the '
        'command that replays it. '
        'Logs go into work/runs/STAMP-fuzz/.')
    g = fz.add_argument_group('fuzz: what trinity and sigfuzz do')
    g.add_argument('--minutes', type=_positive, default=5, metavar='N',
                   help='how long each seed runs (default 5)')
    g.add_argument('--seed', default='1', metavar='S[,S...]',
                   help='the random seeds of trinity and sigfuzz, one run '
                   'each, one after the other in one boot (default 1)')
    g.add_argument('--syscalls', metavar='LIST',
                   help='the syscalls, comma-separated, as trinity -L '
                   'names them (default: the signal and process syscalls '
                   'that reach the series)')
    g.add_argument('--children', type=_positive, default=4, metavar='N',
                   help='trinity child processes (default 4)')
    g.add_argument('--sigfuzz-workers', type=int, default=4, metavar='N',
                   help='worker processes of sigfuzz, which runs beside '
                   'trinity and makes the calls trinity never makes (kill, '
                   'tgkill, clone, ptrace...); 0 runs trinity alone '
                   '(default 4)')
    g.add_argument('--kernel', metavar='DIR',
                   help='boot this kernel as it is (a directory with a '
                   'bzImage: work/linux-VERSION/kernels/KEY, or the kernel/ '
                   'of a fuzz run): no build, no tree lock')
    _add_groups(fz, ('common', 'build', 'boot'),
                leave_out=(_tree, _config, _debug))
    tr = sub.add_parser(
        'trace', help='run one static program under signal tracing on the '
        'patched kernel: which thread took each signal, and why '
        '(trace.json, timeline.svg and a summary)')
    tr.add_argument('program', metavar='PROGRAM',
                    help='a static program, or a script, to run')
    tr.add_argument('program_args', nargs='*', metavar='ARGS',
                    help='its arguments (after --, if one begins with -)')
    g = tr.add_argument_group('trace: which kernel')
    g.add_argument('--host', action='store_true',
                   help="this machine's own kernel, as root, without QEMU: "
                   'its events only (no signal_wake_target without the '
                   'series)')
    g.add_argument('--kernel', metavar='DIR',
                   help='a kernel tgsig built, work/linux-VERSION/kernels/'
                   'KEY, booted as it is: no build, no tree lock')
    _add_groups(tr, RUN, leave_out=(_extra_patch, _filter, _exec,
                                    _timeout_scale))
    comp = sub.add_parser(
        'compare', help='two runs side by side, program by program: the '
        "cover letter's table of results, from the runs' results.json")
    comp.add_argument('runs', nargs='+', metavar='RUN_DIR',
                      help='a run directory, e.g. '
                      'work/runs/STAMP-mainline-baseline: '
                      'for each base, the unpatched run, the patched one, '
                      'and any more (a debug run) to sum up under them; '
                      'one table per base')
    rep = sub.add_parser(
        'report', help="a run's results.ktap, results.json and summary "
        'again from its saved logs, booting nothing (as kunit.py parse '
        'does)')
    rep.add_argument('run_dir', metavar='RUN_DIR',
                     help='the run directory of a `tgsig run`')
    rep.add_argument('--out', metavar='DIR',
                     help='write results.ktap and results.json here '
                     '(default: RUN_DIR itself)')
    rep.add_argument('-n', '--dry-run', action='store_true',
                     help='print the summary, write nothing')
    return p


def run_options(args: argparse.Namespace) -> Options:
    """The Options of a command's arguments; what it does not take keeps
    its default."""
    def arg(name: str, default: Any = None) -> Any:
        value = getattr(args, name, None)
        return default if value is None else value
    defaults = Options()
    opts = Options(base=arg('base', bases.DEFAULT),
                   baseline=arg('baseline', False), tree=arg('tree'),
                   configs=arg('configs', []), debug=arg('debug', False),
                   smp=arg('smp', defaults.smp), filter=arg('filter'),
                   exec_files=arg('exec_files', []),
                   dry_run=arg('dry_run', False),
                   accel=arg('accel', 'auto'),
                   limits=qemu.Limits(boot=arg('boot_timeout', 120),
                                      silence=arg('silence_timeout', 90),
                                      run=arg('run_timeout', 3600)),
                   test_timeout=arg('test_timeout'), work=arg('work'),
                   timeout_scale=arg('timeout_scale'),
                   extra_patches=arg('extra_patches', []))
    if arg('jobs'):
        opts.jobs = args.jobs
    return opts


# `bench` takes the same Options; its own defaults are in benchrun.py.
bench_options = run_options


def bisect_options(args: argparse.Namespace) -> Options:
    """run_options(), with tgsig's own collection as the default filter:
    the tests the series adds, and on mainline the kernel's own signal
    tests that share their directory."""
    opts = run_options(args)
    if not opts.filter:
        opts.filter = 'signal:*'
    return opts


def main(argv: List[str]) -> int:
    args = parser().parse_args(argv)
    if args.command == 'compare':
        from . import compare
        if len(args.runs) < 2:
            print('error: compare needs two run directories or more: the '
                  'unpatched run first, then the patched one',
                  file=sys.stderr)
            return 2
        try:
            runs = [compare.load(r) for r in args.runs]
            print(compare.tables(runs), end='')
        except TgsigError as err:
            print(err, file=sys.stderr)
            return 2
        return 0
    if args.command == 'report':
        from .reportcmd import report_command
        try:
            return report_command(args.run_dir, args.out, args.dry_run)
        except TgsigError as err:
            print(err, file=sys.stderr)
            return 2
    progress = Progress()
    shell = Shell(progress, dry_run=args.dry_run)
    try:
        if args.command == 'run':
            from .run import run_command
            return run_command(run_options(args), shell, progress)
        if args.command == 'host':
            from .host import host
            return host(run_options(args), shell, progress)
        if args.command == 'bench' and args.rewrite:
            from .benchrun import rewrite_command
            return rewrite_command(args.rewrite, shell, progress)
        if args.command == 'bench':
            from .benchrun import bench_command
            from .report import command_line
            return bench_command(bench_options(args), shell, progress,
                                 quick=args.quick, boots=args.reps,
                                 programs=args.programs,
                                 command=command_line(argv),
                                 seed=args.seed)
        if args.command == 'mutants':
            from .mutants import mutants_command
            return mutants_command(run_options(args), args.mutant_files,
                                   shell, progress, argv)
        if args.command == 'bisect':
            from .bisect import bisect_command
            from .report import command_line
            return bisect_command(bisect_options(args), shell, progress,
                                  command_line(argv), args.patches)
        if args.command == 'series':
            from .seriescmd import series_command
            return series_command(run_options(args), shell, progress,
                                  [args.base] if args.base else
                                  list(bases.BASES))
        if args.command == 'e2e':
            from .e2e import e2e_command
            return e2e_command(run_options(args), shell, progress)
        if args.command == 'fuzz':
            from .fuzz import fuzz_command, fuzz_args
            from .report import command_line
            return fuzz_command(run_options(args), fuzz_args(args), shell,
                                progress, command_line(argv))
        if args.command == 'trace':
            from .trace import trace_command
            return trace_command(run_options(args), args.program,
                                 args.program_args, shell, progress,
                                 host=args.host, kernel_dir=args.kernel)
        from .check import check
        return check(args, run_options(args), shell, progress)
    except TgsigError as err:
        print(err, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        return 130
