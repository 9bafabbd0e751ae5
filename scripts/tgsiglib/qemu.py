# SPDX-License-Identifier: GPL-2.0
"""Boot the guest under QEMU and watch it: boot, per-test, whole-run and
silence timeouts, each of which ends QEMU, keeps the logs and names the
test that was running."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import time
from typing import TYPE_CHECKING, Callable, List, Optional, Sequence, Tuple

from .errors import BootFailed, TgsigError
from .shell import quote
from .stream import GuestStream, TestRun

if TYPE_CHECKING:
    from .shell import Progress

QEMU = 'qemu-system-x86_64'
POLL = 0.2
# Extra time the host allows over a test's own timeout: the guest kills a
# test itself, so the host only steps in when the guest cannot (a task
# stuck in the kernel, a wedged kernel).
GRACE = 30
# How long QEMU may take to exit after the guest said it is done.
AFTER_DONE = 10


@dataclasses.dataclass
class Limits:
    boot: int = 120
    silence: int = 90
    run: int = 3600


@dataclasses.dataclass
class BootResult:
    outcome: str            # done | boot timeout | test timeout | silence
    #                         timeout | run timeout | exited
    detail: str
    stream: GuestStream
    qemu_rc: Optional[int]      # None when replayed without boot.json
    seconds: Optional[float]
    running: str = ''       # the test running when it ended, if any

    @property
    def clean(self) -> bool:
        return self.outcome == 'done'


# When counting instructions the guest's clock starts at this date and
# advances with guest time, so that nothing in the guest depends on the
# host's.
ICOUNT_RTC = 'base=2000-01-01T00:00:00,clock=vm'


def argv(kernel: str, initrd: str, smp: int, accel: str,
         logs: Sequence[str], append: str = '', memory: str = '2G',
         icount: Optional[int] = None, seed: int = 1) -> List[str]:
    """The QEMU command line. logs: (console, output, heartbeat) files.
    icount: None, or N for TCG with `-icount shift=N,sleep=off`: guest
    time advances 2**N ns per instruction and skips idle time, the vCPUs
    run round robin in one host thread, the guest's random numbers
    (RDRAND and the like) come from @seed and its clock from ICOUNT_RTC:
    the same kernel booted with the same seed runs the same
    instructions."""
    console, output, heartbeat = logs
    cmdline = ('console=ttyS0,115200 panic=-1 printk.time=1 '
               'loglevel=7 rdinit=/init ' + append).strip()
    cmd = [QEMU, '-nodefaults', '-display', 'none', '-no-reboot',
           '-m', memory, '-smp', str(smp), '-kernel', kernel,
           '-initrd', initrd, '-append', cmdline,
           '-serial', f'file:{console}', '-serial', f'file:{output}',
           '-serial', f'file:{heartbeat}']
    if icount is not None:
        if accel == 'kvm':
            raise TgsigError('-icount counts instructions under TCG only')
        cmd += ['-accel', 'tcg,thread=single', '-cpu', 'max',
                '-icount', f'shift={icount},sleep=off',
                '-seed', str(seed), '-rtc', ICOUNT_RTC]
    elif accel == 'kvm':
        cmd += ['-accel', 'kvm', '-cpu', 'host']
    else:
        cmd += ['-accel', 'tcg,thread=multi', '-cpu', 'max']
    return cmd


class _Tail:
    """New bytes of a file that another process appends to."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.offset = 0

    def read(self) -> str:
        try:
            with open(self.path, 'rb') as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return ''
        self.offset += len(data)
        return data.decode('utf-8', errors='replace')


def boot(cmd: Sequence[str], logs: Sequence[str], limits: Limits,
         progress: Optional['Progress'] = None,
         on_test: Optional[Callable[[str, TestRun], None]] = None
         ) -> BootResult:
    """Run QEMU to the end, or until a limit is hit. Never raises for what
    the guest does: the outcome says it."""
    for path in logs:
        open(path, 'wb').close()
    qemu_log = os.path.join(os.path.dirname(logs[0]), 'qemu.log')
    stream = GuestStream()
    tails = [_Tail(p) for p in logs]
    start = time.monotonic()
    last_activity = start
    with open(qemu_log, 'wb') as qlog:
        qlog.write(f'$ {quote(cmd)}\n'.encode())
        qlog.flush()
        try:
            proc = subprocess.Popen(cmd, stdout=qlog,
                                    stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)
        except OSError as err:
            raise BootFailed(f'{cmd[0]}: {err}',
                             'apt-get install qemu-system-x86 (scripts/tgsig '
                             'run does it when run as root)')
    seen_tests = begun = 0
    done_at = None
    outcome, detail = None, ''
    while True:
        now = time.monotonic()
        exited = proc.poll() is not None
        got = [t.read() for t in tails]
        if any(got):
            last_activity = now
        if got[1]:
            stream.feed(got[1], now)
        if exited:
            stream.close(now)
        while on_test and seen_tests < len(stream.tests):
            test = stream.tests[seen_tests]
            if begun <= seen_tests:
                on_test('begin', test)
                begun = seen_tests + 1
            if not test.finished:
                break
            on_test('end', test)
            seen_tests += 1
        if exited:
            outcome = 'done' if stream.done else 'exited'
            if not stream.done:
                detail = ('QEMU exited before the guest finished '
                          '(a panic or a reboot?)')
            break
        running = stream.current
        if stream.done:
            done_at = done_at or now
            if now - done_at > AFTER_DONE:
                # The guest finished but did not power off: not its tests'
                # fault, and nothing more will come.
                outcome = 'done'
        elif stream.booted is None and now - start > limits.boot:
            outcome = 'boot timeout'
            detail = f'no sign of init after {limits.boot}s'
        elif running and now - running.started > running.timeout + GRACE:
            outcome = 'test timeout'
            detail = (f'{running.name} ran past its {running.timeout}s '
                      f'timeout and the guest did not end it')
        elif stream.booted is not None and \
                now - last_activity > limits.silence:
            # Before init speaks, the boot limit rules: a slow start is
            # no stuck kernel.
            outcome = 'silence timeout'
            detail = (f'no output on any serial port for {limits.silence}s '
                      '(not even the heartbeat): the kernel is stuck')
        elif now - start > limits.run:
            outcome = 'run timeout'
            detail = f'the whole run passed its {limits.run}s limit'
        if outcome:
            _stop(proc)
            # What came before QEMU stopped belongs to the record, as it
            # does to the logs that `tgsig report` reads again.
            last = [t.read() for t in tails]
            if last[1]:
                stream.feed(last[1], time.monotonic())
            stream.close(time.monotonic())
            break
        time.sleep(POLL)
    if outcome != 'done' and progress:
        progress.say(f'guest: {outcome}: {detail}')
    return BootResult(outcome, detail, stream, proc.returncode,
                      time.monotonic() - start,
                      stream.current.name if stream.current else '')


def _stop(proc: 'subprocess.Popen[bytes]') -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _boot_id() -> str:
    try:
        with open('/proc/sys/kernel/random/boot_id', encoding='ascii') as f:
            return f.read().strip()
    except OSError:
        return ''


def kvm_usable(kernel: str, initrd: str, workdir: str, progress: 'Progress',
               timeout: int = 15) -> Tuple[bool, str]:
    """Whether a KVM boot reaches init within seconds. Nested KVM can hang
    at boot, so the answer comes from a real boot, not from /dev/kvm alone.
    The answer is kept for this host boot."""
    if not os.access('/dev/kvm', os.R_OK | os.W_OK):
        return False, '/dev/kvm is missing or not accessible'
    cache = os.path.join(workdir, 'kvm-probe.json')
    try:
        with open(cache, encoding='utf-8') as f:
            saved = json.load(f)
        if saved.get('boot_id') == _boot_id():
            return saved['usable'], saved['why'] + ' (cached for this boot)'
    except (OSError, ValueError, KeyError):
        pass
    probe_dir = os.path.join(workdir, 'kvm-probe')
    os.makedirs(probe_dir, exist_ok=True)
    logs = tuple(os.path.join(probe_dir, n) for n in
                 ('console.log', 'output.log', 'heartbeat.log'))
    cmd = argv(kernel, initrd, 1, 'kvm', logs, 'tgsig.probe', '256M')
    progress.say(f'probing KVM with a {timeout}s boot: {quote(cmd)}')
    limits = Limits(boot=timeout, silence=timeout, run=timeout)
    result = boot(cmd, logs, limits)
    usable = result.stream.booted is not None
    why = (f'a probe boot reached init in {result.seconds or 0:.1f}s'
           if usable
           else f'a probe boot did not reach init: {result.outcome}')
    with open(cache, 'w', encoding='utf-8') as f:
        json.dump({'boot_id': _boot_id(), 'usable': usable, 'why': why}, f)
    return usable, why


def require() -> None:
    from shutil import which
    if not which(QEMU):
        raise TgsigError(f'{QEMU} is not installed',
                         'apt-get install qemu-system-x86 (scripts/tgsig '
                         'run does it when run as root)')
