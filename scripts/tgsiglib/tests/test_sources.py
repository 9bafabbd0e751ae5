# SPDX-License-Identifier: GPL-2.0
import hashlib
import io
import os
import subprocess
import tempfile
import unittest

from tgsiglib import sources
from tgsiglib.errors import TgsigError
from tgsiglib.shell import Progress

DEB = b'a .deb as the archive serves it'
PIN = {'package': 'linux-source-7.3', 'version': '7.3~rc7-1~exp1',
       'upstream': '7.3-rc7', 'suites': 'experimental sid',
       'newest': 'linux-source-7.',
       'sha256': hashlib.sha256(DEB).hexdigest()}
MIRROR = 'http://mirror.invalid/debian'


class FakeArchive:
    """Answers the apt-get, apt-cache, dpkg and dpkg-deb calls that
    sources.download() makes, from a table of what the archive holds."""

    def __init__(self, held, update_rc=0, update_out='', deb=DEB):
        self.held = held        # {package: [(version, suite)]}
        self.update_rc = update_rc
        self.update_out = update_out
        self.deb = deb
        self.dry_run = False
        self.calls = []

    def run(self, argv, cwd=None, capture=False, check=True, mutates=True,
            **_):
        self.calls.append(argv)
        if argv[0] == 'apt-get' and argv[-1] == 'update':
            return subprocess.CompletedProcess(argv, self.update_rc,
                                               self.update_out, '')
        if argv[0] == 'apt-cache' and argv[-2] == 'madison':
            rows = [f' {argv[-1]} | {v} | {MIRROR} {s}/main amd64 Packages'
                    for v, s in self.held.get(argv[-1], [])]
            return subprocess.CompletedProcess(argv, 0, '\n'.join(rows), '')
        if argv[0] == 'apt-cache' and argv[-2] == 'pkgnames':
            names = [n for n in self.held if n.startswith(argv[-1])]
            return subprocess.CompletedProcess(argv, 0, '\n'.join(names), '')
        if argv[0] == 'dpkg':
            newer = tuple(map(_num, argv[2].split('.'))) > \
                tuple(map(_num, argv[4].split('.')))
            return subprocess.CompletedProcess(argv, 0 if newer else 1)
        if argv[0] == 'apt-get' and argv[-2] == 'download':
            package, version = argv[-1].split('=')
            with open(os.path.join(cwd, f'{package}_{version}_all.deb'),
                      'wb') as f:
                f.write(self.deb)
            return subprocess.CompletedProcess(argv, 0, '', '')
        if argv[0] == 'sh':
            scratch = argv[-1]
            os.makedirs(os.path.join(scratch, 'usr/src'))
            with open(os.path.join(scratch, 'usr/src/linux-source-7.x.tar.xz'),
                      'wb') as f:
                f.write(b'tarball')
            return subprocess.CompletedProcess(argv, 0)
        raise AssertionError(f'unexpected command {argv}')


def _num(text):
    return int(''.join(c for c in text if c.isdigit()) or 0)


class Download(unittest.TestCase):
    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.work = tmp.name
        self.out = io.StringIO()
        mirror = os.path.join(self.work, 'debian.sources')
        with open(mirror, 'w', encoding='utf-8') as f:
            f.write(f'Types: deb\nURIs: {MIRROR}\nSuites: bookworm\n'
                    'Components: main\n')
        orig = sources.APT_SOURCES
        sources.APT_SOURCES = (mirror,)
        self.addCleanup(setattr, sources, 'APT_SOURCES', orig)

    def download(self, archive):
        return sources.download(PIN, archive, Progress(self.out), self.work)

    def left_in_sources(self):
        return sorted(os.listdir(os.path.join(self.work, 'sources')))

    def test_pinned_version_is_downloaded_once(self):
        archive = FakeArchive({PIN['package']: [(PIN['version'],
                                                 'experimental')]})
        src = self.download(archive)
        self.assertEqual((src.package, src.version, src.upstream),
                         (PIN['package'], PIN['version'], '7.3-rc7'))
        self.assertEqual(self.left_in_sources(),
                         ['linux-source-7.3_7.3~rc7-1~exp1.tar.xz'])
        with open(os.path.join(self.work, 'apt', 'sources.list')) as f:
            self.assertIn(f'{MIRROR} experimental main', f.read())
        again = FakeArchive({})
        self.assertEqual(self.download(again).tarball, src.tarball)
        self.assertEqual(again.calls, [])

    def test_gone_version_falls_back_to_newest_in_first_suite(self):
        archive = FakeArchive({
            'linux-source-7.4': [('7.4~rc2-1~exp1', 'experimental')],
            'linux-source-7.3': [('7.3-1', 'sid')],
            'linux-source-7.5': [('7.5.1-1', 'sid')]})
        src = self.download(archive)
        self.assertEqual((src.package, src.version, src.upstream),
                         ('linux-source-7.4', '7.4~rc2-1~exp1', '7.4-rc2'))
        self.assertIn('NOT the pinned linux-source-7.3 7.3~rc7-1~exp1',
                      src.origin)
        self.assertIn('warning: the archive no longer has', self.out.getvalue())

    def test_nothing_at_all_is_an_error(self):
        with self.assertRaises(TgsigError) as cm:
            self.download(FakeArchive({}))
        self.assertIn('neither linux-source-7.3 7.3~rc7-1~exp1',
                      cm.exception.what)
        self.assertIn('--base lts', cm.exception.hint)

    def test_unreachable_archive_says_what_and_what_to_do(self):
        archive = FakeArchive({}, update_rc=100, update_out=(
            'Err:1 x experimental InRelease\n'
            'E: Failed to fetch x/dists/experimental/InRelease  Could not '
            'resolve host\n'))
        with self.assertRaises(TgsigError) as cm:
            self.download(archive)
        self.assertIn('Could not resolve host', cm.exception.what)
        self.assertIn('--base lts', cm.exception.hint)
        self.assertFalse(os.path.exists(os.path.join(self.work, 'sources')))

    def test_checksum_mismatch_keeps_nothing(self):
        archive = FakeArchive({PIN['package']: [(PIN['version'],
                                                 'experimental')]},
                              deb=b'other bytes')
        with self.assertRaises(TgsigError) as cm:
            self.download(archive)
        self.assertIn('not the', cm.exception.what)
        self.assertEqual(self.left_in_sources(), [])
        self.assertFalse(any(c[0] == 'sh' for c in archive.calls))


class Mirror(unittest.TestCase):
    def test_both_formats_and_not_the_security_archive(self):
        with tempfile.TemporaryDirectory() as d:
            one = os.path.join(d, 'a.sources')
            with open(one, 'w', encoding='utf-8') as f:
                f.write('Types: deb\nURIs: http://sec.invalid/debian-security'
                        '\nSuites: bookworm-security\n\nTypes: deb\n'
                        'URIs: http://main.invalid/debian/\n'
                        'Suites: bookworm bookworm-updates\n')
            self.assertEqual(sources.debian_mirror((one,)),
                             'http://main.invalid/debian')
            two = os.path.join(d, 'b.list')
            with open(two, 'w', encoding='utf-8') as f:
                f.write('deb [arch=amd64] http://list.invalid/debian '
                        'bookworm main\n')
            self.assertEqual(sources.debian_mirror((two,)),
                             'http://list.invalid/debian')
            self.assertIsNone(sources.debian_mirror((os.path.join(d, 'x'),)))

    def test_upstream_of(self):
        self.assertEqual(sources.upstream_of('7.3~rc7-1~exp1'), '7.3-rc7')
        self.assertEqual(sources.upstream_of('7.2.13-1'), '7.2.13')


if __name__ == '__main__':
    unittest.main()
