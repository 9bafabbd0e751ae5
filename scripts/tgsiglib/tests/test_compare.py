# SPDX-License-Identifier: GPL-2.0
import json
import os
import shutil
import tempfile
import unittest

from tgsiglib import compare
from tgsiglib.errors import TgsigError
from tgsiglib.record import RunRecord


def R(data):
    """The record of a results.json holding data."""
    return RunRecord.from_json(data)


def run(tree, **meta):
    return dict({'tree': 'linux 6.12', 'accel': 'tcg', 'smp': 2,
                 'totals': {'pass': 3, 'fail': 0, 'skip': 1},
                 'results': tree}, **meta)


def prog(name, *statuses):
    return {'name': name, 'status': 'pass',
            'subtests': [{'name': f'c{i}', 'status': s}
                         for i, s in enumerate(statuses)]}


A = run({'name': 'tgsig', 'subtests': [
    {'name': 'signal', 'subtests': [prog('signal:a', 'pass', 'pass'),
                                    prog('signal:t', 'skip')]},
    {'name': 'kernel', 'subtests': [{'name': 'boot', 'status': 'pass'}]}]})
B = run({'name': 'tgsig', 'subtests': [
    {'name': 'signal', 'subtests': [prog('signal:a', 'pass', 'fail'),
                                    prog('signal:t', 'pass')]},
    {'name': 'kunit', 'subtests': [prog('suite', 'pass')]}]})


class Compare(unittest.TestCase):
    def test_programs_side_by_side_with_their_counts(self):
        lines = compare.table(R(A), R(B)).splitlines()
        self.assertEqual(lines[0].split(), ['program', 'unpatched',
                                            'patched'])
        self.assertEqual(lines[1].split(), ['signal:a', '2', 'pass', '1',
                                            'pass,', '1', 'fail'])
        self.assertEqual(lines[2].split(), ['signal:t', '1', 'skip', '1',
                                            'pass'])
        self.assertIn('kernel:boot', lines[3])
        self.assertTrue(lines[3].rstrip().endswith('not run'))
        self.assertTrue(lines[4].startswith('kunit:suite  '))
        self.assertIn('not run', lines[4])
        self.assertEqual(lines[5:7], ['unpatched:', '  linux 6.12'])
        self.assertIn('3 passed, 0 failed, 1 skipped', lines[7])
        self.assertLessEqual(max(len(x) for x in lines), 75)

    def test_a_debug_run_is_summed_up_under_the_table(self):
        same = dict(B, debug=True, splats=[])
        lines = compare.table(R(A), R(B), R(same)).splitlines()
        self.assertEqual(lines[-4:-2], ['patched, debug config:',
                                        '  linux 6.12'])
        self.assertTrue(lines[-2].endswith('; 0 kernel splats'))
        self.assertEqual(lines[-1], '  every program as on the patched '
                         'kernel')
        other = dict(same, splats=[{'kind': 'lockdep'}], results={
            'name': 'tgsig', 'subtests': [{'name': 'signal', 'subtests': [
                prog('signal:a', 'pass', 'pass'),
                prog('signal:t', 'pass')]}]})
        lines = compare.table(R(A), R(B), R(other)).splitlines()
        self.assertTrue(lines[-3].endswith('; 1 kernel splats'))
        self.assertEqual(lines[-2:], ['  programs whose counts differ from '
                                      'patched: signal:a (2 pass), '
                                      'kunit:suite',
                                      '    (not run)'])
        self.assertLessEqual(max(len(x) for x in lines), 75)

    def test_a_run_without_results_is_named(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        with self.assertRaises(TgsigError) as ctx:
            compare.load(tmp)
        self.assertIn('results.json', str(ctx.exception))
        with open(os.path.join(tmp, 'results.json'), 'w') as f:
            json.dump(A, f)
        self.assertEqual(compare.load(tmp), R(A))


class Tables(unittest.TestCase):
    def test_one_table_per_base_mainline_first(self):
        runs = [R(dict(A, base='lts')), R(dict(B, base='lts')),
                R(dict(A, base='mainline')), R(dict(B, base='mainline'))]
        text = compare.tables(runs)
        self.assertTrue(text.startswith('mainline:\n'))
        self.assertIn('\nlts:\n', text)
        self.assertEqual(text.count('program'), 2)

    def test_one_base_gives_the_plain_table(self):
        self.assertEqual(compare.tables([R(A), R(B)]),
                         compare.table(R(A), R(B)))

    def test_a_base_with_one_run_is_an_error(self):
        with self.assertRaises(TgsigError) as cm:
            compare.tables([R(dict(A, base='lts')),
                            R(dict(A, base='mainline')),
                            R(dict(B, base='mainline'))])
        self.assertIn('one run only of the lts base', cm.exception.what)


if __name__ == '__main__':
    unittest.main()
