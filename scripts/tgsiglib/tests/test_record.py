# SPDX-License-Identifier: GPL-2.0
"""The run record: results.json's typed form, read and written."""
import json
import os
import tempfile
import unittest

from tgsiglib.errors import TgsigError
from tgsiglib.ktap import Status, Test
from tgsiglib.record import RunRecord
from tgsiglib.splat import Splat

SAVED = {
    'variant': 'patched', 'debug': False, 'base': 'lts',
    'tree': 'lts: linux 6.12.117', 'head': 'f' * 40,
    'patches': ['0001-a.patch'], 'accel': 'tcg', 'smp': 4,
    'guest': '6.12.117+ cpus=4', 'outcome': 'done', 'detail': '',
    'running_at_end': '', 'boot_seconds': 6.8348, 'taint': 512,
    'splats': [{'kind': 'WARNING', 'line': 3, 'text': 'WARNING: x',
                'test': 'exec:warn.sh', 'excerpt': ['WARNING: x']}],
    'qemu': ['qemu-system-x86_64', '-smp', '4'], 'run_dir': '/r',
    'totals': {'pass': 1, 'fail': 1, 'skip': 0, 'error': 0,
               'timeout': 0, 'xfail': 0},
    'passed': False,
    'results': {'name': 'tgsig', 'status': 'fail', 'subtests': [
        {'name': 'signal', 'status': 'pass', 'subtests': [
            {'name': 'signal:action_table', 'status': 'pass',
             'seconds': 1.5}]},
        {'name': 'kernel', 'status': 'fail', 'subtests': [
            {'name': 'no splats', 'status': 'fail',
             'directive': '1 found'}]}]},
}


class Record(unittest.TestCase):
    def test_a_saved_record_reads_back_and_writes_the_same_json(self):
        record = RunRecord.from_json(SAVED)
        self.assertEqual(record.base, 'lts')
        self.assertEqual(record.splats[0], Splat(
            'WARNING', 3, 'WARNING: x', 'exec:warn.sh', ['WARNING: x']))
        self.assertEqual(record.program('signal:action_table').seconds,
                         1.5)
        self.assertFalse(record.passed)
        self.assertEqual(record.to_json(), SAVED)

    def test_totals_and_passed_come_from_the_tree_when_built(self):
        root = Test('tgsig', Status.PASS, subtests=[
            Test('s', Status.PASS, subtests=[Test('s:p', Status.SKIP)])])
        record = RunRecord(results=root, variant='baseline')
        self.assertTrue(record.passed)
        self.assertEqual(record.totals['skip'], 1)
        self.assertEqual([p.name for p in record.programs()], ['s:p'])

    def test_unknown_keys_are_kept(self):
        data = dict(SAVED, kernel='6.1.0', default_timeout=45)
        self.assertEqual(RunRecord.from_json(data).to_json(), data)

    def test_a_host_record_writes_only_what_a_host_run_has(self):
        record = RunRecord(results=Test('tgsig', Status.PASS),
                           variant='host', tree='this machine',
                           run_dir='/r', extra={'kernel': '6.1.0'})
        self.assertEqual(set(record.to_json()),
                         {'variant', 'tree', 'run_dir', 'kernel', 'totals',
                          'passed', 'results'})

    def test_taint_as_text_or_empty(self):
        self.assertEqual(RunRecord.from_json({'taint': '512'}).taint, 512)
        self.assertEqual(RunRecord.from_json({'taint': ''}).taint, 0)
        self.assertIsNone(RunRecord.from_json({}).taint)

    def test_save_and_load(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(TgsigError) as cm:
                RunRecord.load(d)
            self.assertIn('results.json', cm.exception.what)
            RunRecord.from_json(SAVED).save(d)
            with open(os.path.join(d, 'results.json')) as f:
                self.assertEqual(json.load(f), SAVED)
            self.assertEqual(RunRecord.load(d).to_json(), SAVED)


if __name__ == '__main__':
    unittest.main()
