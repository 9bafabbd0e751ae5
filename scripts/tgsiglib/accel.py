# SPDX-License-Identifier: GPL-2.0
"""The accelerator a run boots with: KVM when a short probe boot works,
else TCG."""
from __future__ import annotations

import os

from . import initramfs, qemu
from .options import Options
from .paths import BUSYBOX, GUEST_INIT
from .shell import Progress


def choose_accel(opts: Options, kernel: str, work: str, progress: Progress,
                 dry_run: bool = False) -> str:
    if opts.accel != 'auto':
        return opts.accel
    if dry_run:
        # The probe is a boot: a dry run names it and boots nothing.
        progress.say('accelerator: TCG for this dry run (a real run first '
                     'probes KVM with a 15-second boot)')
        return 'tcg'
    if not os.path.exists(kernel):
        return 'tcg'
    probe = os.path.join(work, 'kvm-probe')
    os.makedirs(probe, exist_ok=True)
    initrd = os.path.join(probe, 'initramfs.cpio')
    with open(GUEST_INIT, 'rb') as f:
        initramfs.pack(initrd, f.read(), BUSYBOX, '')
    usable, why = qemu.kvm_usable(kernel, initrd, work, progress)
    progress.say(f'accelerator: {"KVM" if usable else "TCG"} ({why})')
    return 'kvm' if usable else 'tcg'
