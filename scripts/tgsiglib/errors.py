# SPDX-License-Identifier: GPL-2.0
"""The errors the harness raises: what is wrong, and what to do.

TgsigError is what the user can act on; its subclasses are what a caller
must tell apart (mutants.py: a mutant that does not build is not a mutant
the tests caught):

    CommandFailed       an external command exited non-zero
    PatchDoesNotApply   a patch of the series (or an extra one) does not
                        apply to the tree
    BuildFailed         make failed, or the selftests built nothing to run
    ConfigNotKept       options a fragment asks for did not survive
                        olddefconfig
    BootFailed          QEMU could not boot the kernel at all (what the
                        guest does once booted is in the run's record)
"""
from __future__ import annotations

from typing import List, Optional


class TgsigError(Exception):
    """An error the user can act on. `hint` says what to do about it."""

    def __init__(self, what: str, hint: Optional[str] = None,
                 log: Optional[str] = None) -> None:
        super().__init__(what)
        self.what = what
        self.hint = hint
        self.log = log

    def __str__(self) -> str:
        text = f'error: {self.what}'
        if self.log:
            text += f'\n  log: {self.log}'
        if self.hint:
            text += f'\n  hint: {self.hint}'
        return text


class CommandFailed(TgsigError):
    """argv exited with returncode."""

    def __init__(self, what: str, argv: List[str], returncode: int,
                 hint: Optional[str] = None,
                 log: Optional[str] = None) -> None:
        super().__init__(what, hint, log)
        self.argv = argv
        self.returncode = returncode


class PatchDoesNotApply(TgsigError):
    """A patch does not apply; `patch` is its file."""

    def __init__(self, what: str, patch: str,
                 hint: Optional[str] = None) -> None:
        super().__init__(what, hint)
        self.patch = patch


class BuildFailed(TgsigError):
    """The kernel, its headers or the selftests did not build."""


class ConfigNotKept(TgsigError):
    """Requested options that olddefconfig dropped; `lost` names them."""

    def __init__(self, what: str, lost: List[str],
                 hint: Optional[str] = None,
                 log: Optional[str] = None) -> None:
        super().__init__(what, hint, log)
        self.lost = lost


class BootFailed(TgsigError):
    """QEMU did not run the kernel: it is missing or would not start."""
