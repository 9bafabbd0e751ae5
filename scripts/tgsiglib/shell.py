# SPDX-License-Identifier: GPL-2.0
"""Running commands: printed before they run, logged, skipped in a dry run.

Every external command the harness runs goes through Shell.run(), so that
`--dry-run` prints the complete list and a real run shows each one before
it starts.
"""
from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
import threading
import time
from typing import (Any, Dict, Iterator, Optional, Sequence, TextIO,
                    TypeVar)

from .errors import CommandFailed, TgsigError

# The exit code run() gives a command that ran past its timeout: what
# busybox timeout gives when it kills with SIGKILL, 128 + 9.
TIMEOUT_RC = 137


def quote(argv: Sequence[Any]) -> str:
    return ' '.join(shlex.quote(str(a)) for a in argv)


_P = TypeVar('_P', bound='Periodic')


class Periodic:
    """Calls tick() every @every seconds, on a thread of its own, while
    the with block runs: the progress lines of a long make or boot."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def tick(self) -> None:
        raise NotImplementedError

    def _loop(self) -> None:
        while not self.stop.wait(self.every):
            self.tick()

    def __enter__(self: _P) -> _P:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.thread.join()


class Progress:
    """Step lines with elapsed times, on stdout."""

    def __init__(self, stream: Optional[TextIO] = None) -> None:
        self.stream = stream or sys.stdout
        self.start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def say(self, text: str) -> None:
        print(f'[{self.elapsed():7.1f}s] {text}', file=self.stream, flush=True)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        t0 = time.monotonic()
        self.say(f'==> {name}')
        try:
            yield
        except BaseException:
            self.say(f'<== {name}: failed after {time.monotonic() - t0:.1f}s')
            raise
        self.say(f'<== {name}: done in {time.monotonic() - t0:.1f}s')


class Shell:
    """Runs commands for the harness.

    In a dry run, run() prints the command and returns a completed process
    with no output; callers must not depend on its output then.
    """

    def __init__(self, progress: Progress, dry_run: bool = False,
                 verbose: bool = True) -> None:
        self.progress = progress
        self.dry_run = dry_run
        self.verbose = verbose

    def show(self, argv: Sequence[Any], cwd: Optional[str] = None,
             log: Optional[str] = None) -> None:
        where = f'(cd {shlex.quote(str(cwd))} && ' if cwd else ''
        tail = ')' if cwd else ''
        into = f' >>{shlex.quote(str(log))} 2>&1' if log else ''
        if self.verbose or self.dry_run:
            print(f'  $ {where}{quote(argv)}{tail}{into}', flush=True)

    def run(self, argv: Sequence[Any], cwd: Optional[str] = None,
            log: Optional[str] = None, env: Optional[Dict[str, str]] = None,
            check: bool = True, capture: bool = False,
            input_text: Optional[str] = None, mutates: bool = True,
            timeout: Optional[float] = None,
            errors: Optional[str] = None
            ) -> subprocess.CompletedProcess[str]:
        """Run argv. With log, append its output to that file.

        mutates=False marks a read-only query that also runs in a dry run,
        so that the dry run can still decide what it would do.
        timeout: kill it after this many seconds; it then returns with
        exit code TIMEOUT_RC and the output captured until then.
        errors: how to decode output that is not UTF-8 ('replace').
        """
        argv = [str(a) for a in argv]
        self.show(argv, cwd, log)
        if self.dry_run and mutates:
            return subprocess.CompletedProcess(argv, 0, '', '')
        full_env = None
        if env:
            full_env = dict(os.environ)
            full_env.update(env)
        try:
            if log:
                with open(log, 'a', encoding='utf-8') as out:
                    out.write(f'$ {quote(argv)}\n')
                    out.flush()
                    proc = subprocess.run(argv, cwd=cwd, env=full_env,
                                          stdout=out, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, text=True)
            else:
                proc = subprocess.run(argv, cwd=cwd, env=full_env, text=True,
                                      input=input_text, errors=errors,
                                      stdin=None if input_text is not None
                                      else subprocess.DEVNULL,
                                      capture_output=capture,
                                      timeout=timeout)
        except subprocess.TimeoutExpired as exp:
            proc = subprocess.CompletedProcess(
                argv, TIMEOUT_RC, _text(exp.stdout), _text(exp.stderr))
        except FileNotFoundError:
            raise TgsigError(f'command not found: {argv[0]}',
                             'run scripts/tgsig as root once so that it can '
                             'install what it needs, or install it by hand')
        if check and proc.returncode != 0:
            detail = ''
            if capture:
                detail = (proc.stdout or '') + (proc.stderr or '')
                detail = '\n' + '\n'.join(detail.strip().splitlines()[-20:])
            elif log:
                detail = '\n' + tail_lines(log, 25)
            raise CommandFailed(f'`{quote(argv)}` failed with exit code '
                                f'{proc.returncode}{detail}', argv,
                                proc.returncode, log=log)
        return proc

    def output(self, argv: Sequence[Any], cwd: Optional[str] = None) -> str:
        """Output of a read-only query; runs in a dry run too."""
        proc = self.run(argv, cwd=cwd, capture=True, mutates=False,
                        check=True)
        return proc.stdout


def _text(data: Any) -> str:
    if isinstance(data, bytes):
        return data.decode('utf-8', 'replace')
    return data or ''


def tail_lines(path: str, n: int) -> str:
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            lines = f.read().splitlines()
    except OSError:
        return ''
    return '\n'.join('    ' + line for line in lines[-n:])
