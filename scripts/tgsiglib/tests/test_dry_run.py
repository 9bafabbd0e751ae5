# SPDX-License-Identifier: GPL-2.0
"""Every command with -n prints what it would run and changes nothing:
not the repository (patches/ included), not the work directory."""
import hashlib
import os
import subprocess
import tempfile
import unittest

from tgsiglib.paths import REPO

# trace's program: any script of the repository (a dry run runs none).
TRACED = os.path.join(REPO, 'scripts', 'tgsiglib', 'tests', 'provoke',
                      'sleep.sh')
COMMANDS = [['run'], ['run', '--base', 'lts', '--baseline'], ['series'],
            ['check'], ['bench'], ['mutants'], ['host'], ['e2e'],
            ['trace', TRACED, 'an-argument'],
            ['trace', '--host', TRACED]]
# report runs no command: it reads a saved run's logs (tests/data).
SAVED_RUN = os.path.join('scripts', 'tgsiglib', 'tests', 'data',
                         'run_lts_action_table')


def snapshot(top):
    """{path: sha256} of every file below top; {} when top is absent."""
    out = {}
    for d, _, files in os.walk(top):
        for name in files:
            path = os.path.join(d, name)
            if os.path.islink(path):
                out[path] = 'link:' + os.readlink(path)
                continue
            with open(path, 'rb') as f:
                out[path] = hashlib.sha256(f.read()).hexdigest()
    return out


@unittest.skipUnless(os.path.isdir(os.path.join(REPO, '.git')),
                     'needs the git repository of tgsig to clone')
class DryRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.clone = os.path.join(cls.tmp.name, 'tgsig')
        subprocess.run(['git', 'clone', '-q', REPO, cls.clone], check=True)
        cls.work = os.path.join(cls.tmp.name, 'work')

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_command_prints_and_changes_nothing(self):
        for argv in COMMANDS:
            with self.subTest(command=' '.join(argv)):
                before = snapshot(self.clone)
                proc = subprocess.run(
                    [os.path.join(self.clone, 'scripts', 'tgsig'), *argv,
                     '-n', '--work', self.work], capture_output=True,
                    text=True, stdin=subprocess.DEVNULL, timeout=300)
                self.assertEqual(proc.returncode, 0,
                                 proc.stdout[-2000:] + proc.stderr[-2000:])
                self.assertIn('\n  $ ', proc.stdout)
                self.assertEqual(snapshot(self.clone), before)
                self.assertFalse(os.path.exists(self.work),
                                 f'{argv} -n wrote {snapshot(self.work)}')

    def test_report_prints_the_summary_and_writes_nothing(self):
        before = snapshot(self.clone)
        proc = subprocess.run(
            [os.path.join(self.clone, 'scripts', 'tgsig'), 'report', '-n',
             os.path.join(self.clone, SAVED_RUN)], capture_output=True,
            text=True, stdin=subprocess.DEVNULL, timeout=300)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn('signal:action_table', proc.stdout)
        self.assertEqual(snapshot(self.clone), before)


if __name__ == '__main__':
    unittest.main()
