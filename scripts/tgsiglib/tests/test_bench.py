# SPDX-License-Identifier: GPL-2.0
import json
import os
import shutil
import tempfile
import unittest
from unittest import mock

from tgsiglib import bench, benchplot, benchrun, build, qemu
from tgsiglib.kernel import Kernel
from tgsiglib.options import Options
from tgsiglib.errors import TgsigError
from tgsiglib.shell import Progress, Shell
from tgsiglib.stream import GuestStream

# Two boots of each kernel, as the guest's programs print them.
UNPATCHED = """\
# kill_all: procs=10: 73 processes on the machine
tgsig-bench kill_all procs=10 call=22000 ns
tgsig-bench kill_all procs=1000 call=440000 ns
tgsig-bench pidns_zap children=16 threads=4 exit_to_reaped=1500000 ns
tgsig-bench hot_path threads=1 call=kill round_trip=9000 ns
tgsig-bench kill_all procs=10 call=24000 ns
tgsig-bench kill_all procs=1000 call=460000 ns
tgsig-bench pidns_zap children=16 threads=4 exit_to_reaped=1700000 ns
tgsig-bench hot_path threads=1 call=kill round_trip=9400 ns
# kill_all: ok: 1001 processes reaped
"""
PATCHED = """\
tgsig-bench kill_all procs=10 call=21000 ns
tgsig-bench kill_all procs=1000 call=25000 ns
tgsig-bench pidns_zap children=16 threads=4 exit_to_reaped=1600000 ns
tgsig-bench hot_path threads=1 call=kill round_trip=9200 ns
tgsig-bench kill_all procs=10 call=23000 ns
tgsig-bench kill_all procs=1000 call=26000 ns
tgsig-bench pidns_zap children=16 threads=4 exit_to_reaped=1650000 ns
tgsig-bench hot_path threads=1 call=kill round_trip=9300 ns
"""

TABLE = """\
  FIGURE     PARAMETERS             METRIC          CLOCK   \
UNPATCHED median (min-max)  PATCHED median (min-max)  PATCHED/UNPATCHED  NOISE
  kill_all   procs=10               call            icount      \
23.0 kinsn (22.0-24.0)    22.0 kinsn (21.0-23.0)               0.96   9.1%
  kill_all   procs=1000             call            icount         \
450 kinsn (440-460)    25.5 kinsn (25.0-26.0)             0.057*   4.4%
  pidns_zap  children=16 threads=4  exit_to_reaped  icount      \
1600 kinsn (1500-1700)    1625 kinsn (1600-1650)               1.02  12.5%
  hot_path   threads=1 call=kill    round_trip      icount       \
9200 insn (9000-9400)     9250 insn (9200-9300)              1.005   4.3%"""

MARKDOWN = """\
Two boots of each kernel.

Noise floor of the 4 icount times: at most 12.5% (pidns_zap children=16 \
threads=4 exit_to_reaped).

| Figure | Parameters | Metric | Clock | Unpatched: median (min-max) \
| Patched: median (min-max) | Patched/unpatched | Noise |
|---|---|---|---|---:|---:|---:|---:|
| `kill_all` | procs=10 | call | icount | 23.0 kinsn (22.0-24.0) \
| 22.0 kinsn (21.0-23.0) | 0.96 | 9.1% |
| `kill_all` | procs=1000 | call | icount | 450 kinsn (440-460) \
| 25.5 kinsn (25.0-26.0) | 0.057\\* | 4.4% |
| `pidns_zap` | children=16 threads=4 | exit_to_reaped | icount \
| 1600 kinsn (1500-1700) | 1625 kinsn (1600-1650) | 1.02 | 12.5% |
| `hot_path` | threads=1 call=kill | round_trip | icount \
| 9200 insn (9000-9400) | 9250 insn (9200-9300) | 1.005 | 4.3% |
"""


def golden_rows(clock=bench.ICOUNT):
    return bench.summarize({
        bench.UNPATCHED: bench.parse_output(UNPATCHED.splitlines(), clock),
        bench.PATCHED: bench.parse_output(PATCHED.splitlines(), clock)})


class Protocol(unittest.TestCase):
    def test_one_parameter(self):
        s = bench.parse_line('tgsig-bench kill_all procs=1000 call=441200 ns')
        self.assertEqual(s.key, bench.Key('kill_all', (('procs', '1000'),),
                                          'call', 'ns'))
        self.assertEqual(s.value, 441200.0)

    def test_several_parameters_keep_their_order(self):
        s = bench.parse_line('  tgsig-bench hot_path threads=16 call=tgkill '
                             'round_trip=3.5 ns\r\n')
        self.assertEqual(s.key.params, (('threads', '16'),
                                        ('call', 'tgkill')))
        self.assertEqual(s.key.params_text, 'threads=16 call=tgkill')
        self.assertEqual((s.key.metric, s.value), ('round_trip', 3.5))

    def test_other_lines_are_not_measurements(self):
        for line in ('', '# kill_all: ok', 'tgsig-benchmark a b=1 c=2 ns',
                     'kill_all: FAIL: tgsig-bench a b=1 c=2 ns',
                     'TAP version 13'):
            self.assertIsNone(bench.parse_line(line), line)

    def test_malformed_measurements_are_errors(self):
        for line in ('tgsig-bench', 'tgsig-bench kill_all call=1 ns',
                     'tgsig-bench kill_all procs=10 call=fast ns',
                     'tgsig-bench kill_all procs=10 call=1e3 ns',
                     'tgsig-bench kill_all procs call=1 ns',
                     'tgsig-bench kill_all procs=10 call=1 n=s',
                     'tgsig-bench kill_all procs=10 procs=1 ns',
                     'tgsig-bench kill_all procs= call=1 ns',
                     'tgsig-bench kill=all procs=1 call=1 ns'):
            with self.assertRaises(bench.ProtocolError, msg=line):
                bench.parse_line(line)

    def test_output_keeps_measurements_in_order(self):
        samples = bench.parse_output(UNPATCHED.splitlines())
        self.assertEqual(len(samples), 8)
        self.assertEqual([s.value for s in samples[:2]], [22000, 440000])
        self.assertEqual({s.clock for s in samples}, {bench.WALL})

    def test_output_is_marked_with_its_clock(self):
        samples = bench.parse_output(UNPATCHED.splitlines(), bench.ICOUNT)
        self.assertEqual({s.clock for s in samples}, {bench.ICOUNT})


class Statistics(unittest.TestCase):
    def test_median_min_max_of_odd_and_even_pools(self):
        odd = bench.Spread([5.0, 1.0, 3.0])
        self.assertEqual((odd.n, odd.median, odd.low, odd.high),
                         (3, 3.0, 1.0, 5.0))
        even = bench.Spread([4.0, 1.0, 3.0, 10.0])
        self.assertEqual(even.median, 3.5)

    def test_rows_pool_the_boots_of_each_kernel(self):
        rows = golden_rows()
        self.assertEqual([r.key.figure for r in rows],
                         ['kill_all', 'kill_all', 'pidns_zap', 'hot_path'])
        big = rows[1]
        self.assertEqual(big.unpatched.values, [440000, 460000])
        self.assertEqual(big.unpatched.median, 450000)
        self.assertEqual(big.patched.median, 25500)
        self.assertAlmostEqual(big.ratio, 25500 / 450000)
        self.assertEqual(bench.incomplete(rows, 2), [])

    def test_rows_are_grouped_by_figure(self):
        rows = bench.summarize({bench.UNPATCHED: bench.parse_output([
            'tgsig-bench a n=1 m=1 ns', 'tgsig-bench b n=1 m=1 ns',
            'tgsig-bench a n=2 m=1 ns', 'tgsig-bench b n=2 m=1 ns'])})
        self.assertEqual([(r.key.figure, r.key.params_text) for r in rows],
                         [('a', 'n=1'), ('a', 'n=2'), ('b', 'n=1'),
                          ('b', 'n=2')])

    def test_a_missing_kernel_or_a_zero_has_no_ratio(self):
        key = bench.Key('f', (('n', '1'),), 'm', 'ns')
        self.assertIsNone(bench.Row(key, bench.Spread([1.0])).ratio)
        self.assertIsNone(bench.Row(key, bench.Spread([0.0]),
                                    bench.Spread([1.0])).ratio)

    def test_incomplete_rows_are_named(self):
        samples = bench.parse_output(PATCHED.splitlines())
        rows = bench.summarize({bench.PATCHED: samples[:5]})
        missing = bench.incomplete(rows, 2)
        self.assertIn('kill_all procs=10 call: 0 values from the unpatched '
                      'kernel, expected 2', missing)
        self.assertIn('kill_all procs=1000 call: 1 values from the patched '
                      'kernel, expected 2', missing)

    def test_json_has_both_kernels_and_the_ratio(self):
        j = golden_rows()[0].to_json()
        self.assertEqual(j['params'], {'procs': '10'})
        self.assertEqual(j['unpatched']['median'], 23000)
        self.assertEqual(j['patched']['min'], 21000)
        self.assertAlmostEqual(j['ratio'], 22000 / 23000)
        self.assertEqual(j['clock'], bench.ICOUNT)
        self.assertAlmostEqual(j['noise'], 2000 / 22000)
        self.assertFalse(j['changed'])

    def test_a_row_has_one_clock(self):
        line = ['tgsig-bench f n=1 m=5 ns']
        with self.assertRaises(bench.ProtocolError) as ctx:
            bench.summarize({
                bench.UNPATCHED: bench.parse_output(line, bench.ICOUNT),
                bench.PATCHED: bench.parse_output(line, bench.WALL)})
        self.assertIn('f n=1 m measured by two clocks, icount and wall',
                      ctx.exception.what)

    def test_incomplete_counts_the_boots_of_each_clock(self):
        rows = bench.summarize({
            bench.UNPATCHED: bench.parse_output(
                ['tgsig-bench a n=1 m=5 ns'] * 3, bench.ICOUNT)
            + bench.parse_output(['tgsig-bench b n=1 m=5 ns'] * 5),
            bench.PATCHED: bench.parse_output(
                ['tgsig-bench a n=1 m=5 ns'] * 3, bench.ICOUNT)
            + bench.parse_output(['tgsig-bench b n=1 m=5 ns'] * 4)})
        self.assertEqual(bench.incomplete(rows, {bench.ICOUNT: 3,
                                                 bench.WALL: 5}),
                         ['b n=1 m: 4 values from the patched kernel, '
                          'expected 5'])


class NoiseFloor(unittest.TestCase):
    KEY = bench.Key('f', (('n', '1'),), 'm', 'ns')

    def row(self, unpatched, patched, clock=bench.ICOUNT):
        return bench.Row(self.KEY, bench.Spread(unpatched),
                         bench.Spread(patched), clock)

    def test_the_larger_spread_of_the_two_kernels(self):
        row = self.row([100.0, 101.0, 100.0], [200.0, 204.0, 202.0])
        self.assertAlmostEqual(row.noise, 4 / 202)
        self.assertEqual(bench.noise_text(row), '2.0%')

    def test_boots_that_repeat_exactly_have_no_noise(self):
        row = self.row([10776.0, 10776.0], [10785.0, 10785.0])
        self.assertEqual(row.noise, 0)
        self.assertEqual(bench.noise_text(row), '0%')
        # One comparison more, counted exactly: a change, in three decimals.
        self.assertTrue(row.changed)
        self.assertEqual(bench.ratio_text(row), '1.001*')

    def test_a_ratio_within_the_noise_is_no_change(self):
        row = self.row([100.0, 110.0], [104.0, 106.0])
        self.assertAlmostEqual(row.noise, 10 / 105)
        self.assertFalse(row.changed)
        self.assertEqual(bench.ratio_text(row), '1.000')
        self.assertTrue(self.row([100.0, 101.0], [150.0, 151.0]).changed)

    def test_wall_clock_ratios_keep_two_decimals(self):
        row = self.row([100.0, 100.5], [101.0, 101.1], bench.WALL)
        self.assertEqual(bench.ratio_text(row), '1.01*')
        row = self.row([100.0, 100.5], [100.6, 100.7], bench.WALL)
        self.assertEqual(bench.ratio_text(row), '1.00')

    def test_one_boot_has_no_noise_floor_and_no_change(self):
        row = self.row([100.0], [50.0])
        self.assertIsNone(row.noise)
        self.assertFalse(row.changed)
        self.assertEqual((bench.noise_text(row), bench.ratio_text(row)),
                         ('-', '0.50'))

    def test_counts_of_zero_on_every_boot(self):
        row = bench.Row(bench.Key('p', (('n', '1'),), 'woke', 'procs'),
                        bench.Spread([0.0, 0.0]), bench.Spread([0.0, 0.0]))
        self.assertEqual((row.noise, row.ratio, row.changed), (0, None,
                                                               False))
        self.assertEqual(bench.noise_text(self.row([1000.0, 1000.5],
                                                   [1.0, 1.0])), '<0.1%')

    def test_floor_summary_names_the_largest_of_each_clock(self):
        rows = golden_rows()
        self.assertEqual(bench.floor_summary(rows),
                         'Noise floor of the 4 icount times: at most 12.5% '
                         '(pidns_zap children=16 threads=4 exit_to_reaped).')
        self.assertEqual(bench.floor_summary(golden_rows(bench.WALL)),
                         'Noise floor of the 4 wall times: at most 12.5% '
                         '(pidns_zap children=16 threads=4 exit_to_reaped).')


class Rendering(unittest.TestCase):
    def test_numbers_never_use_an_exponent(self):
        self.assertEqual([bench.number(v) for v in (1234.4, 45.66, 9.5,
                                                    0.123)],
                         ['1234', '45.7', '9.50', '0.12'])

    def test_small_ratios_keep_two_digits(self):
        key = bench.Key('f', (('n', '1'),), 'm', 'ns')
        self.assertEqual(bench.ratio_text(bench.Row(
            key, bench.Spread([5679000.0]), bench.Spread([20000.0]))),
            '0.0035')

    def test_terminal_table(self):
        self.assertEqual(bench.table(golden_rows()), TABLE)

    def test_markdown_table_and_legend(self):
        text = bench.markdown(golden_rows(), 'Two boots of each kernel.')
        legend = f'- {bench.LEGEND}\n' + ''.join(
            f'- `{f}`: {bench.FIGURES[f]}.\n'
            for f in ('kill_all', 'pidns_zap', 'hot_path'))
        self.assertEqual(text, MARKDOWN + '\n' + legend)

    def test_wall_clock_times_stay_times(self):
        row = golden_rows(bench.WALL)[1]
        self.assertEqual(bench.cell(row.unpatched, *bench.scale(row)),
                         '450 us (440-460)')

    def test_letter_fits_a_commit_message_one_block_per_figure(self):
        text = bench.letter(golden_rows(), 'Two boots of each kernel, ' * 9)
        lines = text.splitlines()
        self.assertLessEqual(max(len(x) for x in lines), 75)
        self.assertTrue(lines[0].startswith('Two boots of each kernel,'))
        for figure in ('kill_all', 'pidns_zap', 'hot_path'):
            self.assertEqual(sum(x.startswith(f'{figure} (icount): ')
                                 for x in lines), 1)
        self.assertIn('  procs=1000     450 kinsn (440-460)  '
                      '25.5 kinsn (25.0-26.0)  0.057*   4.4%', lines)
        self.assertEqual(lines[-1].split()[-2:], [bench.ratio_text(
            golden_rows()[-1]), bench.noise_text(golden_rows()[-1])])

    def test_letter_puts_long_parameters_above_their_numbers(self):
        lines = ['tgsig-bench teardown procs=512 variant=write '
                 'way=stop_loop_cont reaped=27871336 ns',
                 'tgsig-bench teardown procs=512 variant=write '
                 'way=stop_loop_cont woke=0 procs']
        rows = bench.summarize({bench.UNPATCHED: bench.parse_output(lines),
                                bench.PATCHED: bench.parse_output(lines)})
        text = bench.letter(rows).splitlines()
        self.assertTrue(all(len(x) <= bench.LETTER_WIDTH for x in text),
                        text)
        at = text.index('  procs=512 variant=write way=stop_loop_cont '
                        'reaped')
        self.assertEqual(text[at + 1].split(),
                         ['27.9', 'ms', '(27.9-27.9)', '27.9', 'ms',
                          '(27.9-27.9)', '1.00', '-'])

    def test_letter_sums_up_figures_of_many_rows(self):
        lines = [f'tgsig-bench pipeline procs={n} variant=read way={w} '
                 f'woke={3 if w == "loop_term" and n == 16 else 0} procs'
                 for n in (16, 128) for w in ('pgrp_kill', 'loop_term')]
        lines += [f'tgsig-bench pipeline procs={n} variant=read way=x '
                  f'reaped={n * 1000} ns' for n in (16, 128)]
        rows = bench.summarize({bench.UNPATCHED: bench.parse_output(lines),
                                bench.PATCHED: bench.parse_output(lines)})
        text = ' '.join(bench.letter(rows).split())
        self.assertIn('pipeline: 6 rows in results.md. The 2 times: '
                      'patched/unpatched 1.00 to 1.00 (median 1.00), 0 '
                      'outside the noise floor. The 4 counts: '
                      'patched/unpatched 1.00 to 1.00 (median 1.00), 0 '
                      'outside the noise floor; 3 are 0 on both kernels, the others (unpatched / '
                      'patched): procs=16 variant=read way=loop_term woke '
                      '3.00 / 3.00.', text)
        self.assertNotIn('reaped=', text)

    def test_rows_survive_results_json(self):
        rows = golden_rows()
        again = bench.rows_from_json(json.loads(json.dumps(
            {'rows': [r.to_json() for r in rows]})))
        self.assertEqual([r.to_json() for r in again],
                         [r.to_json() for r in rows])

    def test_a_missing_kernel_shows_a_dash(self):
        rows = bench.summarize({bench.PATCHED: bench.parse_output(
            ['tgsig-bench x n=1 m=5 count'])})
        self.assertEqual(bench.table(rows).splitlines()[1].split(),
                         ['x', 'n=1', 'm', 'wall', '-', '5.00', 'count',
                          '(5.00-5.00)', '-', '-'])

    def test_plot_has_a_series_per_kernel_and_parameter(self):
        gp = benchplot.script(golden_rows(), 'bench.svg', 'golden')
        self.assertIn("set output 'bench.svg'", gp)
        self.assertIn('$d0 << EOD\n10 23 22 24\n1000 450 440 460\nEOD', gp)
        self.assertIn("title 'patched threads=4'", gp)
        self.assertIn('set multiplot layout 2,2', gp)
        self.assertIn("set title 'kill(-1) from a PID namespace of 16, per "
                      "call [instructions, -icount]'", gp)
        self.assertIn("set ylabel 'thousand instructions (median, min-max "
                      "bars)'", gp)
        self.assertIn("title 'unpatched call=kill'", gp)

    def test_plot_says_wall_clock(self):
        gp = benchplot.script(golden_rows(bench.WALL), 'bench.svg', 'golden')
        self.assertIn("call [wall clock]'", gp)
        self.assertIn("set ylabel 'microseconds (median, min-max bars)'", gp)

    def test_plot_selects_rows_and_keeps_counts_of_zero(self):
        lines = []
        for variant, woke in (('read', 0), ('write', 3)):
            for way in ('pgrp_kill', 'loop_term'):
                n = woke if way == 'loop_term' else 0
                lines += [f'tgsig-bench pipeline procs=16 variant={variant} '
                          f'way={way} woke={n} procs',
                          f'tgsig-bench pipeline procs=16 variant={variant} '
                          f'way={way} reaped=2000 ns']
        rows = bench.summarize({bench.UNPATCHED: bench.parse_output(lines),
                                bench.PATCHED: bench.parse_output(lines)})
        woke = [p for p in benchplot.PANELS if p.figure == 'pipeline' and
                p.metric == 'woke'][0]
        got = benchplot.series(rows, woke)
        self.assertEqual([(t, pts) for t, _, _, pts in got], [
            ('unpatched way=pgrp_kill', [(16.0, 0, 0, 0)]),
            ('patched way=pgrp_kill', [(16.0, 0, 0, 0)]),
            ('unpatched way=loop_term', [(16.0, 0, 0, 0)]),
            ('patched way=loop_term', [(16.0, 0, 0, 0)])])
        gp = benchplot.script(rows, 'bench.svg', 't')
        self.assertIn("set ylabel 'processes (median, min-max bars)'", gp)
        self.assertIn('set yrange [0:*]', gp)


class Programs(unittest.TestCase):
    def test_every_program_has_a_source_and_runs_in_the_bench_dir(self):
        for name, timeout, where, cmd in benchrun.plan(quick=True):
            prog = name.split(':', 1)[1]
            self.assertTrue(os.path.exists(os.path.join(
                benchrun.SOURCES, prog + '.c')), prog)
            self.assertEqual(where, '/tgsig/bench')
            self.assertTrue(cmd.startswith(f'./{prog} --'))
        self.assertNotEqual(benchrun.plan(True), benchrun.plan(False))

    def test_config_difference(self):
        with tempfile.TemporaryDirectory() as tmp:
            a, b = os.path.join(tmp, 'a'), os.path.join(tmp, 'b')
            with open(a, 'w', encoding='utf-8') as f:
                f.write('CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=1\n')
            with open(b, 'w', encoding='utf-8') as f:
                f.write('CONFIG_A=y\nCONFIG_B=y\nCONFIG_C=1\nCONFIG_NEW=y\n')
            self.assertEqual(benchrun.config_difference(a, b),
                             [('CONFIG_B', 'n', 'y'),
                              ('CONFIG_NEW', 'n', 'y')])


class QemuArgv(unittest.TestCase):
    LOGS = ('c', 'o', 'h')

    def test_without_icount_the_command_line_is_as_before(self):
        cmd = qemu.argv('bz', 'rd', 2, 'tcg', self.LOGS)
        self.assertEqual(cmd[-4:], ['-accel', 'tcg,thread=multi', '-cpu',
                                    'max'])
        self.assertNotIn('-icount', cmd)
        self.assertEqual(qemu.argv('bz', 'rd', 2, 'kvm', self.LOGS)[-4:],
                         ['-accel', 'kvm', '-cpu', 'host'])

    def test_icount_is_one_thread_with_a_fixed_seed(self):
        cmd = qemu.argv('bz', 'rd', 1, 'tcg', self.LOGS, icount=0)
        self.assertEqual(cmd[cmd.index('-smp') + 1], '1')
        self.assertEqual(cmd[-10:], ['-accel', 'tcg,thread=single', '-cpu',
                                     'max', '-icount', 'shift=0,sleep=off',
                                     '-seed', '1', '-rtc', qemu.ICOUNT_RTC])
        cmd = qemu.argv('bz', 'rd', 1, 'tcg', self.LOGS, icount=0, seed=3)
        self.assertEqual(cmd[cmd.index('-seed') + 1], '3')

    def test_icount_needs_tcg(self):
        with self.assertRaises(TgsigError):
            qemu.argv('bz', 'rd', 1, 'kvm', self.LOGS, icount=0)


class OldResults(unittest.TestCase):
    """`bench --rewrite` of a run from before the clocks."""

    def test_rows_without_a_clock_were_timed(self):
        row = golden_rows(bench.WALL)[0].to_json()
        for name in ('clock', 'noise', 'changed'):
            del row[name]
        again = bench.rows_from_json({'rows': [row]})[0]
        self.assertEqual(again.clock, bench.WALL)
        self.assertAlmostEqual(again.noise, 2000 / 22000)

    def test_note_without_setups(self):
        meta = {'config_difference': [], 'boots': 5, 'accel': 'tcg',
                'smp': 2, 'memory': '2G', 'tree': 'linux test',
                'command': 'scripts/tgsig bench', 'seconds': 1200,
                'kernels': {'patched': {'patches': ['a', 'b']}}}
        self.assertTrue(benchrun.note(meta).startswith(
            'Both kernels booted alternately (unpatched first): the wall '
            'figures in 5 boots of each kernel under QEMU TCG -smp 2; 2G '
            'of memory.'))
        self.assertIn('`scripts/tgsig bench` (20 minutes).',
                      benchrun.note(meta))
        meta['boot_runs'] = [{'seconds': 300}, {'seconds': 420}]
        self.assertIn('`scripts/tgsig bench` (20 minutes, 12 of them in '
                      'the boots).', benchrun.note(meta))


class _Shell(Shell):
    """Runs nothing; remembers what it was asked to run."""

    def __init__(self, out):
        super().__init__(Progress(out), verbose=False)
        self.ran = []

    def run(self, argv, cwd=None, **kwargs):
        self.ran.append([str(a) for a in argv])


class FakeGuest:
    """qemu.boot() for the bench: each icount boot prints the golden lines
    of its kernel, half of them per boot (UNPATCHED and PATCHED hold two
    boots); the other programs print a line of their own."""

    def __init__(self, fail=None, drop=None):
        self.boots = {}
        self.fail = fail            # this program exits 1
        self.drop = drop            # the patched kernel's second boot
        #                             lacks this figure's lines
        self.cmds = []

    def __call__(self, cmd, logs, limits, progress=None, on_test=None):
        self.cmds.append(cmd)
        kernel = cmd[cmd.index('-kernel') + 1]
        clock = 'icount' if 'icount' in cmd[cmd.index('-initrd') + 1] \
            else 'wall'
        text = UNPATCHED if 'unpatched' in kernel else PATCHED
        lines = [line for line in text.splitlines()
                 if line.startswith('tgsig-bench')]
        n = self.boots[kernel, clock] = self.boots.get((kernel, clock),
                                                       0) + 1
        half = len(lines) // 2
        mine = lines[half * (n - 1) % len(lines):][:half]
        mine.append('tgsig-bench group_kill threads=1 kill_to_reaped=5 ns')
        if text == PATCHED and n == 2 and self.drop:
            mine = [line for line in mine if self.drop not in line]
        smp = cmd[cmd.index('-smp') + 1]
        out = [f'tgsig:booted 6.12.117 cpus={smp}']
        for p in benchrun.PROGRAMS:
            if p.clock != clock:
                continue
            rc = 1 if self.fail == p.name else 0
            out += [f'tgsig:begin bench:{p.name} timeout=1']
            own = [line for line in mine if line.split()[1] == p.name]
            if clock != 'icount' or not own:
                # A program the golden lines leave out still measures.
                metric = p.metrics[0] if p.metrics else 't'
                own = [f'tgsig-bench {p.name}_{clock} n=1 {metric}=5 ns',
                       f'tgsig-bench {p.name}_{clock} n=1 other=5 ns']
            out += own
            out += [f'# {p.name}: ok', f'tgsig:end bench:{p.name} rc={rc} '
                    'cs=1']
        out += ['tgsig:taint 0', 'tgsig:done']
        with open(logs[0], 'w', encoding='utf-8') as f:
            f.write('[    0.1] tgsig: booted\n')
        with open(logs[1], 'w', encoding='utf-8') as f:
            f.write('\n'.join(out) + '\n')
        stream = GuestStream()
        stream.feed('\n'.join(out) + '\n')
        return qemu.BootResult('done', '', stream, 0, 1.0)


class Select(unittest.TestCase):
    def test_all_by_default(self):
        self.assertEqual(benchrun.select(None), list(benchrun.PROGRAMS))

    def test_some_in_the_benchmark_order(self):
        got = benchrun.select('hot_path,kill_all')
        self.assertEqual([(p.name, p.clock) for p in got],
                         [('kill_all', 'icount'), ('hot_path', 'icount'),
                          ('kill_all', 'wall')])
        self.assertIn('--forks 0', got[0].full)
        self.assertIn('--reps 0', got[2].full)

    def test_one_clock_for_every_figure(self):
        got = benchrun.select('kill_all,pipeline,distribution', 'wall')
        self.assertEqual([(p.name, p.clock, p.metrics) for p in got],
                         [('kill_all', 'wall', None),
                          ('pipeline', 'wall', None),
                          ('distribution', 'wall', None)])
        self.assertEqual(got[0].full,
                         '--procs 10,1000,5000,10000 --reps 15 --forks 200')

    def test_groups_follow_the_setups(self):
        got = benchrun.groups(benchrun.select('distribution,hot_path'))
        self.assertEqual([(s.clock, s.smp, s.icount, [p.name for p in ps])
                          for s, ps in got],
                         [('icount', 1, 0, ['hot_path']),
                          ('wall', None, None, ['distribution'])])

    def test_counted_figures_boot_three_times_unless_asked(self):
        self.assertEqual(benchrun.boots_of(False, None),
                         {'icount': 3, 'wall': 5})
        self.assertEqual(benchrun.boots_of(True, None),
                         {'icount': 2, 'wall': 2})
        self.assertEqual(benchrun.boots_of(True, 4),
                         {'icount': 4, 'wall': 4})

    def test_boot_order_alternates_kernels_round_after_round(self):
        setups = [{'clock': 'icount', 'boots': 1},
                  {'clock': 'wall', 'boots': 2}]
        self.assertEqual([(r, s['clock'], k) for r, s, k in
                          benchrun.boot_order(setups)],
                         [(1, 'icount', 'unpatched'), (1, 'icount', 'patched'),
                          (1, 'wall', 'unpatched'), (1, 'wall', 'patched'),
                          (2, 'wall', 'unpatched'), (2, 'wall', 'patched')])

    def test_an_unknown_name_is_named(self):
        with self.assertRaises(TgsigError) as ctx:
            benchrun.select('kill_all,nope')
        self.assertIn('no program called nope', ctx.exception.what)
        self.assertIn('kill_all', ctx.exception.hint)


class Limits(unittest.TestCase):
    def test_a_counted_boot_waits_longer_for_silence(self):
        limits = qemu.Limits(boot=120, silence=90, run=3600)
        self.assertIs(benchrun.boot_limits(limits, None), limits)
        got = benchrun.boot_limits(limits, 0)     # -icount shift=0
        self.assertEqual((got.boot, got.silence, got.run),
                         (120, benchrun.ICOUNT_SILENCE, 3600))


class Command(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def kernel(self, name):
        arts = build.Artifacts(self.tmp, name)
        os.makedirs(arts.dir)
        with open(arts.config, 'w', encoding='utf-8') as f:
            f.write('CONFIG_A=y\n' + ('CONFIG_SERIES_TEST=y\n'
                                      if name == 'patched' else ''))
        for path in (arts.bzimage, arts.meta):
            with open(path, 'w', encoding='utf-8') as f:
                f.write(name)
        variant = 'baseline' if name == 'unpatched' else 'patched'
        return Kernel(variant, arts, 'f' * 40, 'linux test',
                      ['0001-a.patch'], name)

    def bench(self, guest, boots=2, seed=None):
        kernels = [self.kernel('unpatched'), self.kernel('patched')]
        opts = Options(work=self.tmp, smp=2, accel='tcg')
        out = open(os.devnull, 'w', encoding='utf-8')
        self.addCleanup(out.close)
        shell = _Shell(out)
        with mock.patch.object(benchrun, 'prepare_base',
                               return_value=(None, 'base', 'linux test')), \
                mock.patch.object(benchrun, 'prepare_kernel',
                                  side_effect=kernels), \
                mock.patch.object(benchrun, 'pack_initramfs'), \
                mock.patch.object(benchrun.session.qemu, 'boot', guest), \
                mock.patch('builtins.print'):
            code = benchrun.bench_command(opts, shell, shell.progress,
                                          quick=True, boots=boots,
                                          seed=seed)
        return code, shell, os.path.join(self.tmp, 'runs', 'latest')

    def test_boots_alternate_and_results_are_written(self):
        guest = FakeGuest()
        code, shell, run_dir = self.bench(guest)
        self.assertEqual(code, 0)
        self.assertEqual(sorted(os.listdir(run_dir)), [
            'bin', 'boot01-icount-unpatched', 'boot02-icount-patched',
            'boot03-wall-unpatched', 'boot04-wall-patched',
            'boot05-icount-unpatched', 'boot06-icount-patched',
            'boot07-wall-unpatched', 'boot08-wall-patched', 'kernels',
            'letter.txt', 'plot.gp', 'results.json', 'results.md'])
        # Each kernel boots from its copy in the run directory, which no
        # other run's build can prune.
        self.assertEqual(sorted(os.listdir(os.path.join(run_dir,
                                                        'kernels'))),
                         ['patched', 'unpatched'])
        with open(os.path.join(run_dir, 'results.json'),
                  encoding='utf-8') as f:
            res = json.load(f)
        self.assertEqual([(b['clock'], b['kernel'])
                          for b in res['boot_runs']],
                         [('icount', 'unpatched'), ('icount', 'patched'),
                          ('wall', 'unpatched'), ('wall', 'patched')] * 2)
        icount = [c for c in guest.cmds if '-icount' in c]
        self.assertEqual(len(icount), 4)
        for cmd in icount:
            self.assertEqual(cmd[cmd.index('-smp') + 1], '1')
            self.assertEqual(cmd[cmd.index('-icount') + 1],
                             'shift=0,sleep=off')
        # Both kernels of a round boot with its seed.
        self.assertEqual([c[c.index('-seed') + 1] for c in icount],
                         ['1', '1', '2', '2'])
        for cmd in guest.cmds:
            if cmd not in icount:
                self.assertEqual(cmd[cmd.index('-smp') + 1], '2')
                self.assertIn('tcg,thread=multi', cmd)
        self.assertEqual([(s['clock'], s['smp'], s['icount'], s['boots'])
                          for s in res['setups']],
                         [('icount', 1, 0, 2), ('wall', 2, None, 2)])
        # A program's measurements of other metrics are left out.
        figures = {(r['figure'], r['metric'], r['clock'])
                   for r in res['rows']}
        self.assertIn(('pipeline_wall', 'woke', 'wall'), figures)
        self.assertNotIn(('pipeline_wall', 'other', 'wall'), figures)
        self.assertIn(('kernel_cost_icount', 'other', 'icount'), figures)
        self.assertEqual(res['config_difference'], [
            {'option': 'CONFIG_SERIES_TEST', 'unpatched': 'n',
             'patched': 'y'}])
        golden = {r.key.figure for r in golden_rows()}
        self.assertEqual([r for r in res['rows'] if r['figure'] in golden],
                         [r.to_json() for r in golden_rows()])
        with open(os.path.join(run_dir, 'results.md'),
                  encoding='utf-8') as f:
            md = f.read()
        self.assertIn('\n| `kill_all` | procs=1000 | call | icount '
                      '| 450 kinsn (440-460) | 25.5 kinsn (25.0-26.0) '
                      '| 0.057\\* | 4.4% |\n', md)
        self.assertIn('the icount figures in 2 boots of each kernel under '
                      'QEMU TCG -icount shift=0,sleep=off -smp 1; the wall '
                      'figures in 2 boots of each kernel under QEMU TCG '
                      '-smp 2', md)
        self.assertIn('the two .config files differ only in '
                      'CONFIG_SERIES_TEST', md)
        self.assertEqual(shell.ran[-1], ['gnuplot', 'plot.gp'])
        self.assertTrue(os.path.exists(os.path.join(
            run_dir, 'boot01-icount-unpatched', 'results.json')))

    def test_one_seed_for_every_boot(self):
        guest = FakeGuest()
        code, _, run_dir = self.bench(guest, seed=7)
        self.assertEqual(code, 0)
        icount = [c for c in guest.cmds if '-icount' in c]
        self.assertEqual([c[c.index('-seed') + 1] for c in icount],
                         ['7'] * 4)
        with open(os.path.join(run_dir, 'results.md'),
                  encoding='utf-8') as f:
            md = f.read()
        self.assertIn('every boot uses -seed 7', md)
        self.assertIn('the noise floor is what booting the same kernel '
                      'again moves a figure by', md)

    def test_a_failed_program_ends_the_benchmark(self):
        with self.assertRaises(TgsigError) as ctx:
            self.bench(FakeGuest(fail='pidns_zap'))
        self.assertIn('boot 1/8 (icount, unpatched) failed',
                      ctx.exception.what)
        self.assertIn('bench:pidns_zap (exit code 1)', ctx.exception.what)

    def test_missing_measurements_end_the_benchmark(self):
        with self.assertRaises(TgsigError) as ctx:
            self.bench(FakeGuest(drop='procs=1000'))
        self.assertIn('did not all report the same', ctx.exception.what)
        self.assertIn('kill_all procs=1000 call: 1 values from the patched '
                      'kernel, expected 2', ctx.exception.what)


if __name__ == '__main__':
    unittest.main()
