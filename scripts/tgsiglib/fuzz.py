# SPDX-License-Identifier: GPL-2.0
"""`tgsig fuzz`: trinity and sigfuzz on the debug kernel, as the command
line asks (fuzzrun.py makes the run).

The kernel is the one `run --debug` builds (kconfig/debug.config:
lockdep, KASAN, UBSAN, hung-task and soft-lockup panics), patched or,
with --baseline, not."""
from __future__ import annotations

import argparse
import os

from . import sigfuzz, trinity
from .errors import TgsigError
from .fuzzrun import FuzzArgs, fuzz
from .options import Options
from .shell import Progress, Shell


def fuzz_args(args: argparse.Namespace) -> FuzzArgs:
    """FuzzArgs of the command line; bad input is a TgsigError that says
    what to give instead."""
    syscalls = trinity.parse_syscalls(args.syscalls) if args.syscalls \
        else list(trinity.DEFAULT_SYSCALLS)
    kernel = os.path.abspath(args.kernel) if args.kernel else None
    workers = args.sigfuzz_workers
    if not 0 <= workers <= sigfuzz.MAX_WORKERS:
        raise TgsigError(f'--sigfuzz-workers {workers}: sigfuzz takes 0 to '
                         f'{sigfuzz.MAX_WORKERS} workers',
                         'give 0 to run trinity alone, or a number up to '
                         f'{sigfuzz.MAX_WORKERS}')
    return FuzzArgs(minutes=args.minutes, seeds=trinity.parse_seeds(
        args.seed), syscalls=syscalls, children=args.children,
        workers=workers, kernel_dir=kernel)


def fuzz_command(opts: Options, args: FuzzArgs, shell: Shell,
                 progress: Progress, command: str) -> int:
    """`tgsig fuzz`; returns the exit code."""
    opts.debug = True
    return 1 if fuzz(opts, args, shell, progress, command).failed else 0
