# SPDX-License-Identifier: GPL-2.0
"""A guest session against the fake QEMU: the results collected while it
ran are the results collected again from its saved logs (what `tgsig
report` does), however the boot ended."""
import io
import os
import shutil
import sys
import tempfile
import unittest
from unittest import mock

from tgsiglib import qemu, session
from tgsiglib.shell import Progress, Shell

FAKE = os.path.join(os.path.dirname(__file__), 'fake_qemu.py')


class LiveAndReplayed(unittest.TestCase):
    def session(self, script, **limits):
        run_dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, run_dir)
        cmd = [sys.executable, FAKE] + [f'file:{p}' for p in
                                        session.log_paths(run_dir)]
        lim = qemu.Limits(**dict(dict(boot=5, silence=5, run=20), **limits))
        progress = Progress(io.StringIO())
        shell = Shell(progress, verbose=False)
        with mock.patch.dict(os.environ, FAKE_GUEST=script), \
                mock.patch.object(qemu, 'GRACE', 1), \
                mock.patch.object(qemu, 'POLL', 0.05):
            boot = session.boot(shell, cmd, run_dir, lim, progress)
        return run_dir, boot

    def check_same(self, script, outcome, **limits):
        run_dir, live = self.session(script, **limits)
        self.assertEqual(live.outcome, outcome)
        replayed = session.replay(run_dir)
        for field in ('outcome', 'detail', 'running', 'qemu_rc', 'seconds'):
            self.assertEqual(getattr(replayed, field), getattr(live, field),
                             field)
        a = session.collect(run_dir, ['t:one'], live)
        b = session.collect(run_dir, ['t:one'], replayed)
        self.assertEqual(a.results.to_json(), b.results.to_json())
        self.assertEqual(a.splats, b.splats)
        return a

    def test_a_clean_boot(self):
        got = self.check_same('done', 'done')
        self.assertFalse(got.results.status.failed)

    def test_a_test_that_never_ends(self):
        got = self.check_same('hang_test', 'test timeout')
        self.assertTrue(got.results.status.failed)

    def test_a_panic(self):
        got = self.check_same('panic', 'exited')
        self.assertEqual([s.kind for s in got.splats], ['panic'])

    def test_a_dry_run_boots_nothing(self):
        out = io.StringIO()
        shell = Shell(Progress(out), dry_run=True, verbose=False)
        with mock.patch('builtins.print'):
            self.assertIsNone(session.boot(shell, ['false'], '/nonexistent',
                                           qemu.Limits(), Progress(out)))


if __name__ == '__main__':
    unittest.main()
