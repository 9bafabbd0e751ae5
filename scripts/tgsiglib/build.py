# SPDX-License-Identifier: GPL-2.0
"""Configure and build the kernel out of tree, its headers and the
selftests; keep each variant's artifacts so that an unchanged variant is
reused without running make at all."""
import hashlib
import json
import os
import shutil

from . import kconfig
from .errors import TgsigError

ARCH = 'x86_64'
# Bump when the recipe below changes in a way that makes old artifacts
# wrong.
RECIPE = 3


def make_argv(tree, out, *targets, jobs=None):
    argv = ['make', '-C', tree, f'O={out}', f'ARCH={ARCH}', 'CC=ccache gcc']
    if jobs:
        argv.append(f'-j{jobs}')
    return argv + list(targets)


class Builder:
    def __init__(self, ws, shell, progress, jobs):
        self.ws = ws
        self.shell = shell
        self.progress = progress
        self.jobs = jobs

    def configure(self, fragments, log):
        """tinyconfig + fragments, then olddefconfig; fail listing every
        requested option that did not survive."""
        out = self.ws.build
        tree = self.ws.repo
        self.shell.run(['mkdir', '-p', out])
        self.shell.run(make_argv(tree, out, 'tinyconfig'), log=log)
        self.shell.run([os.path.join(tree, 'scripts/kconfig/merge_config.sh'),
                        '-m', '-O', out, os.path.join(out, '.config'),
                        *fragments], cwd=tree, log=log)
        self.shell.run(make_argv(tree, out, 'olddefconfig'), log=log)
        if self.shell.dry_run:
            return 'DRY-RUN'
        wanted = kconfig.merge(fragments)
        have = kconfig.parse_file(os.path.join(out, '.config'))
        lost = kconfig.missing(wanted, have)
        if lost:
            raise TgsigError(
                f'{len(lost)} requested config option(s) did not survive '
                'olddefconfig:\n' + kconfig.describe_missing(lost),
                'an option is dropped when its dependencies are not met: '
                f'look it up with `make O={out} menuconfig` (press /) and '
                'add what it depends on to the fragment', log=log)
        with open(os.path.join(out, '.config'), 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()

    def kernel(self, log):
        self.shell.run(make_argv(self.ws.repo, self.ws.build, 'bzImage',
                                 jobs=self.jobs), log=log, env=_ccache_env())
        self.shell.run(make_argv(self.ws.repo, self.ws.build, 'headers',
                                 jobs=self.jobs), log=log)

    def selftests(self, targets, install, log):
        if os.path.isdir(install) and not self.shell.dry_run:
            shutil.rmtree(install)
        self.shell.run(
            ['make', '-C', os.path.join(self.ws.repo, 'tools/testing/selftests'),
             f'O={self.ws.build}', f'ARCH={ARCH}', f'-j{self.jobs}',
             'TARGETS=' + ' '.join(targets), 'FORCE_TARGETS=1',
             'USERLDFLAGS=-static', f'KSFT_INSTALL_PATH={install}',
             'install'], log=log)
        if self.shell.dry_run:
            return
        lst = os.path.join(install, 'kselftest-list.txt')
        have = set()
        if os.path.exists(lst):
            with open(lst, encoding='utf-8') as f:
                have = {line.split(':', 1)[0] for line in f if ':' in line}
        lost = [t for t in targets if t not in have]
        if lost:
            raise TgsigError('selftests built nothing to run for: '
                             + ', '.join(lost), log=log)


def _ccache_env():
    return {'CCACHE_MAXSIZE': os.environ.get('CCACHE_MAXSIZE', '5G')}


def artifact_key(head, config_hash, selftest_digest):
    h = hashlib.sha256(f'{RECIPE}\n{head}\n{config_hash}\n'
                       f'{selftest_digest}'.encode())
    return h.hexdigest()[:16]


class Artifacts:
    """root/kernels/KEY: bzImage, config, kselftest/ and key.json.

    Keyed by what went into them, so that two variants with the same tree
    (an empty series) share one build, and switching back and forth
    between variants rebuilds nothing."""

    KEEP = 4

    def __init__(self, root, key):
        self.root = os.path.join(root, 'kernels')
        self.dir = os.path.join(self.root, key)
        self.bzimage = os.path.join(self.dir, 'bzImage')
        self.config = os.path.join(self.dir, 'config')
        self.kselftest = os.path.join(self.dir, 'kselftest')
        self.meta = os.path.join(self.dir, 'key.json')

    def key(self):
        try:
            with open(self.meta, encoding='utf-8') as f:
                return json.load(f).get('key')
        except (OSError, ValueError):
            return None

    def valid(self, key):
        return (self.key() == key and os.path.exists(self.bzimage)
                and os.path.isdir(self.kselftest))

    def save(self, key, build_dir, install, info):
        tmp = self.dir + '.new'
        if os.path.exists(tmp):
            shutil.rmtree(tmp)
        os.makedirs(tmp)
        shutil.copy2(os.path.join(build_dir, 'arch/x86/boot/bzImage'),
                     os.path.join(tmp, 'bzImage'))
        shutil.copy2(os.path.join(build_dir, '.config'),
                     os.path.join(tmp, 'config'))
        shutil.copytree(install, os.path.join(tmp, 'kselftest'),
                        symlinks=True)
        with open(os.path.join(tmp, 'key.json'), 'w', encoding='utf-8') as f:
            json.dump(dict(info, key=key), f, indent=1)
        if os.path.exists(self.dir):
            shutil.rmtree(self.dir)
        os.rename(tmp, self.dir)
        self.prune()

    def prune(self):
        """Keep the newest few builds: each is a kernel and its tests."""
        dirs = [os.path.join(self.root, d) for d in os.listdir(self.root)
                if not d.endswith('.new')]
        dirs.sort(key=os.path.getmtime, reverse=True)
        for old in dirs[self.KEEP:]:
            shutil.rmtree(old, ignore_errors=True)
