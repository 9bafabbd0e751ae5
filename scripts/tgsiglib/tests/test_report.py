# SPDX-License-Identifier: GPL-2.0
"""`tgsig report`: a saved run's results again from its logs.

tests/data/run_lts_action_table/ is a real run's directory (see
tests/data/README): its console.log, output.log, facts.json and boot.json
as the run saved them, and the results.json and results.ktap it wrote.
report must give the same results.json and results.ktap from the logs
alone."""
import contextlib
import io
import json
import os
import shutil
import tempfile
import unittest

from tgsiglib import reportcmd, session, testrun
from tgsiglib.errors import TgsigError
from tgsiglib.tests.golden import DATA

RUN = os.path.join(DATA, 'run_lts_action_table')


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


class Golden(unittest.TestCase):
    def report(self, run_dir, **kw):
        out = io.StringIO()
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        with contextlib.redirect_stdout(out):
            code = reportcmd.report_command(run_dir, tmp, **kw)
        return code, tmp, out.getvalue()

    def test_report_gives_the_results_json_the_run_wrote(self):
        code, out, text = self.report(RUN)
        self.assertEqual(json.loads(read(os.path.join(out, 'results.json'))),
                         json.loads(read(os.path.join(RUN, 'results.json'))))
        self.assertEqual(read(os.path.join(out, 'results.ktap')),
                         read(os.path.join(RUN, 'results.ktap')))
        self.assertEqual(code, 0)
        self.assertIn('signal:action_table', text)
        self.assertIn('\n28 passed, 0 failed, 0 skipped\n', text)

    def test_a_dry_run_writes_nothing(self):
        code, out, text = self.report(RUN, dry_run=True)
        self.assertEqual(os.listdir(out), [])
        self.assertIn('nothing was written', text)

    def test_without_boot_json_the_boot_is_taken_from_the_stream(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        for name in ('console.log', 'output.log', 'facts.json'):
            shutil.copy(os.path.join(RUN, name), tmp)
        boot = session.replay(tmp)
        self.assertEqual(boot.outcome, 'done')
        self.assertIsNone(boot.seconds)
        with open(os.path.join(tmp, 'output.log'), 'w') as f:
            f.write(read(os.path.join(RUN, 'output.log'))
                    .split('tgsig:end')[0])
        boot = session.replay(tmp)
        self.assertEqual(boot.outcome, 'interrupted')
        self.assertEqual(boot.running, 'signal:action_table')
        record = testrun.rebuild(tmp)
        self.assertFalse(record.passed)

    def test_a_directory_without_facts_is_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaises(TgsigError) as cm:
                testrun.rebuild(tmp)
            self.assertIn('facts.json', cm.exception.what)


if __name__ == '__main__':
    unittest.main()
