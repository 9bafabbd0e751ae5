# SPDX-License-Identifier: GPL-2.0
"""What tgsig needs from Debian: packages, and the installed source of
the lts base."""
from __future__ import annotations

import os
import weakref
from typing import Dict, List, Optional, Set

from .errors import TgsigError
from .shell import Progress, Shell
from .sources import Source, upstream_of

PACKAGES = [
    'qemu-system-x86', 'busybox-static', 'build-essential', 'flex', 'bison',
    'bc', 'libelf-dev', 'libssl-dev', 'ccache', 'xz-utils', 'rsync', 'git',
    'libcap-dev', 'perl', 'python3',
]
# Only `check` needs these: checkpatch's spelling list, sparse, the
# harness's own linters, and libtraceevent (the trace event's consumer).
CHECK_PACKAGES = ['sparse', 'codespell', 'python3-pyflakes', 'pycodestyle',
                  'python3-ply', 'python3-git', 'python3-docutils',
                  'python3-mypy', 'libtraceevent-dev']
# Only `bench` needs this: the plot of its figures.
BENCH_PACKAGES = ['gnuplot-nox']
# Only `fuzz` needs this: the system call fuzzer it runs in the guest.
FUZZ_PACKAGES = ['trinity']


def installed_version(shell: Shell, package: str) -> Optional[str]:
    proc = shell.run(['dpkg-query', '-W', '-f=${db:Status-Status} ${Version}',
                      package], capture=True, check=False, mutates=False)
    parts = (proc.stdout or '').split()
    if proc.returncode == 0 and len(parts) == 2 and parts[0] == 'installed':
        return parts[1]
    return None


# The packages each shell has seen installed: a command that prepares
# many kernels (mutants, bisect) asks dpkg once per package, not once per
# kernel (63 mutants made 945 dpkg-query calls, 39 of a dry run's 48 s).
_seen_installed: 'weakref.WeakKeyDictionary[Shell, Set[str]]' = \
    weakref.WeakKeyDictionary()


def missing_packages(shell: Shell, packages: List[str]) -> List[str]:
    seen = _seen_installed.setdefault(shell, set())
    missing = []
    for package in packages:
        if package in seen:
            continue
        if installed_version(shell, package) is None:
            missing.append(package)
        else:
            seen.add(package)
    return missing


def _is_root() -> bool:
    return os.geteuid() == 0


class Installer:
    """Installs missing packages with apt-get, once per run."""

    def __init__(self, shell: Shell, progress: Progress) -> None:
        self.shell = shell
        self.progress = progress
        self.updated = False

    def _update(self) -> None:
        if not self.updated:
            self.shell.run(['apt-get', 'update', '-q'])
            self.updated = True

    def _apt_install(self, specs: List[str]) -> None:
        self._update()
        self.shell.run(['apt-get', 'install', '-y', '-q', '-o',
                        'Dpkg::Use-Pty=0',
                        '--no-install-recommends'] + specs,
                       env={'DEBIAN_FRONTEND': 'noninteractive'})

    def ensure(self, packages: List[str]) -> None:
        missing = missing_packages(self.shell, packages)
        if not missing:
            return
        if not _is_root():
            raise TgsigError(
                'missing packages: ' + ' '.join(missing),
                'install them as root:\n    apt-get update && apt-get '
                'install -y --no-install-recommends ' + ' '.join(missing))
        self.progress.say('installing: ' + ' '.join(missing))
        self._apt_install(missing)

    def archive_versions(self, package: str) -> List[str]:
        proc = self.shell.run(['apt-cache', 'madison', package],
                              capture=True, check=False, mutates=False)
        versions = []
        for line in (proc.stdout or '').splitlines():
            fields = [f.strip() for f in line.split('|')]
            if len(fields) >= 2 and fields[0] == package:
                versions.append(fields[1])
        return versions

    def ensure_source(self, pin: Dict[str, str]) -> str:
        """Install the pinned linux-source; say so and take the newest the
        archive has when the pinned version is gone. Returns the version."""
        package, wanted = pin['package'], pin['version']
        have = installed_version(self.shell, package)
        if have == wanted:
            return have
        if not _is_root():
            if have:
                self.progress.say(f'warning: {package} {have} is installed, '
                                  f'not the pinned {wanted}; using {have} '
                                  '(run as root to install the pinned one)')
                return have
            raise TgsigError(
                f'{package} is not installed',
                f'install it as root:\n    apt-get update && apt-get install'
                f' -y --no-install-recommends {package}={wanted}')
        self._update()
        versions = self.archive_versions(package)
        if self.shell.dry_run and not versions:
            versions = [wanted]
        if wanted in versions:
            self._apt_install([f'{package}={wanted}'])
            return wanted
        if not versions:
            raise TgsigError(f'the archive has no {package} at all',
                             'check /etc/apt/sources.list* for '
                             'bookworm-security, then apt-get update')
        newest = versions[0]
        self.progress.say(f'warning: the archive no longer has {package} '
                          f'{wanted} (pinned in scripts/bases/); '
                          f'using the newest it has, {newest}')
        if have != newest:
            self._apt_install([f'{package}={newest}'])
        return newest


def installed_source(installer: Installer, pin: Dict[str, str]) -> Source:
    """The lts base: its package installed from the machine's own apt
    sources, which put the tarball in /usr/src."""
    version = installer.ensure_source(pin)
    name = pin['package'][len('linux-source-'):]
    origin = f'Debian {pin["package"]} {version}'
    upstream = pin['upstream']
    if version != pin['version']:
        origin += f', NOT the pinned {pin["version"]}'
        upstream = upstream_of(version)
    return Source(f'/usr/src/linux-source-{name}.tar.xz', pin['package'],
                  version, upstream, origin)
