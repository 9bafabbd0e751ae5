# SPDX-License-Identifier: GPL-2.0
"""One program run under signal tracing, in the guest or on this
machine, and what `tgsig trace` writes from it (trace.py is the command;
e2e.py's trace case runs it too).

In the guest (the default): the kernel of the chosen base, patched
unless --baseline, built or reused as `run` does; guest/trace.sh, filled
in with the events and the program's command line, is the one test of
the plan: it makes a tracefs instance, enables the events, runs the
program and prints the trace on the output port. With --host the same
script runs here, on this machine's kernel (as root), which has whatever
events it has: no signal_wake_target, unless it carries the series.

Into the run directory go trace.txt (what the script printed), trace.json
(the threads and one record per signal, tracemodel.py), timeline.svg
(timeline.py) and summary.txt, which is also printed."""
from __future__ import annotations

import copy
import dataclasses
import json
import os
import shlex
import shutil
from typing import Any, Dict, List, Optional, Tuple

from . import bases, session, splat
from .accel import choose_accel
from .errors import TgsigError
from .initramfs import pack_guest
from .kernel import prepare_base, prepare_kernel
from .options import Options
from .paths import HERE, work_dir
from .plan import DEFAULT_TEST_TIMEOUT, TCG_TIMEOUT_SCALE, Entry
from .rundirs import dry_run_dir, new_run_dir
from .shell import Progress, Shell
from . import timeline, tracefmt, tracemodel


@dataclasses.dataclass
class Traced:
    """A traced run: where its files are, what the wrapper printed and
    the model; problems: what makes the trace not one to trust (a boot
    that did not finish, a kernel splat, no trace)."""
    run_dir: str
    capture: tracefmt.Capture
    model: tracemodel.Model
    summary: str
    problems: List[str]


EVENTS = ('signal/signal_generate', 'signal/signal_wake_target',
          'signal/signal_deliver', 'task/task_newtask', 'task/task_rename',
          'sched/sched_process_exec', 'sched/sched_process_exit')
WRAPPER = os.path.join(HERE, 'guest', 'trace.sh')
WRAPPER_NAME = 'tgsig-trace'


def wrapper_text(command: List[str]) -> str:
    """guest/trace.sh with the events and the command filled in."""
    with open(WRAPPER, encoding='utf-8') as f:
        text = f.read()
    return (text.replace('@EVENTS@', ' '.join(EVENTS))
            .replace('@COMMAND@', ' '.join(shlex.quote(a)
                                           for a in command)))


def _check_program(program: str) -> None:
    if not os.path.isfile(program):
        raise TgsigError(f'{program}: no such file')
    with open(program, 'rb') as f:
        head = f.read(4)
    if head != b'\x7fELF' and not head.startswith(b'#!'):
        raise TgsigError(f'{program}: neither an ELF executable nor a '
                         'script with #!')


def trace(opts: Options, program: str, args: List[str], shell: Shell,
          progress: Progress, host: bool = False,
          kernel_dir: Optional[str] = None) -> Optional[Traced]:
    """Trace the program in the guest, or with host on this machine's
    kernel; with kernel_dir, boot the kernel tgsig saved there
    (work/linux-VERSION/kernels/KEY) as it is. None in a dry run (whose
    program may be one that a command it only printed would build)."""
    if not shell.dry_run or os.path.exists(program):
        _check_program(program)
    if host:
        return _on_host(opts, program, args, shell, progress)
    return _in_guest(opts, program, args, shell, progress, kernel_dir)


def saved_kernel(kernel_dir: str) -> Tuple[str, str, str, str]:
    """(bzImage, variant, tree, head) of a kernel that tgsig built and
    saved in kernel_dir (build.Artifacts)."""
    meta = os.path.join(kernel_dir, 'key.json')
    bzimage = os.path.join(kernel_dir, 'bzImage')
    try:
        with open(meta, encoding='utf-8') as f:
            info = json.load(f)
    except (OSError, ValueError) as err:
        raise TgsigError(f'--kernel {kernel_dir}: {err}',
                         'name a directory work/linux-VERSION/kernels/KEY '
                         'that a tgsig run built')
    if not os.path.isfile(bzimage):
        raise TgsigError(f'--kernel {kernel_dir}: no bzImage')
    return (bzimage, info.get('variant', '?'), info.get('tree', '?'),
            info.get('head', '?'))


def _title(program: str, args: List[str]) -> str:
    return ('Which thread took each signal: '
            + ' '.join([os.path.basename(program), *args]))


def _on_host(opts: Options, program: str, args: List[str], shell: Shell,
             progress: Progress) -> Optional[Traced]:
    if os.geteuid() != 0 and not shell.dry_run:
        raise TgsigError('trace --host needs root (it makes a tracefs '
                         'instance)', 'run it with sudo')
    work = work_dir(opts)
    run_dir = dry_run_dir(work) if shell.dry_run else \
        new_run_dir(work, 'host-trace')
    wrapper = os.path.join(run_dir, WRAPPER_NAME)
    progress.say(f'tgsig trace: {program} on this machine\'s kernel; run '
                 f'directory {run_dir}')
    if not shell.dry_run:
        with open(wrapper, 'w', encoding='utf-8') as f:
            f.write(wrapper_text([os.path.abspath(program), *args]))
    proc = shell.run(['sh', wrapper], capture=True, check=False,
                     errors='replace')
    if shell.dry_run:
        return None
    cap = tracefmt.parse_capture(proc.stdout.splitlines())
    meta = {'where': 'host', 'program': [program, *args]}
    subtitle = (f'this machine\'s kernel {cap.kernel}'
                + (', without ' + ', '.join(
                    e.split('/')[1] for e in cap.missing)
                   if cap.missing else ''))
    return finish(run_dir, proc.stdout.splitlines(), meta,
                  _title(program, args), subtitle, [])


def _in_guest(opts: Options, program: str, args: List[str], shell: Shell,
              progress: Progress, kernel_dir: Optional[str] = None
              ) -> Optional[Traced]:
    work = work_dir(opts)
    if kernel_dir:
        bzimage, variant, tree, head = saved_kernel(kernel_dir)
        # The tree label names the base: "lts: linux 6.12.117 (...)".
        opts = copy.copy(opts)
        opts.base = tree.split(':')[0] if tree.split(':')[0] in \
            bases.BASES else opts.base
    else:
        variant = opts.variant
    run_dir = dry_run_dir(work) if shell.dry_run else \
        new_run_dir(work, f'{opts.base}-{variant}-trace')
    progress.say(f'tgsig trace: {program} on the {variant} kernel of the '
                 f'{opts.base} base; run directory {run_dir}')
    if not kernel_dir:
        ws, base, label = prepare_base(opts, shell, progress)
        kernel = prepare_kernel(opts, shell, progress, ws, base, label,
                                variant, os.path.join(run_dir, 'build.log'))
        bzimage, tree, head = kernel.arts.bzimage, kernel.label, kernel.head
    else:
        progress.say(f'kernel: {kernel_dir} as it is ({tree}, {head[:12]})')
    accel = choose_accel(opts, bzimage, work, progress,
                         dry_run=shell.dry_run)
    timeout = opts.test_timeout or DEFAULT_TEST_TIMEOUT * (
        TCG_TIMEOUT_SCALE if accel == 'tcg' else 1)
    name = os.path.basename(program)
    staging = os.path.join(run_dir, 'exec')
    initrd = os.path.join(run_dir, 'initramfs.cpio')
    plan = [Entry(f'trace:{name}', timeout, '/tgsig/exec',
                  f'./{WRAPPER_NAME}')]
    with progress.step('pack initramfs'):
        shell.show(['cp', program, os.path.join(staging, name)])
        if not shell.dry_run:
            os.makedirs(staging, exist_ok=True)
            shutil.copy2(program, os.path.join(staging, name))
            os.chmod(os.path.join(staging, name), 0o755)
            path = os.path.join(staging, WRAPPER_NAME)
            with open(path, 'w', encoding='utf-8') as f:
                f.write(wrapper_text([f'./{name}', *args]))
            os.chmod(path, 0o755)
        pack_guest(shell, initrd, plan, [('tgsig/exec', staging)])
    cmd = session.command(bzimage, initrd, opts.smp, accel, run_dir,
                          memory=opts.memory)
    with progress.step(f'boot and trace ({accel.upper()}, -smp '
                       f'{opts.smp})'):
        boot = session.boot(shell, cmd, run_dir, opts.limits, progress,
                            on_test=session.test_progress(progress))
    if boot is None:
        return None
    splats = splat.scan(session.read_console(run_dir))
    lines = boot.stream.tests[0].output if boot.stream.tests else []
    problems = []
    if boot.outcome != 'done':
        problems.append(f'the boot ended: {boot.outcome} {boot.detail}')
    for s in splats[:3]:
        problems.append(f'kernel splat: {s.kind}: {s.text}')
    meta: Dict[str, Any] = {
        'where': 'guest', 'program': [program, *args], 'base': opts.base,
        'variant': variant, 'tree': tree, 'head': head,
        'accel': accel, 'smp': opts.smp, 'guest': boot.stream.booted}
    subtitle = (f'{opts.base} base, {variant} kernel'
                f' ({(boot.stream.booted or "?").split()[0]}), '
                f'{opts.smp} CPUs under {accel.upper()}')
    return finish(run_dir, lines, meta, _title(program, args), subtitle,
                  problems)


def finish(run_dir: str, lines: List[str], meta: Dict[str, Any],
           title: str, subtitle: str, problems: List[str]) -> Traced:
    """Parse what the wrapper printed, write trace.txt, trace.json,
    timeline.svg and summary.txt."""
    with open(os.path.join(run_dir, 'trace.txt'), 'w',
              encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    cap = tracefmt.parse_capture(lines)
    if cap.error:
        problems.append(f'the trace script: {cap.error}')
    elif not cap.complete:
        problems.append('the trace script did not finish: no trace')
    model, text = render(cap, meta, title, subtitle, run_dir)
    if cap.output:
        text += '\nthe program\'s output:\n' + ''.join(
            f'  {line}\n' for line in cap.output)
    text += ''.join(f'\n{p}' for p in problems) + ('\n' if problems
                                                   else '')
    with open(os.path.join(run_dir, 'summary.txt'), 'w',
              encoding='utf-8') as f:
        f.write(text)
    return Traced(run_dir, cap, model, text, problems)


def render(cap: tracefmt.Capture, meta: Dict[str, Any], title: str,
           subtitle: str, out_dir: Optional[str] = None
           ) -> Tuple[tracemodel.Model, str]:
    """The model and the summary text of a capture; with out_dir, write
    trace.json and timeline.svg there."""
    model = tracemodel.from_capture(cap)
    text = tracemodel.summary(model, cap, f'{title}\n{subtitle}')
    if out_dir:
        with open(os.path.join(out_dir, 'trace.json'), 'w',
                  encoding='utf-8') as f:
            json.dump(tracemodel.to_json(model, cap, meta), f, indent=1)
            f.write('\n')
        with open(os.path.join(out_dir, 'timeline.svg'), 'w',
                  encoding='utf-8') as f:
            f.write(timeline.render(model, title, subtitle))
    return model, text
