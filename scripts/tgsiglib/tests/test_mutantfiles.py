# SPDX-License-Identifier: GPL-2.0
import os
import subprocess
import tempfile
import unittest

from tgsiglib import mutantfiles

_ENV = dict(os.environ, GIT_AUTHOR_NAME='t', GIT_AUTHOR_EMAIL='t@t',
            GIT_COMMITTER_NAME='t', GIT_COMMITTER_EMAIL='t@t')

_PATCH = '''\
diff --git a/f.c b/f.c
--- a/f.c
+++ b/f.c
@@ -1,3 +1,3 @@
 one
-{old}
+changed
 three
'''


class UnappliedTest(unittest.TestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        self.repo = os.path.join(self.dir, 'repo')
        os.mkdir(self.repo)
        self.git('init', '-q')
        with open(os.path.join(self.repo, 'f.c'), 'w') as f:
            f.write('one\ntwo\nthree\n')
        self.git('add', 'f.c')
        self.git('commit', '-q', '-m', 'base')
        self.head = self.git('rev-parse', 'HEAD').strip()
        # The work tree moves on; the check must look at @head only.
        with open(os.path.join(self.repo, 'f.c'), 'w') as f:
            f.write('unrelated\n')

    def git(self, *args: str) -> str:
        return subprocess.run(['git', '-C', self.repo, *args], env=_ENV,
                              check=True, capture_output=True,
                              text=True).stdout

    def patch(self, name: str, old: str) -> str:
        path = os.path.join(self.dir, name)
        with open(path, 'w') as f:
            f.write(_PATCH.format(old=old))
        return path

    def test_names_the_mutants_that_do_not_apply_and_why(self) -> None:
        good = self.patch('good.patch', 'two')
        stale = self.patch('stale.patch', 'TWO')
        bad = mutantfiles.unapplied(self.repo, self.head, [good, stale])
        self.assertEqual(len(bad), 1)
        self.assertTrue(bad[0].startswith('stale.patch: '), bad)
        self.assertIn('f.c', bad[0])
        # Nothing in the repository changed.
        self.assertEqual(self.git('status', '--porcelain').strip(),
                         'M f.c')

    def test_every_mutant_of_a_base_is_listed_once(self) -> None:
        lts = mutantfiles.mutant_files(subdir=mutantfiles.base_subdir('lts'))
        names = [os.path.basename(p) for p in lts]
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual(len(lts), len(mutantfiles.mutant_files()))


if __name__ == '__main__':
    unittest.main()
