# SPDX-License-Identifier: GPL-2.0
"""Kconfig fragments: read them, and check that a .config kept every option
they ask for, as kunit_tool's kunit_config does."""
from __future__ import annotations

import dataclasses
import re
from typing import Dict, Iterable, List, Tuple

_SET = re.compile(r'^(CONFIG_[A-Za-z0-9_]+)=(.*)$')
_UNSET = re.compile(r'^# (CONFIG_[A-Za-z0-9_]+) is not set$')


@dataclasses.dataclass(frozen=True)
class Option:
    name: str
    value: str      # 'y', 'm', a number or quoted string; 'n' when unset
    source: str = ''

    def __str__(self) -> str:
        if self.value == 'n':
            return f'# {self.name} is not set'
        return f'{self.name}={self.value}'


def parse(text: str, source: str = '') -> Dict[str, Option]:
    """Options in a fragment or .config, in order; later ones win."""
    options: Dict[str, Option] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        m = _SET.match(line)
        if m:
            options[m.group(1)] = Option(m.group(1), m.group(2),
                                         f'{source}:{lineno}')
            continue
        m = _UNSET.match(line)
        if m:
            options[m.group(1)] = Option(m.group(1), 'n',
                                         f'{source}:{lineno}')
    return options


def parse_file(path: str) -> Dict[str, Option]:
    with open(path, encoding='utf-8') as f:
        return parse(f.read(), str(path))


def merge(fragments: Iterable[str]) -> Dict[str, Option]:
    """Options requested by several fragments, the later winning, as
    merge_config.sh merges them."""
    wanted: Dict[str, Option] = {}
    for frag in fragments:
        wanted.update(parse_file(frag))
    return wanted


def missing(wanted: Dict[str, Option],
            config: Dict[str, Option]) -> List[Tuple[Option, str]]:
    """Requested options that the final config does not have as asked:
    a list of (option, what the config has instead)."""
    lost = []
    for name, opt in wanted.items():
        have = config.get(name)
        have_value = have.value if have else 'n'
        if have_value != opt.value:
            lost.append((opt, have_value))
    return lost


def describe_missing(lost: List[Tuple[Option, str]]) -> str:
    lines = []
    for opt, have in lost:
        got = 'not set' if have == 'n' else f'={have}'
        lines.append(f'  {opt}  (from {opt.source}); the config has it '
                     f'{got}')
    return '\n'.join(lines)
