# SPDX-License-Identifier: GPL-2.0
"""The end-to-end cases' verdicts, from run records."""
import os
import tempfile
import unittest

from tgsiglib import provoke
from tgsiglib.ktap import Status, Test
from tgsiglib.options import Options
from tgsiglib.record import RunRecord
from tgsiglib.shell import Progress, Shell
from tgsiglib.splat import Splat
from tgsiglib.tests.golden import DATA


def record(run_dir, status='pass', splat=None, outcome='done', running=''):
    prog = Test('exec:warn.sh', Status(status))
    kernel = Test('kernel', Status.FAIL if splat else Status.PASS,
                  subtests=[Test('no splats', Status.FAIL if splat
                                 else Status.PASS)])
    root = Test('tgsig', Status.FAIL if splat or status != 'pass'
                else Status.PASS,
                subtests=[Test('exec', Status(status), subtests=[prog]),
                          kernel])
    return RunRecord(results=root, outcome=outcome, running_at_end=running,
                     run_dir=run_dir,
                     splats=[Splat(splat, 7, f'{splat}: x', 'exec:warn.sh')]
                     if splat else [])


class Verify(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        with open(os.path.join(self.dir, 'output.log'), 'w') as f:
            f.write('provoke: still alive after the WARN\n')
        self.addCleanup(lambda: (os.remove(os.path.join(
            self.dir, 'output.log')), os.rmdir(self.dir)))
        self.case = provoke.Case('warn.sh', splat='WARNING', status='pass',
                                 output='still alive after the WARN')

    def test_caught_as_provoked(self):
        self.assertEqual(provoke.verify(
            self.case, record(self.dir, splat='WARNING')), [])

    def test_each_way_it_can_be_missed_is_named(self):
        self.assertEqual(provoke.verify(self.case, record(self.dir)),
                         ['the run passed',
                          'no splat found, expected WARNING'])
        self.assertIn('first splat oops, expected WARNING', provoke.verify(
            self.case, record(self.dir, splat='oops')))
        self.assertIn('exec:warn.sh fail, expected pass', provoke.verify(
            self.case, record(self.dir, 'fail', splat='WARNING')))

    def test_a_clean_saved_run_is_not_a_provoked_one(self):
        saved = RunRecord.load(os.path.join(DATA, 'run_lts_action_table'))
        saved.run_dir = self.dir
        wrong = provoke.verify(self.case, saved)
        self.assertIn('the run passed', wrong)
        self.assertIn('exec:warn.sh missing from the results', wrong)


class DebugCases(unittest.TestCase):
    def test_a_debug_case_is_skipped_without_the_debug_kernel(self):
        progress = Progress(open(os.devnull, 'w'))
        self.addCleanup(progress.stream.close)
        shell = Shell(progress, dry_run=True, verbose=False)
        case = provoke.Case('lockdep.sh', splat='lockdep', debug=True)
        suite = provoke.run_cases(Options(), shell, progress, '/nonexistent',
                                  [case], debug_kernel=False)
        self.assertEqual([(t.name, t.status) for t in suite.subtests],
                         [('lockdep.sh is caught', Status.SKIP)])


if __name__ == '__main__':
    unittest.main()
