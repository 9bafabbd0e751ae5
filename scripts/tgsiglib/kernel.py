# SPDX-License-Identifier: GPL-2.0
"""The kernel of a run: the base tree made from the pinned source (or the
user's tree), then one variant (baseline or patched, with any extra
patches) configured and built, or reused without make when nothing that
goes into it changed."""
from __future__ import annotations

import dataclasses
import hashlib
import os
from typing import List, Sequence, Tuple

from . import bases, build, deps, sources
from .digests import digest
from .errors import TgsigError
from .fragments import fragments
from .lock import tree_lock
from .options import Options
from .paths import work_dir
from .selftests import all_selftest_files, collections, overlay_selftests
from .shell import Progress, Shell
from .workspace import BASE_TAG, Workspace, series_files


def prepare_base(opts: Options, shell: Shell, progress: Progress,
                 packages: Sequence[str] = deps.PACKAGES
                 ) -> Tuple[Workspace, str, str]:
    """Install what is missing and make the base tree.
    Returns (workspace, base commit, a label for reports)."""
    if shell.dry_run:
        return _prepare_base(opts, shell, progress, packages)
    with tree_lock(work_dir(opts), progress, 'prepare base tree'):
        return _prepare_base(opts, shell, progress, packages)


def _prepare_base(opts: Options, shell: Shell, progress: Progress,
                  packages: Sequence[str]) -> Tuple[Workspace, str, str]:
    work = work_dir(opts)
    base = bases.get(opts.base)
    pin = bases.pin(base)
    with progress.step(f'fetch: packages and the {base.name} kernel source'):
        installer = deps.Installer(shell, progress)
        installer.ensure(list(packages))
        if not opts.tree:
            if pin.get('suites'):
                source = sources.download(pin, shell, progress, work)
            else:
                source = deps.installed_source(installer, pin)
    with progress.step('prepare base tree'):
        if opts.tree:
            path = os.path.abspath(opts.tree)
            tag = hashlib.sha256(path.encode()).hexdigest()[:8]
            ws = Workspace(os.path.join(
                work, f'user-{os.path.basename(path)}-{tag}'),
                shell, progress)
            head = ws.from_user_tree(path)
            return ws, head, f'{path} at {head[:12]}'
        ws = Workspace(os.path.join(work, 'linux-' + source.upstream),
                       shell, progress)
        head = ws.from_tarball(source)
        return ws, head, (f'{base.name}: linux {source.upstream} '
                          f'({source.origin})')


@dataclasses.dataclass
class Kernel:
    """One variant's kernel and selftests, built or reused."""
    variant: str            # baseline | patched
    arts: build.Artifacts
    head: str               # the commit built
    label: str              # the tree, for reports
    patches: List[str]      # the series' patch files
    key: str


def prepare_kernel(opts: Options, shell: Shell, progress: Progress,
                   ws: Workspace, base: str, label: str, variant: str,
                   build_log: str) -> Kernel:
    """The kernel and selftests of one variant on the base tree that
    prepare_base() made: reused without make when its artifacts are
    valid, else configured and built."""
    if shell.dry_run:
        return _prepare_kernel(opts, shell, progress, ws, base, label,
                               variant, build_log)
    with tree_lock(work_dir(opts), progress, f'{variant} kernel'):
        return _prepare_kernel(opts, shell, progress, ws, base, label,
                               variant, build_log)


def _prepare_kernel(opts: Options, shell: Shell, progress: Progress,
                    ws: Workspace, base: str, label: str, variant: str,
                    build_log: str) -> Kernel:
    with progress.step('prepare tree'):
        patches = series_files(bases.get(opts.base).patches)
        if variant == 'patched':
            head = ws.series_head(patches)
            progress.say(f'series: {len(patches)} patches on {BASE_TAG}')
            if opts.series_upto is not None:
                back = len(patches) - opts.series_upto
                upto = ws.rev(f'{head}~{back}')
                if upto is None and not shell.dry_run:
                    raise TgsigError(f'no commit {back} before the series '
                                     f'head {head[:12]}',
                                     'the series branch holds one commit '
                                     'per patch: this is a bug in tgsig')
                head = upto or head
                patches = patches[:opts.series_upto]
                progress.say(f'bisect: the first {len(patches)} patches '
                             f'({head[:12]}), with the selftests they have')
        else:
            head = base
        if opts.extra_patches:
            head = ws.extra_head(head, [os.path.abspath(p)
                                        for p in opts.extra_patches])
            names = ', '.join(os.path.basename(p) for p in opts.extra_patches)
            progress.say(f'extra patches on top: {names}')
            label += f' + {names}'

    targets = collections(opts.base)
    frags = fragments(opts, ws.repo, variant)
    ours = all_selftest_files(shell)
    if opts.series_upto is not None:
        # The tree's own selftests: head names them all.
        targets = [t for t in targets if ws.has_file(
            head, f'tools/testing/selftests/{t}/Makefile')]
        ours = []
    key = build.artifact_key(head, digest(frags),
                             digest(ours, ' '.join(targets)))
    arts = build.Artifacts(ws.root, key)
    builder = build.Builder(ws, shell, progress, opts.jobs)
    if arts.valid(key) and not shell.dry_run:
        progress.say(f'build: reusing {arts.dir} (tree {head[:12]}, '
                     f'key {key}): nothing changed')
        with open(build_log, 'a', encoding='utf-8') as f:
            f.write(f'reused {arts.dir} (key {key})\n')
    else:
        with progress.step('configure'):
            ws.checkout(head)
            if opts.series_upto is None:
                overlay_selftests(ws.repo, shell)
            builder.configure(frags, build_log)
        with progress.step('build kernel (bzImage, headers)'):
            builder.kernel(build_log)
        install = os.path.join(ws.build, 'kselftest_install')
        with progress.step('build selftests: ' + ' '.join(targets)):
            builder.selftests(targets, install, build_log)
        if not shell.dry_run:
            arts.save(key, ws.build, install,
                      {'variant': variant, 'head': head, 'tree': label})

    return Kernel(variant, arts, head, label, patches, key)
