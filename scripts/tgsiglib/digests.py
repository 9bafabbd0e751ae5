# SPDX-License-Identifier: GPL-2.0
"""Digests of what goes into a build, for the key of its artifacts."""
from __future__ import annotations

import hashlib
import os
from typing import Iterable


def digest(paths: Iterable[str], extra: str = '') -> str:
    """sha256 over each path's name and contents (a missing file counts
    by its name only), after extra."""
    h = hashlib.sha256(extra.encode())
    for path in paths:
        h.update(path.encode() + b'\0')
        if os.path.exists(path):
            with open(path, 'rb') as f:
                h.update(f.read())
    return h.hexdigest()
