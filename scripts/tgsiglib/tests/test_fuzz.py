# SPDX-License-Identifier: GPL-2.0
"""tgsig fuzz: trinity's output parsed from golden logs of real guest
runs (tests/data/fuzz/), its plan and command line, the verdict and the
replay line of the summary.

    cd scripts && python3 -m tgsiglib.tests.test_fuzz --regold

writes the golden summaries again after a format change."""
import argparse
import os
import sys
import tempfile
import unittest

import shutil
import subprocess

from tgsiglib import fuzz, fuzzrun, qemu, sigfuzz, splat, trinity
from tgsiglib.errors import TgsigError
from tgsiglib.options import Options
from tgsiglib.stream import GuestStream
from tgsiglib.tests.golden import DATA

FUZZ = os.path.join(DATA, 'fuzz')
REGOLD = False


def read(name):
    with open(os.path.join(FUZZ, name), encoding='utf-8') as f:
        return f.read()


def boot_of(output, outcome='done', detail=''):
    stream = GuestStream()
    stream.feed(output)
    stream.close()
    return qemu.BootResult(outcome, detail, stream, 0, 80.0,
                           stream.current.name if stream.current else '')


def context(seeds, **kw):
    opts = Options(base='mainline', debug=True, **kw)
    args = fuzzrun.FuzzArgs(minutes=1, seeds=seeds)
    return fuzzrun.Context(opts, args, 'mainline: linux 7.3-rc7 (test)',
                           'tcg', '/work/runs/20261202-170249-fuzz',
                           'scripts/tgsig fuzz --minutes 1 --seed 42',
                           avoid=['kill', 'tkill'])


class Parse(unittest.TestCase):
    def test_a_clean_run(self):
        boot = boot_of(read('output.log'))
        run = trinity.parse(fuzzrun.seed_output(boot.stream, 42), 42)
        self.assertTrue(run.started)
        self.assertEqual((run.syscalls, run.succeeded, run.failed),
                         (3858, 261, 3599))
        self.assertEqual(run.executed, 3858)
        self.assertEqual((run.stop, run.seconds, run.rc), ('time', 65, 0))
        self.assertEqual(run.per_syscall['unshare'], [227, 163])
        self.assertEqual(run.per_syscall['pidfd_send_signal'], [265, 0])
        self.assertNotIn('kill', run.per_syscall)
        self.assertEqual(sorted(run.logs), [
            'trinity-child0.log', 'trinity-child1.log',
            'trinity-child2.log', 'trinity-child3.log', 'trinity.log'])
        last = run.last_syscalls()
        self.assertTrue(last[0].startswith('trinity-child0.log: [child0:'),
                        last[0])
        self.assertFalse(any('trinity.log' in x for x in last))

    def test_a_guest_that_died_keeps_its_last_syscalls(self):
        text = read('output.log')
        cut = text.index('[main] exit_reason')
        boot = boot_of(text[:cut], outcome='exited')
        run = trinity.parse(fuzzrun.seed_output(boot.stream, 42), 42)
        self.assertIsNone(run.syscalls)
        self.assertGreater(run.executed, 30)
        self.assertEqual(run.stop, '')
        last = run.last_syscalls()
        self.assertTrue(last and all(trinity._SYSCALL.search(x)
                                     for x in last), last)

    def test_progress_counts_logged_syscalls(self):
        self.assertEqual(trinity.logged_so_far(
            '[child0:2] [7] kill(pid=1) = 0\n[main] x\n'
            '[child1:3] [8] setsid() [child2:4] [1] wait4(upid=0'), 3)

    def test_syscall_listing(self):
        listing = read('trinity-L.txt')
        trinity.check_known(['kill', 'unshare'], listing)
        with self.assertRaises(TgsigError) as err:
            trinity.check_known(['kill', 'sys_kill'], listing)
        self.assertIn('sys_kill', str(err.exception))
        self.assertEqual(trinity.avoided(listing, ['kill', 'unshare',
                                                   'clone3']),
                         ['kill', 'clone3'])

    def test_needed_libs(self):
        self.assertEqual(trinity.needed_libs(read('ldd.txt')), [
            '/lib/x86_64-linux-gnu/libc.so.6',
            '/lib64/ld-linux-x86-64.so.2'])
        with self.assertRaises(TgsigError):
            trinity.needed_libs('\tlibfoo.so.1 => not found\n')


class Sigfuzz(unittest.TestCase):
    """sigfuzz beside trinity: a real guest run of 60 s (trinity's syscall
    lines cut down to a few)."""

    def test_its_lines(self):
        boot = boot_of(read('output-sigfuzz.log'))
        run = sigfuzz.parse(fuzzrun.seed_output(boot.stream, 42))
        self.assertTrue(run.started)
        self.assertEqual((run.calls, run.ok, run.spawned, run.resets),
                         (56614, 32948, 1020, 2))
        self.assertEqual(run.per_op['kill_all'], [3055, 2528])
        self.assertEqual(run.per_op['clone3'], [1173, 903])
        self.assertEqual(sum(c for c, _ in run.per_op.values()), 56614)
        last = run.last_calls()
        self.assertEqual([x[:4] for x in last],
                         [f'[w{w} ' for w in range(4) for _ in range(6)])
        self.assertEqual(last[5], run.last[14])   # w0 logged 15 calls
        self.assertIsNone(run.tainted_after)
        # Trinity's own count is not confused by sigfuzz's lines.
        tr = trinity.parse(fuzzrun.seed_output(boot.stream, 42), 42)
        self.assertEqual((tr.syscalls, tr.stop), (1811, 'time'))

    def test_a_taint_stops_it_near_the_finding(self):
        # The provoked WARN of scripts/fuzz/provoke-kill-all-exited-leader-
        # warn.patch, one second in (trinity's lines left out).
        boot = boot_of(read('output-sigfuzz-taint.log'))
        run = sigfuzz.parse(fuzzrun.seed_output(boot.stream, 7))
        self.assertEqual((run.tainted_after, run.calls, run.ok),
                         (1, 183, 130))
        last = run.last_calls()
        self.assertEqual(len(last), 24)
        self.assertIn('[w3 7:7] kill(-1, 36)', last)

    def test_a_namespace_that_does_not_end_fails_with_its_tasks(self):
        text = read('output-sigfuzz.log').replace(
            'tgsig-fuzz:sigfuzz_exit rc=0',
            'tgsig-fuzz:hang what=sigfuzz init=412 after=963\n'
            'tgsig-fuzz:tasks\n'
            'tgsig-fuzz:task 412/task/412 sigfuzz S zap_pid_ns_processes '
            'NSpid: 412 1 PPid: 411 TracerPid: 0\n'
            'tgsig-fuzz:stack [<0>] zap_pid_ns_processes+0x1c5/0x2a0\n'
            'tgsig-fuzz:tasks_end\n'
            'tgsig-fuzz:sigfuzz_exit rc=stuck')
        result = fuzzrun.outcome(boot_of(text), [], [42], workers=4)
        run = result.sigfuzz[0]
        self.assertEqual((run.hang_after, run.hung_init, run.stuck),
                         (963, 412, True))
        self.assertEqual(run.stack,
                         ['[<0>] zap_pid_ns_processes+0x1c5/0x2a0'])
        self.assertEqual(len(run.tasks), 1)
        self.assertEqual(result.problems, [
            "seed 42: sigfuzz's namespace did not end when its init "
            'exited, nor after SIGKILL'])
        self.assertEqual(result.guilty_seed(), 42)
        text = fuzzrun.summary(result, context([42]))
        self.assertIn("sigfuzz's init (pid 412) did not end; its kernel "
                      'stack:\n    [<0>] zap_pid_ns_processes', text)

    def test_a_guest_that_died_keeps_its_progress(self):
        text = read('output-sigfuzz.log')
        cut = text.index('sigfuzz: op kill ')
        run = sigfuzz.parse(text[:cut])
        self.assertIsNone(run.calls)
        self.assertEqual(run.executed, 30969)
        self.assertEqual(sigfuzz.progress_so_far(text[:cut]), 30969)

    def test_a_seed_without_sigfuzz_fails(self):
        text = read('output-sigfuzz.log')
        text = '\n'.join(x for x in text.splitlines()
                         if not x.startswith('sigfuzz:'))
        result = fuzzrun.outcome(boot_of(text), [], [42], workers=4)
        self.assertEqual(result.problems,
                         ['seed 42: sigfuzz never started'])
        self.assertFalse(fuzzrun.outcome(boot_of(text), [], [42]).failed)

    @unittest.skipUnless(shutil.which('gcc'), 'needs gcc')
    def test_it_builds_without_a_warning(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, 'sigfuzz')
            subprocess.run(['gcc', *sigfuzz.CFLAGS, '-o', out,
                            sigfuzz.SOURCE], check=True)
            usage = subprocess.run([out], capture_output=True, text=True)
            self.assertEqual(usage.returncode, 2)
            self.assertIn('usage: sigfuzz SEED SECONDS WORKERS',
                          usage.stderr)


class CommandLine(unittest.TestCase):
    def test_plan(self):
        plan = trinity.plan([42, 7], 300, 4, ['kill', 'tgkill'], 2)
        self.assertEqual([p.name for p in plan],
                         ['fuzz:seed-42', 'fuzz:seed-7'])
        self.assertEqual(plan[0].timeout, 300 + trinity.STOP_GRACE)
        self.assertEqual(plan[0].where, '/tgsig/fuzz')
        self.assertEqual(plan[1].command,
                         './fuzz.sh 7 300 4 kill,tgkill 2')

    def test_seeds_and_syscalls(self):
        self.assertEqual(trinity.parse_seeds('1, 2,3'), [1, 2, 3])
        for bad in ('', 'x', '1,,2', '-1', str(2 ** 32)):
            with self.assertRaises(TgsigError, msg=bad):
                trinity.parse_seeds(bad)
        self.assertEqual(trinity.parse_syscalls('kill, tgkill'),
                         ['kill', 'tgkill'])
        for bad in (',', 'kill;reboot', 'Kill'):
            with self.assertRaises(TgsigError, msg=bad):
                trinity.parse_syscalls(bad)

    def test_arguments(self):
        ns = argparse.Namespace(minutes=3, seed='5,6', syscalls=None,
                                children=8, kernel='k', sigfuzz_workers=0)
        got = fuzz.fuzz_args(ns)
        self.assertEqual((got.minutes, got.seeds, got.children,
                          got.workers), (3, [5, 6], 8, 0))
        for bad in (-1, 17):
            ns.sigfuzz_workers = bad
            with self.assertRaisesRegex(TgsigError, 'sigfuzz takes 0 to '
                                        '16 workers'):
                fuzz.fuzz_args(ns)
        ns.sigfuzz_workers = 0
        self.assertEqual(got.syscalls, list(trinity.DEFAULT_SYSCALLS))
        self.assertEqual(got.kernel_dir, os.path.abspath('k'))

    def test_cli_parses_fuzz(self):
        from tgsiglib import cli
        args = cli.parser().parse_args(
            ['fuzz', '--base', 'lts', '--baseline', '--minutes', '2',
             '--seed', '3', '--extra-patch', 'p.patch'])
        opts = cli.run_options(args)
        self.assertEqual((opts.base, opts.baseline, opts.extra_patches),
                         ('lts', True, ['p.patch']))
        self.assertEqual(fuzz.fuzz_args(args).seeds, [3])
        self.assertEqual(fuzz.fuzz_args(args).workers, 4)
        args = cli.parser().parse_args(['fuzz', '--sigfuzz-workers', '0'])
        self.assertEqual(fuzz.fuzz_args(args).workers, 0)

    def test_replay_line(self):
        self.assertEqual(
            trinity.replay_command('mainline', 42, 5,
                                   trinity.DEFAULT_SYSCALLS, 4),
            'scripts/tgsig fuzz --base mainline --seed 42 --minutes 5')
        self.assertEqual(
            trinity.replay_command('mainline', 42, 5,
                                   trinity.DEFAULT_SYSCALLS, 4, 0),
            'scripts/tgsig fuzz --base mainline --seed 42 --minutes 5 '
            '--sigfuzz-workers 0')
        self.assertEqual(
            trinity.replay_command('lts', 7, 1, ['kill'], 8, baseline=True,
                                   extra_patches=['scripts/fuzz/p.patch']),
            'scripts/tgsig fuzz --base lts --seed 7 --minutes 1 '
            '--syscalls kill --children 8 --baseline '
            '--extra-patch scripts/fuzz/p.patch')
        self.assertEqual(
            trinity.replay_command('mainline', 7, 1, ['kill'], 4,
                                   extra_patches=['p'], kernel_dir='/r/k'),
            'scripts/tgsig fuzz --base mainline --seed 7 --minutes 1 '
            '--kernel /r/k --syscalls kill')

    def test_stage(self):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, 'bin')
            with open(src, 'wb') as f:
                f.write(b'\x7fELF')
            dest = os.path.join(d, 'guest')
            trinity.stage(dest, src, [src], fuzzrun.GUEST_SCRIPT)
            self.assertTrue(os.access(os.path.join(
                dest, src.lstrip('/')), os.X_OK))
            self.assertTrue(os.access(os.path.join(
                dest, 'tgsig/fuzz/fuzz.sh'), os.X_OK))


class KernelLabel(unittest.TestCase):
    def test_kernel_dir_says_what_it_holds(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(fuzzrun.kernel_label(d), f'the kernel in {d}')
            with open(os.path.join(d, 'key.json'), 'w') as f:
                f.write('{"variant": "patched", "tree": "mainline: x"}')
            self.assertEqual(fuzzrun.kernel_label(d),
                             f'mainline: x (patched, booted from {d})')


class Verdict(unittest.TestCase):
    def golden(self, name, text):
        path = os.path.join(FUZZ, name)
        if REGOLD:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text + '\n')
        self.assertEqual(text + '\n', read(name))

    def test_clean_run_passes(self):
        boot = boot_of(read('output.log'))
        result = fuzzrun.outcome(boot, [], [42])
        self.assertEqual(result.taint, 262144)
        self.assertFalse(result.failed, result.problems)
        self.assertIsNone(result.guilty_seed())
        self.golden('summary-clean.txt',
                    fuzzrun.summary(result, context([42])))

    def test_a_run_with_sigfuzz(self):
        boot = boot_of(read('output-sigfuzz.log'))
        result = fuzzrun.outcome(boot, [], [42], workers=4)
        self.assertFalse(result.failed, result.problems)
        self.golden('summary-sigfuzz.txt',
                    fuzzrun.summary(result, context([42])))

    def test_a_warn_fails_and_names_the_seed(self):
        console = read('console-warn.log').splitlines()
        boot = boot_of(read('output-warn.log'))
        result = fuzzrun.outcome(boot, console, [7])
        self.assertTrue(result.failed)
        self.assertEqual(result.splats[0].kind, 'WARNING')
        self.assertEqual(result.splats[0].test, 'fuzz:seed-7')
        self.assertTrue(splat.taint_is_finding(result.taint))
        self.assertEqual(result.guilty_seed(), 7)
        ctx = context([7], extra_patches=[
            'scripts/fuzz/provoke-tgsigqueueinfo-warn.patch'])
        text = fuzzrun.summary(result, ctx)
        self.assertIn('replay seed 7 on the same kernel:\n    scripts/tgsig '
                      'fuzz --base mainline --seed 7 --minutes 1 '
                      '--extra-patch scripts/fuzz/provoke-tgsigqueueinfo-'
                      'warn.patch\n', text)
        self.golden('summary-warn.txt', text)

    def test_a_dead_guest_fails(self):
        text = read('output.log')
        boot = boot_of(text[:text.index('[main] exit_reason')],
                       outcome='exited', detail='QEMU exited')
        result = fuzzrun.outcome(boot, [], [42])
        self.assertTrue(result.failed)
        self.assertIn('the guest did not finish: exited: QEMU exited',
                      result.problems)
        self.assertEqual(result.guilty_seed(), 42)

    def test_trinity_that_never_started_fails(self):
        boot = boot_of('tgsig:booted 7.3.0 cpus=4\ntgsig:begin fuzz:seed-1 '
                       'timeout=180\nsh: trinity: not found\ntgsig:end '
                       'fuzz:seed-1 rc=0 cs=1\ntgsig:taint 0\ntgsig:done\n')
        result = fuzzrun.outcome(boot, [], [1])
        self.assertEqual(result.problems, ['seed 1: trinity never started'])


if __name__ == '__main__':
    if '--regold' in sys.argv:
        sys.argv.remove('--regold')
        REGOLD = True
    unittest.main()
