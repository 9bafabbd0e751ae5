# SPDX-License-Identifier: GPL-2.0
import os
import shutil
import subprocess
import tempfile
import unittest

from tgsiglib import bases, series
from tgsiglib.errors import TgsigError
from tgsiglib.generated import Generated
from tgsiglib.workspace import GIT_ENV

BASE = bases.BASES['mainline']
# A series of three generated patches: a collection c with program a after
# the kernel patch 'signal: a change', its program b, and a page.
SMALL = [
    Generated('selftests: add c', after='signal: a change',
              programs=('c', ['a']), body='Add c.',
              copies=[('selftests/c/config',
                       'tools/testing/selftests/c/config')],
              inserts=[('tools/testing/selftests/Makefile', 'TARGETS += c',
                        'TARGETS += syscall_user_dispatch'),
                       ('MAINTAINERS', 'F:\ttools/testing/selftests/c/',
                        'F:\tkernel/signal_kunit.c')]),
    Generated('selftests: c: add b', after=None, programs=('c', ['b']),
              body='Add b.'),
    Generated('Documentation: add a page', after=None, body='A page.',
              copies=[('Documentation/core-api/thread-group-signals.rst',
                       'Documentation/core-api/thread-group-signals.rst')],
              inserts=[('Documentation/core-api/index.rst',
                        '   thread-group-signals', '   workqueue')]),
]
SUBJECTS = [g.subject for g in SMALL]


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
        for name, text in (('a.c', 'int a;\n'), ('b.c', 'int b;\n'),
                           ('config', 'CONFIG_X=y\n'),
                           ('Makefile', 'CFLAGS += -g\nTEST_GEN_PROGS := a\n'
                            'TEST_GEN_PROGS += b\ninclude ../lib.mk\n'),
                           ('.gitignore', '# ignore\na\nb\n')):
            write(os.path.join(self.top, 'selftests/c', name), text)
        orig = series.GENERATED
        series.GENERATED = SMALL
        self.addCleanup(setattr, series, 'GENERATED', orig)
        write(os.path.join(self.top,
                           'Documentation/core-api/thread-group-signals.rst'),
              'Title\n')
        os.makedirs(os.path.join(self.top, 'patches'))

    def test_patches_are_generated_in_order_and_reproducibly(self):
        names = series.regenerate(self.repo, self.top, BASE, files_of)
        self.assertEqual([series.subject(n) for n in names], SUBJECTS)
        self.assertTrue(os.path.basename(names[0]).startswith('0001-'))
        with open(names[0]) as f:
            text = f.read()
        self.assertIn('+TARGETS += c', text)
        self.assertIn('tools/testing/selftests/c/a.c', text)
        self.assertIn('+TEST_GEN_PROGS := a\n+include', text)
        self.assertNotIn('b.c', text)
        self.assertIn('Signed-off-by: ', text)
        self.assertIn('+F:\ttools/testing/selftests/c/\n', text)
        with open(names[1]) as f:
            text = f.read()
        self.assertIn(' TEST_GEN_PROGS := a\n+TEST_GEN_PROGS += b\n', text)
        self.assertIn(' a\n+b\n', text)
        self.assertIn('tools/testing/selftests/c/b.c', text)
        self.assertEqual(series.stale(self.repo, self.top, BASE, files_of), [])
        self.assertEqual(series.handwritten(os.path.join(self.top,
                                                         'patches')), [])

    def test_a_directory_the_base_has_gets_our_lines(self):
        env = dict(os.environ, **GIT_ENV)
        write(os.path.join(self.repo, 'tools/testing/selftests/c/Makefile'),
              'CFLAGS = -Wall\nTEST_GEN_PROGS = own\n\ninclude ../lib.mk\n')
        write(os.path.join(self.repo, 'tools/testing/selftests/c/.gitignore'),
              'own\n')
        for argv in (['add', '-A'], ['commit', '-qm', 'c'],
                     ['tag', '-f', 'tgsig-base']):
            subprocess.run(['git', '-C', self.repo] + argv, env=env,
                           check=True, capture_output=True)
        names = series.regenerate(self.repo, self.top, BASE, files_of)
        with open(names[0]) as f:
            text = f.read()
        self.assertIn(' TEST_GEN_PROGS = own\n \n+CFLAGS += -g\n'
                      '+TEST_GEN_PROGS := a\n+\n include ../lib.mk\n', text)
        self.assertIn(' own\n+# ignore\n+a\n', text)
        self.assertNotIn('create mode 100644 tools/testing/selftests/c/Makefile',
                         text)
        with open(names[1]) as f:
            self.assertIn(' TEST_GEN_PROGS := a\n+TEST_GEN_PROGS += b\n',
                          f.read())
        self.assertEqual(series.stale(self.repo, self.top, BASE, files_of), [])

    def test_a_header_joins_local_hdrs_with_the_patch_that_adds_it(self):
        write(os.path.join(self.top, 'selftests/c/b.h'), 'int h;\n')
        write(os.path.join(self.top, 'selftests/c/Makefile'),
              'TEST_GEN_PROGS := a\nTEST_GEN_PROGS += b\n'
              'LOCAL_HDRS += b.h\ninclude ../lib.mk\n')
        later = Generated('selftests: c: add b', after=None,
                          programs=('c', ['b']), body='Add b.',
                          copies=[('selftests/c/b.h',
                                   'tools/testing/selftests/c/b.h')])
        series.GENERATED = [SMALL[0], later, SMALL[2]]
        names = series.regenerate(self.repo, self.top, BASE, files_of)
        with open(names[0]) as f:
            self.assertNotIn('b.h', f.read())
        with open(names[1]) as f:
            text = f.read()
        self.assertIn('+LOCAL_HDRS += b.h\n', text)
        self.assertIn('create mode 100644 tools/testing/selftests/c/b.h',
                      text)
        self.assertEqual(series.stale(self.repo, self.top, BASE, files_of), [])

    def test_a_file_no_patch_carries_is_an_error(self):
        write(os.path.join(self.top, 'selftests/c/extra.h'), 'int e;\n')
        with self.assertRaises(TgsigError) as cm:
            series.regenerate(self.repo, self.top, BASE, files_of)
        self.assertIn('selftests/c/extra.h', cm.exception.what)

    def test_a_changed_source_makes_the_patch_stale(self):
        series.regenerate(self.repo, self.top, BASE, files_of)
        write(os.path.join(self.top, 'selftests/c/a.c'), 'int b;\n')
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
                         ['signal: a change'] + SUBJECTS)
        with open(names[0]) as f:
            self.assertIn('[PATCH 1/4]', f.read())
        self.assertEqual(series.stale(self.repo, self.top, BASE, files_of), [])
        self.assertEqual(len(os.listdir(os.path.join(self.top, 'patches'))),
                         4)

    def test_the_backport_has_its_prefix_and_no_cover_letter(self):
        write(os.path.join(self.top, 'patches/cover-letter.txt'),
              'signal: the subject\n\nThe text.\n')
        lts = bases.BASES['lts']
        os.makedirs(os.path.join(self.top, lts.patch_dir))
        names = series.regenerate(self.repo, self.top, lts, files_of)
        self.assertEqual(len(names), 3)
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
        self.assertIn('Subject: [PATCH 0/3] signal: the subject\n'
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
