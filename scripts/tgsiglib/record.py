# SPDX-License-Identifier: GPL-2.0
"""The record of one run: its results tree and the facts of the run
(base, variant, kernel, accelerator, splats, taint, timings, how the boot
ended), as `run` returns it and as results.json holds it.

results.json is this record's to_json(): one object whose keys are the
facts, then totals, passed and results (the tree). compare, e2e, check
and mutants read runs through RunRecord.load() rather than walking the
JSON themselves."""
from __future__ import annotations

import dataclasses
import json
import os
from typing import Any, Dict, List, Optional

from .errors import TgsigError
from .ktap import Test
from .splat import Splat

RESULTS = 'results.json'


def _taint(value: Any) -> Optional[int]:
    if value is None or value == '':
        return None if value is None else 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclasses.dataclass
class RunRecord:
    results: Test
    variant: str = ''           # baseline | patched | host
    debug: Optional[bool] = None    # built with kconfig/debug.config
    base: Optional[str] = None      # mainline | lts
    tree: str = ''              # the kernel tree, for reports
    head: Optional[str] = None      # the commit built
    patches: List[str] = dataclasses.field(default_factory=list)
    accel: Optional[str] = None     # tcg | kvm
    smp: Optional[int] = None
    guest: Optional[str] = None     # "RELEASE cpus=N" once it booted
    outcome: Optional[str] = None   # how the boot ended: done, ...
    detail: str = ''
    running_at_end: str = ''    # the test running when it ended early
    boot_seconds: Optional[float] = None
    taint: Optional[int] = None
    splats: List[Splat] = dataclasses.field(default_factory=list)
    qemu: List[str] = dataclasses.field(default_factory=list)
    run_dir: str = ''
    # Facts of one kind of run only (host: kernel, default_timeout).
    extra: Dict[str, Any] = dataclasses.field(default_factory=dict)
    # As saved: totals are the tree's leaf counts when it was written.
    saved_totals: Optional[Dict[str, int]] = None
    saved_passed: Optional[bool] = None

    # Keys of results.json in the order written; a host run has fewer.
    KEYS = ('variant', 'debug', 'base', 'tree', 'head', 'patches', 'accel',
            'smp', 'guest', 'outcome', 'detail', 'running_at_end',
            'boot_seconds', 'taint', 'splats', 'qemu', 'run_dir')
    HOST_KEYS = ('variant', 'tree', 'run_dir')

    @property
    def totals(self) -> Dict[str, int]:
        if self.saved_totals is not None:
            return self.saved_totals
        return self.results.counts()

    @property
    def passed(self) -> bool:
        if self.saved_passed is not None:
            return self.saved_passed
        return not self.results.status.failed

    @property
    def failed(self) -> bool:
        return not self.passed

    @property
    def clean(self) -> bool:
        """The boot ran to its end."""
        return self.outcome == 'done'

    def program(self, name: str) -> Optional[Test]:
        """The results of one program (collection:name), or None."""
        for suite in self.results.subtests:
            for prog in suite.subtests:
                if prog.name == name:
                    return prog
        return None

    def programs(self) -> List[Test]:
        """Each program's results: the children of each collection, in
        order (a collection without programs stands for itself)."""
        out = []
        for suite in self.results.subtests:
            for prog in suite.subtests or [suite]:
                out.append(prog)
        return out

    def to_json(self) -> Dict[str, Any]:
        keys = self.HOST_KEYS if self.variant == 'host' else self.KEYS
        out: Dict[str, Any] = {}
        for key in keys:
            value = getattr(self, key)
            if key == 'splats':
                value = [s.to_json() for s in value]
            out[key] = value
        out.update(self.extra)
        out['totals'] = self.results.counts()
        out['passed'] = not self.results.status.failed
        out['results'] = self.results.to_json()
        return out

    @classmethod
    def from_json(cls, data: Dict[str, Any]) -> 'RunRecord':
        known = set(cls.KEYS) | {'totals', 'passed', 'results'}
        return cls(
            results=Test.from_json(data.get('results') or
                                   {'name': 'tgsig', 'status': 'error'}),
            variant=data.get('variant') or '', debug=data.get('debug'),
            base=data.get('base'), tree=data.get('tree') or '',
            head=data.get('head'), patches=list(data.get('patches') or []),
            accel=data.get('accel'), smp=data.get('smp'),
            guest=data.get('guest'), outcome=data.get('outcome'),
            detail=data.get('detail') or '',
            running_at_end=data.get('running_at_end') or '',
            boot_seconds=data.get('boot_seconds'),
            taint=_taint(data.get('taint')),
            splats=[Splat.from_json(s) for s in data.get('splats') or []],
            qemu=list(data.get('qemu') or []),
            run_dir=data.get('run_dir') or '',
            extra={k: v for k, v in data.items() if k not in known},
            saved_totals=data.get('totals'), saved_passed=data.get('passed'))

    def save(self, run_dir: str) -> str:
        path = os.path.join(run_dir, RESULTS)
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(self.to_json(), f, indent=1)
            f.write('\n')
        return path

    @classmethod
    def load(cls, run_dir: str) -> 'RunRecord':
        """The record in run_dir/results.json; TgsigError when there is
        none or it is not JSON."""
        path = os.path.join(run_dir, RESULTS)
        try:
            with open(path, encoding='utf-8') as f:
                data = json.load(f)
        except (OSError, ValueError) as err:
            raise TgsigError(f'{path}: {err}',
                             'give a run directory that tgsig run printed')
        if not isinstance(data, dict):
            raise TgsigError(f'{path}: not a run record')
        return cls.from_json(data)


def leaf_counts(test: Test) -> Dict[str, int]:
    """{status: count} of the statuses present among test's leaves."""
    return {k: v for k, v in test.counts().items() if v}
