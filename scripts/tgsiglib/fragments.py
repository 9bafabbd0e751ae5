# SPDX-License-Identifier: GPL-2.0
"""The Kconfig fragments a kernel is configured from, in the order
merge_config.sh takes them: kconfig/base.config, the base's own, the
series', each selftest directory's config, kconfig/debug.config with
--debug, and the user's --config files."""
from __future__ import annotations

import os
from typing import List

from .errors import TgsigError
from .options import Options
from .paths import REPO
from .selftests import neighbour_selftests, our_selftests


def fragments(opts: Options, tree: str, variant: str) -> List[str]:
    frags = [os.path.join(REPO, 'kconfig', 'base.config')]
    # What one base spells differently or needs besides (kconfig/BASE.config).
    per_base = os.path.join(REPO, 'kconfig', f'{opts.base}.config')
    if os.path.exists(per_base):
        frags.append(per_base)
    if variant == 'patched':
        # Options that exist only with the series (its KUnit tests).
        frags.append(os.path.join(REPO, 'kconfig', 'series.config'))
    ours = our_selftests()
    for path in ours.values():
        frags.append(os.path.join(path, 'config'))
    for name in neighbour_selftests(opts.base):
        if name in ours:
            # Ours joined the kernel's directory: its config is ours.
            continue
        cfg = os.path.join(tree, 'tools/testing/selftests', name, 'config')
        frags.append(cfg)
    if opts.debug:
        frags.append(os.path.join(REPO, 'kconfig', 'debug.config'))
        # The debug options one base spells differently.
        per_base = os.path.join(REPO, 'kconfig', f'debug-{opts.base}.config')
        if os.path.exists(per_base):
            frags.append(per_base)
    for cfg in opts.configs:
        if not os.path.exists(cfg):
            raise TgsigError(f'--config {cfg}: no such file')
        frags.append(os.path.abspath(cfg))
    return [f for f in frags if os.path.exists(f) or not os.path.exists(tree)]
