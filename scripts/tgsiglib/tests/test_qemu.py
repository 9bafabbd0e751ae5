# SPDX-License-Identifier: GPL-2.0
import os
import shutil
import sys
import tempfile
import unittest
from unittest import mock

from tgsiglib import qemu

FAKE = os.path.join(os.path.dirname(__file__), 'fake_qemu.py')


class Watchdog(unittest.TestCase):
    """qemu.boot() against a fake QEMU, with limits of seconds.

    The boot and run limits are long by default: a loaded machine may take
    seconds to start the fake, and only the limit a case is about may end
    it."""

    def boot(self, script, **limits):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        logs = tuple(os.path.join(tmp, n) for n in ('c.log', 'o.log', 'h.log'))
        cmd = [sys.executable, FAKE] + [f'file:{p}' for p in logs]
        lim = qemu.Limits(**dict(dict(boot=60, silence=5, run=120), **limits))
        with mock.patch.dict(os.environ, FAKE_GUEST=script), \
                mock.patch.object(qemu, 'GRACE', 1), \
                mock.patch.object(qemu, 'POLL', 0.05):
            return qemu.boot(cmd, logs, lim)

    def test_clean_run(self):
        r = self.boot('done')
        self.assertEqual(r.outcome, 'done')
        self.assertEqual(r.stream.tests[0].rc, 0)
        self.assertEqual(r.stream.taint, 0)

    def test_done_but_no_power_off(self):
        with mock.patch.dict(os.environ, FAKE_EXIT='0'), \
                mock.patch.object(qemu, 'AFTER_DONE', 0.5):
            r = self.boot('done')
        self.assertEqual(r.outcome, 'done')

    def test_boot_timeout(self):
        r = self.boot('no_boot', boot=1)
        self.assertEqual(r.outcome, 'boot timeout')
        self.assertEqual(r.running, '')

    def test_test_timeout_names_the_test(self):
        r = self.boot('hang_test')
        self.assertEqual(r.outcome, 'test timeout')
        self.assertEqual(r.running, 't:one')
        self.assertIn('t:one', r.detail)

    def test_silence_timeout(self):
        r = self.boot('silent', silence=1)
        self.assertEqual(r.outcome, 'silence timeout')
        self.assertEqual(r.running, 't:one')

    def test_run_timeout(self):
        r = self.boot('hang_test', run=1)
        self.assertEqual(r.outcome, 'run timeout')

    def test_exit_before_done(self):
        r = self.boot('panic')
        self.assertEqual(r.outcome, 'exited')
        self.assertEqual(r.running, 't:one')


if __name__ == '__main__':
    unittest.main()
