# SPDX-License-Identifier: GPL-2.0
import json
import os
import tempfile
import unittest

from tgsiglib import check, fuzzrun, sigfuzz, splat, trinity
from tgsiglib.ktap import Status
from tgsiglib.options import Options


BOTH = ['mainline', 'lts']


class KernelRuns(unittest.TestCase):
    def test_both_bases_and_debug_on_mainline_by_default(self):
        runs = check.kernel_runs(Options(), BOTH)
        self.assertEqual([(n, o.base, o.baseline, o.debug) for n, o in runs],
                         [('mainline unpatched', 'mainline', True, False),
                          ('mainline patched', 'mainline', False, False),
                          ('mainline patched, debug config', 'mainline',
                           False, True),
                          ('lts unpatched', 'lts', True, False),
                          ('lts patched', 'lts', False, False)])

    def test_one_base(self):
        runs = check.kernel_runs(Options(), ['lts'])
        self.assertEqual([(n, o.base) for n, o in runs],
                         [('lts unpatched', 'lts'), ('lts patched', 'lts')])

    def test_no_debug_leaves_the_debug_kernel_out(self):
        runs = check.kernel_runs(Options(), BOTH, debug_run=False)
        self.assertEqual([n for n, _ in runs],
                         ['mainline unpatched', 'mainline patched',
                          'lts unpatched', 'lts patched'])

    def test_debug_makes_every_kernel_debug_and_no_extra(self):
        runs = check.kernel_runs(Options(debug=True), ['mainline'])
        self.assertEqual([(n, o.debug) for n, o in runs],
                         [('mainline unpatched, debug config', True),
                          ('mainline patched, debug config', True)])

    def test_the_callers_options_are_not_changed(self):
        opts = Options()
        check.kernel_runs(opts, BOTH)
        self.assertFalse(opts.baseline)
        self.assertFalse(opts.debug)
        self.assertEqual(opts.base, 'mainline')


class KernelLine(unittest.TestCase):
    def write(self, meta):
        d = tempfile.mkdtemp()
        self.addCleanup(lambda: [os.remove(os.path.join(d, f)) for f in
                                 os.listdir(d)] and os.rmdir(d))
        with open(os.path.join(d, 'results.json'), 'w',
                  encoding='utf-8') as f:
            json.dump(meta, f)
        return d

    def test_clean_kernel(self):
        d = self.write({'splats': [], 'taint': '', 'guest': 'cpus=2',
                        'boot_seconds': 229.4})
        self.assertEqual(check.kernel_line(d),
                         '0 kernel splats, taint none, guest cpus=2, '
                         '229s booted')

    def test_splats_are_counted_and_named(self):
        d = self.write({'splats': [{'kind': 'lockdep'}, {'kind': 'KASAN'},
                                   {'kind': 'lockdep'}],
                        'taint': '512', 'guest': None, 'boot_seconds': 3})
        self.assertEqual(check.kernel_line(d),
                         '3 kernel splats (KASAN, lockdep), taint 512: W '
                         f'({splat.TAINT_NAMES[9]}), guest did not boot, '
                         '3s booted')

    def test_kunit_taint_is_named_and_not_a_finding(self):
        d = self.write({'splats': [], 'taint': '262144',
                        'guest': '6.12.117+ cpus=4', 'boot_seconds': 105})
        self.assertEqual(check.kernel_line(d),
                         '0 kernel splats, taint 262144: N (test (KUnit)), '
                         'not a finding, guest 6.12.117+ cpus=4, 105s '
                         'booted')

    def test_missing_results(self):
        d = tempfile.mkdtemp()
        self.addCleanup(os.rmdir, d)
        self.assertIn('no ', check.kernel_line(d))


if __name__ == '__main__':
    unittest.main()


class ShortFuzz(unittest.TestCase):
    """check's fuzz step: what fuzzrun.fuzz is asked and how its outcome
    becomes one test."""

    def fake(self, outcome):
        asked = []

        def fuzz(opts, args, shell, progress, command):
            asked.append((opts, args, command))
            return fuzzrun.FuzzRun(outcome, '/w/runs/X-fuzz', 'summary')
        return asked, fuzz

    def run_with(self, outcome):
        asked, fake = self.fake(outcome)
        real = fuzzrun.fuzz
        fuzzrun.fuzz = fake
        try:
            test = check.short_fuzz(Options(baseline=True), None, None,
                                    'mainline')
        finally:
            fuzzrun.fuzz = real
        return asked, test

    def outcome(self, **kw):
        seed = trinity.SeedRun(1, syscalls=10, started=True)
        run = sigfuzz.SigfuzzRun(started=True, calls=100)
        fields = dict(seeds=[seed], splats=[], taint=0, boot='done',
                      detail='', running='', sigfuzz=[run])
        fields.update(kw)
        return fuzzrun.Outcome(**fields)

    def test_the_patched_debug_kernel_seed_and_minutes(self):
        asked, test = self.run_with(self.outcome())
        opts, args, command = asked[0]
        self.assertEqual((opts.base, opts.debug, opts.baseline),
                         ('mainline', True, False))
        self.assertEqual((args.seeds, args.minutes, args.workers),
                         ([check.CHECK_FUZZ_SEED], check.CHECK_FUZZ_MINUTES,
                          sigfuzz.DEFAULT_WORKERS))
        self.assertEqual(command, 'scripts/tgsig fuzz --base mainline '
                         '--seed 1 --minutes 3')
        self.assertEqual(test.status, Status.PASS)
        self.assertEqual(test.log[0], '/w/runs/X-fuzz')

    def test_a_splat_fails_it_with_the_problem(self):
        found = splat.Splat('WARNING', 12, 'WARNING: CPU: 0 at '
                            'kernel/signal.c', 'fuzz:seed-1')
        _, test = self.run_with(self.outcome(splats=[found]))
        self.assertEqual(test.status, Status.FAIL)
        self.assertEqual(test.directive, '1 kernel splat')

    def test_a_fuzzer_that_did_not_run_fails_it(self):
        _, test = self.run_with(self.outcome(
            sigfuzz=[sigfuzz.SigfuzzRun()]))
        self.assertEqual(test.status, Status.FAIL)
        self.assertEqual(test.directive, 'seed 1: sigfuzz never started')
