# SPDX-License-Identifier: GPL-2.0
import io
import multiprocessing
import os
import tempfile
import unittest
import unittest.mock

from tgsiglib.lock import tree_lock
from tgsiglib.shell import Progress


def _hold(work, ready, release):
    with tree_lock(work, Progress(io.StringIO()), 'holder'):
        ready.set()
        release.wait(10)


class _ReleaseOnWait(io.StringIO):
    def __init__(self, release):
        super().__init__()
        self.release = release

    def write(self, text):
        if 'waiting for' in text:
            self.release.set()
        return super().write(text)


class TreeLockTest(unittest.TestCase):
    def setUp(self):
        # The lock these tests take is their own, whatever lock the run
        # that runs them shares.
        patcher = unittest.mock.patch.dict(os.environ)
        patcher.start()
        self.addCleanup(patcher.stop)
        os.environ.pop('TGSIG_TREE_LOCK', None)

    def test_second_taker_waits_and_says_who_holds_it(self):
        with tempfile.TemporaryDirectory() as work:
            ready, release = multiprocessing.Event(), multiprocessing.Event()
            holder = multiprocessing.Process(target=_hold,
                                             args=(work, ready, release))
            holder.start()
            self.assertTrue(ready.wait(10))
            out = _ReleaseOnWait(release)
            with tree_lock(work, Progress(out), 'taker'):
                # The holder let go only after the taker said it waits.
                self.assertTrue(release.is_set())
            holder.join(10)
            self.assertIn(f'waiting for pid {holder.pid} (holder)',
                          out.getvalue())

    def test_tgsig_tree_lock_names_a_lock_shared_across_work_dirs(self):
        with tempfile.TemporaryDirectory() as d:
            shared = os.path.join(d, 'shared', 'tree.lock')
            os.environ['TGSIG_TREE_LOCK'] = shared
            with tree_lock(os.path.join(d, 'work'), Progress(io.StringIO()),
                           'clone'):
                with open(shared) as f:
                    self.assertIn('(clone)', f.read())
            self.assertFalse(os.path.exists(os.path.join(d, 'work',
                                                         'tree.lock')))

    def test_free_lock_is_taken_silently(self):
        with tempfile.TemporaryDirectory() as work:
            out = io.StringIO()
            with tree_lock(work, Progress(out), 'alone'):
                with open(os.path.join(work, 'tree.lock')) as f:
                    self.assertIn(f'pid {os.getpid()} (alone)', f.read())
            self.assertEqual(out.getvalue(), '')


if __name__ == '__main__':
    unittest.main()
