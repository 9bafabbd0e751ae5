# SPDX-License-Identifier: GPL-2.0
"""One kernel test run, from a bare machine to its record: the base tree,
the variant's kernel built or reused, the accelerator, the plan, the
initramfs, one guest session, and the run record saved as results.json.

`run`, `check`, `e2e` and `mutants` all run kernels through execute().
Before the boot it saves facts.json (the plan and what was known before
the boot: base, variant, kernel, accelerator...), so that `tgsig report`
can collect the results again from the saved logs."""
from __future__ import annotations

import dataclasses
import json
import os
import shutil
from typing import Dict, Optional, Tuple

from . import qemu, report, session
from .accel import choose_accel
from .errors import TgsigError
from .initramfs import pack_guest
from .kernel import prepare_base, prepare_kernel
from .ktap import Test
from .options import Options
from .paths import work_dir
from .plan import DEBUG_TIMEOUT_SCALE, TCG_TIMEOUT_SCALE, Entry, Plan, \
    exec_dir, make_plan
from .record import RunRecord
from .rundirs import dry_run_dir, new_run_dir
from .selftests import known_failures, slow_under_tcg
from .shell import Progress, Shell

FACTS = 'facts.json'


def run_name(opts: Options) -> str:
    return f'{opts.base}-{opts.variant}' + ('-debug' if opts.debug else '')


def execute(opts: Options, shell: Shell, progress: Progress,
            summary: bool = True) -> Optional[RunRecord]:
    """Build (or reuse), boot and test one kernel. Returns its record,
    saved in its run directory; None in a dry run."""
    work = work_dir(opts)
    variant = opts.variant
    run_dir = new_run_dir(work, run_name(opts)) if not shell.dry_run else \
        dry_run_dir(work)
    build_log = os.path.join(run_dir, 'build.log')
    progress.say(f'tgsig run: {variant} kernel on the {opts.base} base'
                 f'{" with kconfig/debug.config" if opts.debug else ""}; '
                 f'run directory {run_dir}')

    ws, base, label = prepare_base(opts, shell, progress)
    kernel = prepare_kernel(opts, shell, progress, ws, base, label, variant,
                            build_log)
    arts = kernel.arts

    known = known_failures(opts.base)
    accel = choose_accel(opts, arts.bzimage, work, progress,
                         dry_run=shell.dry_run)
    scale = opts.timeout_scale or (
        (TCG_TIMEOUT_SCALE if accel == 'tcg' else 1) *
        (DEBUG_TIMEOUT_SCALE if opts.debug else 1))
    with progress.step('pack initramfs'):
        plan, skipped = make_plan(arts.kselftest, opts, scale,
                                  slow_under_tcg() if accel == 'tcg'
                                  else None)
        skipped = {n: f'too slow under TCG: {why}'
                   for n, why in skipped.items()}
        # A bisect step before the patch that adds the collection runs
        # KUnit alone.
        if not plan and not skipped and not shell.dry_run and \
                opts.series_upto is None:
            raise TgsigError(f'nothing to run: --filter {opts.filter!r} '
                             'matches no test',
                             'names look like collection:test, e.g. '
                             'signal:action_table')
        initrd = os.path.join(run_dir, 'initramfs.cpio')
        trees = [('tgsig/kselftest', arts.kselftest)]
        if opts.exec_files and shell.dry_run:
            shell.show(['cp', *opts.exec_files, os.path.join(run_dir,
                                                             'exec')])
        elif opts.exec_files:
            trees.append(('tgsig/exec', exec_dir(opts, run_dir)))
        if not shell.dry_run:
            shutil.copy2(arts.config, os.path.join(run_dir, 'config'))
        pack_guest(shell, initrd, plan, trees)
        progress.say(f'{len(plan)} tests planned; kselftest timeouts '
                     f'x{scale} under {accel.upper()}')

    cmd = session.command(arts.bzimage, initrd, opts.smp, accel, run_dir,
                          memory=opts.memory)
    facts = RunRecord(
        results=Test(name='tgsig'), variant=variant, debug=opts.debug,
        base=opts.base, tree=kernel.label, head=kernel.head,
        patches=[os.path.basename(p) for p in kernel.patches]
        if variant == 'patched' else [],
        accel=accel, smp=opts.smp, qemu=cmd, run_dir=run_dir)
    if not shell.dry_run:
        save_facts(run_dir, facts, plan, skipped, known)
    with progress.step(f'boot and test ({accel.upper()}, -smp {opts.smp})'):
        boot = session.boot(shell, cmd, run_dir, opts.limits, progress,
                            on_test=session.test_progress(progress, known))
    if boot is None:
        return None
    got = session.collect(run_dir, [p.name for p in plan], boot, known,
                          skipped)
    record = with_boot(facts, got, boot)
    report.write_record(run_dir, record)
    if summary:
        print(report.summary(record))
    return record


def run(opts: Options, shell: Shell, progress: Progress
        ) -> Tuple[int, Optional[Test], str]:
    """execute() in the form mutants.py's runner takes: (exit code, the
    results tree or None in a dry run, the run directory)."""
    record = execute(opts, shell, progress)
    if record is None:
        return 0, None, dry_run_dir(work_dir(opts))
    return (1 if record.failed else 0), record.results, record.run_dir


def with_boot(facts: RunRecord, got: session.Collected,
              boot: qemu.BootResult) -> RunRecord:
    """The record: the facts known before the boot, and what it gave."""
    return dataclasses.replace(
        facts, results=got.results, guest=boot.stream.booted,
        outcome=boot.outcome, detail=boot.detail,
        running_at_end=boot.running, boot_seconds=boot.seconds,
        taint=boot.stream.taint, splats=got.splats)


def save_facts(run_dir: str, facts: RunRecord, plan: Plan,
               skipped: Dict[str, str], known: Dict[str, str],
               kernel_checks: bool = True) -> None:
    data = facts.to_json()
    for key in ('totals', 'passed', 'results'):
        data.pop(key)
    with open(os.path.join(run_dir, FACTS), 'w', encoding='utf-8') as f:
        json.dump({'record': data, 'plan': [list(p) for p in plan],
                   'skipped': skipped, 'known': known,
                   'kernel_checks': kernel_checks}, f, indent=1)
        f.write('\n')


def rebuild(run_dir: str) -> RunRecord:
    """The record of a run again, from its saved logs and facts.json,
    without booting: what `tgsig report` does."""
    path = os.path.join(run_dir, FACTS)
    try:
        with open(path, encoding='utf-8') as f:
            saved = json.load(f)
    except (OSError, ValueError) as err:
        raise TgsigError(f'{path}: {err}',
                         'report reads a run directory of `tgsig run` '
                         'that saved its facts (this version or later)')
    facts = RunRecord.from_json(dict(saved['record'],
                                     results={'name': 'tgsig'}))
    plan = [Entry(*p) for p in saved['plan']]
    boot = session.replay(run_dir)
    got = session.collect(run_dir, [p.name for p in plan], boot,
                          saved.get('known') or {},
                          saved.get('skipped') or {},
                          kernel_checks=saved.get('kernel_checks', True))
    if facts.variant == 'host':
        return dataclasses.replace(facts, results=got.results)
    return with_boot(facts, got, boot)
