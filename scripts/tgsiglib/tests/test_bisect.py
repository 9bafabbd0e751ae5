# SPDX-License-Identifier: GPL-2.0
import io
import json
import os
import shutil
import tempfile
import unittest
from contextlib import redirect_stdout

from tgsiglib import bisect, bases
from tgsiglib.errors import BuildFailed, TgsigError
from tgsiglib.ktap import Status, Test
from tgsiglib.options import Options
from tgsiglib.record import RunRecord
from tgsiglib.shell import Progress, Shell


class Patches(unittest.TestCase):
    def test_what_each_patch_of_the_series_touches(self):
        files = bisect.series_files(bases.get('mainline').patches)
        got = [bisect.read_patch(i, f) for i, f in enumerate(files, 1)]
        self.assertGreaterEqual(len(got), 10)
        self.assertEqual(got[0].number, 1)
        self.assertTrue(got[0].subject.startswith('signal: '), got[0])
        self.assertNotIn('[PATCH', got[0].subject)
        self.assertIn('kernel', got[0].touches)
        kinds = {p.touches for p in got}
        self.assertIn('selftests', kinds)
        self.assertIn('docs', kinds)
        # No patch over 1,700 lines: reviewable (the largest is one
        # selftest program).
        self.assertTrue(all(0 < p.lines <= 1700 for p in got),
                        [(p.number, p.lines) for p in got])

    def test_range(self):
        self.assertEqual(bisect.parse_range(None, 3), [1, 2, 3])
        self.assertEqual(bisect.parse_range('2', 3), [2])
        self.assertEqual(bisect.parse_range('2-3', 3), [2, 3])
        for bad in ('0', '3-2', '4', 'x', '1-4'):
            with self.assertRaises(TgsigError, msg=bad):
                bisect.parse_range(bad, 3)


def record(run_dir, failed_case=False, kunit=True):
    prog = Test('signal:group_kill', Status.FAIL if failed_case else
                Status.PASS, subtests=[
                    Test('a', Status.PASS),
                    Test('b', Status.FAIL if failed_case else Status.PASS)])
    suites = [Test('signal', prog.status, subtests=[prog])]
    if kunit:
        suites.append(Test('kunit', Status.PASS, subtests=[
            Test('signal_action_table', Status.PASS,
                 subtests=[Test('x', Status.PASS), Test('y', Status.PASS)])
        ]))
    root = Test('tgsig', Status.FAIL if failed_case else Status.PASS,
                subtests=suites)
    return RunRecord(results=root, variant='patched', run_dir=run_dir,
                     outcome='done')


class Command(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp()
        self.asked = []

    def tearDown(self):
        shutil.rmtree(self.work)

    def runner(self, opts, shell, progress):
        self.asked.append((opts.series_upto, opts.filter))
        if opts.series_upto == 3:
            raise BuildFailed('make bzImage failed', 'see build.log')
        d = os.path.join(self.work, 'runs', f'p{opts.series_upto}')
        os.makedirs(d)
        return record(d, failed_case=opts.series_upto == 2,
                      kunit=opts.series_upto != 4)

    def test_every_patch_in_turn_and_the_table(self):
        opts = Options(work=self.work, filter='signal:*')
        out = io.StringIO()
        with redirect_stdout(out):
            rc = bisect.bisect_command(
                opts, Shell(Progress(stream=io.StringIO())),
                Progress(stream=io.StringIO()), 'scripts/tgsig bisect',
                '1-4', runner=self.runner)
        self.assertEqual(rc, 1)
        self.assertEqual(self.asked, [(k, 'signal:*') for k in (1, 2, 3, 4)])
        text = out.getvalue()
        self.assertIn('2 of 4 patches build, boot and pass', text)
        self.assertIn('patch 2: signal:group_kill failed', text)
        self.assertIn('did not build', text)
        self.assertIn(' 4 passed ', text)   # KUnit counted
        self.assertIn(' 3 passed, 1 failed ', text)
        for line in text.splitlines():
            self.assertFalse(line.startswith('#'), line)
        runs = os.path.join(self.work, 'runs')
        run_dir = [d for d in os.listdir(runs) if d.endswith('-bisect')][0]
        run_dir = os.path.join(runs, run_dir)
        with open(os.path.join(run_dir, 'bisect.json')) as f:
            data = json.load(f)
        self.assertFalse(data['passed'])
        self.assertEqual([s['verdict'] for s in data['steps']],
                         ['ok', 'failed', 'did not build', 'ok'])
        self.assertEqual([s['kunit'] for s in data['steps']],
                         ['2/2', '2/2', '', '-'])
        self.assertTrue(os.path.islink(os.path.join(run_dir, 'patch01')))
        with open(os.path.join(run_dir, 'bisect.md')) as f:
            md = f.read()
        self.assertIn('| 2 | ', md)
        self.assertIn('- patch 2: signal:group_kill', md)

    def test_a_filter_that_ran_nothing_is_named(self):
        def kunit_only(opts, shell, progress):
            rec = record(os.path.join(self.work, 'k'))
            rec.results.subtests = rec.results.subtests[1:]
            return rec
        with redirect_stdout(io.StringIO()), \
                self.assertRaises(TgsigError) as ctx:
            bisect.bisect_command(
                Options(work=self.work, filter='signl:*'),
                Shell(Progress(stream=io.StringIO())),
                Progress(stream=io.StringIO()), 'x', '1-2',
                runner=kunit_only)
        self.assertIn("'signl:*'", ctx.exception.what)

    def test_refuses_what_does_not_go_with_it(self):
        for opts in (Options(baseline=True),
                     Options(extra_patches=['x.patch'])):
            with self.assertRaises(TgsigError):
                bisect.bisect_command(opts, Shell(Progress()), Progress(),
                                      'x', runner=self.runner)


if __name__ == '__main__':
    unittest.main()
