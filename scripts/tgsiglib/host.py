# SPDX-License-Identifier: GPL-2.0
"""`tgsig host`: tgsig's selftests on the machine's own kernel, no QEMU.

The quick loop while writing a test: build against the kernel tree's
kselftest headers and the host's uapi headers, run each program with its
timeout, and report in the same form as `tgsig run`. The machine's kernel
is not the pinned one: what differs is for the report to say, and the
run's header names the kernel it ran on.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import platform
import time
from typing import ContextManager

from . import qemu, report, results, session
from .kernel import prepare_base
from .ktap import Test
from .lock import tree_lock
from .options import Options
from .paths import work_dir
from .plan import DEFAULT_TEST_TIMEOUT, Plan, make_plan
from .record import RunRecord
from .rundirs import dry_run_dir, new_run_dir
from .selftests import known_failures, our_selftests, overlay_selftests
from .shell import Progress, Shell
from .shell import TIMEOUT_RC
from .stream import GuestStream
from .testrun import save_facts


def run_local(plan: Plan, install: str, out_log: str,
              progress: Progress, shell: Shell) -> GuestStream:
    """Run each plan entry here, writing the same protocol the guest
    writes, so that the same parser reads it."""
    stream = GuestStream()
    with open(out_log, 'w', encoding='utf-8') as log:
        for name, timeout, _, cmd in plan:
            collection = name.split(':', 1)[0]
            cwd = os.path.join(install, collection)
            progress.say(f'test {name} (timeout {timeout}s)')
            begin = f'tgsig:begin {name} timeout={timeout}\n'
            stream.feed(begin, time.monotonic())
            log.write(begin)
            t0 = time.monotonic()
            proc = shell.run([cmd], cwd=cwd, capture=True, check=False,
                             timeout=timeout, errors='replace')
            rc, text = proc.returncode, proc.stdout + proc.stderr
            if rc < 0:
                rc = 128 - rc
            cs = int((time.monotonic() - t0) * 100)
            if rc == TIMEOUT_RC and cs < timeout * 100:
                cs = timeout * 100 - 1
            end = f'tgsig:end {name} rc={rc} cs={cs}\n'
            chunk = text + ('' if text.endswith('\n') or not text else '\n')
            stream.feed(chunk + end, time.monotonic())
            log.write(chunk + end)
            test = results.program(stream.tests[-1])
            progress.say(f'     {name}: {test.status.value} in '
                         f'{cs / 100:.1f}s')
    stream.close()
    return stream


def host(opts: Options, shell: Shell, progress: Progress) -> int:
    work = work_dir(opts)
    ws, _, _ = prepare_base(opts, shell, progress)
    run_dir = new_run_dir(work, 'host') if not shell.dry_run else \
        dry_run_dir(work, '-host')
    build_log = os.path.join(run_dir, 'build.log')
    targets = list(our_selftests())
    install = os.path.join(work, 'host', 'kselftest')
    with progress.step('build selftests for this machine: '
                       + ' '.join(targets)), \
            _tree_lock(shell, work, progress):
        ws.checkout('tgsig-base')
        overlay_selftests(ws.repo, shell)
        shell.run(['make', '-C',
                   os.path.join(ws.repo, 'tools/testing/selftests'),
                   f'O={os.path.join(work, "host", "build")}',
                   f'-j{opts.jobs}', 'TARGETS=' + ' '.join(targets),
                   'FORCE_TARGETS=1', f'KSFT_INSTALL_PATH={install}',
                   'install'], log=build_log)
    if shell.dry_run:
        print('\ntgsig host: a dry run; the commands above were printed, '
              'none was run, and no test')
        return 0
    plan, _ = make_plan(install, opts)
    kernel = platform.release()
    known = known_failures(opts.base)
    facts = RunRecord(results=Test('tgsig'), variant='host',
                      tree=f'this machine, Linux {kernel}', run_dir=run_dir,
                      extra={'kernel': kernel,
                             'default_timeout': DEFAULT_TEST_TIMEOUT})
    # What `tgsig report` needs to collect the results again.
    save_facts(run_dir, facts, plan, {}, known, kernel_checks=False)
    t0 = time.monotonic()
    with progress.step(f'run on this machine (Linux {kernel})'):
        stream = run_local(plan, install,
                           os.path.join(run_dir, 'output.log'), progress,
                           shell)
    boot = qemu.BootResult('done', '', stream, 0, time.monotonic() - t0)
    session.save_boot_facts(run_dir, boot)
    got = session.collect(run_dir, [p.name for p in plan], boot, known,
                          kernel_checks=False)
    root = got.results
    record = dataclasses.replace(facts, results=root)
    report.write_record(run_dir, record)
    print(f'\ntgsig host: the selftests on this machine\'s kernel, Linux '
          f'{kernel} (not a pinned base)')
    print(report.table(root))
    fails = report.failures(root)
    if fails:
        print('\nfailures:\n' + fails)
    print(f'\nrun directory: {run_dir}')
    print(report.totals_line(root.counts()))
    return 1 if root.status.failed else 0


def _tree_lock(shell: Shell, work: str,
               progress: Progress) -> ContextManager[None]:
    if shell.dry_run:
        return contextlib.nullcontext()
    return tree_lock(work, progress, 'host selftests')
