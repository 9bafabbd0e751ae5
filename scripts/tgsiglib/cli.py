# SPDX-License-Identifier: GPL-2.0
"""Command line of scripts/tgsig."""
import argparse
import sys

from . import bases, qemu
from .errors import TgsigError
from .shell import Progress, Shell


def _positive(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a whole number')
    if value < 1:
        raise argparse.ArgumentTypeError(f'{text} must be 1 or more')
    return value


def _add_base_option(p, what='the kernel tree to build'):
    p.add_argument('--base', choices=sorted(bases.BASES), default=None,
                   help=f'{what}: mainline (default; the series in '
                   'patches/) or lts (6.12, the backport in patches/6.12/)')


def _add_run_options(p):
    _add_base_option(p)
    p.add_argument('--baseline', action='store_true',
                   help='build the pristine base, without the series')
    p.add_argument('--tree', metavar='PATH',
                   help='build your own kernel tree (a clean git checkout; '
                   'it is cloned, never modified)')
    p.add_argument('--config', metavar='FILE', action='append', default=[],
                   dest='configs', help='an extra Kconfig fragment '
                   '(repeatable)')
    p.add_argument('--extra-patch', metavar='FILE', action='append',
                   default=[], dest='extra_patches',
                   help='apply this patch on top (repeatable): for the '
                   'breaking patches in mutants/, never part of the series')
    p.add_argument('--debug', action='store_true',
                   help='add kconfig/debug.config (lockdep, KASAN, UBSAN, '
                   '...)')
    p.add_argument('--smp', type=_positive, default=4,
                   help='guest CPUs (default 4)')
    p.add_argument('--filter', metavar='PATTERN',
                   help='run only tests whose collection:name matches this '
                   'glob or contains it')
    p.add_argument('--exec', metavar='FILE', nargs='+', default=[],
                   dest='exec_files',
                   help='copy these static programs or scripts into the '
                   'guest and run them as tests (alone: no selftests)')
    p.add_argument('-n', '--dry-run', action='store_true',
                   help='print every command it would run, run none')
    p.add_argument('--accel', choices=('auto', 'tcg', 'kvm'), default='auto',
                   help='auto (default): KVM when a short probe boot works, '
                   'else TCG')
    p.add_argument('--test-timeout', type=_positive, metavar='SECONDS',
                   help='per-test timeout where a collection has no '
                   'settings file, and for --exec (default 45)')
    p.add_argument('--timeout-scale', type=_positive, metavar='N',
                   help='multiply kselftest settings timeouts by N '
                   '(default 4 under TCG, 1 under KVM)')
    p.add_argument('--boot-timeout', type=_positive, default=120,
                   metavar='SECONDS')
    p.add_argument('--silence-timeout', type=_positive, default=90,
                   metavar='SECONDS',
                   help='end the run when no serial port has said anything '
                   'for this long (default 90)')
    p.add_argument('--run-timeout', type=_positive, default=3600,
                   metavar='SECONDS')
    p.add_argument('-j', '--jobs', type=_positive, default=None)
    p.add_argument('--work', metavar='DIR',
                   help='work directory (default: work/ in the repository, '
                   'or $TGSIG_WORK)')


def _add_bench_options(p):
    _add_base_option(p)
    p.add_argument('--quick', action='store_true',
                   help='small sizes and 2 boots of each kernel: a few '
                   'minutes with both kernels built')
    p.add_argument('--reps', type=_positive, metavar='N',
                   help='boots of each kernel (default 5, 2 with --quick)')
    p.add_argument('--rewrite', metavar='RUN_DIR',
                   help='write results.md, letter.txt and the plot of a '
                   'bench run again from its results.json; boots nothing')
    p.add_argument('--programs', metavar='NAME[,NAME...]',
                   help='only these programs of scripts/bench/ (default: '
                   'all of them)')
    p.add_argument('--smp', type=_positive, default=2, metavar='N',
                   help='guest CPUs (default 2: under TCG every vCPU is a '
                   'host thread, and more vCPUs than host cores widen the '
                   'spread of every timing)')
    p.add_argument('--tree', metavar='PATH',
                   help='build your own kernel tree (a clean git checkout; '
                   'it is cloned, never modified)')
    p.add_argument('--config', metavar='FILE', action='append', default=[],
                   dest='configs', help='an extra Kconfig fragment for both '
                   'kernels (repeatable)')
    p.add_argument('-n', '--dry-run', action='store_true',
                   help='print every command it would run, run none')
    p.add_argument('--accel', choices=('auto', 'tcg', 'kvm'), default='auto',
                   help='auto (default): KVM when a short probe boot works, '
                   'else TCG')
    p.add_argument('--boot-timeout', type=_positive, default=120,
                   metavar='SECONDS')
    p.add_argument('--silence-timeout', type=_positive, default=90,
                   metavar='SECONDS')
    p.add_argument('--run-timeout', type=_positive, default=3600,
                   metavar='SECONDS', help='each boot (default 3600)')
    p.add_argument('-j', '--jobs', type=_positive, default=None)
    p.add_argument('--work', metavar='DIR',
                   help='work directory (default: work/ in the repository, '
                   'or $TGSIG_WORK)')


def parser():
    p = argparse.ArgumentParser(
        prog='tgsig', description='Build a kernel with the tgsig series, '
        'boot it under QEMU and run the selftests.')
    sub = p.add_subparsers(dest='command', metavar='COMMAND')
    sub.required = True
    run = sub.add_parser('run', help='build, boot and test one kernel')
    _add_run_options(run)
    check = sub.add_parser(
        'check', help="the project's test command: the harness's unit "
        'tests, the series checks, and the selftests on the unpatched and '
        'the patched kernel, and on the patched kernel with the debug '
        'config')
    gen = sub.add_parser(
        'series', help='write the generated patches of the series (the '
        'selftests and the documentation) from selftests/ and '
        'Documentation/ into patches/')
    _add_run_options(gen)
    local = sub.add_parser(
        'host', help="tgsig's selftests on this machine's own kernel, "
        'without QEMU (a quick loop; not the pinned kernel)')
    _add_run_options(local)
    bench = sub.add_parser(
        'bench', help='benchmarks: the unpatched and the patched kernel '
        'booted alternately, with a table, results.md and a plot',
        description='Build (or reuse) the unpatched and the patched kernel, '
        'boot them alternately under the same QEMU settings with the '
        'programs of scripts/bench/, and print for every figure and size '
        'the median of each kernel, its min-max spread across boots and '
        'the ratio patched/unpatched. results.json, results.md and '
        'bench.svg go into the run directory.')
    _add_bench_options(bench)
    # -- tgsig mutants (scripts/tgsiglib/mutants.py) --
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
    _add_run_options(mutants)
    # -- end of tgsig mutants --
    comp = sub.add_parser(
        'compare', help='two runs side by side, program by program: the '
        "cover letter's table of results, from the runs' results.json")
    comp.add_argument('runs', nargs='+', metavar='RUN_DIR',
                      help='a run directory, e.g. '
                      'work/runs/STAMP-mainline-baseline: '
                      'for each base, the unpatched run, the patched one, '
                      'and any more (a debug run) to sum up under them; '
                      'one table per base')
    check.add_argument('--quick', action='store_true',
                       help='unit tests and series checks only: no kernel')
    check.add_argument('--no-debug', action='store_true',
                       help='leave out the third kernel: the patched one '
                       'built with kconfig/debug.config')
    _add_run_options(check)
    return p


def run_options(args):
    from .run import Options
    opts = Options(base=args.base or bases.DEFAULT,
                   baseline=args.baseline, tree=args.tree,
                   configs=args.configs, debug=args.debug, smp=args.smp,
                   filter=args.filter, exec_files=args.exec_files,
                   dry_run=args.dry_run, accel=args.accel,
                   limits=qemu.Limits(boot=args.boot_timeout,
                                      silence=args.silence_timeout,
                                      run=args.run_timeout),
                   test_timeout=args.test_timeout, work=args.work,
                   timeout_scale=args.timeout_scale,
                   extra_patches=args.extra_patches)
    if args.jobs:
        opts.jobs = args.jobs
    return opts


def bench_options(args):
    from .run import Options
    opts = Options(base=args.base or bases.DEFAULT, tree=args.tree,
                   configs=args.configs, smp=args.smp,
                   dry_run=args.dry_run, accel=args.accel,
                   limits=qemu.Limits(boot=args.boot_timeout,
                                      silence=args.silence_timeout,
                                      run=args.run_timeout),
                   work=args.work)
    if args.jobs:
        opts.jobs = args.jobs
    return opts


def main(argv):
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
    progress = Progress()
    shell = Shell(progress, dry_run=args.dry_run)
    try:
        if args.command == 'run':
            from .run import run
            code, _, _ = run(run_options(args), shell, progress)
            return code
        if args.command == 'host':
            from .host import host
            return host(run_options(args), shell, progress)
        if args.command == 'bench' and args.rewrite:
            from .benchrun import rewrite_command
            return rewrite_command(args.rewrite, shell, progress)
        if args.command == 'bench':
            from .benchrun import bench_command, command_line
            return bench_command(bench_options(args), shell, progress,
                                 quick=args.quick, boots=args.reps,
                                 programs=args.programs,
                                 command=command_line(argv))
        if args.command == 'mutants':
            from .mutants import mutants_command
            return mutants_command(run_options(args), args.mutant_files,
                                   shell, progress, argv)
        if args.command == 'series':
            from .run import series_command
            return series_command(run_options(args), shell, progress,
                                  [args.base] if args.base else
                                  list(bases.BASES))
        from .check import check
        return check(args, run_options(args), shell, progress)
    except TgsigError as err:
        print(err, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print('interrupted', file=sys.stderr)
        return 130
