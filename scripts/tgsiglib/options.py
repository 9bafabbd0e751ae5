# SPDX-License-Identifier: GPL-2.0
"""What a kernel run is asked to do: the options that `run`, `check`,
`host`, `mutants`, `bench` and `series` pass down to the shared modules."""
from __future__ import annotations

import dataclasses
import os
from typing import List, Optional

from . import bases, qemu


@dataclasses.dataclass
class Options:
    base: str = bases.DEFAULT
    baseline: bool = False
    tree: Optional[str] = None
    configs: List[str] = dataclasses.field(default_factory=list)
    debug: bool = False
    smp: int = 4
    filter: Optional[str] = None
    exec_files: List[str] = dataclasses.field(default_factory=list)
    dry_run: bool = False
    accel: str = 'auto'
    limits: qemu.Limits = dataclasses.field(default_factory=qemu.Limits)
    test_timeout: Optional[int] = None
    jobs: int = os.cpu_count() or 2
    work: Optional[str] = None
    memory: str = '2G'
    timeout_scale: Optional[int] = None
    extra_patches: List[str] = dataclasses.field(default_factory=list)
    # `bisect`: only the first N patches of the series, with the selftests
    # the tree has after them instead of tgsig's own copy.
    series_upto: Optional[int] = None

    @property
    def variant(self) -> str:
        return 'baseline' if self.baseline else 'patched'
