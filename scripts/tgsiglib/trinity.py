# SPDX-License-Identifier: GPL-2.0
"""Trinity, the system call fuzzer, in the guest: the syscalls it is
pointed at, its plan entries, the files a dynamic binary needs in the
initramfs, and what it printed (its totals, its progress, the last
syscalls each child logged).

guest/fuzz.sh runs one seed; it marks what it does with `tgsig-fuzz:`
lines among trinity's own output on ttyS1."""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
from typing import Dict, List, Optional, Sequence

from .errors import TgsigError
from .plan import Entry, Plan
from .sigfuzz import DEFAULT_WORKERS

TRINITY = '/usr/bin/trinity'
GUEST_DIR = '/tgsig/fuzz'

# The syscalls that reach the series (kill_something_info(),
# complete_signal(), the PID namespace zap) and their neighbours: sending,
# queueing, blocking, waiting, and the process and namespace life cycle
# around them. Trinity marks some of them AVOID (it never calls them,
# even when named; the summary says which): kill, tkill, tgkill,
# rt_sigqueueinfo, rt_sigsuspend, clone, clone3, fork, exit_group, ptrace.
DEFAULT_SYSCALLS = (
    'kill', 'tgkill', 'tkill', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo',
    'pidfd_send_signal', 'pidfd_open', 'rt_sigaction', 'rt_sigprocmask',
    'rt_sigtimedwait', 'rt_sigsuspend', 'rt_sigpending', 'sigaltstack',
    'signalfd4', 'clone', 'clone3', 'fork', 'unshare', 'setns',
    'exit_group', 'wait4', 'waitid', 'execve', 'prctl', 'ptrace',
    'setpgid', 'setsid')
DEFAULT_CHILDREN = 4
# After its time is up trinity gets SIGINT, then SIGKILL 60 s later, and
# sigfuzz another 60 s to end (guest/fuzz.sh); the guest's own timeout
# for the plan entry is beyond them, and the host's beyond that
# (qemu.GRACE).
STOP_GRACE = 180

_NAME = re.compile(r'^[a-z0-9_]+$')


def parse_syscalls(text: str) -> List[str]:
    """--syscalls LIST: names, comma-separated."""
    names = [n.strip() for n in text.split(',') if n.strip()]
    if not names:
        raise TgsigError(f'--syscalls {text!r}: no syscall named',
                         'give names separated by commas, e.g. '
                         '--syscalls kill,tgkill,rt_sigqueueinfo')
    bad = [n for n in names if not _NAME.match(n)]
    if bad:
        raise TgsigError(f'--syscalls: {", ".join(bad)} is not a syscall '
                         'name', 'names are as `trinity -L` lists them, '
                         'e.g. rt_sigqueueinfo')
    return names


def parse_seeds(text: str) -> List[int]:
    """--seed S[,S...]: whole numbers that trinity's -s takes."""
    seeds = []
    for part in text.split(','):
        part = part.strip()
        if not part.isdigit() or int(part) >= 2 ** 32:
            raise TgsigError(f'--seed {text!r}: {part!r} is not a seed',
                             'seeds are whole numbers from 0 to 4294967295,'
                             ' separated by commas, e.g. --seed 1,2,3')
        seeds.append(int(part))
    return seeds


def check_known(names: Sequence[str], listing: str) -> None:
    """Every name is a 64-bit syscall of `trinity -L`'s listing."""
    known = set(re.findall(r'entrypoint \d+ (\S+) : \[64-bit\]', listing))
    if not known:
        raise TgsigError('`trinity -L` listed no 64-bit syscall',
                         'is trinity 1.9 installed? apt-get install trinity')
    unknown = [n for n in names if n not in known]
    if unknown:
        raise TgsigError(f'trinity knows no 64-bit syscall '
                         f'{", ".join(unknown)}',
                         'see `trinity -L` for the names it knows')


def avoided(listing: str, names: Sequence[str]) -> List[str]:
    """The names that trinity's table marks AVOID: it deactivates them at
    the first pick, so they are never called."""
    marked = set(re.findall(r'entrypoint \d+ (\S+) : \[64-bit\] \w+ AVOID',
                            listing))
    return [n for n in names if n in marked]


def entry_name(seed: int) -> str:
    return f'fuzz:seed-{seed}'


def plan(seeds: Sequence[int], seconds: int, children: int,
         syscalls: Sequence[str], workers: int = 0) -> Plan:
    """One plan entry per seed, one after the other in one boot: a splat
    is tied to the seed running when it came by the guest's markers.
    workers: sigfuzz's, beside trinity (0: trinity alone)."""
    return [Entry(entry_name(s), seconds + STOP_GRACE, GUEST_DIR,
                  f'./fuzz.sh {s} {seconds} {children} {",".join(syscalls)}'
                  f' {workers}')
            for s in seeds]


def needed_libs(ldd_output: str) -> List[str]:
    """The files the dynamic loader maps for a binary, from `ldd`: the
    loader itself and each library found (vdso has no file)."""
    out = []
    for line in ldd_output.splitlines():
        line = line.strip()
        m = re.match(r'\S+ => (/\S+) \(0x', line) or \
            re.match(r'(/\S+) \(0x', line)
        if m:
            out.append(m.group(1))
        elif '=> not found' in line:
            raise TgsigError(f'trinity needs a library ldd cannot find: '
                             f'{line}', 'apt-get install --reinstall trinity')
    return out


def stage(dest: str, binary: str, libs: Sequence[str], script: str) -> None:
    """The guest's files for trinity under dest, as they are laid out in
    the guest: the binary, its loader and libraries at the paths the
    binary names (their contents, not host symlinks), and the script."""
    for path in [binary, *libs]:
        target = os.path.join(dest, path.lstrip('/'))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(path, target)
        os.chmod(target, 0o755)
    target = os.path.join(dest, GUEST_DIR.lstrip('/'), 'fuzz.sh')
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(script, target)
    os.chmod(target, 0o755)


# What trinity prints (1.9+git20230109) on its stdout, with -l DIR as
# well as into DIR/trinity-childN.log:
#   [child2:4] [1111] pidfd_open(pid=5, flags=0x0) = 349
#   [main] Ran 3858 syscalls. Successes: 261  Failures: 3599
# and with --stats, per syscall:
#   unshare: (attempted:227. success:163. failures:64.
#       Operation not permitted: 38
_SYSCALL = re.compile(r'\[child\d+:\d+\] \[\d+\] \w+\(')
_RAN = re.compile(r'Ran (\d+) syscalls\. Successes: (\d+)\s+Failures: (\d+)')
_STATS = re.compile(r'^(\w+): \(attempted:(\d+)\. success:(\d+)\. '
                    r'failures:(\d+)\.')
_MARK = re.compile(r'tgsig-fuzz:(\w+) ?(.*)$')
_KV = re.compile(r'(\w+)=(\S+)')
_LOG_LINES = 5
POST_MORTEM = 'post-mortem'


@dataclasses.dataclass
class SeedRun:
    """What one seed's trinity run printed."""
    seed: int
    syscalls: Optional[int] = None      # executed, from its totals line
    succeeded: Optional[int] = None
    failed: Optional[int] = None
    logged: int = 0                     # syscall lines its children logged
    started: bool = False
    stop: str = ''                      # time | exited | killed
    seconds: Optional[int] = None
    rc: Optional[int] = None
    # --stats: {syscall: [attempted, succeeded]}
    per_syscall: Dict[str, List[int]] = dataclasses.field(
        default_factory=dict)
    logs: Dict[str, List[str]] = dataclasses.field(default_factory=dict)
    tail: List[str] = dataclasses.field(default_factory=list)

    @property
    def executed(self) -> int:
        """Its own total, or, when it died before it printed one, the
        syscalls its children logged."""
        return self.syscalls if self.syscalls is not None else self.logged

    def last_syscalls(self, n: int = _LOG_LINES) -> List[str]:
        """The last lines each child logged, or the last syscall lines
        trinity printed when no log came out (the guest died first)."""
        out = []
        # Trinity writes the syscall each child was in when the kernel
        # became tainted into its post-mortem log: that one first.
        names = sorted(self.logs, key=lambda n: (POST_MORTEM not in n, n))
        for name in names:
            if not name.startswith('trinity-child') and POST_MORTEM not in \
                    name:
                continue
            lines = [x for x in self.logs[name] if _SYSCALL.search(x)]
            out += [f'{name}: {line}' for line in lines[-n:]]
        if out:
            return out
        return [x for x in self.tail if _SYSCALL.search(x)][-4 * n:]


def parse(text: str, seed: int) -> SeedRun:
    """One seed's output: the lines between the guest's begin and end
    markers for its plan entry (or to the end, when the guest died)."""
    run = SeedRun(seed)
    log: Optional[str] = None
    for raw in text.splitlines():
        line = raw.rstrip('\r')
        m = _MARK.search(line)
        if m:
            kind, kv = m.group(1), dict(_KV.findall(m.group(2)))
            if kind == 'start':
                run.started = True
            elif kind == 'stop':
                if run.stop != 'killed':
                    run.stop = kv.get('reason', '')
                run.seconds = int(kv['after']) if 'after' in kv else None
            elif kind == 'exit':
                run.rc = int(kv['rc']) if 'rc' in kv else None
            elif kind == 'log':
                log = m.group(2).strip()
                run.logs[log] = []
            continue
        if log is not None:
            run.logs[log].append(line)
            continue
        n = len(_SYSCALL.findall(line))
        run.logged += n
        if n:
            run.tail = (run.tail + [line])[-40:]
            continue
        m = _RAN.search(line)
        if m:
            run.syscalls, run.succeeded, run.failed = \
                (int(g) for g in m.groups())
            continue
        m = _STATS.match(line)
        if m:
            run.per_syscall[m.group(1)] = [int(m.group(2)),
                                           int(m.group(3))]
    return run


def logged_so_far(text: str) -> int:
    """The syscalls trinity's children have logged in this text."""
    return len(_SYSCALL.findall(text))


def replay_command(base: str, seed: int, minutes: int,
                   syscalls: Sequence[str], children: int,
                   workers: int = DEFAULT_WORKERS,
                   baseline: bool = False,
                   extra_patches: Sequence[str] = (),
                   kernel_dir: Optional[str] = None) -> str:
    """The one command that fuzzes the same kernel with the same seed,
    syscalls and children again: the kernel built again from the same
    sources (reused when nothing changed), or, with kernel_dir, that
    very bzImage."""
    cmd = ['scripts/tgsig', 'fuzz', '--base', base, '--seed', str(seed),
           '--minutes', str(minutes)]
    if kernel_dir:
        cmd += ['--kernel', kernel_dir]
        baseline, extra_patches = False, ()
    if list(syscalls) != list(DEFAULT_SYSCALLS):
        cmd += ['--syscalls', ','.join(syscalls)]
    if children != DEFAULT_CHILDREN:
        cmd += ['--children', str(children)]
    if workers != DEFAULT_WORKERS:
        cmd += ['--sigfuzz-workers', str(workers)]
    if baseline:
        cmd.append('--baseline')
    for p in extra_patches:
        cmd += ['--extra-patch', p]
    return ' '.join(cmd)
