# SPDX-License-Identifier: GPL-2.0
"""host's local runs: each program through the one runner, written in
the guest's protocol and read back by the same parser."""
import io
import os
import shutil
import tempfile
import unittest

from tgsiglib import host, qemu, results, session, testrun
from tgsiglib.ktap import Test
from tgsiglib.ktap import Status
from tgsiglib.plan import Entry
from tgsiglib.record import RunRecord
from tgsiglib.shell import Progress, Shell

PROGRAMS = {
    'ok.sh': 'echo "TAP version 13"\necho 1..1\necho "ok 1 works"\n',
    'bad.sh': 'echo "not ok 1 broken"\nexit 1\n',
    'slow.sh': 'echo started\nexec sleep 30\n',
}


class RunLocal(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        os.makedirs(os.path.join(self.tmp, 'c'))
        for name, body in PROGRAMS.items():
            path = os.path.join(self.tmp, 'c', name)
            with open(path, 'w') as f:
                f.write('#!/bin/sh\n' + body)
            os.chmod(path, 0o755)

    def test_each_program_in_the_guest_protocol(self):
        plan = [Entry('c:ok.sh', 10, '', './ok.sh'),
                Entry('c:bad.sh', 10, '', './bad.sh'),
                Entry('c:slow.sh', 1, '', './slow.sh')]
        out = io.StringIO()
        shell = Shell(Progress(out))
        log = os.path.join(self.tmp, 'output.log')
        stream = host.run_local(plan, self.tmp, log, Progress(out), shell)
        got = {t.name: results.program(t).status for t in stream.tests}
        self.assertEqual(got, {'c:ok.sh': Status.PASS,
                               'c:bad.sh': Status.FAIL,
                               'c:slow.sh': Status.TIMEOUT})
        with open(log) as f:
            self.assertIn('tgsig:end c:slow.sh rc=137', f.read())

    def test_report_collects_a_host_run_again(self):
        plan = [Entry('c:ok.sh', 10, '', './ok.sh'),
                Entry('c:bad.sh', 10, '', './bad.sh')]
        facts = RunRecord(results=Test('tgsig'), variant='host',
                          tree='this machine', run_dir=self.tmp,
                          extra={'kernel': '6.1.0'})
        known = {'c:bad.sh/broken': 'known'}
        testrun.save_facts(self.tmp, facts, plan, {}, known,
                           kernel_checks=False)
        out = io.StringIO()
        stream = host.run_local(plan, self.tmp,
                                os.path.join(self.tmp, 'output.log'),
                                Progress(out), Shell(Progress(out)))
        boot = qemu.BootResult('done', '', stream, 0, 1.0)
        session.save_boot_facts(self.tmp, boot)
        got = session.collect(self.tmp, ['c:ok.sh', 'c:bad.sh'], boot,
                              known, kernel_checks=False)
        self.assertEqual(got.results.counts()['xfail'], 1)
        self.assertEqual(testrun.rebuild(self.tmp).to_json(),
                         RunRecord(results=got.results, variant='host',
                                   tree='this machine', run_dir=self.tmp,
                                   extra={'kernel': '6.1.0'}).to_json())


if __name__ == '__main__':
    unittest.main()
