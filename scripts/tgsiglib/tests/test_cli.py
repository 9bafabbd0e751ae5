# SPDX-License-Identifier: GPL-2.0
"""The command line: option groups titled in --help, and each command
taking only the options that apply to it."""
import contextlib
import io
import unittest

from tgsiglib import cli


def parse(*argv):
    with contextlib.redirect_stderr(io.StringIO()):
        return cli.parser().parse_args(list(argv))


def help_text(command):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), \
            contextlib.suppress(SystemExit):
        cli.parser().parse_args([command, '--help'])
    return out.getvalue()


class Groups(unittest.TestCase):
    def test_run_help_has_each_group_titled(self):
        text = help_text('run')
        for title in ('common options:', 'build: the kernel and its '
                      'selftests:', 'boot: the guest under QEMU:',
                      'test: what the guest runs:'):
            self.assertIn(title, text)

    def test_bench_help_has_the_bench_group(self):
        self.assertIn('bench: the benchmarks:', help_text('bench'))

    def test_series_takes_the_common_options_only(self):
        self.assertEqual(parse('series', '-n', '--base', 'lts').base, 'lts')
        for option in ('--smp', '--filter', '--debug', '--accel'):
            with self.subTest(option=option), \
                    self.assertRaises(SystemExit):
                parse('series', option, '1')

    def test_check_runs_both_variants_so_takes_no_baseline(self):
        with self.assertRaises(SystemExit):
            parse('check', '--baseline')
        self.assertTrue(parse('check', '--quick', '--debug').debug)

    def test_host_takes_the_test_filter_but_no_qemu_options(self):
        self.assertEqual(parse('host', '--filter', 'x').filter, 'x')
        with self.assertRaises(SystemExit):
            parse('host', '--accel', 'kvm')

    def test_report_takes_a_run_directory(self):
        args = parse('report', 'work/runs/latest')
        self.assertEqual(args.run_dir, 'work/runs/latest')

    def test_options_of_a_command_without_them_keep_their_defaults(self):
        opts = cli.run_options(parse('series'))
        self.assertEqual(opts.smp, 4)
        self.assertEqual(opts.limits.boot, 120)
        self.assertEqual(cli.run_options(parse('bench')).smp, 2)


if __name__ == '__main__':
    unittest.main()
