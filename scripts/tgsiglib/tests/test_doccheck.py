# SPDX-License-Identifier: GPL-2.0
import os
import subprocess
import tempfile
import textwrap
import unittest

from tgsiglib import doccheck
from tgsiglib.doccheck import Citation
from tgsiglib.errors import TgsigError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
PAGE = os.path.join(REPO, 'Documentation', 'core-api',
                    'thread-group-signals.rst')
SELFTESTS = os.path.join(REPO, 'selftests', 'signal')

FAKE_C = textwrap.dedent('''\
    FIXTURE(fx) {
    };
    FIXTURE_VARIANT(fx) {
    \tint n;
    };
    FIXTURE_VARIANT_ADD(fx, alpha) {
    \t.n = 1,
    };
    FIXTURE_VARIANT_ADD(fx, beta) {
    \t.n = 2,
    };
    /* TEST_F(fx, in_a_comment) */
    TEST_F(fx, rule_one)
    {
    \tTH_LOG("TEST_F(fx, in_a_string)");
    }
    TEST_F_TIMEOUT(fx, rule_two, 60)
    {
    }
    FIXTURE(plain) {
    };
    TEST_F(plain, rule_three)
    {
    }
    TEST(global_rule)
    {
    }
    TEST_HARNESS_MAIN
    ''')

P = '``tools/testing/selftests/signal/%s.c``'

GOOD_RST = textwrap.dedent('''\
    Each rule names its test as ``fixture.test``.

    Pinned by %s: ``fx.rule_one`` (``alpha``,
    ``beta``) and ``fx.rule_two`` (the same two variants), see ``fake.h``.

    Pinned by %s: ``plain.rule_three`` (``not_a_variant``) and
    ``global.global_rule``.
    ''') % (P % 'fake', P % 'fake')


class FakeSelftests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        with open(os.path.join(self.tmp.name, 'fake.c'), 'w') as f:
            f.write(FAKE_C)

    def check(self, rst):
        return doccheck.check_citations(rst, self.tmp.name)

    def test_defined_tests(self):
        prog = doccheck.defined_tests(self.tmp.name)['fake']
        self.assertEqual(prog.tests, [('fx', 'rule_one'), ('fx', 'rule_two'),
                                      ('plain', 'rule_three'),
                                      ('global', 'global_rule')])
        self.assertEqual(prog.variants, {'fx': ['alpha', 'beta']})

    def test_cited_tests(self):
        self.assertEqual(doccheck.cited_tests(GOOD_RST), [
            Citation('fake', 'fx', 'rule_one', ('alpha', 'beta'), None, 3),
            Citation('fake', 'fx', 'rule_two', (), 2, 4),
            Citation('fake', 'plain', 'rule_three', ('not_a_variant',),
                     None, 6),
            Citation('fake', 'global', 'global_rule', (), None, 7)])

    def test_good_citations_pass(self):
        self.assertEqual(self.check(GOOD_RST),
                         doccheck.CitationCheck([], [], 4, 2))

    def test_misspelt_test(self):
        r = self.check(GOOD_RST.replace('fx.rule_two', 'fx.rule_tow'))
        self.assertEqual(r.problems,
                         ['line 4: fake.c has no test fx.rule_tow'])
        self.assertEqual(r.uncited, ['fake.c: fx.rule_two'])

    def test_misspelt_fixture(self):
        r = self.check(GOOD_RST.replace('plain.', 'plane.'))
        self.assertEqual(r.problems, ['line 6: fake.c has no fixture plane '
                                      '(cited as plane.rule_three)'])

    def test_misspelt_variant(self):
        r = self.check(GOOD_RST.replace('``beta``', '``betta``'))
        self.assertEqual(r.problems, [
            'line 3: fake.c: fixture fx has no variant betta '
            '(cited for fx.rule_one)'])
        self.assertEqual(r.uncited, ['fake.c: fx.rule_one'])

    def test_wrong_variant_count(self):
        r = self.check(GOOD_RST.replace('same two', 'same three'))
        self.assertEqual(r.problems, [
            'line 4: fake.c: fx.rule_two is cited with 3 variants, '
            'fixture fx has 2'])

    def test_missing_program(self):
        r = self.check(GOOD_RST.replace(P % 'fake', P % 'fakes', 1))
        self.assertEqual(r.problems, [
            'line 3: no program tools/testing/selftests/signal/fakes.c '
            f'(fakes.c is not in {self.tmp.name})'])
        self.assertEqual(r.uncited, ['fake.c: fx.rule_one',
                                     'fake.c: fx.rule_two'])

    def test_uncited_test_is_listed(self):
        r = self.check(GOOD_RST.replace('and\n``global.global_rule``', ''))
        self.assertEqual(r.problems, [])
        self.assertEqual(r.uncited, ['fake.c: global.global_rule'])

    def test_programs_not_cited_need_no_citation(self):
        with open(os.path.join(self.tmp.name, 'storm.c'), 'w',
                  encoding='utf-8') as f:
            f.write('TEST(storms)\n{\n}\n')
        r = self.check(GOOD_RST)
        self.assertEqual(r.uncited, ['storm.c: global.storms'])
        r = doccheck.check_citations(GOOD_RST, self.tmp.name,
                                     not_cited=('storm',))
        self.assertEqual((r.problems, r.uncited), ([], []))


@unittest.skipUnless(os.path.isfile(PAGE), 'no ' + PAGE)
class RealPage(unittest.TestCase):
    def test_every_citation_exists_and_every_test_is_cited(self):
        with open(PAGE, encoding='utf-8') as f:
            r = doccheck.check_citations(f.read(), SELFTESTS,
                                         not_cited=doccheck.NOT_CITED)
        self.assertEqual(r.problems, [])
        self.assertEqual(r.uncited, [])
        self.assertGreater(r.tests_checked, 0)


def _has_docutils():
    try:
        return subprocess.run([doccheck.DEBIAN_PYTHON, '-c',
                               'import docutils'],
                              capture_output=True).returncode == 0
    except OSError:
        return False


class Docutils(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, name, text, mode=0o644):
        path = os.path.join(self.tmp.name, name)
        with open(path, 'w') as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    @unittest.skipUnless(_has_docutils(), 'python3-docutils not installed')
    def test_clean_page_has_no_messages(self):
        path = self.write('good.rst', 'Title\n=====\n\nText.\n')
        self.assertEqual(doccheck.docutils_messages(path), [])

    @unittest.skipUnless(_has_docutils(), 'python3-docutils not installed')
    def test_every_message_is_reported(self):
        path = self.write('bad.rst', 'Title\n=====\n\nSome *emph\n\n'
                          '.. nosuchdirective:: x\n')
        msgs = doccheck.docutils_messages(path)
        self.assertTrue(msgs[0].startswith(
            path + ':4: (WARNING/2) Inline emphasis'), msgs)
        self.assertTrue(any(':6: (ERROR/3) Unknown directive type' in m
                            and '.. nosuchdirective:: x' in m
                            for m in msgs), msgs)

    def test_missing_docutils_says_what_to_install(self):
        path = self.write('good.rst', 'Title\n=====\n')
        python = self.write('python3', '#!/bin/sh\necho "$0: No module '
                            'named docutils" >&2\nexit 1\n', 0o755)
        with self.assertRaises(TgsigError) as cm:
            doccheck.docutils_messages(path, python=python)
        self.assertIn('python3-docutils is not installed', str(cm.exception))
        self.assertIn('apt-get install python3-docutils', str(cm.exception))
