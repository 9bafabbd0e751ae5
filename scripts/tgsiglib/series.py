# SPDX-License-Identifier: GPL-2.0
"""The patches of the series that are generated, not written by hand.

The selftests and the documentation live at the top level of this
repository (selftests/, Documentation/): that is their one source. The
series carries them as patches that `tgsig series` writes with git
format-patch after the hand-written kernel patches, and that `tgsig check`
regenerates and compares byte for byte.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from typing import (Callable, Collection, Dict, Iterable, List, Optional,
                    Sequence, Set, Tuple)

from .bases import Base
from .errors import TgsigError
from .generated import GENERATED, Copy, Generated
from .selftests import MERGED, merge_lines
from .workspace import BASE_TAG, GIT_ENV, series_files

# The cover letter's subject (first paragraph) and text (the rest); tgsig
# series writes patches/0000-cover-letter.patch from it.
COVER_SOURCE = 'patches/cover-letter.txt'

# files_of(path): the files of a top-level path that belong in a tree.
FilesOf = Callable[[str], Iterable[str]]

# Fixed dates and identity make the generated patches the same bytes for
# the same inputs.
_DATE = '2026-11-22T00:00:00+00:00'
_NAME = 'Seed 1c58a95a maintainers'
_EMAIL = 'maintainers@users.noreply.h-seed-1c58a95a.example'
# The cover letter's From: is the committer's.
_ENV = dict(GIT_ENV, GIT_AUTHOR_DATE=_DATE, GIT_COMMITTER_DATE=_DATE,
            GIT_AUTHOR_NAME=_NAME, GIT_AUTHOR_EMAIL=_EMAIL,
            GIT_COMMITTER_NAME=_NAME, GIT_COMMITTER_EMAIL=_EMAIL)
_SIGNOFF = (f'Signed-off-by: {_ENV["GIT_AUTHOR_NAME"]} '
            f'<{_ENV["GIT_AUTHOR_EMAIL"]}>')


def handwritten(patch_dir: str) -> List[str]:
    """The series' kernel patches: every patch but the generated ones."""
    subjects = {g.subject for g in GENERATED}
    return [p for p in series_files(patch_dir) if subject(p) not in subjects]


def subject(patch: str) -> str:
    """A patch file's subject, without its [PATCH n/m] prefix."""
    headers: Dict[str, str] = {}
    last: Optional[str] = None
    with open(patch, encoding='utf-8', errors='replace') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line:
                break
            if line[0] in ' \t' and last:
                headers[last] += ' ' + line.strip()
            elif ':' in line:
                last, _, value = line.partition(':')
                headers[last] = value.strip()
    text = headers.get('Subject', '')
    if text.startswith('['):
        text = text.partition(']')[2].strip()
    return text


def _git(repo: str, *args: str) -> str:
    """Run git in repo; its output."""
    proc = subprocess.run(['git', '-C', repo, *args], env=dict(os.environ,
                          **_ENV), capture_output=True, text=True)
    if proc.returncode != 0:
        raise TgsigError(f'git {" ".join(args)} failed in {repo}:\n'
                         + proc.stderr.strip())
    return proc.stdout


def _insert_line(path: str, line: str, anchor: str,
                 where: str = 'after') -> None:
    with open(path, encoding='utf-8') as f:
        rows = f.read().split('\n')
    if line in rows:
        return
    if anchor not in rows:
        raise TgsigError(f'{path}: no line {anchor!r} to insert {line!r} '
                         f'{where}; update GENERATED in scripts/tgsiglib/'
                         'series.py for this tree')
    rows.insert(rows.index(anchor) + (where == 'after'), line)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(rows))


def generate(repo: str, top: str, base: Base, out_dir: str,
             files_of: FilesOf) -> List[str]:
    """Write base's series into out_dir.

    repo: a kernel git tree of base holding tag tgsig-base (it is left
    checked out at the series' head); top: this repository; base: a
    bases.Base; files_of(path): the files of a top-level path that belong
    in a tree. Returns the paths written."""
    patch_dir = os.path.join(top, base.patch_dir)
    kernel = handwritten(patch_dir)
    _git(repo, 'checkout', '-q', '-f', '-B', 'tgsig-generate', BASE_TAG)
    _git(repo, 'clean', '-q', '-fdx')
    grown: Dict[str, List[str]] = {}
    for patch in kernel:
        try:
            _git(repo, 'am', '-q', '--committer-date-is-author-date', patch)
        except TgsigError:
            subprocess.run(['git', '-C', repo, 'am', '--abort'],
                           capture_output=True)
            raise
        for gen in GENERATED:
            if gen.after and subject(patch).startswith(gen.after):
                _commit(repo, top, gen, grown)
    for gen in GENERATED:
        if gen.after is None or not any(subject(p).startswith(gen.after)
                                        for p in kernel):
            _commit(repo, top, gen, grown)
    _check_covered(top, grown, files_of)
    os.makedirs(out_dir, exist_ok=True)
    # The whole series in one format-patch, so that every subject says
    # [PATCH n/N] of the same N; the hand-written patches come out as
    # they went in, renumbered.
    cover = os.path.join(top, COVER_SOURCE)
    argv = ['format-patch', '--no-signature', '--zero-commit',
            f'--subject-prefix={base.subject_prefix}']
    if base.cover_letter and os.path.exists(cover):
        argv.append('--cover-letter')
    listed = _git(repo, *argv, '-o', out_dir, f'{BASE_TAG}..HEAD')
    names = [line.strip() for line in listed.splitlines() if line.strip()]
    for name in names:
        if os.path.basename(name).startswith('0000-'):
            fill_cover_letter(name, cover, top, maintainers(
                repo, [n for n in names if n != name]))
    return names


def _check_covered(top: str, grown: Dict[str, List[str]],
                   files_of: FilesOf) -> None:
    """Every file of a generated collection is in one of its patches:
    a program or file that none names would be silently left out."""
    placed = {src for gen in GENERATED for src, _ in gen.copies}
    for collection, programs in grown.items():
        placed |= {f'selftests/{collection}/{n}' for n in
                   ['Makefile', '.gitignore'] + [f'{p}.c' for p in programs]}
    left = [os.path.relpath(f, top) for c in grown
            for f in files_of(os.path.join(top, 'selftests', c))
            if os.path.relpath(f, top) not in placed]
    listed = {c: _programs(os.path.join(top, 'selftests', c, 'Makefile'))
              for c in grown}
    left += [f'{c}: program {p}' for c, ps in listed.items()
             for p in sorted(ps - set(grown[c]))]
    if left:
        raise TgsigError('no generated patch carries ' + ', '.join(left),
                         'add it to a patch in scripts/tgsiglib/'
                         'generated.py')


def _commit(repo: str, top: str, gen: Generated,
            grown: Dict[str, List[str]]) -> None:
    """Commit one generated patch in repo: its programs, with the lines
    its collection's Makefile and .gitignore have for the programs added
    so far (grown: collection -> those programs), after the base's own
    lines where the base has these files, its whole files and its
    inserted lines."""
    copies = list(gen.copies)
    if gen.programs:
        collection, programs = gen.programs
        so_far = grown.setdefault(collection, [])
        so_far += programs
        src = os.path.join(top, 'selftests', collection)
        dest = os.path.join(repo, 'tools/testing/selftests', collection)
        copies += [(f'selftests/{collection}/{p}.c',
                    f'tools/testing/selftests/{collection}/{p}.c')
                   for p in programs]
        _copy(repo, top, gen, copies)
        every = _programs(os.path.join(src, 'Makefile'))
        for name in MERGED:
            with open(os.path.join(src, name), encoding='utf-8') as f:
                rows = f.read().split('\n')
            # A header joins LOCAL_HDRS with the patch that adds it.
            kept = [r for r in rows if _named(r, every) in (None, *so_far)
                    and not _header_to_come(r, dest)]
            text = merge_lines(_at_base(repo, os.path.join(
                'tools/testing/selftests', collection, name)),
                '\n'.join(kept))
            os.makedirs(dest, exist_ok=True)
            with open(os.path.join(dest, name), 'w', encoding='utf-8') as f:
                f.write(text)
            _git(repo, 'add', '-f', '--', os.path.join(dest, name))
    else:
        _copy(repo, top, gen, copies)
    for path, line, *anchor in gen.inserts:
        _insert_line(os.path.join(repo, path), line, *anchor)
        _git(repo, 'add', '-f', '--', path)
    _git(repo, 'commit', '-q', '-m',
         f'{gen.subject}\n\n{gen.body}\n\n{_SIGNOFF}')


def _copy(repo: str, top: str, gen: Generated,
          copies: List[Copy]) -> None:
    """Copy the files of copies ([(source in top, path in repo)]) into
    repo and add them."""
    for src, dest in copies:
        src_abs = os.path.join(top, src)
        if not os.path.exists(src_abs):
            raise TgsigError(f'{src} is missing: it is the source of '
                             f'the patch "{gen.subject}"')
        dest_abs = os.path.join(repo, dest)
        os.makedirs(os.path.dirname(dest_abs), exist_ok=True)
        shutil.copy2(src_abs, dest_abs)
        _git(repo, 'add', '-f', '--', dest)


def _header_to_come(row: str, dest: str) -> bool:
    """row is a Makefile's LOCAL_HDRS line for a header that dest, the
    collection's directory so far, does not have yet."""
    m = re.match(r'^LOCAL_HDRS\s*[:+]?=\s*(\S+)\s*$', row)
    if not m:
        return False
    return not os.path.exists(os.path.join(dest, m.group(1)))


def _at_base(repo: str, path: str) -> Optional[str]:
    """The text of path in the base tree, None if the base has no such
    file."""
    proc = subprocess.run(['git', '-C', repo, 'show', f'{BASE_TAG}:{path}'],
                          capture_output=True, text=True)
    return proc.stdout if proc.returncode == 0 else None


def _programs(makefile: str) -> Set[str]:
    """The programs a selftest Makefile lists, one per TEST_GEN_PROGS
    line."""
    with open(makefile, encoding='utf-8') as f:
        return {m.group(1) for m in re.finditer(
            r'^TEST_GEN_PROGS\s*[:+]?=\s*(\S+)\s*$', f.read(), re.M)}


def _named(row: str, programs: Collection[str]) -> Optional[str]:
    """The program a Makefile or .gitignore line is about, or None."""
    m = re.match(r'^(?:TEST_GEN_PROGS\s*[:+]?=\s*)?(\S+)\s*$', row)
    return m.group(1) if m and m.group(1) in programs else None


def maintainers(repo: str, patches: Sequence[str]) -> List[str]:
    """Whom the series goes to: scripts/get_maintainer.pl of the tree the
    series is made against, for all of its patches, without roles or git
    history, so that the same tree always gives the same list. The list's
    order comes from Perl hashes in places (the maintainers of
    kernel/fork.c's sections, say), so Perl's hash order is fixed."""
    env = dict(os.environ, PERL_HASH_SEED='0', PERL_PERTURB_KEYS='0')
    proc = subprocess.run(
        ['perl', os.path.join(repo, 'scripts', 'get_maintainer.pl'),
         '--no-rolestats', '--no-git', '--no-git-fallback', *patches],
        cwd=repo, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise TgsigError('scripts/get_maintainer.pl failed in '
                         f'{repo}:\n' + proc.stderr.strip())
    return [line.strip() for line in proc.stdout.splitlines()
            if line.strip()]


def fill_cover_letter(path: str, source: str, top: str,
                      cc: Sequence[str] = ()) -> None:
    """Put the cover letter's subject and text, from its source, where
    format-patch left placeholders; the text may include generated files
    with @include PATH@ on a line of its own, so that no figure is
    retyped. cc: the Cc: headers, one address each."""
    with open(source, encoding='utf-8') as f:
        subject, _, blurb = f.read().partition('\n\n')
    out = []
    for line in blurb.rstrip('\n').split('\n'):
        m = re.fullmatch(r'@include (\S+)@', line)
        if m:
            inc = os.path.join(top, m.group(1))
            if not os.path.exists(inc):
                raise TgsigError(f'{COVER_SOURCE} includes {m.group(1)}, '
                                 'which does not exist')
            with open(inc, encoding='utf-8') as f:
                out.append(f.read().rstrip('\n'))
        else:
            out.append(line)
    with open(path, encoding='utf-8') as f:
        text = f.read()
    head, sep, rest = text.partition('\n\n')
    text = head + ''.join(f'\nCc: {a}' for a in cc) + sep + rest
    text = text.replace('*** SUBJECT HERE ***', subject.strip(), 1)
    text = text.replace('*** BLURB HERE ***', '\n'.join(out), 1)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)


def regenerate(repo: str, top: str, base: Base,
               files_of: FilesOf) -> List[str]:
    """Write base's series into its patch directory: the hand-written
    patches renumbered, the generated ones after them."""
    patch_dir = os.path.join(top, base.patch_dir)
    tmp = tempfile.mkdtemp()
    try:
        fresh = generate(repo, top, base, tmp, files_of)
        for p in series_files(patch_dir):
            os.unlink(p)
        out = []
        for p in fresh:
            dest = os.path.join(patch_dir, os.path.basename(p))
            shutil.move(p, dest)
            out.append(dest)
        return out
    finally:
        shutil.rmtree(tmp)


def stale(repo: str, top: str, base: Base,
          files_of: FilesOf) -> List[Tuple[str, str]]:
    """Patches in base's patch directory that differ from what
    generate() writes now: a list of (file name, what is wrong)."""
    patch_dir = os.path.join(top, base.patch_dir)
    have = {os.path.basename(p): p for p in series_files(patch_dir)}
    cover = os.path.join(patch_dir, '0000-cover-letter.patch')
    if os.path.exists(cover):
        have[os.path.basename(cover)] = cover
    tmp = tempfile.mkdtemp()
    try:
        fresh = {os.path.basename(p): p for p in
                 generate(repo, top, base, tmp, files_of)}
        wrong: List[Tuple[str, str]] = []
        for name in sorted(set(have) | set(fresh)):
            if name not in have:
                wrong.append((name, 'missing from patches/'))
            elif name not in fresh:
                wrong.append((name, 'no longer generated'))
            else:
                with open(have[name], 'rb') as a, open(fresh[name], 'rb') as b:
                    if a.read() != b.read():
                        wrong.append((name, 'differs from its sources'))
        return wrong
    finally:
        shutil.rmtree(tmp)
