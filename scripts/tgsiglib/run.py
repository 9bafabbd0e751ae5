# SPDX-License-Identifier: GPL-2.0
"""`tgsig run`: from a bare machine to selftest results from a kernel
booted under QEMU."""
import dataclasses
import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import time

from . import bases, build, deps, initramfs, qemu, report, results, \
    sources, splat
from .errors import TgsigError
from .lock import tree_lock
from .paths import GUEST_INIT, REPO
from .workspace import BASE_TAG, Workspace, series_files

BUSYBOX = '/bin/busybox'
DEFAULT_TEST_TIMEOUT = 45      # kselftest's own default
# kselftest timeouts assume hardware; TCG runs the same code several times
# slower (pidfd_test's pid recycling alone passes 45s under TCG).
TCG_TIMEOUT_SCALE = 4


@dataclasses.dataclass
class Options:
    base: str = bases.DEFAULT
    baseline: bool = False
    tree: str = None
    configs: list = dataclasses.field(default_factory=list)
    debug: bool = False
    smp: int = 4
    filter: str = None
    exec_files: list = dataclasses.field(default_factory=list)
    dry_run: bool = False
    accel: str = 'auto'
    limits: qemu.Limits = dataclasses.field(default_factory=qemu.Limits)
    test_timeout: int = None
    jobs: int = os.cpu_count() or 2
    work: str = None
    memory: str = '2G'
    timeout_scale: int = None
    extra_patches: list = dataclasses.field(default_factory=list)


def work_dir(opts):
    return os.path.abspath(opts.work or os.environ.get('TGSIG_WORK')
                           or os.path.join(REPO, 'work'))


def our_selftests():
    """Top-level selftest directories: name -> path."""
    top = os.path.join(REPO, 'selftests')
    return {n: os.path.join(top, n) for n in sorted(os.listdir(top))
            if os.path.exists(os.path.join(top, n, 'Makefile'))}


def neighbour_selftests(base):
    """The kernel's own selftest directories that run with ours on this
    base (selftests/neighbours; @NAME lines are for one base)."""
    with open(os.path.join(REPO, 'selftests', 'neighbours'),
              encoding='utf-8') as f:
        return list(bases.for_base(f, bases.get(base)))


def known_failures(base):
    """{collection:program/case: why} of the base's known failures."""
    with open(os.path.join(REPO, 'selftests', 'known-failures'),
              encoding='utf-8') as f:
        return read_reasons(bases.for_base(f, bases.get(base)))


def selftest_files(path):
    """The files of a top-level selftest directory that belong in a tree:
    those git tracks or would track (build output is ignored)."""
    proc = subprocess.run(['git', '-C', REPO, 'ls-files', '-co',
                           '--exclude-standard', '--', path],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return sorted(os.path.join(dp, f) for dp, _, fs in os.walk(path)
                      for f in fs)
    return sorted(os.path.join(REPO, f) for f in proc.stdout.splitlines()
                  if os.path.exists(os.path.join(REPO, f)))


def overlay_selftests(tree, shell):
    """Copy tgsig's selftests into the tree being built, where lib.mk
    expects them."""
    for name, path in our_selftests().items():
        dest = os.path.join(tree, 'tools/testing/selftests', name)
        shell.show(['cp', '-r', path + '/.', dest])
        if shell.dry_run:
            continue
        if os.path.isdir(dest):
            shutil.rmtree(dest)
        for src in selftest_files(path):
            target = os.path.join(dest, os.path.relpath(src, path))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(src, target)


def fragments(opts, tree, variant):
    frags = [os.path.join(REPO, 'kconfig', 'base.config')]
    # What one base spells differently (kconfig/lts.config).
    per_base = os.path.join(REPO, 'kconfig', f'{opts.base}.config')
    if os.path.exists(per_base):
        frags.append(per_base)
    if variant == 'patched':
        # Options that exist only with the series (its KUnit tests).
        frags.append(os.path.join(REPO, 'kconfig', 'series.config'))
    for path in our_selftests().values():
        frags.append(os.path.join(path, 'config'))
    for name in neighbour_selftests(opts.base):
        cfg = os.path.join(tree, 'tools/testing/selftests', name, 'config')
        frags.append(cfg)
    if opts.debug:
        frags.append(os.path.join(REPO, 'kconfig', 'debug.config'))
    for cfg in opts.configs:
        if not os.path.exists(cfg):
            raise TgsigError(f'--config {cfg}: no such file')
        frags.append(os.path.abspath(cfg))
    return [f for f in frags if os.path.exists(f) or not os.path.exists(tree)]


def digest(paths, extra=''):
    h = hashlib.sha256(extra.encode())
    for path in paths:
        h.update(path.encode() + b'\0')
        if os.path.exists(path):
            with open(path, 'rb') as f:
                h.update(f.read())
    return h.hexdigest()


def read_settings_timeout(path, default):
    try:
        with open(path, encoding='utf-8') as f:
            for line in f:
                if line.strip().startswith('timeout='):
                    value = int(line.split('=', 1)[1])
                    return value if value > 0 else None
    except (OSError, ValueError):
        pass
    return default


def read_reasons(lines):
    """{name: why} from `name  why` lines (a path, or the lines)."""
    if isinstance(lines, str):
        try:
            with open(lines, encoding='utf-8') as f:
                return read_reasons(f.read().splitlines())
        except OSError:
            return {}
    out = {}
    for line in lines:
        line = line.strip()
        if line and not line.startswith('#'):
            name, _, why = line.partition(' ')
            out[name] = why.strip()
    return out


def make_plan(kselftest_dir, opts, scale=1, skip=None):
    """(name, timeout, guest dir, command) for each test to run, and
    {name: why} for those not run (skip: tests not to run, with why).
    Timeouts from kselftest settings are multiplied by scale (emulation is
    slower than the hardware they were written for); --test-timeout is
    not."""
    plan, skipped = [], {}
    skip = skip or {}
    default = opts.test_timeout or DEFAULT_TEST_TIMEOUT * scale
    lst = os.path.join(kselftest_dir, 'kselftest-list.txt')
    run_selftests = not opts.exec_files or opts.filter
    if run_selftests and os.path.exists(lst):
        with open(lst, encoding='utf-8') as f:
            for line in f:
                line = line.strip()
                if ':' not in line:
                    continue
                collection, test = line.split(':', 1)
                if opts.filter and not (fnmatch.fnmatch(line, opts.filter)
                                        or opts.filter in line):
                    continue
                timeout = read_settings_timeout(
                    os.path.join(kselftest_dir, collection, 'settings'),
                    None)
                timeout = timeout * scale if timeout else default
                if line in skip:
                    skipped[line] = skip[line]
                    continue
                plan.append((line, timeout,
                             f'/tgsig/kselftest/{collection}', f'./{test}'))
    for path in opts.exec_files:
        name = os.path.basename(path)
        plan.append((f'exec:{name}', default, '/tgsig/exec', f'./{name}'))
    return plan, skipped


def plan_text(plan):
    return ''.join(f'{n}\t{t}\t{d}\t{c}\n' for n, t, d, c in plan)


def exec_dir(opts, run_dir):
    """Copy --exec files into the run directory, executable."""
    dest = os.path.join(run_dir, 'exec')
    os.makedirs(dest, exist_ok=True)
    for path in opts.exec_files:
        if not os.path.isfile(path):
            raise TgsigError(f'--exec {path}: no such file')
        target = os.path.join(dest, os.path.basename(path))
        shutil.copy2(path, target)
        os.chmod(target, 0o755)
        with open(path, 'rb') as f:
            head = f.read(4)
        if head != b'\x7fELF' and not head.startswith(b'#!'):
            raise TgsigError(f'--exec {path}: neither an ELF executable nor '
                             'a script with #!')
    return dest


def pack_initramfs(shell, initrd, plan, trees):
    """The guest's initramfs: guest/init, busybox, the plan and trees of
    (guest path, host directory)."""
    shell.show(['pack', initrd, '<-', GUEST_INIT, BUSYBOX,
                *[h for _, h in trees]])
    if shell.dry_run:
        return
    with open(GUEST_INIT, 'rb') as f:
        init = f.read()
    initramfs.pack(initrd, init, BUSYBOX, plan_text(plan), trees)


def new_run_dir(work, variant):
    stamp = time.strftime('%Y%m%d-%H%M%S')
    base = os.path.join(work, 'runs', f'{stamp}-{variant}')
    path, n = base, 1
    while os.path.exists(path):
        n += 1
        path = f'{base}.{n}'
    os.makedirs(path)
    point_latest(work, path)
    return path


def point_latest(work, run_dir):
    """work/runs/latest names run_dir (best effort: a link is a
    convenience, not a result)."""
    latest = os.path.join(work, 'runs', 'latest')
    try:
        if os.path.islink(latest):
            os.unlink(latest)
        os.symlink(os.path.basename(run_dir), latest)
    except OSError:
        pass


def prepare_base(opts, shell, progress, packages=deps.PACKAGES):
    """Install what is missing and make the base tree.
    Returns (workspace, base commit, a label for reports)."""
    if shell.dry_run:
        return _prepare_base(opts, shell, progress, packages)
    with tree_lock(work_dir(opts), progress, 'prepare base tree'):
        return _prepare_base(opts, shell, progress, packages)


def _prepare_base(opts, shell, progress, packages):
    work = work_dir(opts)
    base = bases.get(opts.base)
    pin = bases.pin(base)
    with progress.step(f'fetch: packages and the {base.name} kernel source'):
        installer = deps.Installer(shell, progress)
        installer.ensure(packages)
        if not opts.tree:
            if pin.get('suites'):
                source = sources.download(pin, shell, progress, work)
            else:
                source = deps.installed_source(installer, pin)
    with progress.step('prepare base tree'):
        if opts.tree:
            path = os.path.abspath(opts.tree)
            tag = hashlib.sha256(path.encode()).hexdigest()[:8]
            ws = Workspace(os.path.join(
                work, f'user-{os.path.basename(path)}-{tag}'),
                shell, progress)
            head = ws.from_user_tree(path)
            return ws, head, f'{path} at {head[:12]}'
        ws = Workspace(os.path.join(work, 'linux-' + source.upstream),
                       shell, progress)
        head = ws.from_tarball(source)
        return ws, head, (f'{base.name}: linux {source.upstream} '
                          f'({source.origin})')


@dataclasses.dataclass
class Kernel:
    """One variant's kernel and selftests, built or reused."""
    variant: str            # baseline | patched
    arts: build.Artifacts
    head: str               # the commit built
    label: str              # the tree, for reports
    patches: list           # the series' patch files
    key: str


def prepare_kernel(opts, shell, progress, ws, base, label, variant,
                   build_log):
    """The kernel and selftests of one variant on the base tree that
    prepare_base() made: reused without make when its artifacts are
    valid, else configured and built."""
    if shell.dry_run:
        return _prepare_kernel(opts, shell, progress, ws, base, label,
                               variant, build_log)
    with tree_lock(work_dir(opts), progress, f'{variant} kernel'):
        return _prepare_kernel(opts, shell, progress, ws, base, label,
                               variant, build_log)


def _prepare_kernel(opts, shell, progress, ws, base, label, variant,
                    build_log):
    with progress.step('prepare tree'):
        patches = series_files(bases.get(opts.base).patches)
        if variant == 'patched':
            head = ws.series_head(patches)
            progress.say(f'series: {len(patches)} patches on {BASE_TAG}')
        else:
            head = base
        if opts.extra_patches:
            head = ws.extra_head(head, [os.path.abspath(p)
                                        for p in opts.extra_patches])
            names = ', '.join(os.path.basename(p) for p in opts.extra_patches)
            progress.say(f'extra patches on top: {names}')
            label += f' + {names}'

    targets = list(our_selftests()) + neighbour_selftests(opts.base)
    frags = fragments(opts, ws.repo, variant)
    ours = [f for p in our_selftests().values() for f in selftest_files(p)]
    key = build.artifact_key(head, digest(frags),
                             digest(ours, ' '.join(targets)))
    arts = build.Artifacts(ws.root, key)
    builder = build.Builder(ws, shell, progress, opts.jobs)
    if arts.valid(key) and not shell.dry_run:
        progress.say(f'build: reusing {arts.dir} (tree {head[:12]}, '
                     f'key {key}): nothing changed')
        with open(build_log, 'a', encoding='utf-8') as f:
            f.write(f'reused {arts.dir} (key {key})\n')
    else:
        with progress.step('configure'):
            ws.checkout(head)
            overlay_selftests(ws.repo, shell)
            builder.configure(frags, build_log)
        with progress.step('build kernel (bzImage, headers)'):
            builder.kernel(build_log)
        install = os.path.join(ws.build, 'kselftest_install')
        with progress.step('build selftests: ' + ' '.join(targets)):
            builder.selftests(targets, install, build_log)
        if not shell.dry_run:
            arts.save(key, ws.build, install,
                      {'variant': variant, 'head': head, 'tree': label})

    return Kernel(variant, arts, head, label, patches, key)


def run(opts, shell, progress):
    """Returns (exit code, results tree or None, run directory)."""
    work = work_dir(opts)
    variant = 'baseline' if opts.baseline else 'patched'
    name = f'{opts.base}-{variant}' + ('-debug' if opts.debug else '')
    run_dir = new_run_dir(work, name) if not shell.dry_run else \
        os.path.join(work, 'runs', 'DRY-RUN')
    build_log = os.path.join(run_dir, 'build.log')
    progress.say(f'tgsig run: {variant} kernel on the {opts.base} base'
                 f'{" with kconfig/debug.config" if opts.debug else ""}; '
                 f'run directory {run_dir}')

    ws, base, label = prepare_base(opts, shell, progress)
    kernel = prepare_kernel(opts, shell, progress, ws, base, label, variant,
                            build_log)
    arts, head, label = kernel.arts, kernel.head, kernel.label
    patches = kernel.patches

    known = known_failures(opts.base)
    accel = choose_accel(opts, arts.bzimage, work, progress,
                         dry_run=shell.dry_run)
    scale = opts.timeout_scale or (TCG_TIMEOUT_SCALE if accel == 'tcg'
                                   else 1)
    with progress.step('pack initramfs'):
        slow = read_reasons(os.path.join(REPO, 'selftests', 'slow-under-tcg'))
        plan, skipped = make_plan(arts.kselftest, opts, scale,
                                  slow if accel == 'tcg' else None)
        skipped = {n: f'too slow under TCG: {why}'
                   for n, why in skipped.items()}
        if not plan and not skipped and not shell.dry_run:
            raise TgsigError(f'nothing to run: --filter {opts.filter!r} '
                             'matches no test',
                             'names look like collection:test, e.g. '
                             'tg_signal:action_table')
        initrd = os.path.join(run_dir, 'initramfs.cpio')
        trees = [('tgsig/kselftest', arts.kselftest)]
        if opts.exec_files and shell.dry_run:
            shell.show(['cp', *opts.exec_files, os.path.join(run_dir,
                                                             'exec')])
        elif opts.exec_files:
            trees.append(('tgsig/exec', exec_dir(opts, run_dir)))
        if not shell.dry_run:
            shutil.copy2(arts.config, os.path.join(run_dir, 'config'))
        pack_initramfs(shell, initrd, plan, trees)
        progress.say(f'{len(plan)} tests planned; kselftest timeouts '
                     f'x{scale} under {accel.upper()}')

    logs = tuple(os.path.join(run_dir, n) for n in
                 ('console.log', 'output.log', 'heartbeat.log'))
    cmd = qemu.argv(arts.bzimage, initrd, opts.smp, accel, logs,
                    memory=opts.memory)
    with progress.step(f'boot and test ({accel.upper()}, -smp {opts.smp})'):
        shell.show(cmd)
        if shell.dry_run:
            return 0, None, run_dir
        boot = qemu.boot(cmd, logs, opts.limits, progress,
                         on_test=_test_progress(progress, known))

    with open(logs[0], encoding='utf-8', errors='replace') as f:
        console = f.read().splitlines()
    splats = splat.scan(console)
    root = results.build_tree([p[0] for p in plan], boot, splats,
                              results.kunit_section(console), known,
                              skipped)
    meta = {'variant': variant, 'debug': opts.debug, 'base': opts.base,
            'tree': label, 'head': head,
            'patches': [os.path.basename(p) for p in patches]
            if variant == 'patched' else [],
            'accel': accel, 'smp': opts.smp, 'guest': boot.stream.booted,
            'outcome': boot.outcome, 'detail': boot.detail,
            'running_at_end': boot.running, 'boot_seconds': boot.seconds,
            'taint': boot.stream.taint,
            'splats': [s.to_json() for s in splats],
            'qemu': cmd, 'run_dir': run_dir}
    report.write(run_dir, root, meta)
    print_summary(progress, root, meta, splats, run_dir)
    return (1 if root.status.failed else 0), root, run_dir


def choose_accel(opts, kernel, work, progress, dry_run=False):
    if opts.accel != 'auto':
        return opts.accel
    if dry_run:
        # The probe is a boot: a dry run names it and boots nothing.
        progress.say('accelerator: TCG for this dry run (a real run first '
                     'probes KVM with a 15-second boot)')
        return 'tcg'
    if not os.path.exists(kernel):
        return 'tcg'
    probe = os.path.join(work, 'kvm-probe')
    os.makedirs(probe, exist_ok=True)
    initrd = os.path.join(probe, 'initramfs.cpio')
    with open(GUEST_INIT, 'rb') as f:
        initramfs.pack(initrd, f.read(), BUSYBOX, '')
    usable, why = qemu.kvm_usable(kernel, initrd, work, progress)
    progress.say(f'accelerator: {"KVM" if usable else "TCG"} ({why})')
    return 'kvm' if usable else 'tcg'


def _test_progress(progress, known):
    def on_test(event, test):
        if event == 'begin':
            progress.say(f'test {test.name} (timeout {test.timeout}s)')
            return
        prog = results.program(test)
        results.apply_known_failures(prog, known)
        c = prog.counts()
        progress.say(f'     {test.name}: {prog.status.value} '
                     f'(rc {test.rc}; {c["pass"]} passed, '
                     f'{c["fail"] + c["error"] + c["timeout"]} failed, '
                     f'{c["skip"]} skipped) in {test.seconds or 0:.1f}s')
    return on_test


def print_summary(progress, root, meta, splats, run_dir):
    print()
    debug = ' with kconfig/debug.config' if meta.get('debug') else ''
    print(f'tgsig: {meta["variant"]} kernel{debug}, {meta["tree"]}; '
          f'{meta["accel"].upper()} -smp {meta["smp"]}; '
          f'guest {meta["guest"] or "did not boot"}')
    print(report.table(root))
    fails = report.failures(root)
    if fails:
        print('\nfailures:')
        print(fails)
    known = report.known(root)
    if known:
        print('\nknown failures of the base (selftests/known-failures):')
        print(known)
    if splats:
        first = splats[0]
        where = f'while {first.test} ran' if first.test else \
            'outside any test'
        print(f'\nkernel splats: {len(splats)}; the first, a {first.kind} '
              f'{where}, at console.log line {first.line}:')
        for line in first.excerpt[:25]:
            print(f'    {line}')
    if meta['outcome'] != 'done':
        running = meta['running_at_end']
        print(f'\nthe run ended early: {meta["outcome"]}'
              + (f' while {running} ran' if running else '')
              + f': {meta["detail"]}')
    print(f'\nrun directory: {run_dir}')
    print('  build.log console.log output.log results.ktap results.json '
          'config')
    print(report.totals_line(root.counts()))


def load_json(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def series_command(opts, shell, progress, names):
    """`tgsig series`: write each base's series (patches/ for mainline,
    patches/6.12/ for lts) from its sources."""
    from . import series
    for name in names:
        base = bases.get(name)
        bopts = dataclasses.replace(opts, base=name)
        ws, _, _ = prepare_base(bopts, shell, progress)
        with progress.step(f'{name}: write {base.patch_dir}/ from its '
                           'kernel patches, selftests/ and Documentation/'):
            if shell.dry_run:
                continue
            with tree_lock(work_dir(opts), progress, 'series'):
                written = series.regenerate(ws.repo, REPO, base,
                                            selftest_files)
        for path in written:
            print(f'  wrote {os.path.relpath(path, REPO)}')
    return 0
