# SPDX-License-Identifier: GPL-2.0
import os
import unittest

from tgsiglib import ktap, results
from tgsiglib.ktap import Status
from tgsiglib.qemu import BootResult
from tgsiglib.stream import GuestStream

TAP_FAIL = ('tgsig:begin c:prog timeout=45\nTAP version 13\n1..2\n'
            'ok 1 a\nnot ok 2 b\ntgsig:end c:prog rc=1 cs=10\n')


def boot(text, outcome='done'):
    stream = GuestStream()
    stream.feed('tgsig:booted 6.12 cpus=4\n' + text)
    if outcome == 'done':
        stream.feed('tgsig:taint 0\ntgsig:done\n')
    stream.close()
    return BootResult(outcome, '', stream, 0, 1.0,
                      stream.current.name if stream.current else '')


class Tree(unittest.TestCase):
    def test_known_failure_is_xfail_and_program_passes(self):
        tree = results.build_tree(['c:prog'], boot(TAP_FAIL), [],
                                  known={'c:prog/b': 'upstream bug'})
        prog = tree.subtests[0].subtests[0]
        self.assertEqual(prog.status, Status.PASS)
        self.assertEqual(prog.subtests[1].status, Status.XFAIL)
        self.assertFalse(tree.status.failed)

    def test_program_wildcard_covers_every_case(self):
        tree = results.build_tree(['c:prog'], boot(TAP_FAIL), [],
                                  known={'c:prog/*': 'upstream bug'})
        prog = tree.subtests[0].subtests[0]
        self.assertEqual(prog.subtests[1].status, Status.XFAIL)
        self.assertEqual(prog.subtests[0].directive,
                         'XPASS: listed in selftests/known-failures')
        self.assertFalse(tree.status.failed)

    def test_a_flaky_case_that_passes_is_no_xpass(self):
        tree = results.build_tree(['c:prog'], boot(TAP_FAIL), [],
                                  known={'c:prog/a': 'flaky: a race',
                                         'c:prog/b': 'flaky: a race'})
        prog = tree.subtests[0].subtests[0]
        self.assertEqual(prog.subtests[0].status, Status.PASS)
        self.assertEqual(prog.subtests[0].directive, '')
        self.assertEqual(prog.subtests[1].status, Status.XFAIL)

    def test_unknown_failure_fails(self):
        tree = results.build_tree(['c:prog'], boot(TAP_FAIL), [])
        self.assertTrue(tree.status.failed)
        self.assertEqual(tree.counts()['fail'], 1)

    def test_nonzero_exit_after_all_cases_passed_is_a_failure(self):
        text = ('tgsig:begin c:p timeout=45\nTAP version 13\n1..1\n'
                'ok 1 a\ntgsig:end c:p rc=3 cs=10\n')
        tree = results.build_tree(['c:p'], boot(text), [])
        names = [t.name for t in tree.leaves() if t.status.failed]
        self.assertEqual(names, ['exit status'])

    def test_exit_4_without_tap_is_a_skip(self):
        text = 'tgsig:begin c:p timeout=45\nno tap\ntgsig:end c:p rc=4 cs=1\n'
        tree = results.build_tree(['c:p'], boot(text), [])
        self.assertEqual(tree.subtests[0].subtests[0].status, Status.SKIP)

    def test_tests_after_a_crash_are_errors_naming_it(self):
        text = 'tgsig:begin c:one timeout=45\nTAP version 13\n1..3\nok 1 a\n'
        tree = results.build_tree(['c:one', 'c:two'], boot(text, 'exited'),
                                  [])
        one, two = tree.subtests[0].subtests
        self.assertEqual(one.status, Status.ERROR)
        self.assertEqual(two.status, Status.ERROR)
        self.assertIn('during c:one', two.directive)
        kernel = tree.subtests[-1]
        completed = [t for t in kernel.subtests if t.name == 'run completed']
        self.assertEqual(completed[0].status, Status.ERROR)

    def test_skipped_programs_are_reported_with_why(self):
        tree = results.build_tree([], boot(''), [],
                                  skipped={'pidfd:pidfd_test': 'too slow'})
        prog = tree.subtests[0].subtests[0]
        self.assertEqual((prog.name, prog.status, prog.directive),
                         ('pidfd:pidfd_test', Status.SKIP, 'too slow'))

    def test_taint_fails_the_kernel_suite(self):
        stream_text = 'tgsig:taint 512\ntgsig:done\n'
        b = boot(stream_text, outcome='x')
        b.outcome = 'done'
        tree = results.build_tree([], b, [])
        kernel = tree.subtests[-1]
        tainted = [t for t in kernel.subtests if t.name == 'not tainted'][0]
        self.assertEqual(tainted.status, Status.FAIL)
        self.assertIn('W (WARNING)', tainted.directive)


class KunitConsole(unittest.TestCase):
    def test_driver_messages_inside_a_suite_do_not_end_it(self):
        path = os.path.join(os.path.dirname(__file__), 'data',
                            'real_kunit_interleaved.console')
        with open(path, encoding='utf-8', errors='replace') as f:
            lines = f.read().splitlines()
        tree = ktap.parse(results.kunit_section(lines), 'kunit')
        suite = tree.subtests[0]
        self.assertEqual(suite.name, 'signal_action_table')
        self.assertEqual(suite.status, Status.PASS)
        self.assertEqual(len(suite.subtests), 7)
        self.assertEqual(tree.counts()['pass'], 7)
        self.assertEqual(tree.counts()['error'], 0)


if __name__ == '__main__':
    unittest.main()
