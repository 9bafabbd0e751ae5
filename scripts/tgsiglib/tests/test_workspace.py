# SPDX-License-Identifier: GPL-2.0
import io
import os
import shutil
import subprocess
import tempfile
import unittest

from tgsiglib.errors import PatchDoesNotApply, TgsigError
from tgsiglib.shell import Progress, Shell
from tgsiglib.workspace import GIT_ENV, Workspace, series_files

PATCH = '''From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: tgsig <tgsig@localhost>
Date: Sun, 22 Nov 2026 00:00:00 +0000
Subject: [PATCH] signal: change a line

---
 kernel/signal.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/kernel/signal.c b/kernel/signal.c
--- a/kernel/signal.c
+++ b/kernel/signal.c
@@ -2,3 +2,3 @@ one
 two
-three
+THREE
 four
--
2.39.5
'''


def quiet_workspace(root):
    progress = Progress(io.StringIO())
    return Workspace(root, Shell(progress, verbose=False), progress)


class Series(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.ws = quiet_workspace(os.path.join(self.tmp, 'ws'))
        os.makedirs(os.path.join(self.ws.repo, 'kernel'))
        self.write('one\ntwo\nthree\nfour\nfive\n')
        env = dict(os.environ, **GIT_ENV)
        for argv in (['init', '-q'], ['add', '-A'],
                     ['commit', '-qm', 'base'], ['tag', 'tgsig-base']):
            subprocess.run(['git', '-C', self.ws.repo] + argv, env=env,
                           check=True, capture_output=True)
        self.patch = os.path.join(self.tmp, '0001-signal-change.patch')
        with open(self.patch, 'w') as f:
            f.write(PATCH)

    def write(self, text):
        with open(os.path.join(self.ws.repo, 'kernel', 'signal.c'), 'w') as f:
            f.write(text)

    def test_applies_and_is_reused(self):
        head = self.ws.series_head([self.patch])
        self.assertEqual(self.ws.series_head([self.patch]), head)
        with open(os.path.join(self.ws.repo, 'kernel', 'signal.c')) as f:
            self.assertIn('THREE', f.read())

    def test_a_patch_that_does_not_apply_names_patch_file_and_hunk(self):
        env = dict(os.environ, **GIT_ENV)
        self.write('one\ntwo\n3\nfour\nfive\n')
        subprocess.run(['git', '-C', self.ws.repo, 'commit', '-qam', 'x'],
                       env=env, check=True)
        subprocess.run(['git', '-C', self.ws.repo, 'tag', '-f', 'tgsig-base'],
                       check=True, capture_output=True)
        with self.assertRaises(PatchDoesNotApply) as cm:
            self.ws.series_head([self.patch])
        self.assertEqual(cm.exception.patch, self.patch)
        text = str(cm.exception)
        self.assertIn('0001-signal-change.patch does not apply', text)
        self.assertIn('kernel/signal.c', text)
        self.assertIn('@@ -2,3 +2,3 @@', text)
        # No half-applied series is left behind.
        self.assertFalse(os.path.isdir(os.path.join(self.ws.repo, '.git',
                                                    'rebase-apply')))

    def test_cover_letter_is_not_part_of_the_series(self):
        d = os.path.join(self.tmp, 'patches')
        os.makedirs(d)
        for n in ('0000-cover-letter.patch', '0002-b.patch', '0001-a.patch',
                  'README'):
            open(os.path.join(d, n), 'w').close()
        self.assertEqual([os.path.basename(p) for p in series_files(d)],
                         ['0001-a.patch', '0002-b.patch'])


class UserTree(unittest.TestCase):
    def test_missing_and_dirty_trees_are_refused(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        ws = quiet_workspace(os.path.join(tmp, 'ws'))
        with self.assertRaisesRegex(TgsigError, 'no such directory'):
            ws.from_user_tree(os.path.join(tmp, 'nope'))
        tree = os.path.join(tmp, 'linux')
        os.makedirs(os.path.join(tree, 'kernel'))
        with open(os.path.join(tree, 'Makefile'), 'w') as f:
            f.write('all:\n')
        with self.assertRaisesRegex(TgsigError, 'not a git repository'):
            ws.from_user_tree(tree)
        env = dict(os.environ, **GIT_ENV)
        for argv in (['init', '-q'], ['add', '-A'], ['commit', '-qm', 'b']):
            subprocess.run(['git', '-C', tree] + argv, env=env, check=True,
                           capture_output=True)
        with open(os.path.join(tree, 'Makefile'), 'a') as f:
            f.write('# local change\n')
        with self.assertRaisesRegex(TgsigError, 'uncommitted changes in 1 '
                                    'file.*Makefile'):
            ws.from_user_tree(tree)


if __name__ == '__main__':
    unittest.main()
