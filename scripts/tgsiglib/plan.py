# SPDX-License-Identifier: GPL-2.0
"""The test plan: which programs the guest runs, each with its timeout,
its directory and its command, as guest/init reads them from /tgsig/plan
(one tab-separated line each)."""
from __future__ import annotations

import fnmatch
import os
import shutil
from typing import Dict, List, NamedTuple, Optional, Tuple

from .errors import TgsigError
from .options import Options

DEFAULT_TEST_TIMEOUT = 45      # kselftest's own default
# kselftest timeouts assume hardware; TCG runs the same code several times
# slower (pidfd_test's pid recycling alone passes 45s under TCG).
TCG_TIMEOUT_SCALE = 4
# The debug config (KASAN, lockdep, ...) makes the same code slower again:
# pidfd_poll_test's 10,000 polls took 64 s under TCG, and more than 180 s
# with the debug config.
DEBUG_TIMEOUT_SCALE = 2


class Entry(NamedTuple):
    """One program to run: a tuple, so that (name, timeout, where,
    command) unpacks it."""
    name: str
    timeout: int
    where: str
    command: str


Plan = List[Entry]


def read_settings_timeout(path: str,
                          default: Optional[int]) -> Optional[int]:
    try:
        with open(path, encoding='utf-8') as f:
            for line in f:
                if line.strip().startswith('timeout='):
                    value = int(line.split('=', 1)[1])
                    return value if value > 0 else None
    except (OSError, ValueError):
        pass
    return default


def make_plan(kselftest_dir: str, opts: Options, scale: int = 1,
              skip: Optional[Dict[str, str]] = None
              ) -> Tuple[Plan, Dict[str, str]]:
    """(name, timeout, guest dir, command) for each test to run, and
    {name: why} for those not run (skip: tests not to run, with why).
    Timeouts from kselftest settings are multiplied by scale (emulation is
    slower than the hardware they were written for); --test-timeout is
    not."""
    plan: Plan = []
    skipped: Dict[str, str] = {}
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
                plan.append(Entry(line, timeout,
                                  f'/tgsig/kselftest/{collection}',
                                  f'./{test}'))
    for path in opts.exec_files:
        name = os.path.basename(path)
        plan.append(Entry(f'exec:{name}', default, '/tgsig/exec',
                          f'./{name}'))
    return plan, skipped


def plan_text(plan: Plan) -> str:
    return ''.join(f'{n}\t{t}\t{d}\t{c}\n' for n, t, d, c in plan)


def parse_plan_text(text: str) -> Plan:
    """The plan again from plan_text()'s lines."""
    out = []
    for line in text.splitlines():
        if line.strip():
            name, timeout, where, command = line.split('\t', 3)
            out.append(Entry(name, int(timeout), where, command))
    return out


def exec_dir(opts: Options, run_dir: str) -> str:
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
