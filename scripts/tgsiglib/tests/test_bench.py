# SPDX-License-Identifier: GPL-2.0
import json
import os
import shutil
import tempfile
import unittest
from unittest import mock

from tgsiglib import bench, benchplot, benchrun, build, qemu, run
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
  FIGURE     PARAMETERS             METRIC          UNPATCHED median (min-max)  \
PATCHED median (min-max)  PATCHED/UNPATCHED
  kill_all   procs=10               call                   23.0 us (22.0-24.0)  \
     22.0 us (21.0-23.0)               0.96
  kill_all   procs=1000             call                      450 us (440-460)  \
     25.5 us (25.0-26.0)              0.057
  pidns_zap  children=16 threads=4  exit_to_reaped         1600 us (1500-1700)  \
     1625 us (1600-1650)               1.02
  hot_path   threads=1 call=kill    round_trip             9200 ns (9000-9400)  \
     9250 ns (9200-9300)               1.01"""

MARKDOWN = """\
Two boots of each kernel.

| Figure | Parameters | Metric | Unpatched: median (min-max) \
| Patched: median (min-max) | Patched/unpatched |
|---|---|---|---:|---:|---:|
| `kill_all` | procs=10 | call | 23.0 us (22.0-24.0) | 22.0 us (21.0-23.0) | 0.96 |
| `kill_all` | procs=1000 | call | 450 us (440-460) | 25.5 us (25.0-26.0) | 0.057 |
| `pidns_zap` | children=16 threads=4 | exit_to_reaped | 1600 us (1500-1700) \
| 1625 us (1600-1650) | 1.02 |
| `hot_path` | threads=1 call=kill | round_trip | 9200 ns (9000-9400) \
| 9250 ns (9200-9300) | 1.01 |
"""


def golden_rows():
    return bench.summarize({
        bench.UNPATCHED: bench.parse_output(UNPATCHED.splitlines()),
        bench.PATCHED: bench.parse_output(PATCHED.splitlines())})


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
        legend = ''.join(f'- `{f}`: {bench.FIGURES[f]}.\n'
                         for f in ('kill_all', 'pidns_zap', 'hot_path'))
        self.assertEqual(text, MARKDOWN + '\n' + legend)

    def test_letter_fits_a_commit_message_one_block_per_figure(self):
        text = bench.letter(golden_rows(), 'Two boots of each kernel, ' * 9)
        lines = text.splitlines()
        self.assertLessEqual(max(len(x) for x in lines), 75)
        self.assertTrue(lines[0].startswith('Two boots of each kernel,'))
        for figure in ('kill_all', 'pidns_zap', 'hot_path'):
            self.assertEqual(sum(x.startswith(f'{figure}: ') for x in lines),
                             1)
        self.assertEqual(lines[-1].split()[-1], bench.ratio_text(
            golden_rows()[-1]))

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
                          '(27.9-27.9)', '1.00'])

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
                      'patched/unpatched 1.00 to 1.00 (median 1.00). The 4 '
                      'counts: patched/unpatched 1.00 to 1.00 (median 1.00); '
                      '3 are 0 on both kernels, the others (unpatched / '
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
                         ['x', 'n=1', 'm', '-', '5.00', 'count', '(5.00-5.00)',
                          '-'])

    def test_plot_has_a_series_per_kernel_and_parameter(self):
        gp = benchplot.script(golden_rows(), 'bench.svg', 'golden')
        self.assertIn("set output 'bench.svg'", gp)
        self.assertIn('$d0 << EOD\n10 23 22 24\n1000 450 440 460\nEOD', gp)
        self.assertIn("title 'patched threads=4'", gp)
        self.assertIn('set multiplot layout 1,2', gp)
        self.assertNotIn('round_trip', gp)      # the hot path is a table row

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


class _Shell(Shell):
    """Runs nothing; remembers what it was asked to run."""

    def __init__(self, out):
        super().__init__(Progress(out), verbose=False)
        self.ran = []

    def run(self, argv, cwd=None, **kwargs):
        self.ran.append([str(a) for a in argv])


class FakeGuest:
    """qemu.boot() for the bench: each boot prints the golden lines of its
    kernel, half of them per boot (UNPATCHED and PATCHED hold two boots)."""

    def __init__(self, fail=None, drop=None):
        self.boots = {}
        self.fail = fail            # this program exits 1
        self.drop = drop            # the patched kernel's second boot
        #                             lacks this figure's lines

    def __call__(self, cmd, logs, limits, progress=None, on_test=None):
        kernel = cmd[cmd.index('-kernel') + 1]
        text = UNPATCHED if 'unpatched' in kernel else PATCHED
        lines = [line for line in text.splitlines()
                 if line.startswith('tgsig-bench')]
        n = self.boots[kernel] = self.boots.get(kernel, 0) + 1
        half = len(lines) // 2
        mine = lines[half * (n - 1) % len(lines):][:half]
        mine.append('tgsig-bench group_kill threads=1 kill_to_reaped=5 ns')
        if text == PATCHED and n == 2 and self.drop:
            mine = [line for line in mine if self.drop not in line]
        out = ['tgsig:booted 6.12.117 cpus=2']
        for p in benchrun.PROGRAMS:
            rc = 1 if self.fail == p.name else 0
            out += [f'tgsig:begin bench:{p.name} timeout=1']
            own = [line for line in mine if line.split()[1] == p.name or
                   line.split()[1].startswith(p.name + '_fork')]
            # A program the golden lines leave out still measures.
            out += own or [f'tgsig-bench {p.name} n=1 t=5 ns']
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
        self.assertEqual([p.name for p in got], ['kill_all', 'hot_path'])

    def test_an_unknown_name_is_named(self):
        with self.assertRaises(TgsigError) as ctx:
            benchrun.select('kill_all,nope')
        self.assertIn('no program called nope', ctx.exception.what)
        self.assertIn('kill_all', ctx.exception.hint)


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
        variant = 'baseline' if name == 'unpatched' else 'patched'
        return run.Kernel(variant, arts, 'f' * 40, 'linux test',
                          ['0001-a.patch'], name)

    def bench(self, guest, boots=2):
        kernels = [self.kernel('unpatched'), self.kernel('patched')]
        opts = run.Options(work=self.tmp, smp=2, accel='tcg')
        out = open(os.devnull, 'w', encoding='utf-8')
        self.addCleanup(out.close)
        shell = _Shell(out)
        with mock.patch.object(benchrun, 'prepare_base',
                               return_value=(None, 'base', 'linux test')), \
                mock.patch.object(benchrun, 'prepare_kernel',
                                  side_effect=kernels), \
                mock.patch.object(benchrun, 'pack_initramfs'), \
                mock.patch.object(benchrun.qemu, 'boot', guest), \
                mock.patch('builtins.print'):
            code = benchrun.bench_command(opts, shell, shell.progress,
                                          quick=True, boots=boots)
        return code, shell, os.path.join(self.tmp, 'runs', 'latest')

    def test_boots_alternate_and_results_are_written(self):
        guest = FakeGuest()
        code, shell, run_dir = self.bench(guest)
        self.assertEqual(code, 0)
        self.assertEqual(sorted(os.listdir(run_dir)), [
            'bin', 'boot01-unpatched', 'boot02-patched', 'boot03-unpatched',
            'boot04-patched', 'letter.txt', 'plot.gp', 'results.json',
            'results.md'])
        with open(os.path.join(run_dir, 'results.json'),
                  encoding='utf-8') as f:
            res = json.load(f)
        self.assertEqual([b['kernel'] for b in res['boot_runs']],
                         ['unpatched', 'patched'] * 2)
        self.assertEqual(res['config_difference'], [
            {'option': 'CONFIG_SERIES_TEST', 'unpatched': 'n',
             'patched': 'y'}])
        golden = {r.key.figure for r in golden_rows()}
        self.assertEqual([r for r in res['rows'] if r['figure'] in golden],
                         [r.to_json() for r in golden_rows()])
        with open(os.path.join(run_dir, 'results.md'),
                  encoding='utf-8') as f:
            md = f.read()
        self.assertIn('\n| `kill_all` | procs=1000 | call | 450 us (440-460) '
                      '| 25.5 us (25.0-26.0) | 0.057 |\n', md)
        self.assertIn('the two .config files differ only in '
                      'CONFIG_SERIES_TEST', md)
        self.assertEqual(shell.ran[-1], ['gnuplot', 'plot.gp'])
        self.assertTrue(os.path.exists(os.path.join(
            run_dir, 'boot01-unpatched', 'results.json')))

    def test_a_failed_program_ends_the_benchmark(self):
        with self.assertRaises(TgsigError) as ctx:
            self.bench(FakeGuest(fail='pidns_zap'))
        self.assertIn('boot 1/4 (unpatched) failed', ctx.exception.what)
        self.assertIn('bench:pidns_zap (exit code 1)', ctx.exception.what)

    def test_missing_measurements_end_the_benchmark(self):
        with self.assertRaises(TgsigError) as ctx:
            self.bench(FakeGuest(drop='procs=1000'))
        self.assertIn('did not all report the same', ctx.exception.what)
        self.assertIn('kill_all procs=1000 call: 1 values from the patched '
                      'kernel, expected 2', ctx.exception.what)


if __name__ == '__main__':
    unittest.main()
