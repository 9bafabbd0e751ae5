# SPDX-License-Identifier: GPL-2.0
"""Where things are: this repository, the guest's init, the work
directory."""
from __future__ import annotations

import os
from typing import Optional

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GUEST_INIT = os.path.join(HERE, 'guest', 'init')
# The static busybox the guest runs (Debian's busybox-static).
BUSYBOX = '/bin/busybox'


def work_dir(opts: object) -> str:
    """The work directory: --work, else $TGSIG_WORK, else work/ in the
    repository."""
    work: Optional[str] = getattr(opts, 'work', None)
    return os.path.abspath(work or os.environ.get('TGSIG_WORK')
                           or os.path.join(REPO, 'work'))
