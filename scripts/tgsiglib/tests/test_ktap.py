# SPDX-License-Identifier: GPL-2.0
import unittest

from tgsiglib import ktap
from tgsiglib.ktap import Status
from tgsiglib.tests.golden import load


class KselftestHarness(unittest.TestCase):
    def test_fail_skip_and_pass_are_counted(self):
        t = ktap.parse(load('kselftest_harness_fail.log'), 'action_table')
        self.assertEqual(t.status, Status.FAIL)
        self.assertEqual([s.status for s in t.subtests],
                         [Status.PASS, Status.FAIL, Status.PASS,
                          Status.SKIP])
        c = t.counts()
        self.assertEqual((c['pass'], c['fail'], c['skip']), (2, 1, 1))

    def test_failure_keeps_its_diagnostics(self):
        t = ktap.parse(load('kselftest_harness_fail.log'))
        failed = t.subtests[1]
        self.assertEqual(failed.name, 'stop.threads16.every_thread_stops')
        self.assertTrue(any('thread 5 of 16' in line for line in failed.log))

    def test_skip_reason(self):
        t = ktap.parse(load('kselftest_harness_fail.log'))
        self.assertEqual(t.subtests[3].directive, 'SKIP core_pattern is a pipe')

    def test_crash_mid_plan_is_an_error_not_a_pass(self):
        t = ktap.parse(load('kselftest_harness_crash.log'))
        self.assertEqual(t.status, Status.ERROR)
        c = t.counts()
        self.assertEqual(c['pass'], 1)
        self.assertEqual(c['error'], 1)

    def test_no_tap_at_all(self):
        t = ktap.parse(['hello', 'world'])
        self.assertEqual(t.status, Status.ERROR)
        self.assertEqual(t.log, ['hello', 'world'])


class KunitConsole(unittest.TestCase):
    def test_nested_suites_with_timestamps(self):
        t = ktap.parse(load('kunit_console.log'), 'kunit')
        self.assertEqual([s.name for s in t.subtests],
                         ['signal_table', 'empty_suite'])
        table = t.subtests[0]
        self.assertEqual(table.status, Status.FAIL)
        self.assertEqual([s.name for s in table.subtests],
                         ['masks_match_table', 'helpers_match_table',
                          'rt_signals'])
        params = table.subtests[1].subtests
        self.assertEqual([(p.name, p.status) for p in params],
                         [('SIGHUP', Status.PASS),
                          ('SIGQUIT', Status.FAIL)])
        self.assertEqual(t.subtests[1].status, Status.SKIP)

    def test_counts_are_leaves(self):
        c = ktap.parse(load('kunit_console.log')).counts()
        self.assertEqual((c['pass'], c['fail'], c['skip']), (2, 1, 2))


class Emit(unittest.TestCase):
    def test_canonical_ktap_round_trips(self):
        t = ktap.parse(load('kunit_console.log'), 'kunit')
        text = ktap.emit(t)
        lines = text.splitlines()
        self.assertEqual(lines[0], 'KTAP version 1')
        self.assertEqual(lines[1], '1..2')
        self.assertIn('  KTAP version 1', lines)
        self.assertIn('    not ok 2 SIGQUIT', lines)
        again = ktap.parse(lines, 'kunit')
        self.assertEqual(again.counts(), t.counts())
        self.assertEqual([s.name for s in again.subtests],
                         [s.name for s in t.subtests])

    def test_directives(self):
        root = ktap.Test('root', Status.PASS, subtests=[
            ktap.Test('a#b', Status.SKIP, directive='SKIP no config'),
            ktap.Test('slow', Status.TIMEOUT, directive='45 seconds'),
            ktap.Test('gone', Status.ERROR, directive='not run'),
        ])
        lines = ktap.emit(root, diagnostics=False).splitlines()
        self.assertEqual(lines[2:], [
            'ok 1 a_b # SKIP no config',
            'not ok 2 slow # TIMEOUT 45 seconds',
            'not ok 3 gone # ERROR not run'])


if __name__ == '__main__':
    unittest.main()
