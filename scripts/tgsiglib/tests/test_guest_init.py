# SPDX-License-Identifier: GPL-2.0
"""Pieces of guest/init run on the host, under the busybox sh the guest
runs them with."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from tgsiglib.paths import BUSYBOX, GUEST_INIT


def _function(name):
    with open(GUEST_INIT, encoding='utf-8') as f:
        text = f.read()
    m = re.search(rf'^{name}\(\) {{\n.*?^}}\n', text, re.M | re.S)
    if not m:
        raise AssertionError(f'no {name}() in {GUEST_INIT}')
    return m.group(0)


@unittest.skipUnless(os.path.exists(BUSYBOX) or shutil.which('busybox'),
                     'busybox is not installed (apt-get install '
                     'busybox-static)')
class UptimeCentiseconds(unittest.TestCase):
    def uptime_cs(self, uptime):
        with tempfile.NamedTemporaryFile('w', suffix='.uptime') as f:
            f.write(uptime + '\n')
            f.flush()
            busybox = BUSYBOX if os.path.exists(BUSYBOX) else \
                shutil.which('busybox')
            proc = subprocess.run(
                [busybox, 'sh', '-c',
                 _function('uptime_cs') + f'uptime_cs {f.name}'],
                capture_output=True, text=True, check=False)
        self.assertEqual(proc.stderr, '')
        return proc.stdout.strip()

    def test_whole_seconds_and_fraction(self):
        self.assertEqual(self.uptime_cs('10.52 3.10'), '1052')

    def test_under_a_second_is_not_octal(self):
        # Read as "093", the shell's arithmetic fails: the guest's init
        # died of it when a program started 0.93 s after boot.
        self.assertEqual(self.uptime_cs('0.93 1.80'), '93')
        self.assertEqual(self.uptime_cs('0.08 0.10'), '8')

    def test_leading_zero_in_the_fraction(self):
        self.assertEqual(self.uptime_cs('7.09 12.00'), '709')


if __name__ == '__main__':
    unittest.main()
