# SPDX-License-Identifier: GPL-2.0
import os
import shutil
import subprocess
import tempfile
import unittest

from tgsiglib import bases, series
from tgsiglib.workspace import GIT_ENV

BASE = bases.BASES['mainline']


def files_of(path):
    return sorted(os.path.join(d, f) for d, _, fs in os.walk(path)
                  for f in fs)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


class Generate(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.repo = os.path.join(self.tmp, 'linux')
        write(os.path.join(self.repo, 'tools/testing/selftests/Makefile'),
              'TARGETS += sync\nTARGETS += syscall_user_dispatch\n'
              'TARGETS += timens\n')
        write(os.path.join(self.repo, 'Documentation/core-api/index.rst'),
              '.. toctree::\n\n   kernel-api\n   workqueue\n')
        # get_maintainer.pl as a tree has it, reduced to its answer.
        write(os.path.join(self.repo, 'scripts/get_maintainer.pl'),
              'print "A List <list\\@example.org>\\n";\n')
        write(os.path.join(self.repo, 'MAINTAINERS'),
              'SIGNALS\nS:\tMaintained\nF:\tkernel/signal_kunit.c\n\n')
        env = dict(os.environ, **GIT_ENV)
        for argv in (['init', '-q'], ['add', '-A'], ['commit', '-qm', 'b'],
                     ['tag', 'tgsig-base']):
            subprocess.run(['git', '-C', self.repo] + argv, env=env,
                           check=True, capture_output=True)
        self.top = os.path.join(self.tmp, 'top')
        for c in series._COLLECTIONS:
            write(os.path.join(self.top, f'selftests/{c}/a.c'), 'int a;\n')
            write(os.path.join(self.top, f'selftests/{c}/Makefile'), 'x\n')
        write(os.path.join(self.top,
                           'Documentation/core-api/thread-group-signals.rst'),
              'Title\n')
        os.makedirs(os.path.join(self.top, 'patches'))

    def test_patches_are_generated_in_order_and_reproducibly(self):
        names = series.regenerate(self.repo, self.top, BASE, files_of)
        self.assertEqual([series.subject(n) for n in names],
                         [g.subject for g in series.GENERATED])
        self.assertTrue(os.path.basename(names[0]).startswith('0001-'))
        with open(names[0]) as f:
            text = f.read()
        self.assertIn('+TARGETS += tg_signal', text)
        self.assertIn('tools/testing/selftests/tg_signal/a.c', text)
        self.assertIn('Signed-off-by: ', text)
        self.assertIn('+F:\ttools/testing/selftests/tg_signal/\n', text)
        with open(names[1]) as f:
            self.assertIn(' F:\tkernel/signal_kunit.c\n', f.read())
        self.assertEqual(series.stale(self.repo, self.top, BASE, files_of), [])
        self.assertEqual(series.handwritten(os.path.join(self.top,
                                                         'patches')), [])

    def test_a_changed_source_makes_the_patch_stale(self):
        series.regenerate(self.repo, self.top, BASE, files_of)
        write(os.path.join(self.top, 'selftests/tg_signal/a.c'), 'int b;\n')
        wrong = series.stale(self.repo, self.top, BASE, files_of)
        self.assertEqual(len(wrong), 1)
        self.assertIn('selftests', wrong[0][0])
        self.assertEqual(wrong[0][1], 'differs from its sources')

    def test_handwritten_patches_come_first_numbered_with_the_rest(self):
        env = dict(os.environ, **GIT_ENV)
        write(os.path.join(self.repo, 'kernel/signal.c'), 'int s;\n')
        for argv in (['add', '-A'], ['commit', '-qm', 'signal: a change'],
                     ['format-patch', '-q', '-o',
                      os.path.join(self.top, 'patches'), 'tgsig-base'],
                     ['reset', '-q', '--hard', 'tgsig-base']):
            subprocess.run(['git', '-C', self.repo] + argv, env=env,
                           check=True, capture_output=True)
        names = series.regenerate(self.repo, self.top, BASE, files_of)
        self.assertEqual([series.subject(n) for n in names],
                         ['signal: a change'] +
                         [g.subject for g in series.GENERATED])
        with open(names[0]) as f:
            self.assertIn('[PATCH 1/3]', f.read())
        self.assertEqual(series.stale(self.repo, self.top, BASE, files_of), [])
        self.assertEqual(len(os.listdir(os.path.join(self.top, 'patches'))),
                         3)

    def test_the_backport_has_its_prefix_and_no_cover_letter(self):
        write(os.path.join(self.top, 'patches/cover-letter.txt'),
              'signal: the subject\n\nThe text.\n')
        lts = bases.BASES['lts']
        os.makedirs(os.path.join(self.top, lts.patch_dir))
        names = series.regenerate(self.repo, self.top, lts, files_of)
        self.assertEqual(len(names), 2)
        for name in names:
            self.assertEqual(os.path.dirname(name),
                             os.path.join(self.top, 'patches', '6.12'))
            with open(name) as f:
                self.assertIn('Subject: [PATCH 6.12 ', f.read())
        self.assertEqual(series.stale(self.repo, self.top, lts, files_of), [])

    def test_the_cover_letter_is_written_from_its_source(self):
        write(os.path.join(self.top, 'patches/cover-letter.txt'),
              'signal: the subject\n\nThe text.\n\n@include bench.md@\n')
        write(os.path.join(self.top, 'bench.md'), '| a | 1.00 |\n')
        names = series.regenerate(self.repo, self.top, BASE, files_of)
        self.assertTrue(os.path.basename(names[0]).startswith('0000-'))
        with open(names[0]) as f:
            text = f.read()
        self.assertIn('Subject: [PATCH 0/2] signal: the subject\n'
                      'Cc: A List <list@example.org>\n\n', text)
        self.assertIn('The text.\n\n| a | 1.00 |\n', text)
        self.assertNotIn('***', text)
        self.assertEqual(series.stale(self.repo, self.top, BASE, files_of), [])
        write(os.path.join(self.top, 'bench.md'), '| a | 2.00 |\n')
        self.assertEqual(series.stale(self.repo, self.top, BASE, files_of),
                         [('0000-cover-letter.patch',
                           'differs from its sources')])


if __name__ == '__main__':
    unittest.main()
