# SPDX-License-Identifier: GPL-2.0
import os
import shutil
import subprocess
import tempfile
import unittest

from tgsiglib import initramfs


class Pack(unittest.TestCase):
    @unittest.skipUnless(shutil.which('cpio'), 'needs cpio to read back')
    def test_cpio_reads_back(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        src = os.path.join(tmp, 'src')
        os.makedirs(os.path.join(src, 'sub'))
        with open(os.path.join(src, 'sub', 'prog'), 'w') as f:
            f.write('#!/bin/sh\nexit 3\n')
        os.chmod(os.path.join(src, 'sub', 'prog'), 0o755)
        os.symlink('sub/prog', os.path.join(src, 'link'))
        busybox = os.path.join(tmp, 'busybox')
        with open(busybox, 'wb') as f:
            f.write(b'\x7fELF fake')
        out = os.path.join(tmp, 'initrd')
        initramfs.pack(out, b'#!/bin/sh\n', busybox, 'a\t1\t/\t./x\n',
                       [('tgsig/t', src)])
        with open(out, 'rb') as archive:
            listing = subprocess.run(['cpio', '-itv'], stdin=archive,
                                     capture_output=True, text=True).stdout
        names = {line.split()[-1] if '->' not in line else
                 line.split()[-3] for line in listing.splitlines()}
        for name in ('init', 'bin/busybox', 'dev/console', 'tgsig/plan',
                     'tgsig/t/sub/prog', 'tgsig/t/link'):
            self.assertIn(name, names)
        self.assertRegex(listing, r'-rwxr-xr-x .* tgsig/t/sub/prog')
        self.assertRegex(listing, r'crw------- .* dev/console')

    def test_same_input_same_bytes(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        busybox = os.path.join(tmp, 'bb')
        with open(busybox, 'wb') as f:
            f.write(b'x')
        a, b = os.path.join(tmp, 'a'), os.path.join(tmp, 'b')
        initramfs.pack(a, b'i', busybox, 'p')
        initramfs.pack(b, b'i', busybox, 'p')
        with open(a, 'rb') as fa, open(b, 'rb') as fb:
            data = fa.read()
            self.assertEqual(data, fb.read())
        self.assertEqual(len(data) % 4, 0)


if __name__ == '__main__':
    unittest.main()
