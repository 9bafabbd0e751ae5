# SPDX-License-Identifier: GPL-2.0
"""Pack the guest's initramfs: a newc cpio archive written directly, so that
it needs neither root nor the cpio tool and is the same for the same input.
"""
from __future__ import annotations

import os
import stat
from typing import Iterable, List, Set, Tuple

from .paths import BUSYBOX, GUEST_INIT
from .plan import Plan, plan_text
from .shell import Shell

_TRAILER = 'TRAILER!!!'


class Cpio:
    def __init__(self, path: str) -> None:
        self.f = open(path, 'wb')
        self.ino = 1
        self.dirs: Set[str] = set()

    def _header(self, name: str, mode: int, size: int,
                rdev: Tuple[int, int] = (0, 0)) -> None:
        name_b = name.encode() + b'\0'
        fields = [self.ino, mode, 0, 0, 1, 0, size, 0, 0, rdev[0], rdev[1],
                  len(name_b), 0]
        self.ino += 1
        hdr = b'070701' + b''.join(b'%08X' % v for v in fields)
        self.f.write(hdr + name_b)
        self._pad()

    def _pad(self) -> None:
        pos = self.f.tell()
        self.f.write(b'\0' * ((4 - pos % 4) % 4))

    def dir(self, name: str) -> None:
        name = name.strip('/')
        if not name or name in self.dirs:
            return
        parent = os.path.dirname(name)
        if parent:
            self.dir(parent)
        self.dirs.add(name)
        self._header(name, stat.S_IFDIR | 0o755, 0)

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        name = name.strip('/')
        self.dir(os.path.dirname(name))
        self._header(name, stat.S_IFREG | mode, len(data))
        self.f.write(data)
        self._pad()

    def symlink(self, name: str, target: str) -> None:
        name = name.strip('/')
        self.dir(os.path.dirname(name))
        data = target.encode()
        self._header(name, stat.S_IFLNK | 0o777, len(data))
        self.f.write(data)
        self._pad()

    def chardev(self, name: str, major: int, minor: int,
                mode: int = 0o600) -> None:
        name = name.strip('/')
        self.dir(os.path.dirname(name))
        self._header(name, stat.S_IFCHR | mode, 0, (major, minor))

    def tree(self, name: str, src: str) -> None:
        """Copy the directory src in as name, keeping modes and symlinks."""
        self.dir(name)
        for entry in sorted(os.scandir(src), key=lambda e: e.name):
            dest = f'{name.strip("/")}/{entry.name}'
            if entry.is_symlink():
                self.symlink(dest, os.readlink(entry.path))
            elif entry.is_dir():
                self.tree(dest, entry.path)
            elif entry.is_file():
                with open(entry.path, 'rb') as f:
                    data = f.read()
                self.file(dest, data, stat.S_IMODE(entry.stat().st_mode))

    def close(self) -> None:
        self.ino = 0
        self._header(_TRAILER, 0, 0)
        self.f.close()


def pack(path: str, init: bytes, busybox: str, plan: str,
         trees: Iterable[Tuple[str, str]] = ()) -> None:
    """Write the initramfs at path.

    init: the init script's bytes; busybox: path of a static busybox;
    plan: the plan file's text; trees: (guest path, host directory) pairs.
    """
    cpio = Cpio(path)
    for d in ('bin', 'sbin', 'dev', 'proc', 'sys', 'tmp', 'run', 'root',
              'etc', 'usr/bin', 'usr/sbin'):
        cpio.dir(d)
    # The kernel opens /dev/console for init before devtmpfs is mounted.
    cpio.chardev('dev/console', 5, 1)
    with open(busybox, 'rb') as f:
        cpio.file('bin/busybox', f.read(), 0o755)
    cpio.file('init', init, 0o755)
    cpio.file('etc/passwd', b'root:x:0:0:root:/root:/bin/sh\n'
              b'nobody:x:65534:65534:nobody:/:/bin/false\n')
    cpio.file('etc/group', b'root:x:0:\nnogroup:x:65534:\n')
    cpio.file('tgsig/plan', plan.encode())
    for guest, host in trees:
        cpio.tree(guest, host)
    cpio.close()


def pack_guest(shell: Shell, initrd: str, plan: Plan,
               trees: List[Tuple[str, str]]) -> None:
    """The guest's initramfs: guest/init, busybox, the plan and trees of
    (guest path, host directory)."""
    shell.show(['pack', initrd, '<-', GUEST_INIT, BUSYBOX,
                *[h for _, h in trees]])
    if shell.dry_run:
        return
    with open(GUEST_INIT, 'rb') as f:
        init = f.read()
    pack(initrd, init, BUSYBOX, plan_text(plan), trees)
