# SPDX-License-Identifier: GPL-2.0
"""`tgsig bench`: the unpatched and the patched kernel side by side.

Both kernels are the ones `tgsig run --baseline` and `tgsig run` build
(reused without make when built already).  The benchmark programs of
scripts/bench/ are compiled static and packed into one initramfs; the two
kernels are booted alternately, unpatched first (A B A B ...), each the
same number of times under the same QEMU settings.  Every boot runs every
program of one clock (SETUPS) once, through guest/init's plan like `run
--exec`: the figures that count instructions in boots under -icount on
one vCPU, those about two CPUs at once in boots by the host's clock; each
boot directory is a run directory of its own (console.log, output.log,
results.json).  A program that fails, a kernel splat, a taint or a
timeout ends the benchmark.  The measurements (the protocol is in
bench.py) become a table on the terminal, results.json, results.md and
bench.svg in the run directory.
"""
from __future__ import annotations

import dataclasses
import json
import os
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import bench, benchplot, deps, kconfig, qemu, report, session
from .accel import choose_accel
from .errors import TgsigError
from .initramfs import pack_guest as pack_initramfs
from .kernel import Kernel, prepare_base, prepare_kernel
from .ktap import Test
from .options import Options
from .paths import REPO, work_dir
from .plan import Entry, Plan
from .qemu import BootResult
from .record import RunRecord
from .rundirs import new_run_dir
from .shell import Progress, Shell
from .stream import TestRun
from .testrun import with_boot

SOURCES = os.path.join(REPO, 'scripts', 'bench')
CFLAGS = ['-O2', '-static', '-pthread', '-Wall',
          '-I', os.path.join(REPO, 'selftests', 'signal')]
# (build variant, name in the results)
KERNELS = (('baseline', bench.UNPATCHED), ('patched', bench.PATCHED))
# Boots of each kernel for each clock: a counted figure repeats from boot
# to boot, so three show its noise floor.
BOOTS = {bench.ICOUNT: 3, bench.WALL: 5}
QUICK_BOOTS = 2
DEFAULT_SMP = 2


@dataclasses.dataclass(frozen=True)
class Setup:
    """How the boots of one clock run QEMU: smp None is --smp; icount
    None is the host's clock."""
    clock: str
    smp: Optional[int]
    icount: Optional[int]
    why: str


# The benchmark's own results.json (not a run record: its boots each have
# one) and the setups in it are JSON objects as written, read back by
# `bench --rewrite`; their keys are the ones bench_command() writes.
Meta = Dict[str, Any]
SetupRun = Dict[str, Any]


SETUPS = (
    # One vCPU: under -icount TCG runs the vCPUs round robin in one host
    # thread, and a figure whose work crosses vCPUs falls into one of a
    # few modes, depending on the order QEMU runs them in; on one vCPU
    # there is one order.
    Setup(bench.ICOUNT, 1, 0, 'one vCPU, so that no figure depends on the '
          'order in which QEMU runs the vCPUs'),
    Setup(bench.WALL, None, None, 'for the figures about two CPUs at once'),
)


class Program:
    """One run of a program of scripts/bench/ in the boots of @clock;
    @metrics, when given, are the only measurements taken from it there."""

    def __init__(self, name: str, full: str, quick: str, timeout: int,
                 clock: str = bench.ICOUNT,
                 metrics: Optional[Tuple[str, ...]] = None) -> None:
        self.name, self.full, self.quick, self.timeout = \
            name, full, quick, timeout
        self.clock, self.metrics = clock, metrics

    def args(self, quick: bool) -> str:
        return self.quick if quick else self.full

    def keep(self, samples: List[bench.Sample]) -> List[bench.Sample]:
        if not self.metrics:
            return samples
        return [s for s in samples if s.key.metric in self.metrics]


PROGRAMS = (
    Program('kill_all', '--procs 10,1000,5000,10000 --reps 15 --forks 0',
            '--procs 10,1000 --reps 7 --forks 0', 900),
    Program('kill_all_wide',
            '--procs 10,1000,5000,10000 --ns-procs 10,1000,3000 '
            '--threads 1,4 --reps 15 --initial-ns yes',
            '--procs 10,1000 --ns-procs 10,1000 --threads 1,4 --reps 7 '
            '--initial-ns yes', 900),
    # The reaping time is counted; how many processes ran user code
    # after the kill began depends on two CPUs running at once.
    Program('pipeline', '--procs 16,128,512 --reps 5',
            '--procs 16,128 --reps 3', 600, metrics=('reaped',)),
    Program('group_kill', '--threads 1,64,512,2048 --reps 9',
            '--threads 1,64,512 --reps 5', 600),
    Program('broadcast', '--procs 16,128,512 --ways pgrp,all --reps 5',
            '--procs 16,128 --ways pgrp,all --reps 3', 600),
    Program('pidns_zap', '--children 16,256,1024 --threads 1,4 --reps 9',
            '--children 16,256 --threads 1,4 --reps 5', 600),
    Program('hot_path', '--threads 1,16 --iterations 2000',
            '--threads 1,16 --iterations 500', 300),
    Program('fork_exit', '--ways here,pidns --reps 200',
            '--ways here,pidns --reps 50', 300),
    # Last: it turns tracing on (and off again).
    Program('kernel_cost',
            '--procs 10,1000,5000,10000 --reps 9 --children 16,1024 '
            '--zap-threads 1,4 --initial-ns yes',
            '--procs 10,1000 --reps 5 --children 16,256 --zap-threads 1,4 '
            '--initial-ns yes', 900),
    # fork() while another CPU sends kill(-1): two CPUs at once.
    Program('kill_all', '--procs 10,1000,5000,10000 --reps 0 --forks 200',
            '--procs 10,1000 --reps 0 --forks 50', 900, clock=bench.WALL),
    Program('pipeline', '--procs 16,128,512 --reps 5',
            '--procs 16,128 --reps 3', 600, clock=bench.WALL,
            metrics=('woke',)),
    # fork() while another CPU zaps a namespace: two CPUs at once.
    Program('pidns_zap', '--children 1024 --threads 4 --reps 5 --forks 2000',
            '--children 256 --threads 4 --reps 3 --forks 500', 900,
            clock=bench.WALL, metrics=('median', 'p90', 'max')),
    Program('distribution', '--threads 4,16 --signals 1000',
            '--threads 4,16 --signals 200', 300, clock=bench.WALL),
)


def select(names: Optional[str], clock: Optional[str] = None
           ) -> List[Program]:
    """The programs named in @names ("a,b"), all of them for None; with
    @clock, every one of them in the boots of that clock (once each)."""
    programs = list(PROGRAMS)
    if names:
        known = list(dict.fromkeys(p.name for p in PROGRAMS))
        wanted = [n.strip() for n in names.split(',') if n.strip()]
        unknown = [n for n in wanted if n not in known]
        if unknown or not wanted:
            raise TgsigError(f'--programs {names}: no program called '
                             f'{", ".join(unknown) or "that"}',
                             'the programs are ' + ', '.join(known))
        programs = [p for p in PROGRAMS if p.name in wanted]
    if clock:
        by_name: Dict[str, Program] = {}
        for p in programs:
            if p.name not in by_name:
                by_name[p.name] = Program(p.name, p.full.replace(
                    '--forks 0', '--forks 200'), p.quick.replace(
                    '--forks 0', '--forks 50'), p.timeout, clock)
        programs = list(by_name.values())
    return programs


def groups(programs: Sequence[Program]
           ) -> List[Tuple[Setup, List[Program]]]:
    """[(Setup, [Program])] for the setups that have programs, in the
    order of SETUPS."""
    return [(s, [p for p in programs if p.clock == s.clock])
            for s in SETUPS if any(p.clock == s.clock for p in programs)]


def plan(quick: bool, programs: Sequence[Program] = PROGRAMS) -> Plan:
    return [Entry(f'bench:{p.name}', p.timeout, '/tgsig/bench',
                  f'./{p.name} {p.args(quick)}') for p in programs]


def compile_programs(shell: Shell, bin_dir: str, log: str,
                     programs: Sequence[Program] = PROGRAMS) -> None:
    if not shell.dry_run:
        os.makedirs(bin_dir, exist_ok=True)
    for name in dict.fromkeys(p.name for p in programs):
        shell.run(['gcc', *CFLAGS, '-o', os.path.join(bin_dir, name),
                   os.path.join(SOURCES, name + '.c')], log=log)


def config_difference(unpatched: str, patched: str
                      ) -> List[Tuple[str, str, str]]:
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


def _on_test(progress: Progress, where: str) -> session.OnTest:
    def on_test(event: str, test: TestRun) -> None:
        if event == 'begin':
            progress.say(f'{where}: {test.name} (timeout {test.timeout}s)')
            return
        found = sum(1 for line in test.output
                    if line.startswith(bench.PREFIX + ' '))
        progress.say(f'     {test.name}: rc {test.rc}, {found} '
                     f'measurements in {test.seconds or 0:.1f}s')
    return on_test


def collect(the_plan: Plan, boot: BootResult, boot_dir: str,
            facts: RunRecord, programs: Optional[Sequence[Program]] = None
            ) -> Tuple[List[bench.Sample], List[str]]:
    """Check one boot and take its measurements, marked with the clock of
    the programs (@programs: those of the plan, in its order).  Returns
    (samples, problems); writes the boot's record (results.json) from
    @facts, the facts known before it, and results.ktap."""
    by_test = {f'bench:{p.name}': p for p in programs or ()}
    got = session.collect(boot_dir, [p[0] for p in the_plan], boot)
    root = got.results
    report.write_record(boot_dir, with_boot(facts, got, boot))
    problems = []
    if root.status.failed:
        problems.append(report.failures(root))
    samples: List[bench.Sample] = []
    for test in boot.stream.tests:
        program = by_test.get(test.name)
        try:
            found = bench.parse_output(
                test.output, program.clock if program else bench.WALL)
        except bench.ProtocolError as err:
            problems.append(f'{test.name}: {err.what}')
            continue
        if program:
            found = program.keep(found)
        if not found and test.rc == 0:
            problems.append(f'{test.name}: no measurement in its output')
        samples += found
    return samples, problems


def _kernel_json(kernel: Kernel) -> Dict[str, Any]:
    return {'variant': kernel.variant, 'key': kernel.key,
            'head': kernel.head, 'tree': kernel.label,
            'patches': [os.path.basename(p) for p in kernel.patches]
            if kernel.variant == 'patched' else [],
            'dir': kernel.arts.dir}


def qemu_text(setup: SetupRun) -> str:
    """How QEMU ran the boots of one setup (a dict of results.json)."""
    text = f'QEMU {setup["accel"].upper()}'
    if setup.get('icount') is not None:
        text += f' -icount shift={setup["icount"]},sleep=off'
    return text + f' -smp {setup["smp"]}'


def note(meta: Meta) -> str:
    """The paragraph above the Markdown table."""
    differ = [d['option'] for d in meta['config_difference']]
    patches = len(meta['kernels'][bench.PATCHED]['patches'])
    took = (f' ({meta["seconds"] / 60:.0f} minutes' if 'seconds' in meta
            else '')
    booting = sum(b.get('seconds', 0) for b in meta.get('boot_runs', ()))
    if took and booting:
        # The rest is waiting for the kernel tree, building, compiling.
        took += f', {booting / 60:.0f} of them in the boots'
    took += ')' if took else ''
    setups = meta.get('setups') or [
        {'clock': bench.WALL, 'accel': meta['accel'], 'smp': meta['smp'],
         'boots': meta['boots']}]
    how = '; '.join(f'the {s["clock"]} figures in {s["boots"]} boots of '
                    f'each kernel under {qemu_text(s)}' for s in setups)
    same = meta.get('seed')
    seeds = ((f'Under -icount, every boot uses -seed {same} '
              if same else 'Under -icount, both kernels boot with -seed N '
              'in round N ')
             + "(the guest's random numbers), the guest's clock starts at "
             'a fixed date and the programs run without address space '
             'randomisation: the same kernel booted with the same seed '
             'runs the same instructions, and the noise floor is what '
             + ('booting the same kernel again moves a figure by. '
                if same else 'the seed moves a figure by. ')
             if any(s.get('icount') is not None for s in setups) else '')
    return (f'Both kernels booted alternately (unpatched first): {how}; '
            f'{meta["memory"]} of memory. {seeds}Each boot reports the '
            'median of many runs inside the guest, and the table shows the '
            'median of those and their spread (min-max) across boots. '
            f'Base: {meta["tree"]}; patched: the series, {patches} '
            'patches; the two .config files '
            + (f'differ only in {", ".join(differ)}. ' if differ else
               'are the same. ')
            + f'Command: `{meta["command"]}`{took}.')


def boots_of(quick: bool, boots: Optional[int]) -> Dict[str, int]:
    """{clock: boots of each kernel}: @boots for every clock when given."""
    if boots:
        return {clock: boots for clock in BOOTS}
    return {clock: QUICK_BOOTS if quick else n for clock, n in BOOTS.items()}


# Under -icount the guest's clock counts instructions: its heartbeat, a
# `sleep 5` loop, comes every 5e9 instructions while the guest is busy,
# which TCG on a loaded host may take minutes to run.  Silence is then no
# sign of a stuck kernel until much later.
ICOUNT_SILENCE = 900


def boot_limits(limits: qemu.Limits, icount: Optional[int]) -> qemu.Limits:
    """icount: None for the host's clock, else -icount's shift (0)."""
    if icount is None:
        return limits
    return dataclasses.replace(limits,
                               silence=max(limits.silence, ICOUNT_SILENCE))


def bench_command(opts: Options, shell: Shell, progress: Progress,
                  quick: bool = False, boots: Optional[int] = None,
                  command: str = 'scripts/tgsig bench',
                  programs: Optional[str] = None,
                  clock: Optional[str] = None,
                  seed: Optional[int] = None) -> int:
    """clock: None for each figure's own clock (SETUPS), or one clock for
    every figure.  seed: None to boot round N with -seed N, else the
    seed of every boot."""
    start = time.monotonic()
    chosen = select(programs, clock)
    work = work_dir(opts)
    boots_each = boots_of(quick, boots)
    run_dir = new_run_dir(work, 'bench') if not shell.dry_run else \
        os.path.join(work, 'runs', 'DRY-RUN-bench')
    build_log = os.path.join(run_dir, 'build.log')
    the_groups = groups(chosen)
    progress.say(f'tgsig bench{" --quick" if quick else ""}: ' + '; '.join(
        f'{boots_each[s.clock]} boots of each kernel for the {s.clock} '
        'figures'
        for s, _ in the_groups) + f', alternately; run directory {run_dir}')

    ws, base, label = prepare_base(opts, shell, progress,
                                   deps.PACKAGES + deps.BENCH_PACKAGES)
    kernels: Dict[str, Kernel] = {}
    for variant, name in KERNELS:
        with progress.step(f'{name} kernel'):
            kernels[name] = prepare_kernel(opts, shell, progress, ws, base,
                                           label, variant, build_log)
            # The boots take an hour: other runs in this work directory
            # may build and prune meanwhile.
            if not shell.dry_run:
                kernels[name].arts = kernels[name].arts.pin(run_dir)
    differ: List[Tuple[str, str, str]] = []
    if not shell.dry_run:
        differ = config_difference(kernels[bench.UNPATCHED].arts.config,
                                   kernels[bench.PATCHED].arts.config)
        progress.say('kernel configs: ' + (
            'the same' if not differ else f'{len(differ)} options differ: '
            + ', '.join(f'{n}={a}->{b}' for n, a, b in differ[:8])
            + (' ...' if len(differ) > 8 else '')))

    bin_dir = os.path.join(run_dir, 'bin')
    with progress.step('build benchmark programs'):
        compile_programs(shell, bin_dir, build_log, chosen)

    accel = 'tcg'
    if any(s.icount is None for s, _ in the_groups):
        if shell.dry_run and opts.accel == 'auto':
            progress.say('accelerator: decided by a probe boot in a real '
                         'run (KVM when it works); TCG shown here')
        else:
            accel = choose_accel(opts,
                                 kernels[bench.UNPATCHED].arts.bzimage,
                                 work, progress)
    elif opts.accel == 'kvm':
        raise TgsigError('--accel kvm: every figure asked for counts '
                         'instructions, which QEMU does under TCG only')
    setups: List[SetupRun] = []
    for setup, progs in the_groups:
        the_plan = plan(quick, progs)
        initrd = os.path.join(run_dir, f'initramfs-{setup.clock}.cpio')
        with progress.step(f'pack initramfs ({setup.clock} figures)'):
            pack_initramfs(shell, initrd, the_plan,
                           [('tgsig/bench', bin_dir)])
            for _, _, _, cmd in the_plan:
                progress.say(f'plan: {cmd}')
        setups.append({
            'clock': setup.clock, 'boots': boots_each[setup.clock],
            'accel': 'tcg' if setup.icount is not None else accel,
            'smp': setup.smp or opts.smp, 'icount': setup.icount,
            'why': setup.why, 'initrd': initrd, 'plan': the_plan,
            'programs': progs})

    meta: Meta
    meta = {'command': command, 'quick': quick,
            'boots': max(boots_each[s['clock']] for s in setups),
            'accel': accel, 'smp': opts.smp, 'memory': opts.memory,
            'seed': seed,
            'tree': label, 'run_dir': run_dir,
            'kernels': {n: _kernel_json(k) for n, k in kernels.items()},
            'config_difference': [{'option': n, bench.UNPATCHED: a,
                                   bench.PATCHED: b} for n, a, b in differ],
            'setups': [{k: v for k, v in s.items()
                        if k not in ('initrd', 'plan', 'programs')}
                       for s in setups],
            'programs': [{'name': p.name, 'args': p.args(quick),
                          'timeout': p.timeout, 'clock': p.clock,
                          'metrics': list(p.metrics or ())}
                         for p in chosen],
            'boot_runs': []}

    samples = boot_all(opts, shell, progress, kernels, setups, run_dir,
                       meta)
    if shell.dry_run:
        shell.show(['gnuplot', 'plot.gp'], cwd=run_dir)
        progress.say(f'would write results.json, results.md, plot.gp and '
                     f'bench.svg in {run_dir}')
        return 0
    rows = bench.summarize(samples)
    missing = bench.incomplete(rows, boots_each)
    if missing:
        raise TgsigError('the boots did not all report the same '
                         'measurements:\n  ' + '\n  '.join(missing),
                         log=run_dir)
    meta['seconds'] = round(time.monotonic() - start, 1)
    write_results(shell, progress, run_dir, rows, meta)

    print()
    print(f'tgsig bench: {label}; ' + '; '.join(
        f'{s["clock"]}: {qemu_text(s)}, {s["boots"]} boots of each kernel'
        for s in meta['setups']))
    print(bench.table(rows))
    floor = bench.floor_summary(rows)
    if floor:
        print(floor)
    print(f'\nrun directory: {run_dir}')
    print('  results.json results.md letter.txt bench.svg plot.gp boot*/')
    minutes, seconds = divmod(int(meta['seconds']), 60)
    print(f'{len(rows)} figures from {len(meta["boot_runs"])} boots in '
          f'{minutes}m {seconds:02d}s')
    return 0


def boot_order(setups: List[SetupRun]) -> List[Tuple[int, SetupRun, str]]:
    """[(round, setup, kernel name)]: round after round (from 1), each
    setup's kernels alternately (unpatched first), as long as the setup
    has boots left."""
    rounds = max(s['boots'] for s in setups)
    return [(i + 1, s, name) for i in range(rounds) for s in setups
            if i < s['boots'] for _, name in KERNELS]


def boot_all(opts: Options, shell: Shell, progress: Progress,
             kernels: Dict[str, Kernel], setups: List[SetupRun],
             run_dir: str, meta: Meta) -> Dict[str, List[bench.Sample]]:
    """Boot the kernels alternately, unpatched first; returns
    {'unpatched': [Sample], 'patched': [Sample]}.  Raises on the first
    boot that fails."""
    samples: Dict[str, List[bench.Sample]] = {bench.UNPATCHED: [],
                                              bench.PATCHED: []}
    order = boot_order(setups)
    for i, (round_no, setup, name) in enumerate(order, 1):
        kernel = kernels[name]
        seed = meta.get('seed') or round_no
        clock, smp = setup['clock'], setup['smp']
        boot_dir = os.path.join(run_dir, f'boot{i:02d}-{clock}-{name}')
        # Under -icount both kernels of a round boot with the round's
        # seed: like is compared with like, and the spread across rounds
        # is what the guest's random numbers move a figure by.
        cmd = session.command(kernel.arts.bzimage, setup['initrd'], smp,
                              setup['accel'], boot_dir, memory=opts.memory,
                              icount=setup['icount'], seed=seed)
        where = f'boot {i}/{len(order)} ({clock}, {name})'
        with progress.step(f'{where}: {qemu_text(setup)}'):
            if not shell.dry_run:
                os.makedirs(boot_dir)
            boot = session.boot(shell, cmd, boot_dir,
                                boot_limits(opts.limits, setup['icount']),
                                progress, on_test=_on_test(progress, where))
            if boot is None:
                continue
            facts = RunRecord(
                results=Test('tgsig'), variant=name, head=kernel.head,
                tree=kernel.label, accel=setup['accel'], smp=smp, qemu=cmd,
                run_dir=boot_dir, extra={'clock': clock,
                                         'icount': setup['icount'],
                                         'seed': seed})
            found, problems = collect(setup['plan'], boot, boot_dir, facts,
                                      setup['programs'])
            cpus = (boot.stream.booted or '').rpartition('cpus=')[2]
            if cpus and cpus != str(smp):
                problems.append(f'the guest saw {cpus} CPUs, not {smp}')
            if problems:
                raise TgsigError(f'{where} failed; the benchmark is not '
                                 'valid:\n' + '\n'.join(problems),
                                 'see the boot\'s console.log and '
                                 'output.log', log=boot_dir)
            samples[name] += found
            meta['boot_runs'].append({
                'index': i, 'kernel': name, 'clock': clock,
                'round': round_no, 'seed': seed,
                'dir': boot_dir,
                'seconds': round(boot.seconds or 0.0, 1),
                'guest': boot.stream.booted, 'measurements': len(found)})
    return samples


def plot_title(meta: Meta) -> str:
    setups = meta.get('setups') or [
        {'clock': bench.WALL, 'accel': meta['accel'], 'smp': meta['smp'],
         'boots': meta['boots']}]
    return 'tgsig bench: unpatched vs patched; ' + '; '.join(
        f'{s["clock"]}: {qemu_text(s)}, {s["boots"]} boots each'
        for s in setups)


def write_results(shell: Shell, progress: Progress, run_dir: str,
                  rows: List[bench.Row], meta: Meta) -> None:
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
    with open(os.path.join(run_dir, 'plot.gp'), 'w', encoding='utf-8') as f:
        f.write(benchplot.script(rows, 'bench.svg', plot_title(meta)))
    with progress.step('plot'):
        shell.run(['gnuplot', 'plot.gp'], cwd=run_dir)


def rewrite_command(run_dir: str, shell: Shell, progress: Progress) -> int:
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
