# SPDX-License-Identifier: GPL-2.0
"""The kernel trees the series is made against.

mainline is the base the series in patches/ is written for, the one a
maintainer takes; lts (6.12) carries its backport in patches/6.12/. Each
has a pin in scripts/bases/ that says which Debian package and version
its source comes from.
"""
from __future__ import annotations

import dataclasses
import os
from typing import Dict, Iterable, Iterator, Optional

from .errors import TgsigError
from .paths import REPO

DEFAULT = 'mainline'


@dataclasses.dataclass(frozen=True)
class Base:
    name: str
    pin_file: str           # scripts/bases/NAME.pin
    patch_dir: str          # the series for this base, as format-patch wrote it
    subject_prefix: str     # format-patch --subject-prefix
    cover_letter: bool      # the series carries a cover letter

    @property
    def patches(self) -> str:
        return os.path.join(REPO, self.patch_dir)


BASES = {
    'mainline': Base('mainline', 'scripts/bases/mainline.pin', 'patches',
                     'PATCH', True),
    'lts': Base('lts', 'scripts/bases/lts.pin', 'patches/6.12',
                'PATCH 6.12', False),
}


def get(name: Optional[str]) -> Base:
    try:
        return BASES[name or DEFAULT]
    except KeyError:
        raise TgsigError(f'--base {name}: no such base',
                         'the bases are ' + ', '.join(BASES)) from None


def read_pin(path: str) -> Dict[str, str]:
    """key=value lines; # starts a comment line."""
    pin: Dict[str, str] = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#') and '=' in line:
                key, value = line.split('=', 1)
                pin[key.strip()] = value.strip()
    for key in ('package', 'version', 'upstream'):
        if key not in pin:
            raise TgsigError(f'{path} has no "{key}=" line')
    return pin


def pin(base: Base) -> Dict[str, str]:
    return read_pin(os.path.join(REPO, base.pin_file))


def for_base(lines: Iterable[str], base: Base) -> Iterator[str]:
    """The entries of a list file that apply to base: a line that starts
    with @NAME applies to that base only, any other line to every base.
    Yields each entry without its tag."""
    for line in lines:
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        if line.startswith('@'):
            tag, _, line = line.partition(' ')
            if tag[1:] not in BASES:
                raise TgsigError(f'unknown base {tag} in line {line!r}',
                                 'the bases are ' + ', '.join(BASES))
            if tag[1:] != base.name:
                continue
            line = line.strip()
        yield line
