# SPDX-License-Identifier: GPL-2.0
import os
import shutil
import tempfile
import unittest

from tgsiglib import selftests
from tgsiglib.selftests import merge_lines
from tgsiglib.shell import Progress, Shell

# tools/testing/selftests/signal/ as mainline has it.
THEIR_MAKEFILE = ('# SPDX-License-Identifier: GPL-2.0-only\n'
                  'CFLAGS = -Wall\n'
                  'TEST_GEN_PROGS = mangle_uc_sigmask\n'
                  'TEST_GEN_PROGS += sas\n'
                  '\n'
                  'include ../lib.mk\n'
                  '\n')
THEIR_GITIGNORE = ('# SPDX-License-Identifier: GPL-2.0-only\n'
                   'mangle_uc_sigmask\nsas\n')
OUR_MAKEFILE = ('# SPDX-License-Identifier: GPL-2.0\n'
                'CFLAGS += -g\n'
                '\n'
                'TEST_GEN_PROGS += a\n'
                'TEST_GEN_PROGS += b\n'
                '\n'
                'include ../lib.mk\n')


class MergeLines(unittest.TestCase):
    def test_our_lines_go_before_their_include(self):
        self.assertEqual(merge_lines(THEIR_MAKEFILE, OUR_MAKEFILE),
                         '# SPDX-License-Identifier: GPL-2.0-only\n'
                         'CFLAGS = -Wall\n'
                         'TEST_GEN_PROGS = mangle_uc_sigmask\n'
                         'TEST_GEN_PROGS += sas\n'
                         '\n'
                         'CFLAGS += -g\n'
                         '\n'
                         'TEST_GEN_PROGS += a\n'
                         'TEST_GEN_PROGS += b\n'
                         '\n'
                         'include ../lib.mk\n'
                         '\n')

    def test_our_programs_follow_theirs_in_gitignore(self):
        self.assertEqual(merge_lines(THEIR_GITIGNORE,
                                     '# SPDX-License-Identifier: GPL-2.0\n'
                                     'a\nb\n'),
                         '# SPDX-License-Identifier: GPL-2.0-only\n'
                         'mangle_uc_sigmask\nsas\na\nb\n')

    def test_merging_again_changes_nothing(self):
        once = merge_lines(THEIR_MAKEFILE, OUR_MAKEFILE)
        self.assertEqual(merge_lines(once, OUR_MAKEFILE), once)
        once = merge_lines(THEIR_GITIGNORE, 'a\nb\n')
        self.assertEqual(merge_lines(once, 'a\nb\n'), once)

    def test_without_their_file_ours_is_the_file(self):
        self.assertEqual(merge_lines(None, OUR_MAKEFILE), OUR_MAKEFILE)


class Collections(unittest.TestCase):
    def test_ours_and_the_neighbours_once_each(self):
        for base in ('mainline', 'lts'):
            got = selftests.collections(base)
            self.assertEqual(got[0], 'signal')
            self.assertEqual(len(got), len(set(got)))
        self.assertNotIn('sigaltstack', selftests.collections('mainline'))
        self.assertIn('sigaltstack', selftests.collections('lts'))


class Overlay(unittest.TestCase):
    def setUp(self):
        self.tree = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tree)
        self.shell = Shell(Progress())

    def sig(self, name):
        return os.path.join(self.tree, 'tools/testing/selftests/signal',
                            name)

    def read(self, name):
        with open(self.sig(name), encoding='utf-8') as f:
            return f.read()

    def test_ours_join_the_kernels_directory(self):
        os.makedirs(self.sig(''))
        for name, text in (('Makefile', THEIR_MAKEFILE),
                           ('.gitignore', THEIR_GITIGNORE),
                           ('sas.c', 'int sas;\n')):
            with open(self.sig(name), 'w', encoding='utf-8') as f:
                f.write(text)
        selftests.overlay_selftests(self.tree, self.shell)
        self.assertEqual(self.read('sas.c'), 'int sas;\n')
        self.assertTrue(os.path.exists(self.sig('action_table.c')))
        self.assertTrue(os.path.exists(self.sig('tg_util.h')))
        made = self.read('Makefile')
        for line in ('TEST_GEN_PROGS += sas', 'TEST_GEN_PROGS += storm',
                     'LOCAL_HDRS += tg_util.h'):
            self.assertIn(line + '\n', made)
        self.assertEqual(made.count('include ../lib.mk'), 1)
        self.assertIn('sas\naction_table\n', self.read('.gitignore'))
        selftests.overlay_selftests(self.tree, self.shell)
        self.assertEqual(self.read('Makefile'), made)

    def test_without_the_kernels_directory_ours_is_copied(self):
        selftests.overlay_selftests(self.tree, self.shell)
        with open(os.path.join(selftests.our_selftests()['signal'],
                               'Makefile'), encoding='utf-8') as f:
            self.assertEqual(self.read('Makefile'), f.read())
        self.assertFalse(os.path.exists(self.sig('sas.c')))


if __name__ == '__main__':
    unittest.main()
