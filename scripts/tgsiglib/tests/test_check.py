# SPDX-License-Identifier: GPL-2.0
import json
import os
import tempfile
import unittest

from tgsiglib import check, splat
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
