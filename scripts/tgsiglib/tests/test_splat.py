# SPDX-License-Identifier: GPL-2.0
import glob
import os
import unittest

from tgsiglib import splat
from tgsiglib.tests.golden import DATA, load


class Synthetic(unittest.TestCase):
    def test_lockdep_headline_names_the_test(self):
        found = splat.scan(load('lockdep_synthetic.log'))
        self.assertEqual(len(found), 1)
        s = found[0]
        self.assertEqual(s.kind, 'lockdep')
        self.assertEqual(s.test, 'signal:group_kill')
        self.assertEqual(s.text, 'WARNING: possible recursive locking detected')
        self.assertIn('stack backtrace:', s.excerpt)

    def test_kinds(self):
        cases = {
            'Kernel panic - not syncing: sysrq triggered crash': 'panic',
            'BUG: KASAN: slab-use-after-free in complete_signal+0x1/0x2':
                'KASAN',
            'UBSAN: array-index-out-of-bounds in kernel/signal.c:100:5':
                'UBSAN',
            'WARNING: suspicious RCU usage': 'RCU',
            'rcu: INFO: rcu_sched detected stalls on CPUs/tasks:': 'RCU',
            'INFO: task kworker/0:1:12 blocked for more than 20 seconds.':
                'hung task',
            'watchdog: BUG: soft lockup - CPU#0 stuck for 22s!':
                'soft lockup',
            'list_add corruption. next->prev should be prev': 'list corruption',
            'ODEBUG: free active (active state 0) object: 0000': 'debugobjects',
            'BUG: unable to handle page fault for address: 0000000000000000':
                'oops',
            'Oops: general protection fault, probably for non-canonical':
                'oops',
            'kernel BUG at kernel/signal.c:1234!': 'BUG',
            'BUG: sleeping function called from invalid context at x.c:1':
                'BUG',
            'WARNING: CPU: 1 PID: 77 at kernel/signal.c:99 f+0x1/0x2':
                'WARNING',
        }
        for line, kind in cases.items():
            self.assertEqual(splat.classify(line), kind, line)

    def test_clean_boot_lines_are_not_splats(self):
        for line in ('ACPI: PM: Preparing to enter system sleep state S5',
                     'tgsig: begin signal:bad_input',
                     'Run /init as init process',
                     'x86/fpu: x87 FPU will use FXSAVE'):
            self.assertIsNone(splat.classify(line), line)

    def test_one_report_counts_once(self):
        lines = ['WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2',
                 'Modules linked in:',
                 'WARNING: CPU: 0 PID: 1 at a.c:1 f+0x1/0x2 (same report)',
                 '---[ end trace 0000000000000000 ]---',
                 'WARNING: CPU: 0 PID: 1 at a.c:2 g+0x1/0x2']
        self.assertEqual([s.line for s in splat.scan(lines)], [1, 5])

    def test_taint(self):
        self.assertEqual(splat.decode_taint(512 | 1 << 7),
                         ['D (died (oops or BUG))', 'W (WARNING)'])
        self.assertFalse(splat.taint_is_finding(0))
        self.assertFalse(splat.taint_is_finding(1 << 18))
        self.assertTrue(splat.taint_is_finding(512))


class RealConsoleLogs(unittest.TestCase):
    """Console logs captured from the pinned kernel under QEMU with
    `tgsig run --exec` (see tests/data/README). Each file is named after
    what it shows; the first splat must be of that kind."""

    EXPECT = {
        'real_clean.console': None,
        'real_warn.console': 'WARNING',
        'real_panic.console': 'panic',
        'real_oops.console': 'oops',
        'real_hung_task.console': 'hung task',
        'real_lockdep.console': 'lockdep',
        'real_kunit_interleaved.console': None,
    }

    def test_each_captured_log(self):
        files = sorted(glob.glob(os.path.join(DATA, 'real_*.console')))
        self.assertTrue(files, 'no captured logs in tests/data')
        for path in files:
            name = os.path.basename(path)
            with self.subTest(log=name):
                self.assertIn(name, self.EXPECT, 'add it to EXPECT')
                found = splat.scan(load(name))
                kind = self.EXPECT[name]
                if kind is None:
                    self.assertEqual(found, [])
                else:
                    self.assertTrue(found, f'no splat found in {name}')
                    self.assertEqual(found[0].kind, kind)
                    self.assertTrue(found[0].test.startswith('exec:'),
                                    'the splat is tied to the test')


if __name__ == '__main__':
    unittest.main()
