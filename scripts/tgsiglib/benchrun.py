# SPDX-License-Identifier: GPL-2.0
"""`tgsig bench`: the unpatched and the patched kernel side by side.

Both kernels are the ones `tgsig run --baseline` and `tgsig run` build
(reused without make when built already).  The benchmark programs of
scripts/bench/ are compiled static and packed into one initramfs; the two
kernels are booted alternately, unpatched first (A B A B ...), each the
same number of times under the same QEMU settings.  Every boot runs every
program once, through guest/init's plan like `run --exec`; each boot
directory is a run directory of its own (console.log, output.log,
results.json).  A program that fails, a kernel splat, a taint or a
timeout ends the benchmark.  The measurements (the protocol is in
bench.py) become a table on the terminal, results.json, results.md and
bench.svg in the run directory.
"""
import json
import os
import time

from . import bench, benchplot, deps, kconfig, qemu, report, results, splat
from .errors import TgsigError
from .run import (REPO, choose_accel, new_run_dir, pack_initramfs,
                  prepare_base, prepare_kernel, work_dir)
from .shell import quote

SOURCES = os.path.join(REPO, 'scripts', 'bench')
CFLAGS = ['-O2', '-static', '-pthread', '-Wall',
          '-I', os.path.join(REPO, 'selftests', 'tg_signal')]
# (build variant, name in the results)
KERNELS = (('baseline', bench.UNPATCHED), ('patched', bench.PATCHED))
BOOTS, QUICK_BOOTS = 5, 2       # of each kernel
DEFAULT_SMP = 2


class Program:
    def __init__(self, name, full, quick, timeout):
        self.name, self.full, self.quick, self.timeout = \
            name, full, quick, timeout

    def args(self, quick):
        return self.quick if quick else self.full


PROGRAMS = (
    Program('kill_all', '--procs 10,1000,5000,10000 --reps 15 --forks 200',
            '--procs 10,1000 --reps 7 --forks 50', 900),
    Program('kill_all_wide',
            '--procs 10,1000,5000,10000 --ns-procs 10,1000,3000 '
            '--threads 1,4 --reps 15 --initial-ns yes',
            '--procs 10,1000 --ns-procs 10,1000 --threads 1,4 --reps 7 '
            '--initial-ns yes', 900),
    Program('pipeline', '--procs 16,128,512 --reps 5',
            '--procs 16,128 --reps 3', 600),
    Program('group_kill', '--threads 1,64,512,2048 --reps 5',
            '--threads 1,64,512 --reps 3', 600),
    Program('pidns_zap', '--children 16,256,1024 --threads 1,4 --reps 5',
            '--children 16,256 --threads 1,4 --reps 3', 600),
    Program('hot_path', '--threads 1,16 --iterations 2000',
            '--threads 1,16 --iterations 500', 300),
    Program('distribution', '--threads 4,16 --signals 1000',
            '--threads 4,16 --signals 200', 300),
)


def select(names):
    """The programs named in @names ("a,b"), all of them for None."""
    if not names:
        return list(PROGRAMS)
    known = {p.name: p for p in PROGRAMS}
    wanted = [n.strip() for n in names.split(',') if n.strip()]
    unknown = [n for n in wanted if n not in known]
    if unknown or not wanted:
        raise TgsigError(f'--programs {names}: no program called '
                         f'{", ".join(unknown) or "that"}',
                         'the programs are ' + ', '.join(known))
    return [p for p in PROGRAMS if p.name in wanted]


def plan(quick, programs=PROGRAMS):
    return [(f'bench:{p.name}', p.timeout, '/tgsig/bench',
             f'./{p.name} {p.args(quick)}') for p in programs]


def compile_programs(shell, bin_dir, log, programs=PROGRAMS):
    if not shell.dry_run:
        os.makedirs(bin_dir, exist_ok=True)
    for p in programs:
        shell.run(['gcc', *CFLAGS, '-o', os.path.join(bin_dir, p.name),
                   os.path.join(SOURCES, p.name + '.c')], log=log)


def config_difference(unpatched, patched):
    """Options whose values differ between the two kernels' .config:
    [(name, unpatched value, patched value)]; 'n' when unset or absent
    (the series' own options exist only in the patched tree)."""
    a = kconfig.parse_file(unpatched)
    b = kconfig.parse_file(patched)
    out = []
    for name in sorted(set(a) | set(b)):
        va = a[name].value if name in a else 'n'
        vb = b[name].value if name in b else 'n'
        if va != vb:
            out.append((name, va, vb))
    return out


def _on_test(progress, where):
    def on_test(event, test):
        if event == 'begin':
            progress.say(f'{where}: {test.name} (timeout {test.timeout}s)')
            return
        found = sum(1 for line in test.output
                    if line.startswith(bench.PREFIX + ' '))
        progress.say(f'     {test.name}: rc {test.rc}, {found} '
                     f'measurements in {test.seconds or 0:.1f}s')
    return on_test


def collect(the_plan, boot, boot_dir, meta):
    """Check one boot and take its measurements.  Returns (samples,
    problems); writes the boot's results.json and results.ktap."""
    with open(os.path.join(boot_dir, 'console.log'), encoding='utf-8',
              errors='replace') as f:
        console = f.read().splitlines()
    splats = splat.scan(console)
    root = results.build_tree([p[0] for p in the_plan], boot, splats,
                              results.kunit_section(console))
    meta = dict(meta, outcome=boot.outcome, detail=boot.detail,
                running_at_end=boot.running, boot_seconds=boot.seconds,
                guest=boot.stream.booted, taint=boot.stream.taint,
                splats=[s.to_json() for s in splats], run_dir=boot_dir)
    report.write(boot_dir, root, meta)
    problems = []
    if root.status.failed:
        problems.append(report.failures(root))
    samples = []
    for test in boot.stream.tests:
        try:
            found = bench.parse_output(test.output)
        except bench.ProtocolError as err:
            problems.append(f'{test.name}: {err.what}')
            continue
        if not found and test.rc == 0:
            problems.append(f'{test.name}: no measurement in its output')
        samples += found
    return samples, problems


def _kernel_json(kernel):
    return {'variant': kernel.variant, 'key': kernel.key,
            'head': kernel.head, 'tree': kernel.label,
            'patches': [os.path.basename(p) for p in kernel.patches]
            if kernel.variant == 'patched' else [],
            'dir': kernel.arts.dir}


def note(meta):
    """The paragraph above the Markdown table."""
    differ = [d['option'] for d in meta['config_difference']]
    patches = len(meta['kernels'][bench.PATCHED]['patches'])
    took = (f' ({meta["seconds"] / 60:.0f} minutes)' if 'seconds' in meta
            else '')
    return (f'{meta["boots"]} boots of each kernel, booted alternately '
            f'(unpatched first) under QEMU {meta["accel"].upper()} with '
            f'-smp {meta["smp"]} and {meta["memory"]} of memory; each '
            'boot reports the median of many runs inside the guest, and '
            'the table shows the median of those and their spread '
            f'(min-max) across boots. Base: {meta["tree"]}; patched: '
            f'the series, {patches} patches; the two .config files '
            + (f'differ only in {", ".join(differ)}. ' if differ else
               'are the same. ')
            + f'Command: `{meta["command"]}`{took}.')


def bench_command(opts, shell, progress, quick=False, boots=None,
                  command='scripts/tgsig bench', programs=None):
    start = time.monotonic()
    programs = select(programs)
    work = work_dir(opts)
    boots = boots or (QUICK_BOOTS if quick else BOOTS)
    run_dir = new_run_dir(work, 'bench') if not shell.dry_run else \
        os.path.join(work, 'runs', 'DRY-RUN-bench')
    build_log = os.path.join(run_dir, 'build.log')
    progress.say(f'tgsig bench{" --quick" if quick else ""}: {boots} boots '
                 f'of each kernel, alternately; run directory {run_dir}')

    ws, base, label = prepare_base(opts, shell, progress,
                                   deps.PACKAGES + deps.BENCH_PACKAGES)
    kernels = {}
    for variant, name in KERNELS:
        with progress.step(f'{name} kernel'):
            kernels[name] = prepare_kernel(opts, shell, progress, ws, base,
                                           label, variant, build_log)
    differ = []
    if not shell.dry_run:
        differ = config_difference(kernels[bench.UNPATCHED].arts.config,
                                   kernels[bench.PATCHED].arts.config)
        progress.say('kernel configs: ' + (
            'the same' if not differ else f'{len(differ)} options differ: '
            + ', '.join(f'{n}={a}->{b}' for n, a, b in differ[:8])
            + (' ...' if len(differ) > 8 else '')))

    bin_dir = os.path.join(run_dir, 'bin')
    with progress.step('build benchmark programs'):
        compile_programs(shell, bin_dir, build_log, programs)
    the_plan = plan(quick, programs)
    initrd = os.path.join(run_dir, 'initramfs.cpio')
    with progress.step('pack initramfs'):
        pack_initramfs(shell, initrd, the_plan, [('tgsig/bench', bin_dir)])
        for _, _, _, cmd in the_plan:
            progress.say(f'plan: {cmd}')

    if shell.dry_run and opts.accel == 'auto':
        accel = 'tcg'
        progress.say('accelerator: decided by a probe boot in a real run '
                     '(KVM when it works); TCG shown here')
    else:
        accel = choose_accel(opts, kernels[bench.UNPATCHED].arts.bzimage,
                             work, progress)
    meta = {'command': command, 'quick': quick, 'boots': boots,
            'accel': accel, 'smp': opts.smp, 'memory': opts.memory,
            'tree': label, 'run_dir': run_dir,
            'kernels': {n: _kernel_json(k) for n, k in kernels.items()},
            'config_difference': [{'option': n, bench.UNPATCHED: a,
                                   bench.PATCHED: b} for n, a, b in differ],
            'programs': [{'name': p.name, 'args': p.args(quick),
                          'timeout': p.timeout} for p in programs],
            'boot_runs': []}

    samples = boot_all(opts, shell, progress, kernels, initrd, the_plan,
                       accel, run_dir, boots, meta)
    if shell.dry_run:
        shell.show(['gnuplot', 'plot.gp'], cwd=run_dir)
        progress.say(f'would write results.json, results.md, plot.gp and '
                     f'bench.svg in {run_dir}')
        return 0
    rows = bench.summarize(samples)
    missing = bench.incomplete(rows, boots)
    if missing:
        raise TgsigError('the boots did not all report the same '
                         'measurements:\n  ' + '\n  '.join(missing),
                         log=run_dir)
    meta['seconds'] = round(time.monotonic() - start, 1)
    write_results(shell, progress, run_dir, rows, meta)

    print()
    print(f'tgsig bench: {label}; {accel.upper()} -smp {opts.smp}, '
          f'{boots} boots of each kernel')
    print(bench.table(rows))
    print(f'\nrun directory: {run_dir}')
    print('  results.json results.md letter.txt bench.svg plot.gp boot*/')
    minutes, seconds = divmod(int(meta['seconds']), 60)
    print(f'{len(rows)} figures from {2 * boots} boots in {minutes}m '
          f'{seconds:02d}s')
    return 0


def boot_all(opts, shell, progress, kernels, initrd, the_plan, accel,
             run_dir, boots, meta):
    """Boot the kernels alternately, unpatched first; returns
    {'unpatched': [Sample], 'patched': [Sample]}.  Raises on the first
    boot that fails."""
    samples = {bench.UNPATCHED: [], bench.PATCHED: []}
    order = [name for _ in range(boots) for _, name in KERNELS]
    for i, name in enumerate(order, 1):
        kernel = kernels[name]
        boot_dir = os.path.join(run_dir, f'boot{i:02d}-{name}')
        logs = tuple(os.path.join(boot_dir, n) for n in
                     ('console.log', 'output.log', 'heartbeat.log'))
        cmd = qemu.argv(kernel.arts.bzimage, initrd, opts.smp, accel, logs,
                        memory=opts.memory)
        where = f'boot {i}/{len(order)} ({name})'
        with progress.step(f'{where}: {accel.upper()}, -smp {opts.smp}'):
            shell.show(cmd)
            if shell.dry_run:
                continue
            os.makedirs(boot_dir)
            boot = qemu.boot(cmd, logs, opts.limits, progress,
                             on_test=_on_test(progress, where))
            found, problems = collect(
                the_plan, boot, boot_dir,
                {'variant': name, 'head': kernel.head, 'tree': kernel.label,
                 'accel': accel, 'smp': opts.smp, 'qemu': cmd})
            cpus = (boot.stream.booted or '').rpartition('cpus=')[2]
            if cpus and cpus != str(opts.smp):
                problems.append(f'the guest saw {cpus} CPUs, not '
                                f'{opts.smp}')
            if problems:
                raise TgsigError(f'{where} failed; the benchmark is not '
                                 'valid:\n' + '\n'.join(problems),
                                 'see the boot\'s console.log and '
                                 'output.log', log=boot_dir)
            samples[name] += found
            meta['boot_runs'].append({
                'index': i, 'kernel': name, 'dir': boot_dir,
                'seconds': round(boot.seconds, 1),
                'guest': boot.stream.booted, 'measurements': len(found)})
    return samples


def write_results(shell, progress, run_dir, rows, meta):
    """results.json, results.md, letter.txt (the same table in 75
    columns), plot.gp and, drawn by gnuplot, bench.svg."""
    meta['rows'] = [r.to_json() for r in rows]
    with open(os.path.join(run_dir, 'results.json'), 'w',
              encoding='utf-8') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    with open(os.path.join(run_dir, 'results.md'), 'w',
              encoding='utf-8') as f:
        f.write(bench.markdown(rows, note(meta)))
    with open(os.path.join(run_dir, 'letter.txt'), 'w',
              encoding='utf-8') as f:
        f.write(bench.letter(rows, note(meta)))
    title = (f'tgsig bench: unpatched vs patched, {meta["boots"]} boots '
             f'each, {meta["accel"].upper()} -smp {meta["smp"]}')
    with open(os.path.join(run_dir, 'plot.gp'), 'w', encoding='utf-8') as f:
        f.write(benchplot.script(rows, 'bench.svg', title))
    with progress.step('plot'):
        shell.run(['gnuplot', 'plot.gp'], cwd=run_dir)


def rewrite_command(run_dir, shell, progress):
    """`bench --rewrite RUN_DIR`: results.md, letter.txt and the plot
    again from the run's results.json, as this version of the harness
    writes them; nothing is measured."""
    path = os.path.join(run_dir, 'results.json')
    try:
        with open(path, encoding='utf-8') as f:
            meta = json.load(f)
        rows = bench.rows_from_json(meta)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise TgsigError(f'--rewrite {run_dir}: cannot read {path}: {err}',
                         'name the directory of a bench run, e.g. '
                         'work/runs/STAMP-bench') from None
    write_results(shell, progress, run_dir, rows, meta)
    print(f'rewrote results.md, letter.txt, plot.gp and bench.svg in '
          f'{run_dir} from {len(rows)} rows')
    return 0


def command_line(argv):
    return 'scripts/tgsig ' + quote(argv) if argv else 'scripts/tgsig'
