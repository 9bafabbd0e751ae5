# SPDX-License-Identifier: GPL-2.0
"""The one error type the harness raises: what is wrong, and what to do."""


class TgsigError(Exception):
    """An error the user can act on. `hint` says what to do about it."""

    def __init__(self, what, hint=None, log=None):
        super().__init__(what)
        self.what = what
        self.hint = hint
        self.log = log

    def __str__(self):
        text = f'error: {self.what}'
        if self.log:
            text += f'\n  log: {self.log}'
        if self.hint:
            text += f'\n  hint: {self.hint}'
        return text
