# SPDX-License-Identifier: GPL-2.0
"""One guest session: boot the kernel under QEMU with an initramfs,
stream what the guest says (the test markers on ttyS1), and when it ends
scan the console for splats and collect one results tree.

A session leaves in its run directory what `tgsig report` needs to
collect the same results again without booting: console.log, output.log
and boot.json (how the boot ended, as the host saw it)."""
from __future__ import annotations

import dataclasses
import json
import os
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from . import qemu, results, splat
from .ktap import Test
from .shell import Progress, Shell
from .splat import Splat
from .stream import GuestStream, TestRun

LOGS = ('console.log', 'output.log', 'heartbeat.log')
BOOT_FACTS = 'boot.json'

OnTest = Callable[[str, TestRun], None]


def log_paths(run_dir: str) -> Tuple[str, str, str]:
    console, output, heartbeat = (os.path.join(run_dir, n) for n in LOGS)
    return console, output, heartbeat


def command(bzimage: str, initrd: str, smp: int, accel: str, run_dir: str,
            memory: str = '2G', append: str = '',
            icount: Optional[int] = None, seed: int = 1) -> List[str]:
    """The QEMU command line of a session whose logs go to run_dir."""
    return qemu.argv(bzimage, initrd, smp, accel, log_paths(run_dir),
                     append=append, memory=memory, icount=icount,
                     seed=seed)


def boot(shell: Shell, cmd: List[str], run_dir: str, limits: qemu.Limits,
         progress: Progress, on_test: Optional[OnTest] = None
         ) -> Optional[qemu.BootResult]:
    """Boot and watch the guest to its end; None in a dry run (which
    prints the command). Saves boot.json."""
    shell.show(cmd)
    if shell.dry_run:
        return None
    result = qemu.boot(cmd, log_paths(run_dir), limits, progress,
                       on_test=on_test)
    save_boot_facts(run_dir, result)
    return result


def save_boot_facts(run_dir: str, result: qemu.BootResult) -> None:
    with open(os.path.join(run_dir, BOOT_FACTS), 'w',
              encoding='utf-8') as f:
        json.dump({'outcome': result.outcome, 'detail': result.detail,
                   'running': result.running, 'qemu_rc': result.qemu_rc,
                   'seconds': result.seconds}, f, indent=1)
        f.write('\n')


def replay(run_dir: str) -> qemu.BootResult:
    """The boot again from its saved logs: the guest's stream from
    output.log, and how it ended from boot.json (or, when the harness
    stopped before it wrote that, from the stream alone)."""
    stream = GuestStream()
    try:
        with open(log_paths(run_dir)[1], encoding='utf-8',
                  errors='replace') as f:
            stream.feed(f.read())
    except FileNotFoundError:
        pass
    stream.close()
    try:
        with open(os.path.join(run_dir, BOOT_FACTS), encoding='utf-8') as f:
            facts = json.load(f)
    except (OSError, ValueError):
        facts = {'outcome': 'done' if stream.done else 'interrupted',
                 'detail': '' if stream.done else
                 f'no {BOOT_FACTS}: the harness stopped during the boot',
                 'running': stream.current.name if stream.current else '',
                 'qemu_rc': None, 'seconds': None}
    return qemu.BootResult(facts['outcome'], facts['detail'], stream,
                           facts['qemu_rc'], facts['seconds'],
                           facts['running'])


def read_console(run_dir: str) -> List[str]:
    try:
        with open(log_paths(run_dir)[0], encoding='utf-8',
                  errors='replace') as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


@dataclasses.dataclass
class Collected:
    results: Test
    splats: List[Splat]


def collect(run_dir: str, planned: Sequence[str], result: qemu.BootResult,
            known: Optional[Dict[str, str]] = None,
            skipped: Optional[Dict[str, str]] = None,
            kernel_checks: bool = True) -> Collected:
    """The results tree of a session: each planned program, KUnit's
    results from the console, and the kernel's own checks."""
    console = read_console(run_dir)
    splats = splat.scan(console) if kernel_checks else []
    root = results.build_tree(list(planned), result, splats,
                              results.kunit_section(console), known,
                              skipped, kernel_checks=kernel_checks)
    return Collected(root, splats)


def test_progress(progress: Progress,
                  known: Optional[Dict[str, str]] = None) -> OnTest:
    """A line when each test begins, and one with its result."""
    def on_test(event: str, test: TestRun) -> None:
        if event == 'begin':
            progress.say(f'test {test.name} (timeout {test.timeout}s)')
            return
        prog = results.program(test)
        results.apply_known_failures(prog, known or {})
        c = prog.counts()
        progress.say(f'     {test.name}: {prog.status.value} '
                     f'(rc {test.rc}; {c["pass"]} passed, '
                     f'{c["fail"] + c["error"] + c["timeout"]} failed, '
                     f'{c["skip"]} skipped) in {test.seconds or 0:.1f}s')
    return on_test
