# SPDX-License-Identifier: GPL-2.0
"""The kernel tree the harness builds: a git repository in the work
directory whose first commit is the pristine source, with the series on a
branch of its own, applied with `git am`.

Both variants (baseline, patched) are checked out in one worktree and
built in one output directory, so that switching between them recompiles
only what the series touches, and ccache sees the same paths every time.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

from .shell import Progress, Shell

if TYPE_CHECKING:
    from .sources import Source

from .errors import PatchDoesNotApply, TgsigError

BASE_TAG = 'tgsig-base'
SERIES_BRANCH = 'tgsig-series'
EXTRA_BRANCH = 'tgsig-extra'
# Commits the harness makes in its own throwaway repository only.
GIT_ENV = {'GIT_AUTHOR_NAME': 'tgsig', 'GIT_AUTHOR_EMAIL': 'tgsig@localhost',
           'GIT_COMMITTER_NAME': 'tgsig',
           'GIT_COMMITTER_EMAIL': 'tgsig@localhost'}


def series_files(patch_dir: str) -> List[str]:
    """The series in order; the cover letter is not a patch."""
    if not os.path.isdir(patch_dir):
        return []
    return sorted(os.path.join(patch_dir, n) for n in os.listdir(patch_dir)
                  if n.endswith('.patch') and not n.startswith('0000-'))


def digest_files(paths: Sequence[str]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(os.path.basename(path).encode() + b'\0')
        with open(path, 'rb') as f:
            h.update(f.read())
    return h.hexdigest()


class Workspace:
    """root/repo: the git tree; root/build: O=; root/state.json."""

    def __init__(self, root: str, shell: Shell, progress: Progress) -> None:
        self.root = root
        self.repo = os.path.join(root, 'repo')
        self.build = os.path.join(root, 'build')
        self.shell = shell
        self.progress = progress
        self.state_path = os.path.join(root, 'state.json')

    # -- state --------------------------------------------------------
    def state(self) -> Dict[str, Any]:
        try:
            with open(self.state_path, encoding='utf-8') as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def save_state(self, **changes: Any) -> None:
        state = self.state()
        state.update(changes)
        if self.shell.dry_run:
            return
        os.makedirs(self.root, exist_ok=True)
        with open(self.state_path, 'w', encoding='utf-8') as f:
            json.dump(state, f, indent=1)

    def git(self, *args: str, check: bool = True, capture: bool = False,
            mutates: bool = True) -> 'subprocess.CompletedProcess[str]':
        return self.shell.run(['git', '-C', self.repo, *args], env=GIT_ENV,
                              check=check, capture=capture, mutates=mutates)

    def has_file(self, ref: str, path: str) -> bool:
        return self.git('cat-file', '-e', f'{ref}:{path}', check=False,
                        capture=True, mutates=False).returncode == 0

    def rev(self, ref: str) -> Optional[str]:
        proc = self.git('rev-parse', '--verify', '-q', ref + '^{commit}',
                        check=False, capture=True, mutates=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    # -- base ---------------------------------------------------------
    def from_tarball(self, source: 'Source') -> str:
        """The pristine source (a sources.Source) as the first commit;
        reused while the version is the same. A tree that failed half way
        is removed, so that nothing half-unpacked is taken for a base."""
        state = self.state()
        have = self.rev(BASE_TAG)
        if state.get('base_version') == source.version and have:
            self.progress.say(f'base tree: reusing {self.repo} '
                              f'(linux {source.upstream}, {source.origin})')
            return have
        if not os.path.exists(source.tarball) and not self.shell.dry_run:
            raise TgsigError(f'{source.tarball} is missing',
                             f'install {source.package} (scripts/tgsig run '
                             'does that as root)')
        if os.path.exists(self.root) and not self.shell.dry_run:
            shutil.rmtree(self.root)
        try:
            self.shell.run(['mkdir', '-p', self.repo])
            self.shell.run(['tar', '-xf', source.tarball, '-C', self.repo,
                            '--strip-components=1'])
            self.git('init', '-q')
            self.git('config', 'gc.auto', '0')
            # Debian's tarball ships a .gitignore that ignores everything.
            self.git('add', '-A', '-f', '.')
            self.git('commit', '-q', '-m',
                     f'Linux {source.upstream}\n\n{source.origin}, as '
                     f'extracted from {source.tarball}.')
            self.git('tag', BASE_TAG)
        except BaseException:
            if os.path.exists(self.root) and not self.shell.dry_run:
                shutil.rmtree(self.root)
            raise
        self.save_state(base_version=source.version, series=None, extra=None)
        return self.rev(BASE_TAG) or 'DRY-RUN'

    def from_user_tree(self, path: str) -> str:
        """A user's own tree: cloned (sharing its objects), never touched."""
        if not os.path.isdir(path):
            raise TgsigError(f'--tree {path}: no such directory',
                             'give the path of a kernel source tree that is '
                             'a git repository')
        top = os.path.join(path, 'Makefile')
        if not os.path.exists(top) or not os.path.isdir(
                os.path.join(path, 'kernel')):
            raise TgsigError(f'--tree {path}: not a kernel source tree (no '
                             'Makefile and kernel/ at its top)')
        probe = self.shell.run(['git', '-C', path, 'rev-parse', 'HEAD'],
                               check=False, capture=True, mutates=False)
        if probe.returncode != 0:
            raise TgsigError(f'--tree {path}: not a git repository with a '
                             'commit',
                             'tgsig builds what is committed: run git init '
                             '&& git add -A && git commit there first')
        head = probe.stdout.strip()
        dirty = self.shell.output(['git', '-C', path, 'status', '--porcelain',
                                   '--untracked-files=no'])
        if dirty.strip():
            files = [line[3:] for line in dirty.splitlines()]
            shown = ', '.join(files[:5]) + (' ...' if len(files) > 5 else '')
            raise TgsigError(
                f'--tree {path} has uncommitted changes in {len(files)} '
                f'file(s): {shown}',
                'commit or stash them: tgsig builds the committed HEAD and '
                'never modifies your tree')
        if not self.rev('HEAD') and not os.path.isdir(self.repo):
            self.shell.run(['git', 'clone', '-q', '--shared', '--no-checkout',
                            path, self.repo])
        else:
            self.git('fetch', '-q', path, 'HEAD')
        self.git('tag', '-f', BASE_TAG, head)
        if self.state().get('base_version') != head:
            self.save_state(base_version=head, series=None, extra=None)
        self.progress.say(f'base tree: {path} at {head[:12]}')
        return head

    # -- series -------------------------------------------------------
    def series_head(self, patches: Sequence[str]) -> str:
        """The branch with the series applied; rebuilt only when the base
        or a patch changed."""
        return self.branch_head(SERIES_BRANCH, BASE_TAG, patches, 'series')

    def extra_head(self, start: str, patches: Sequence[str]) -> str:
        """start with more patches on top, for patches kept out of the
        series (the mutants that break a rule on purpose)."""
        return self.branch_head(EXTRA_BRANCH, start, patches, 'extra')

    def branch_head(self, branch: str, start: str, patches: Sequence[str],
                    what: str) -> str:
        start_rev = self.rev(start)
        digest = digest_files(patches) if patches else 'none'
        saved = self.state().get(what) or {}
        head = self.rev(branch)
        if (saved.get('hash') == digest and saved.get('start') == start_rev
                and head and saved.get('head') == head):
            self.progress.say(f'{what}: reusing {branch} '
                              f'({len(patches)} patches)')
            return head
        self.checkout(start)
        self.git('checkout', '-q', '-B', branch)
        for patch in patches:
            self.apply(patch)
        head = self.rev('HEAD') or 'DRY-RUN'
        self.save_state(**{what: {'hash': digest, 'start': start_rev,
                                  'head': head}})
        return head

    def apply(self, patch: str) -> None:
        proc = self.git('am', '-q', '--no-3way',
                        '--committer-date-is-author-date', patch,
                        check=False, capture=True)
        if proc.returncode == 0:
            return
        out = (proc.stdout or '') + (proc.stderr or '')
        self.git('am', '--abort', check=False, capture=True)
        raise PatchDoesNotApply(
            f'{os.path.basename(patch)} does not apply: '
            + describe_am_failure(out, patch), patch,
            'rebase the series onto the base, or point --tree at the tree '
            'it was written for')

    def checkout(self, ref: str) -> None:
        self.git('checkout', '-q', '-f', '--detach', ref)
        self.git('clean', '-q', '-fdx')


def describe_am_failure(output: str, patch: str) -> str:
    """Name the file and the hunk from git am / git apply's messages."""
    m = re.search(r'error: patch failed: (\S+):(\d+)', output)
    if m:
        path, line = m.group(1), int(m.group(2))
        hunk = _hunk_header(patch, path, line)
        return f'{path}, hunk {hunk}' if hunk else f'{path} at line {line}'
    m = re.search(r'error: (\S+): (does not exist in index|No such file'
                  r' or directory|already exists in working directory)',
                  output)
    if m:
        return f'{m.group(1)}: {m.group(2)}'
    lines = [line for line in output.splitlines() if line.strip()]
    return '; '.join(lines[:4]) or 'git am failed'


def _hunk_header(patch: str, path: str, line: int) -> Optional[str]:
    """The '@@ -L,N +L,N @@' header of the hunk in path that starts at
    line in the old file."""
    try:
        with open(patch, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError:
        return None
    current = None
    for row in text.splitlines():
        if row.startswith('+++ '):
            current = row[4:].split('/', 1)[-1] if row[4:].startswith(
                ('a/', 'b/')) else row[4:]
        elif row.startswith('@@ ') and current == path:
            m = re.match(r'@@ -(\d+)', row)
            if m and int(m.group(1)) == line:
                return row
    return None
