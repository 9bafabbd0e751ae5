# SPDX-License-Identifier: GPL-2.0
"""The mutant patches of mutants/, each base's own versions included, and
whether they still apply to a series: `mutants` runs them, `check` keeps
them applying as the series changes."""
from __future__ import annotations

import os
import subprocess
import tempfile
from typing import Dict, List, Optional

from . import bases
from .paths import REPO

MUTANT_DIR = os.path.join(REPO, 'mutants')


def base_subdir(base: str) -> Optional[str]:
    """The subdirectory of mutants/ that holds a base's own versions of
    mutants whose lines differ there: the one its series has under
    patches/ (6.12 for lts), None for mainline."""
    rel = os.path.relpath(bases.get(base).patch_dir, 'patches')
    return None if rel == '.' else rel


def mutant_files(directory: str = MUTANT_DIR,
                 subdir: Optional[str] = None) -> List[str]:
    """The mutants of @directory; a file of @subdir replaces the one of
    the same name, so that a base runs its own version of a mutant."""
    found: Dict[str, str] = {}
    for d in [directory] + ([os.path.join(directory, subdir)]
                            if subdir else []):
        if os.path.isdir(d):
            found.update((n, os.path.join(d, n)) for n in os.listdir(d)
                         if n.endswith('.patch'))
    return [found[n] for n in sorted(found)]


def unapplied(repo: str, head: str, files: List[str]) -> List[str]:
    """The mutants of @files that do not apply (git apply --check, as
    git am would take them) to commit @head of @repo, each with git's
    reason; the work tree and the index of @repo are not touched."""
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, GIT_INDEX_FILE=os.path.join(tmp, 'index'))
        subprocess.run(['git', '-C', repo, 'read-tree', head], env=env,
                       check=True)
        for path in files:
            proc = subprocess.run(['git', '-C', repo, 'apply', '--cached',
                                   '--check', path], env=env, text=True,
                                  capture_output=True, check=False)
            if proc.returncode:
                why = proc.stderr.strip().splitlines()
                bad.append(f'{os.path.basename(path)}: '
                           f'{why[0] if why else "does not apply"}')
    return bad
