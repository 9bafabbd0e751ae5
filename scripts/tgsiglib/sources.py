# SPDX-License-Identifier: GPL-2.0
"""The source tarball of a base: installed from the machine's own apt
sources (lts), or downloaded from another suite of the same Debian archive
without installing anything from it (mainline).

A download goes through an apt state of tgsig's own (work/apt/): its
sources list names the pin's suites on the Debian mirror the machine
already uses, so apt checks the suite's signed index and the package's
checksum as it would for an install. The tarball is unpacked into a
scratch directory and renamed into work/sources/ only when whole: a
failed or interrupted download leaves nothing that looks finished.
"""
from __future__ import annotations

import dataclasses
import glob
import hashlib
import os
import re
import shutil

from typing import Dict, List, Optional, Sequence, Tuple

from .errors import TgsigError
from .shell import Progress, Shell

APT_SOURCES = ('/etc/apt/sources.list', '/etc/apt/sources.list.d')
KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'


@dataclasses.dataclass
class Source:
    tarball: str
    package: str
    version: str
    upstream: str
    origin: str             # where it came from, for every summary


def upstream_of(version: str) -> str:
    """7.3~rc7-1~exp1 -> 7.3-rc7; 7.2.13-1 -> 7.2.13."""
    return version.rsplit('-', 1)[0].replace('~', '-')


def debian_mirror(paths: Optional[Sequence[str]] = None) -> Optional[str]:
    """The URI of the machine's Debian archive (not its security
    archive), from its apt sources in either format."""
    files = []
    for path in paths or APT_SOURCES:
        if os.path.isdir(path):
            files += sorted(glob.glob(os.path.join(path, '*.list')) +
                            glob.glob(os.path.join(path, '*.sources')))
        elif os.path.exists(path):
            files.append(path)
    uris = []
    for path in files:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
        if path.endswith('.sources'):
            for stanza in re.split(r'\n\s*\n', text):
                fields = dict(re.findall(r'^([\w-]+):\s*(.*)$', stanza,
                                         re.M))
                suites = fields.get('Suites', '').split()
                if 'deb' in fields.get('Types', '').split() and any(
                        not s.endswith('-security') for s in suites):
                    uris += fields.get('URIs', '').split()
        else:
            for line in text.splitlines():
                m = re.match(r'\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)',
                             line)
                if m and not m.group(2).endswith('-security'):
                    uris.append(m.group(1))
    for uri in uris:
        if '/debian' in uri and 'security' not in uri:
            return uri.rstrip('/')
    return None


class SuiteArchive:
    """apt with a state of tgsig's own, for suites the machine does not
    use."""

    def __init__(self, shell: Shell, progress: Progress, root: str,
                 suites: List[str]) -> None:
        self.shell = shell
        self.progress = progress
        self.root = root
        self.suites = suites
        self.updated = False

    def _options(self) -> List[str]:
        r = self.root
        return ['-o', f'Dir::Etc::SourceList={r}/sources.list',
                '-o', 'Dir::Etc::SourceParts=/dev/null',
                '-o', f'Dir::State::Lists={r}/lists',
                '-o', f'Dir::Cache={r}/cache',
                '-o', 'Dir::State::status=/dev/null',
                '-o', 'Acquire::Languages=none']

    def update(self) -> None:
        if self.updated:
            return
        mirror = debian_mirror()
        if not mirror:
            raise TgsigError(
                'found no Debian archive in the machine\'s apt sources '
                f'({", ".join(APT_SOURCES)})',
                'the mainline source is downloaded from the Debian mirror '
                'apt already uses; add one, or use --base lts')
        if not self.shell.dry_run:
            for sub in ('lists/partial', 'cache/archives/partial'):
                os.makedirs(os.path.join(self.root, sub), exist_ok=True)
            with open(os.path.join(self.root, 'sources.list'), 'w',
                      encoding='utf-8') as f:
                for suite in self.suites:
                    f.write(f'deb [signed-by={KEYRING}] {mirror} {suite} '
                            'main\n')
        self.progress.say(f'source: reading the {" and ".join(self.suites)} '
                          'indexes of the Debian archive into '
                          f'{self.root}')
        proc = self.shell.run(['apt-get', *self._options(), '-q', 'update'],
                              capture=True, check=False)
        out = (proc.stdout or '') + (proc.stderr or '')
        if proc.returncode != 0 or re.search(r'^(E|W): .*(Failed|not '
                                             r'signed|NO_PUBKEY)', out, re.M):
            lines = [x for x in out.splitlines() if x.startswith(('E:', 'W:'))]
            raise TgsigError(
                'could not read the index of suite(s) '
                f'{", ".join(self.suites)} from the Debian archive:\n    '
                + '\n    '.join(lines[-6:] or ['apt-get update failed']),
                'check that this machine reaches the Debian archive it '
                'installs packages from (apt-get update), then run again; '
                'or build the 6.12 base, which needs no download: --base '
                'lts')
        self.updated = True

    def versions(self, package: str) -> List[Tuple[str, str]]:
        """[(version, suite)] the indexes hold for package, newest first
        within each suite, suites in the pin's order."""
        proc = self.shell.run(['apt-cache', *self._options(), 'madison',
                               package], capture=True, check=False,
                              mutates=False)
        found = []
        for line in (proc.stdout or '').splitlines():
            fields = [f.strip() for f in line.split('|')]
            if len(fields) >= 3 and fields[0] == package:
                where = fields[2].split()
                suite = where[1].split('/')[0] if len(where) > 1 else '?'
                found.append((fields[1], suite))
        order = {s: i for i, s in enumerate(self.suites)}
        return sorted(found, key=lambda vs: order.get(vs[1], len(order)))

    def packages(self, prefix: str) -> List[str]:
        proc = self.shell.run(['apt-cache', *self._options(), 'pkgnames',
                               prefix], capture=True, check=False,
                              mutates=False)
        return sorted((proc.stdout or '').split())

    def newest(self, prefix: str) -> Optional[Tuple[str, str, str]]:
        """(package, version, suite): the newest package whose name starts
        with prefix, from the first suite that has one."""
        for suite in self.suites:
            best = None
            for package in self.packages(prefix):
                for version, where in self.versions(package):
                    if where == suite and (best is None or self._newer(
                            version, best[1])):
                        best = (package, version, suite)
            if best:
                return best
        return None

    def _newer(self, a: str, b: str) -> bool:
        proc = self.shell.run(['dpkg', '--compare-versions', a, 'gt', b],
                              check=False, mutates=False)
        return proc.returncode == 0

    def download(self, package: str, version: str, dest: str) -> str:
        if not self.shell.dry_run:
            os.makedirs(dest, exist_ok=True)
        proc = self.shell.run(['apt-get', *self._options(), '-q', 'download',
                               f'{package}={version}'], cwd=dest,
                              capture=True, check=False)
        if proc.returncode != 0:
            out = (proc.stdout or '') + (proc.stderr or '')
            raise TgsigError(
                f'could not download {package} {version}:\n    '
                + '\n    '.join(out.strip().splitlines()[-6:]),
                'check that this machine reaches the Debian archive, then '
                'run again; or use --base lts')
        debs = glob.glob(os.path.join(dest, f'{package}_*.deb'))
        if not debs and not self.shell.dry_run:
            raise TgsigError(f'apt-get download left no {package} .deb in '
                             f'{dest}')
        return debs[0] if debs else os.path.join(dest, f'{package}.deb')


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def download(pin: Dict[str, str], shell: Shell, progress: Progress,
             work: str) -> Source:
    """The pinned package's source tarball under work/sources/, downloaded
    and unpacked once; the newest of the pin's series when the archive no
    longer has the pinned version."""
    package, version = pin['package'], pin['version']
    sources = os.path.join(work, 'sources')
    done = os.path.join(sources, f'{package}_{version}.tar.xz')
    if os.path.exists(done):
        return Source(done, package, version, pin['upstream'],
                      f'Debian {package} {version}')
    archive = SuiteArchive(shell, progress, os.path.join(work, 'apt'),
                           pin.get('suites', 'experimental').split())
    archive.update()
    have = [v for v, _ in archive.versions(package)]
    origin = f'Debian {package} {version}'
    if version not in have and not shell.dry_run:
        newest = archive.newest(pin.get('newest', package))
        if not newest:
            raise TgsigError(
                f'the Debian archive has neither {package} {version} (pinned '
                f'in scripts/bases/) nor any {pin.get("newest", package)}* '
                f'in {", ".join(archive.suites)}',
                'pin a version the archive has, or use --base lts')
        package, version, suite = newest
        progress.say(f'warning: the archive no longer has {pin["package"]} '
                     f'{pin["version"]} (pinned in scripts/bases/); using '
                     f'the newest it has, {package} {version} from {suite}')
        origin = (f'Debian {package} {version} from {suite}, NOT the pinned '
                  f'{pin["package"]} {pin["version"]}')
        done = os.path.join(sources, f'{package}_{version}.tar.xz')
        if os.path.exists(done):
            return Source(done, package, version, upstream_of(version),
                          origin)
    scratch = os.path.join(sources, f'.partial-{package}_{version}')
    if os.path.exists(scratch) and not shell.dry_run:
        shutil.rmtree(scratch)
    try:
        deb = archive.download(package, version, scratch)
        if not shell.dry_run and version == pin['version'] and \
                pin.get('sha256'):
            got = sha256(deb)
            if got != pin['sha256']:
                raise TgsigError(
                    f'{os.path.basename(deb)} has SHA-256 {got}, not the '
                    f'{pin["sha256"]} pinned in scripts/bases/: the archive '
                    'now serves different bytes under the pinned version',
                    'nothing was kept; find out why before changing the '
                    'pin (a rebuilt package would have a new version)')
        shell.run(['sh', '-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xf - '
                   '-C "$2" --wildcards "./usr/src/linux-source-*.tar.xz"',
                   'sh', deb, scratch])
        found = glob.glob(os.path.join(scratch, 'usr/src/linux-source-*.tar.xz'))
        if not found and not shell.dry_run:
            raise TgsigError(f'{os.path.basename(deb)} holds no '
                             'usr/src/linux-source-*.tar.xz')
        if not shell.dry_run:
            os.replace(found[0], done)
    finally:
        if os.path.exists(scratch) and not shell.dry_run:
            shutil.rmtree(scratch)
    return Source(done, package, version, upstream_of(version)
                  if version != pin['version'] else pin['upstream'], origin)
