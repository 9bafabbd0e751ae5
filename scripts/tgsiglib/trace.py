# SPDX-License-Identifier: GPL-2.0
"""`tgsig trace PROGRAM [ARGS...]`: run one static program under signal
tracing on the patched kernel (or, with --host, on this machine's) and
show which thread took each signal, and why: trace.json, timeline.svg and
summary.txt in the run directory, and the summary on the terminal
(tracerun.py does the work)."""
from __future__ import annotations

from typing import List, Optional

from .options import Options
from .shell import Progress, Shell
from .tracerun import trace


def trace_command(opts: Options, program: str, args: List[str],
                  shell: Shell, progress: Progress, host: bool = False,
                  kernel_dir: Optional[str] = None) -> int:
    """Returns the exit code: 0 when the trace was taken, whatever the
    program's own exit status (a fatal signal may be the point); 1 when
    it could not be, or the kernel splatted."""
    traced = trace(opts, program, args, shell, progress, host=host,
                   kernel_dir=kernel_dir)
    if traced is None:
        print('\ntgsig trace: a dry run; the commands above were printed, '
              'none was run')
        return 0
    print(traced.summary, end='')
    print(f'\ntrace.json, timeline.svg, summary.txt: {traced.run_dir}')
    return 1 if traced.problems else 0
