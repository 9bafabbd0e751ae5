# SPDX-License-Identifier: GPL-2.0
"""A fuzz run: trinity on the debug kernel, pointed at the syscalls
that reach the series, and beside it sigfuzz (scripts/fuzz/sigfuzz.c),
which makes the calls trinity will not: kill, tgkill, clone, ptrace.
`tgsig fuzz` (fuzz.py) makes one as asked, `tgsig check` a short one.

The kernel is the one `run --debug` builds (kconfig/debug.config:
lockdep, KASAN, UBSAN, hung-task and soft-lockup panics), patched or,
with --baseline, not. One boot runs trinity once per seed, each for
--minutes, in a PID namespace of its own (guest/fuzz.sh says why it runs
as root). A kernel splat, a taint, a hang (the host's silence and boot
limits, the kernel's hung-task detector) or the guest's death fails the
run; the summary quotes the splat, names the seed that was running and
the last syscalls its children logged, and prints the command that
replays that seed on the same kernel.

Everything goes into work/runs/STAMP-fuzz/: the logs of a run (console,
output, qemu), the kernel booted (kernel/bzImage and its config, for a
replay after the build cache moved on), fuzz.json and summary.txt."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
from typing import Dict, Iterable, List, Optional, Sequence

from . import deps, qemu, session, sigfuzz, splat, trinity
from .accel import choose_accel
from .errors import TgsigError
from .initramfs import pack_guest
from .kernel import prepare_base, prepare_kernel
from .options import Options
from .paths import HERE, work_dir
from .rundirs import dry_run_dir, new_run_dir
from .shell import Periodic, Progress, Shell
from .stream import GuestStream

GUEST_SCRIPT = os.path.join(HERE, 'guest', 'fuzz.sh')
# How often the host says how far trinity got.
PROGRESS_EVERY = 60


@dataclasses.dataclass
class FuzzArgs:
    minutes: int = 5
    seeds: List[int] = dataclasses.field(default_factory=lambda: [1])
    syscalls: List[str] = dataclasses.field(
        default_factory=lambda: list(trinity.DEFAULT_SYSCALLS))
    children: int = trinity.DEFAULT_CHILDREN
    workers: int = sigfuzz.DEFAULT_WORKERS
    kernel_dir: Optional[str] = None


@dataclasses.dataclass
class Outcome:
    """The verdict of one fuzz boot, and what it rests on."""
    seeds: List[trinity.SeedRun]
    splats: List[splat.Splat]
    taint: Optional[int]
    boot: str                   # how the boot ended (qemu.BootResult)
    detail: str
    running: str                # the plan entry running when it ended
    # sigfuzz's run of each seed, beside trinity's (none: not asked for)
    sigfuzz: List[sigfuzz.SigfuzzRun] = dataclasses.field(
        default_factory=list)

    @property
    def problems(self) -> List[str]:
        out = []
        if self.splats:
            out.append(f'{len(self.splats)} kernel splat'
                       f'{"s" if len(self.splats) != 1 else ""}')
        if self.taint is not None and splat.taint_is_finding(self.taint):
            out.append(f'taint {self.taint}: '
                       + ', '.join(splat.decode_taint(self.taint)))
        if self.boot != 'done':
            out.append(f'the guest did not finish: {self.boot}: '
                       f'{self.detail}')
        for s in self.seeds:
            if not s.started:
                out.append(f'seed {s.seed}: trinity never started')
            elif not s.executed:
                out.append(f'seed {s.seed}: trinity ran no syscall')
        for s, f in zip(self.seeds, self.sigfuzz):
            if not s.started:
                continue
            if not f.started:
                out.append(f'seed {s.seed}: sigfuzz never started')
            elif not f.executed:
                out.append(f'seed {s.seed}: sigfuzz made no call')
            if f.hang_after is not None:
                still = ', nor after SIGKILL' if f.stuck else ''
                out.append(f'seed {s.seed}: sigfuzz\'s namespace did not '
                           f'end when its init exited{still}')
        return out

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def guilty_seed(self) -> Optional[int]:
        """The seed running when the first problem came."""
        test = self.splats[0].test if self.splats else self.running
        if not self.splats:
            for s, f in zip(self.seeds, self.sigfuzz):
                if f.hang_after is not None:
                    return s.seed
        for s in self.seeds:
            if test == trinity.entry_name(s.seed):
                return s.seed
        if self.failed and self.seeds:
            return self.seeds[-1].seed
        return None


def seed_output(stream: GuestStream, seed: int) -> str:
    name = trinity.entry_name(seed)
    for t in stream.tests:
        if t.name == name:
            return '\n'.join(t.output)
    return ''


def outcome(boot: qemu.BootResult, console: Sequence[str],
            seeds: Sequence[int], workers: int = 0) -> Outcome:
    """workers: sigfuzz's (0: trinity ran alone)."""
    runs = [trinity.parse(seed_output(boot.stream, s), s) for s in seeds]
    beside = [sigfuzz.parse(seed_output(boot.stream, s)) for s in seeds] \
        if workers else []
    return Outcome(runs, splat.scan(list(console)), boot.stream.taint,
                   boot.outcome, boot.detail, boot.running, beside)


def stage_trinity(shell: Shell, dest: str, workers: int) -> None:
    """trinity, its loader and libraries, guest/fuzz.sh and, when it runs,
    sigfuzz under dest."""
    if not os.path.exists(trinity.TRINITY):
        raise TgsigError(f'{trinity.TRINITY} is missing',
                         'apt-get install trinity (scripts/tgsig fuzz does '
                         'it when run as root)')
    ldd = shell.run(['ldd', trinity.TRINITY], capture=True, mutates=False)
    trinity.stage(dest, trinity.TRINITY, trinity.needed_libs(ldd.stdout),
                  GUEST_SCRIPT)
    if workers:
        sigfuzz.build(shell, os.path.join(
            dest, trinity.GUEST_DIR.lstrip('/'), 'sigfuzz'))


# What the kernel/ of a fuzz run was, for a later --kernel of it; a
# kernels/KEY directory has its key.json with the same keys.
KEPT = 'kernel.json'


def kernel_label(kernel_dir: str) -> str:
    """The tree and variant --kernel names, as its build recorded them,
    and where it is."""
    for name in (KEPT, 'key.json'):
        try:
            with open(os.path.join(kernel_dir, name), encoding='utf-8') as f:
                saved = json.load(f)
            return (f'{saved["tree"]} ({saved.get("variant", "?")}, '
                    f'booted from {kernel_dir})')
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return f'the kernel in {kernel_dir}'


def check_syscalls(shell: Shell, names: Sequence[str],
                   progress: Progress) -> List[str]:
    """Every name is one trinity knows; returns those it will never call
    (its table marks them AVOID)."""
    if not os.path.exists(trinity.TRINITY):
        return []       # a dry run, before trinity is installed
    # Without -l off even -L leaves a log file per child in its cwd.
    listing = shell.run([trinity.TRINITY, '-l', 'off', '-L'], capture=True,
                        mutates=False, check=False)
    text = (listing.stdout or '') + (listing.stderr or '')
    trinity.check_known(names, text)
    avoid = trinity.avoided(text, names)
    if avoid:
        progress.say('trinity marks these AVOID and never calls them, '
                     'even when named: ' + ', '.join(avoid))
    return avoid


class Watcher(Periodic):
    """A progress line every PROGRESS_EVERY seconds while QEMU runs:
    trinity's newest syscall count, read from output.log."""

    def __init__(self, path: str, progress: Progress) -> None:
        super().__init__(PROGRESS_EVERY)
        self.path = path
        self.progress = progress
        self.last = -1

    def tick(self) -> None:
        try:
            with open(self.path, encoding='utf-8', errors='replace') as f:
                text = f.read()
        except OSError:
            return
        head, _, rest = text.rpartition('tgsig-fuzz:start ')
        if not head:
            return
        seed = rest.split(' ', 1)[0].replace('seed=', 'seed ')
        count = trinity.logged_so_far(rest)
        calls = sigfuzz.progress_so_far(rest)
        if count != self.last:
            self.last = count
            also = f'; sigfuzz: {calls} calls' if calls is not None else ''
            self.progress.say(f'trinity {seed}: {count} syscalls so '
                              f'far{also}')


@dataclasses.dataclass
class FuzzRun:
    """What fuzz() leaves: the outcome (none on a dry run), where, and the
    summary it printed."""
    outcome: Optional[Outcome]
    run_dir: str
    text: str = ''

    @property
    def failed(self) -> bool:
        return self.outcome is not None and self.outcome.failed


def fuzz(opts: Options, args: FuzzArgs, shell: Shell, progress: Progress,
         command: str) -> FuzzRun:
    """One boot of the debug kernel (opts.debug must be set) that fuzzes
    each seed in turn; prints the summary."""
    work = work_dir(opts)
    run_dir = new_run_dir(work, 'fuzz') if not shell.dry_run else \
        dry_run_dir(work)
    what = (f'{opts.variant} {opts.base} kernel with kconfig/debug.config'
            if not args.kernel_dir else f'the kernel in {args.kernel_dir}')
    beside = f', beside sigfuzz ({args.workers} workers)' \
        if args.workers else ''
    progress.say(f'tgsig fuzz: trinity{beside} on the {what}; seeds '
                 f'{",".join(map(str, args.seeds))}, {args.minutes} min '
                 f'each, {args.children} children; run directory {run_dir}')
    build_log = os.path.join(run_dir, 'build.log')
    # A syscall trinity does not know is an error before the build, not
    # after it.
    with progress.step('fetch: trinity'):
        deps.Installer(shell, progress).ensure(deps.FUZZ_PACKAGES)
    avoid = check_syscalls(shell, args.syscalls, progress)
    if args.kernel_dir:
        with progress.step('fetch: packages'):
            deps.Installer(shell, progress).ensure(deps.PACKAGES)
        bzimage = os.path.join(args.kernel_dir, 'bzImage')
        config = os.path.join(args.kernel_dir, 'config')
        if not os.path.isfile(bzimage):
            raise TgsigError(f'--kernel {args.kernel_dir}: no bzImage there',
                             'name a kernel directory tgsig built, '
                             'work/linux-VERSION/kernels/KEY, or the kernel/'
                             ' of a fuzz run')
        tree = kernel_label(args.kernel_dir)
    else:
        ws, base, label = prepare_base(
            opts, shell, progress, deps.PACKAGES + deps.FUZZ_PACKAGES)
        kernel = prepare_kernel(opts, shell, progress, ws, base, label,
                                opts.variant, build_log)
        bzimage, config, tree = kernel.arts.bzimage, kernel.arts.config, \
            kernel.label

    accel = choose_accel(opts, bzimage, work, progress,
                         dry_run=shell.dry_run)
    seconds = args.minutes * 60
    plan = trinity.plan(args.seeds, seconds, args.children, args.syscalls,
                        args.workers)
    initrd = os.path.join(run_dir, 'initramfs.cpio')
    staged = os.path.join(run_dir, 'guest')
    with progress.step('pack initramfs: trinity and its libraries, '
                       'sigfuzz'):
        if not shell.dry_run:
            stage_trinity(shell, staged, args.workers)
            kept = os.path.join(run_dir, 'kernel')
            os.makedirs(kept)
            shutil.copy2(bzimage, os.path.join(kept, 'bzImage'))
            with open(os.path.join(kept, KEPT), 'w', encoding='utf-8') as f:
                json.dump({'tree': tree, 'variant': opts.variant,
                           'debug': True}, f, indent=1)
                f.write('\n')
            if os.path.exists(config):
                shutil.copy2(config, os.path.join(kept, 'config'))
                shutil.copy2(config, os.path.join(run_dir, 'config'))
            trees = [(name, os.path.join(staged, name))
                     for name in sorted(os.listdir(staged))]
        else:
            trees = [('/', staged)]
        pack_guest(shell, initrd, plan, trees)
    cmd = session.command(bzimage, initrd, opts.smp, accel, run_dir,
                          memory=opts.memory)
    total = len(args.seeds) * (seconds + trinity.STOP_GRACE)
    limits = dataclasses.replace(
        opts.limits, run=max(opts.limits.run,
                             total + opts.limits.boot + 600))
    with progress.step(f'boot and fuzz ({accel.upper()}, -smp {opts.smp})'):
        output = session.log_paths(run_dir)[1]
        if shell.dry_run:
            boot = session.boot(shell, cmd, run_dir, limits, progress)
        else:
            with Watcher(output, progress):
                boot = session.boot(shell, cmd, run_dir, limits, progress,
                                    on_test=session.test_progress(progress))
    if boot is None:
        print('\ntgsig fuzz: a dry run; the commands above were printed, '
              'none was run')
        return FuzzRun(None, run_dir)
    result = outcome(boot, session.read_console(run_dir), args.seeds,
                     args.workers)
    ctx = Context(opts, args, tree, accel, run_dir, command, avoid)
    text = summary(result, ctx)
    with open(os.path.join(run_dir, 'summary.txt'), 'w',
              encoding='utf-8') as f:
        f.write(text + '\n')
    save(result, ctx)
    print(text)
    return FuzzRun(result, run_dir, text)


@dataclasses.dataclass
class Context:
    """What a fuzz run's summary names besides its outcome."""
    opts: Options
    args: FuzzArgs
    tree: str
    accel: str
    run_dir: str
    command: str
    avoid: List[str] = dataclasses.field(default_factory=list)

    def replay(self, seed: int, kernel_dir: Optional[str] = None) -> str:
        return trinity.replay_command(
            self.opts.base, seed, self.args.minutes, self.args.syscalls,
            self.args.children, self.args.workers,
            baseline=self.opts.baseline,
            extra_patches=self.opts.extra_patches,
            kernel_dir=kernel_dir or self.args.kernel_dir)

    @property
    def kept_kernel(self) -> str:
        return os.path.join(self.run_dir, 'kernel')


def summed(tables: Iterable[Dict[str, List[int]]]) -> List[str]:
    """name tried/succeeded, each pair summed over the tables."""
    total: Dict[str, List[int]] = {}
    for table in tables:
        for name, (tried, ok) in table.items():
            t = total.setdefault(name, [0, 0])
            t[0] += tried
            t[1] += ok
    return [f'{name} {t[0]}/{t[1]}' for name, t in sorted(total.items())]


def per_syscall(seeds: Sequence[trinity.SeedRun]) -> List[str]:
    """trinity's attempted/succeeded over every seed, as --stats counted."""
    return summed(s.per_syscall for s in seeds)


def per_op(runs: Sequence[sigfuzz.SigfuzzRun]) -> List[str]:
    """sigfuzz's made/succeeded over every seed."""
    return summed(r.per_op for r in runs)


def summary(result: Outcome, ctx: Context) -> str:
    opts, args = ctx.opts, ctx.args
    variant = f'{opts.variant} kernel with kconfig/debug.config' \
        if not args.kernel_dir else 'kernel'
    out = ['', f'tgsig fuzz: {variant}, {ctx.tree}; '
           f'{ctx.accel.upper()} -smp {opts.smp}',
           f'  command: {ctx.command}',
           f'  trinity: {args.children} children, {args.minutes} min per '
           f'seed, syscalls {",".join(args.syscalls)}']
    if result.sigfuzz:
        out.append(f'  sigfuzz: {args.workers} workers, the same seeds and '
                   'time, in a PID namespace of its own')
    if ctx.avoid:
        out.append('  never called (trinity marks them AVOID): '
                   + ','.join(ctx.avoid))
    total = succeeded = 0
    for s in result.seeds:
        ok = s.succeeded or 0
        total += s.executed
        succeeded += ok
        ran = f'{s.seconds}s' if s.seconds is not None else 'unknown time'
        how = {'time': 'stopped at its time', 'exited': 'trinity exited '
               'by itself', 'killed': 'killed after it ignored SIGINT'}.get(
                   s.stop, 'did not finish')
        counted = '' if s.syscalls is not None else \
            ' (as its children logged them: it printed no total)'
        out.append(f'  seed {s.seed}: {s.executed} syscalls, {ok} '
                   f'succeeded{counted}; {ran}, {how}')
    stats = per_syscall(result.seeds)
    if stats:
        out.append('  per syscall, attempted/succeeded: ' + ', '.join(stats))
    calls = ok = 0
    for s, f in zip(result.seeds, result.sigfuzz):
        calls += f.executed
        ok += f.ok or 0
        counted = '' if f.calls is not None else \
            ' (its last progress line: it printed no total)'
        stopped = f'; stopped after {f.tainted_after}s, when the kernel ' \
            'became tainted' if f.tainted_after is not None else ''
        out.append(f'  sigfuzz seed {s.seed}: {f.executed} calls, '
                   f'{f.ok or 0} succeeded{counted}; {f.spawned} workers '
                   f'spawned, {f.resets} kill(-1, SIGKILL) resets{stopped}')
    ops = per_op(result.sigfuzz)
    if ops:
        out.append('  sigfuzz per call, made/succeeded: ' + ', '.join(ops))
    # What the two fuzzers did, for the total and the last line.
    did = f'{total} syscalls'
    if result.sigfuzz:
        did = f'{total} trinity syscalls, {calls} sigfuzz calls'
    splats = len(result.splats)
    if result.taint is None:
        taint = 'unknown (the guest did not report it)'
    elif not result.taint:
        taint = 'none'
    else:
        taint = f'{result.taint}: ' + ', '.join(
            splat.decode_taint(result.taint))
        if not splat.taint_is_finding(result.taint):
            taint += ', not a finding'
    made = f'{total} syscalls executed, {succeeded} succeeded'
    if result.sigfuzz:
        made = (f'{total} trinity syscalls executed, {succeeded} succeeded, '
                f'{calls} sigfuzz calls made, {ok} succeeded')
    out.append(f'  total: {made};'
               f' seeds {",".join(map(str, args.seeds))}; {splats} kernel '
               f'splat{"s" if splats != 1 else ""}; taint {taint}')
    if result.failed:
        seed = result.guilty_seed()
        out += ['', 'FAILED: ' + '; '.join(result.problems)]
        if result.splats:
            first = result.splats[0]
            where = f'while {first.test} ran' if first.test else \
                'outside any seed'
            out += [f'the first splat, a {first.kind} {where}, at '
                    f'console.log line {first.line}:']
            out += [f'    {line}' for line in first.excerpt[:25]]
        for s in result.seeds:
            if s.seed == seed:
                last = s.last_syscalls()
                if last:
                    out.append(f'the last syscalls seed {seed} logged:')
                    out += [f'    {line}' for line in last]
        for s, f in zip(result.seeds, result.sigfuzz):
            if s.seed == seed and f.hang_after is not None:
                out.append(f'sigfuzz\'s init (pid {f.hung_init}) did not '
                           'end; its kernel stack:')
                out += [f'    {line}' for line in f.stack]
                out.append(f'the tasks left ({len(f.tasks)}; all of them '
                           'in output.log, and the blocked ones in '
                           'console.log, sysrq w):')
                out += [f'    {line}' for line in f.tasks[:30]]
            if s.seed == seed and f.last:
                out.append(f'the last calls of sigfuzz seed {seed}, of each '
                           'worker slot (with its pids and tids in its '
                           'namespace):')
                out += [f'    {line}' for line in f.last_calls()]
        if seed is not None:
            out += ['', f'replay seed {seed} on the same kernel:',
                    f'    {ctx.replay(seed)}']
            if not args.kernel_dir:
                kept = ctx.replay(seed, ctx.kept_kernel)
                out += ['or on this very bzImage, kept in the run '
                        'directory:', f'    {kept}']
    out += ['', f'run directory: {ctx.run_dir}',
            '  summary.txt fuzz.json console.log output.log qemu.log '
            'config kernel/',
            'fuzz: ' + ('FAILED' if result.failed else 'passed') +
            f': {did}, {splats} splat{"s" if splats != 1 else ""}'
            f', seeds {",".join(map(str, args.seeds))}']
    return '\n'.join(out)


def save(result: Outcome, ctx: Context) -> None:
    opts, args = ctx.opts, ctx.args
    seed = result.guilty_seed()
    data = {
        'command': ctx.command, 'base': opts.base, 'variant': opts.variant,
        'debug': True, 'tree': ctx.tree, 'kernel': args.kernel_dir,
        'accel': ctx.accel, 'smp': opts.smp, 'minutes': args.minutes,
        'children': args.children, 'syscalls': args.syscalls,
        'sigfuzz_workers': args.workers,
        'sigfuzz': [dataclasses.asdict(f) for f in result.sigfuzz],
        'avoided': ctx.avoid, 'extra_patches': opts.extra_patches,
        'seeds': [dict(dataclasses.asdict(s), executed=s.executed)
                  for s in result.seeds],
        'executed': sum(s.executed for s in result.seeds),
        'succeeded': sum(s.succeeded or 0 for s in result.seeds),
        'sigfuzz_calls': sum(f.executed for f in result.sigfuzz),
        'sigfuzz_succeeded': sum(f.ok or 0 for f in result.sigfuzz),
        'splats': [s.to_json() for s in result.splats],
        'taint': result.taint, 'boot': result.boot,
        'detail': result.detail, 'failed': result.failed,
        'problems': result.problems, 'guilty_seed': seed,
        'replay': ctx.replay(seed) if seed is not None else None,
    }
    with open(os.path.join(ctx.run_dir, 'fuzz.json'), 'w',
              encoding='utf-8') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
