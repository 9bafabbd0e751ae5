# SPDX-License-Identifier: GPL-2.0
import contextlib
import json
import os
import re
import shutil
import tempfile
import unittest

from tgsiglib import mutants, results
from tgsiglib.ktap import Test
from tgsiglib.options import Options
from tgsiglib.paths import REPO
from tgsiglib.rundirs import new_run_dir
from tgsiglib.selftests import our_selftests
from tgsiglib.errors import BuildFailed, TgsigError
from tgsiglib.qemu import BootResult
from tgsiglib.record import RunRecord
from tgsiglib.shell import Progress, Shell
from tgsiglib.stream import GuestStream

PATCH = '''From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
From: Some One
 <someone@example.org>
Date: Sun, 29 Nov 2026 09:00:00 +0000
Subject: [PATCH] mutant: a PID namespace's init is reaped before its last task
 is gone

Breaks the namespace zap.

Rule: the init of a PID namespace is reaped only after every task in it
Must-fail: signal:pidns_zap/setns_zombie.*
Must-fail: signal:exec_thread, signal:bad_input
---
 kernel/pid_namespace.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/kernel/pid_namespace.c b/kernel/pid_namespace.c
--- a/kernel/pid_namespace.c
+++ b/kernel/pid_namespace.c
@@ -1,3 +1,3 @@
 context
-Must-fail: signal:not_a_trailer
+Must-fail: signal:not_a_trailer_either
 context
--
2.39.5
'''


def tap(name, cases, rc=None):
    """A program's stream: cases is [(case name, ok)]; rc None: the guest
    stopped while it ran."""
    out = f'tgsig:begin {name} timeout=45\nTAP version 13\n1..{len(cases)}\n'
    for i, (case, ok) in enumerate(cases, 1):
        out += f'{"ok" if ok else "not ok"} {i} {case}\n'
    if rc is not None:
        out += f'tgsig:end {name} rc={rc} cs=10\n'
    return out


def tree(planned, text, outcome='done', booted=True, known=None):
    """A results tree as a run record read from results.json holds it."""
    stream = GuestStream()
    if booted:
        stream.feed('tgsig:booted 6.12 cpus=4\n' + text)
    if outcome == 'done':
        stream.feed('tgsig:taint 0\ntgsig:done\n')
    stream.close()
    boot = BootResult(outcome, '' if outcome == 'done' else 'stopped',
                      stream, 0, 1.0,
                      stream.current.name if stream.current else '')
    tree = results.build_tree(planned, boot, [], known=known)
    return Test.from_json(tree.to_json())


def mutant(*specs, name='m'):
    return mutants.Mutant(name, f'/x/{name}.patch', 'does it', 'the rule',
                          list(specs))


ZAP = 'signal:pidns_zap'
ACT = 'signal:action_table'
CASE = 'setns_zombie.linux_init_unreapable_until_setns_child_is_reaped'


class Parse(unittest.TestCase):
    def test_subject_rule_and_trailers(self):
        m = mutants.parse_patch(PATCH, '/m/pidns-zap-does-not-wait.patch')
        self.assertEqual(m.name, 'pidns-zap-does-not-wait')
        self.assertEqual(m.subject, "a PID namespace's init is reaped before "
                         'its last task is gone')
        self.assertEqual(m.rule, 'the init of a PID namespace is reaped only '
                         'after every task in it')
        # Lines in the diff are not trailers.
        self.assertEqual(m.must_fail, ['signal:pidns_zap/setns_zombie.*',
                                       'signal:exec_thread',
                                       'signal:bad_input'])

    def test_rule_defaults_to_the_subject(self):
        m = mutants.parse_patch(PATCH.replace('Rule: ', 'Because: '), 'x')
        self.assertEqual(m.rule, m.subject)

    def test_no_must_fail_is_an_error(self):
        with self.assertRaises(TgsigError) as cm:
            mutants.parse_patch(re.sub(r'(?m)^Must-fail: signal:[a-z_]+'
                                       r'(/\S+|, \S+)?\n', '', PATCH), 'x')
        self.assertIn('no Must-fail', str(cm.exception))

    def test_spec_without_collection_is_an_error(self):
        with self.assertRaises(TgsigError):
            mutants.parse_patch(PATCH.replace('signal:bad_input',
                                              'bad_input'), 'x')


def selftest_programs():
    """{collection: set of programs} from the selftests' Makefiles."""
    out = {}
    for name, path in our_selftests().items():
        with open(os.path.join(path, 'Makefile'), encoding='utf-8') as f:
            text = f.read().replace('\\\n', ' ')
        progs = set()
        for m in re.finditer(r'^TEST_GEN_PROGS\s*\+?:?=(.*)$', text, re.M):
            progs.update(m.group(1).split())
        out[name] = progs
    return out


class TheMutants(unittest.TestCase):
    """The patches in mutants/ themselves."""

    def test_at_least_twelve_each_naming_existing_tests(self):
        files = mutants.mutant_files() + mutants.mutant_files(
            subdir=mutants.base_subdir('lts'))
        self.assertGreaterEqual(len(files), 12)
        progs = selftest_programs()
        for path in files:
            m = mutants.read_mutant(path)
            self.assertTrue(m.rule, path)
            for spec in m.must_fail:
                key = spec.split('/', 1)[0]
                collection, program = key.split(':', 1)
                if collection in ('kunit', 'kernel'):
                    continue
                self.assertIn(collection, progs, f'{path}: {spec}')
                self.assertTrue(any(mutants.fnmatch.fnmatchcase(p, program)
                                    for p in progs[collection]),
                                f'{path}: {spec}: no such program')

    def test_a_base_version_has_a_mainline_one(self):
        # mutants/ is made against the mainline series; mutants/6.12/
        # holds only 6.12's versions of those.
        main = {os.path.basename(f) for f in mutants.mutant_files()}
        sub = mutants.base_subdir('lts')
        for path in mutants.mutant_files(subdir=sub):
            self.assertIn(os.path.basename(path), main, path)

    def test_names_are_unique_and_made_by_format_patch(self):
        for path in set(mutants.mutant_files() + mutants.mutant_files(
                subdir=mutants.base_subdir('lts'))):
            with open(path, encoding='utf-8') as f:
                text = f.read()
            self.assertTrue(text.startswith('From '), path)
            self.assertIn('\n---\n', text, path)
            self.assertIn('\ndiff --git ', text, path)


class Judge(unittest.TestCase):
    def test_named_case_failed_is_caught(self):
        t = tree([ZAP], tap(ZAP, [('zap.children.x', True), (CASE, False)],
                            rc=1))
        verdict, named, _ = mutants.judge(mutant(f'{ZAP}/setns_zombie.*'), t)
        self.assertEqual(verdict, 'caught')
        self.assertEqual(named, [f'{ZAP}/{CASE}'])

    def test_known_failure_is_still_a_failure(self):
        # A flaky case listed in known-failures is XFAIL when it fails:
        # the mutant that made it fail is caught all the same.
        t = tree([ZAP], tap(ZAP, [(CASE, False)], rc=1),
                 known={f'{ZAP}/{CASE}': 'flaky: a race'})
        self.assertEqual(mutants.judge(mutant(f'{ZAP}/{CASE}'), t)[0],
                         'caught')

    def test_program_spec_takes_any_case(self):
        t = tree([ZAP], tap(ZAP, [('a', True), ('b', False)], rc=1))
        self.assertEqual(mutants.judge(mutant(ZAP), t)[0], 'caught')

    def test_other_case_failing_is_not_a_kill(self):
        t = tree([ZAP, ACT], tap(ZAP, [(CASE, True), ('zap.other', False)],
                                 rc=1) + tap(ACT, [('x', False)], rc=1))
        verdict, named, detail = mutants.judge(
            mutant(f'{ZAP}/setns_zombie.*'), t)
        self.assertEqual(verdict, 'survived')
        self.assertEqual(named, [])
        self.assertIn(f'{ZAP}/setns_zombie.*', detail)
        self.assertEqual(mutants.failed_tests(t),
                         {ZAP: ['zap.other'], ACT: ['x']})

    def test_exit_status_alone_is_not_the_named_case(self):
        t = tree([ZAP], tap(ZAP, [(CASE, True)], rc=1))
        self.assertEqual(mutants.judge(mutant(f'{ZAP}/{CASE}'), t)[0],
                         'survived')
        self.assertEqual(mutants.judge(mutant(ZAP), t)[0], 'caught')

    def test_program_that_died_before_the_case_counts(self):
        # The guest stopped while pidns_zap ran: it never reported CASE.
        t = tree([ZAP], tap(ZAP, [('zap.children.x', True), (CASE, True)])
                 .replace('1..2', '1..3'), outcome='exited')
        t2 = tree([ZAP], 'tgsig:begin signal:pidns_zap timeout=45\n',
                  outcome='exited')
        for tr in (t, t2):
            verdict, named, _ = mutants.judge(
                mutant(f'{ZAP}/setns_zombie.never_reported'), tr)
            self.assertEqual(verdict, 'caught')
            self.assertIn('did not finish', named[0])

    def test_named_case_skipped_is_a_failure_of_the_runner(self):
        # trace_wake_target skips every case without tracefs: a mutant
        # named there is neither caught nor survived.
        text = (f'tgsig:begin {ZAP} timeout=45\nTAP version 13\n1..2\n'
                f'ok 1 {CASE} # SKIP no tracefs: needs CONFIG_FTRACE\n'
                f'not ok 2 zap.children.x\ntgsig:end {ZAP} rc=1 cs=10\n')
        t = tree([ZAP], text)
        verdict, named, detail = mutants.judge(
            mutant(f'{ZAP}/setns_zombie.*'), t)
        self.assertEqual(verdict, 'skipped')
        self.assertEqual(named, [])
        self.assertIn(f'{ZAP}/{CASE}', detail)
        # Also when another named test failed: the skip may hide the rest.
        self.assertEqual(mutants.judge(mutant(ZAP), t)[0], 'skipped')
        # A skip outside the named tests does not matter.
        self.assertEqual(mutants.judge(mutant(f'{ZAP}/zap.*'), t)[0],
                         'caught')
        self.assertEqual(mutants.caught_word('skipped'), 'NO (skipped)')

    def test_program_never_run_is_not_tested(self):
        t = tree([ACT, ZAP], 'tgsig:begin signal:action_table '
                 'timeout=45\n', outcome='exited')
        verdict, named, detail = mutants.judge(mutant(f'{ZAP}/{CASE}'), t)
        self.assertEqual(verdict, 'not tested')
        self.assertEqual(named, [])

    def test_filtered_out_is_not_tested(self):
        t = tree([ACT], tap(ACT, [('x', True)], rc=0))
        self.assertEqual(mutants.judge(mutant(ZAP), t)[0], 'not tested')

    def test_no_boot(self):
        t = tree([ZAP], '', outcome='boot timeout', booted=False)
        self.assertEqual(mutants.judge(mutant(ZAP), t)[0], 'did not boot')

    def test_kunit_suite_by_name(self):
        t = tree([], '')
        t.subtests.insert(0, Test.from_json(
            {'name': 'kunit', 'status': 'fail',
             'subtests': [{'name': 'signal_action_table',
                           'status': 'fail', 'subtests': [
                               {'name': 'one', 'status': 'pass'},
                               {'name': 'two', 'status': 'fail'}]}]}))
        self.assertEqual(mutants.judge(mutant('kunit:signal_action_*'),
                                       t)[1], ['kunit:signal_action_table/two'])


def outcome(name, verdict, failed=None, named=(), seconds=75, rule='r'):
    m = mutants.Mutant(name, os.path.join(REPO, 'mutants', name + '.patch'),
                       'does', rule, [ZAP])
    # A run's tree label names the extra patch it put on top.
    return mutants.Outcome(m, verdict, list(named), failed or {}, '', None,
                           seconds, RunRecord(Test('tgsig'), accel='tcg',
                                              smp=4,
                                              tree=f'linux + {name}.patch'))


class Render(unittest.TestCase):
    def setUp(self):
        self.outcomes = [
            outcome('a', 'caught', {ZAP: ['x', 'y'], ACT: ['z']},
                    [f'{ZAP}/x'], rule='pipes | escaped'),
            outcome('b', 'survived', seconds=3725),
            outcome('c', 'build failed', seconds=12)]

    def test_terminal_table(self):
        text = mutants.terminal_table(self.outcomes)
        lines = text.splitlines()
        self.assertEqual(len(lines), 4)
        self.assertEqual(lines[0].split()[:2], ['mutant', 'the'])
        self.assertIn(f'{ZAP}* (2), {ACT} (1)', lines[1])
        self.assertIn('yes', lines[1])
        self.assertIn('1m15s', lines[1])
        self.assertIn('NO', lines[2])
        self.assertIn('1h02m', lines[2])
        self.assertIn('build failed', lines[3])

    def test_totals(self):
        self.assertEqual(mutants.totals_line(self.outcomes),
                         '1 of 3 mutants caught; 1 survived, 1 build failed')

    def test_markdown(self):
        md = mutants.markdown(self.outcomes, 'scripts/tgsig mutants', 4000,
                              'signal*', '2026-11-29 10:00:00')
        self.assertIn('| mutant | the rule it breaks | tests that failed | '
                      'caught | time |', md)
        self.assertIn('| a | pipes \\| escaped | ', md)
        # The header names the tree, not the first mutant's patch.
        self.assertIn('(TCG, -smp 4, linux)', md)
        self.assertIn('`signal*`', md)
        self.assertIn('1h06m', md)
        self.assertIn('- other failures:', md)
        self.assertIn(f'  - `{ACT}/z`', md)


class Select(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        for n in ('kill-all-a', 'kill-all-b', 'zap'):
            with open(os.path.join(self.dir, n + '.patch'), 'w') as f:
                f.write(PATCH)

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_all_names_globs_and_paths(self):
        files = mutants.select([], self.dir)
        self.assertEqual([os.path.basename(f) for f in files],
                         ['kill-all-a.patch', 'kill-all-b.patch',
                          'zap.patch'])
        got = mutants.select(['zap.patch', 'kill-all-*', 'zap'], self.dir)
        self.assertEqual([os.path.basename(f) for f in got],
                         ['zap.patch', 'kill-all-a.patch',
                          'kill-all-b.patch'])
        path = os.path.join(self.dir, 'zap.patch')
        self.assertEqual(mutants.select([path], self.dir), [path])
        with self.assertRaises(TgsigError):
            mutants.select(['nope'], self.dir)

    def test_a_base_runs_its_own_version(self):
        os.mkdir(os.path.join(self.dir, '6.12'))
        for n in ('zap', 'only-612'):
            with open(os.path.join(self.dir, '6.12', n + '.patch'),
                      'w') as f:
                f.write(PATCH)
        self.assertEqual(mutants.base_subdir('lts'), '6.12')
        self.assertIsNone(mutants.base_subdir('mainline'))
        rel = [os.path.relpath(f, self.dir)
               for f in mutants.select([], self.dir, '6.12')]
        self.assertEqual(rel, ['kill-all-a.patch', 'kill-all-b.patch',
                               '6.12/only-612.patch', '6.12/zap.patch'])
        self.assertEqual(mutants.select(['zap'], self.dir),
                         [os.path.join(self.dir, 'zap.patch')])

    def test_default_filter(self):
        self.assertEqual(mutants.default_filter(['signal']), 'signal:*')
        self.assertEqual(mutants.default_filter(['signal',
                                                 'signal_storm']),
                         'signal*')
        self.assertIsNone(mutants.default_filter(['a', 'b']))


class Command(unittest.TestCase):
    """The whole command with a fake `run`: no kernel."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.dir = os.path.join(self.tmp, 'mutants')
        os.makedirs(self.dir)
        for n in ('caught', 'survives', 'breaks-build'):
            with open(os.path.join(self.dir, n + '.patch'), 'w') as f:
                f.write(PATCH)
        self.work = os.path.join(self.tmp, 'work')
        self.calls = []

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def fake_run(self, opts, shell, progress):
        name = os.path.basename(opts.extra_patches[0])[:-len('.patch')]
        self.calls.append((name, opts.filter, opts.extra_patches))
        run_dir = new_run_dir(opts.work, 'patched')
        if name == 'breaks-build':
            raise BuildFailed('`make -C tree bzImage` failed with exit code 2')
        ok = name != 'caught'
        t = tree([ZAP], tap(ZAP, [(CASE, ok)], rc=0 if ok else 1))
        with open(os.path.join(run_dir, 'results.json'), 'w') as f:
            json.dump({'results': t.to_json(), 'outcome': 'done',
                       'accel': 'tcg', 'smp': 4, 'tree': 'linux'}, f)
        return 0 if ok else 1, None, run_dir

    def test_run_reports_and_exit_code(self):
        progress = Progress(open(os.devnull, 'w'))
        self.addCleanup(progress.stream.close)
        opts = Options(work=self.work)
        with open(os.devnull, 'w') as null:
            with contextlib.redirect_stdout(null):
                code = mutants.mutants_command(
                    opts, [], Shell(progress), progress,
                    ['mutants'], runner=self.fake_run, directory=self.dir)
        self.assertEqual(code, 1)
        self.assertEqual([c[0] for c in self.calls],
                         ['breaks-build', 'caught', 'survives'])
        self.assertTrue(all(c[1] == mutants.default_filter(
            list(our_selftests())) for c in self.calls))
        runs = os.path.join(self.work, 'runs')
        latest = os.path.join(runs, os.readlink(os.path.join(runs, 'latest')))
        self.assertTrue(latest.endswith('-mutants'))
        with open(os.path.join(latest, 'results.json')) as f:
            data = json.load(f)
        verdicts = {m['name']: m['verdict'] for m in data['mutants']}
        self.assertEqual(verdicts, {'breaks-build': 'build failed',
                                    'caught': 'caught',
                                    'survives': 'survived'})
        self.assertFalse(data['passed'])
        self.assertEqual(data['totals']['caught'], 1)
        self.assertEqual(data['command'], 'scripts/tgsig mutants')
        self.assertTrue(os.path.isdir(os.path.join(latest, 'caught')))
        with open(os.path.join(latest, 'results.md')) as f:
            md = f.read()
        self.assertIn('| caught | the init of a PID namespace is reaped only '
                      'after every task in it | signal:pidns_zap* (1) | yes |',
                      md)
        self.assertIn('| breaks-build | the init', md)

    def test_baseline_is_refused(self):
        progress = Progress(open(os.devnull, 'w'))
        self.addCleanup(progress.stream.close)
        with self.assertRaises(TgsigError):
            mutants.mutants_command(Options(baseline=True), [],
                                    Shell(progress), progress,
                                    runner=self.fake_run, directory=self.dir)


if __name__ == '__main__':
    unittest.main()
