# SPDX-License-Identifier: GPL-2.0
"""`tgsig trace`: the trace parser, the model of each signal and the
timeline, against traces captured from the guest (tests/data/trace/, see
tests/data/README) and lines written by hand for the corner cases."""
import glob
import json
import os
import shlex
import tempfile
import unittest
import xml.etree.ElementTree as ET

from tgsiglib import timeline, tracecheck, tracefmt, tracemodel, tracerun
from tgsiglib.tests.golden import DATA

TRACES = os.path.join(DATA, 'trace')


def capture(name):
    with open(os.path.join(TRACES, name), encoding='utf-8') as f:
        return tracefmt.parse_capture(f.read().splitlines())


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def line(comm, pid, cpu, ts, event, fields, flags='d..1.'):
    """A trace line as the kernel prints it."""
    return (f'{comm + "-" + str(pid):>22} [{cpu:03}] {flags} '
            f'{ts:12.6f}: {event}: {fields}')


class TraceLines(unittest.TestCase):
    def test_a_signal_generate_line(self):
        e = tracefmt.parse_line(
            '          sender-9110    [001] d..1.  3860.138709: '
            'signal_generate: sig=10 errno=0 code=0 comm=main pid=9106 '
            'grp=1 res=0')
        self.assertEqual((e.comm, e.pid, e.cpu, e.ts, e.name),
                         ('sender', 9110, 1, 3860.138709, 'signal_generate'))
        self.assertEqual(e.fields, {'sig': '10', 'errno': '0', 'code': '0',
                                    'comm': 'main', 'pid': '9106',
                                    'grp': '1', 'res': '0'})

    def test_a_name_with_dashes_and_spaces(self):
        e = tracefmt.parse_line(line('my-prog x', 42, 0, 1.5,
                                     'signal_deliver',
                                     'sig=10 sa_handler=401f60'))
        self.assertEqual((e.comm, e.pid), ('my-prog x', 42))
        self.assertEqual(e.int('sa_handler'), 0x401f60)

    def test_without_flags_and_with_the_tgid_column(self):
        e = tracefmt.parse_line('  a-7 [002] 10.000001: task_rename: pid=7 '
                                'oldcomm=a newcomm=b c oom_score_adj=0')
        self.assertEqual((e.pid, e.cpu, e.fields['newcomm']), (7, 2, 'b c'))
        e = tracefmt.parse_line('  a-7  (  5) [002] ..... 10.5: '
                                'sched_process_exit: comm=a pid=7 prio=120')
        self.assertEqual((e.pid, e.ts, e.fields['comm']), (7, 10.5, 'a'))

    def test_comments_and_other_lines_are_no_event(self):
        for text in ('# tracer: nop', '#  | |  ', '', 'hello world',
                     'tgsig-trace:end'):
            self.assertIsNone(tracefmt.parse_line(text), text)

    def test_the_markers_and_the_programs_output(self):
        cap = tracefmt.parse_capture([
            'tgsig-trace:kernel 7.3.0-rc7', 'tgsig-trace:event signal/a',
            'tgsig-trace:missing signal/b', 'tgsig-trace:pid 12',
            'hello', 'no newline at the endtgsig-trace:exit 143',
            'tgsig-trace:trace', '# tracer: nop',
            line('p', 12, 0, 1.0, 'signal_deliver', 'sig=10'),
            'tgsig-trace:end'])
        self.assertEqual((cap.kernel, cap.enabled, cap.missing, cap.pid,
                          cap.exit_status, cap.complete),
                         ('7.3.0-rc7', ['signal/a'], ['signal/b'], 12, 143,
                          True))
        self.assertEqual(cap.output, ['hello', 'no newline at the end'])
        self.assertEqual([e.name for e in cap.events], ['signal_deliver'])

    def test_a_trace_cut_short_is_incomplete(self):
        cap = tracefmt.parse_capture(['tgsig-trace:pid 3',
                                      'tgsig-trace:trace', '# tracer: nop'])
        self.assertFalse(cap.complete)


def model_of(lines, root=100):
    return tracemodel.build(tracefmt.parse_trace('\n'.join(lines)), root)


NEW = 'clone_flags=3d0f00 oom_score_adj=0'


class Model(unittest.TestCase):
    """Hand-written traces of what the patched kernel prints."""

    def threads(self):
        return [line('main', 100, 0, 1.0, 'task_newtask',
                     f'pid=101 comm=main {NEW}'),
                line('main', 100, 0, 1.1, 'task_newtask',
                     f'pid=102 comm=main {NEW}'),
                line('main', 100, 0, 1.2, 'task_newtask',
                     'pid=200 comm=main clone_flags=1200011 '
                     'oom_score_adj=0')]

    def test_threads_and_processes_from_clone_flags(self):
        m = model_of(self.threads())
        self.assertEqual({t.tid: t.tgid for t in m.threads.values()},
                         {100: 100, 101: 100, 102: 100, 200: 200})

    def test_none_woken_then_taken_when_a_thread_unblocks(self):
        m = model_of(self.threads() + [
            line('w1', 101, 1, 2.0, 'signal_wake_target',
                 'sig=10 tgid=100 named=100 chosen=0 reason=blocked '
                 'threads=0'),
            line('w1', 101, 1, 2.0, 'signal_generate',
                 'sig=10 errno=0 code=0 comm=main pid=100 grp=1 res=0'),
            line('w2', 102, 1, 3.0, 'signal_deliver',
                 'sig=10 errno=0 code=0 sa_handler=401000 sa_flags=0')])
        [s] = m.signals
        self.assertEqual((s.woken, s.reason, s.dequeued_by, s.sender,
                          s.handler_thread, s.outcome),
                         (0, 'blocked', 102, 101, 102, 'handled'))

    def test_a_wake_of_another_cpu_is_not_paired(self):
        m = model_of(self.threads() + [
            line('w1', 101, 0, 2.0, 'signal_wake_target',
                 'sig=10 tgid=100 named=100 chosen=100 reason=named '
                 'threads=0'),
            line('w1', 101, 1, 2.0, 'signal_generate',
                 'sig=10 errno=0 code=0 comm=main pid=100 grp=1 res=0')])
        self.assertEqual(m.signals[0].reason, tracemodel.NO_EVENT)

    def test_the_threads_own_queue_first(self):
        m = model_of(self.threads() + [
            line('w1', 101, 1, 2.0, 'signal_generate',
                 'sig=12 errno=0 code=0 comm=main pid=100 grp=1 res=0'),
            line('w1', 101, 1, 2.1, 'signal_generate',
                 'sig=12 errno=0 code=0 comm=w2 pid=102 grp=0 res=0'),
            line('w2', 102, 0, 3.0, 'signal_deliver',
                 'sig=12 errno=0 code=0 sa_handler=401000 sa_flags=0'),
            line('main', 100, 0, 3.1, 'signal_deliver',
                 'sig=12 errno=0 code=0 sa_handler=401000 sa_flags=0')])
        self.assertEqual([(s.group, s.dequeued_by) for s in m.signals],
                         [(True, 100), (False, 102)])

    def test_discarded_and_never_taken(self):
        m = model_of(self.threads() + [
            line('w1', 101, 1, 2.0, 'signal_generate',
                 'sig=17 errno=0 code=0 comm=main pid=100 grp=1 res=1'),
            line('w1', 101, 1, 2.1, 'signal_generate',
                 'sig=10 errno=0 code=0 comm=main pid=100 grp=1 res=0'),
            line('w1', 101, 1, 2.2, 'signal_generate',
                 'sig=10 errno=0 code=0 comm=main pid=100 grp=1 res=2')])
        self.assertEqual([s.outcome.split(':')[0] for s in m.signals],
                         ['discarded', 'not seen dequeued', 'discarded'])

    def test_exit_group_kills_without_a_signal(self):
        m = model_of(self.threads() + [
            line('w1', 101, 1, 4.0, 'signal_deliver',
                 'sig=9 errno=0 code=0 sa_handler=0 sa_flags=0'),
            line('w1', 101, 1, 4.1, 'sched_process_exit',
                 'comm=w1 pid=101 prio=120')])
        [s] = m.signals
        self.assertEqual((s.reason, [k.tid for k in s.killed]),
                         (tracemodel.EXIT_GROUP, [101]))
        self.assertEqual(m.threads[101].exit, 4.1)

    def test_signals_of_other_processes_are_left_out(self):
        m = model_of(self.threads() + [
            line('sh', 5, 0, 9.0, 'signal_generate',
                 'sig=17 errno=0 code=1 comm=sh pid=5 grp=1 res=0')])
        self.assertEqual(m.signals, [])


# What each example (scripts/trace/sigdemo MODE, traced in the guest)
# must show: for each SIGUSR1, the reason and the names of the thread
# woken and of the one that took it (the e2e case's expectations).
EXPECT = tracecheck.EXPECT


def named(model, tid):
    t = model.threads.get(tid)
    return t.name if t else tid


class GuestTraces(unittest.TestCase):
    """Traces of scripts/trace/sigdemo captured in the guest, on the
    patched kernel of each base."""

    def captures(self, mode):
        found = sorted(glob.glob(os.path.join(TRACES, f'*_{mode}.trace')))
        return [f for f in found if not os.path.basename(f)
                .startswith('host_')]

    def test_every_mode_was_captured_on_a_patched_kernel(self):
        for mode in (*EXPECT, 'groupkill', 'fatal'):
            paths = self.captures(mode)
            self.assertTrue(paths, mode)
            for path in paths:
                cap = capture(os.path.basename(path))
                self.assertIn('signal/signal_wake_target', cap.enabled)
                self.assertTrue(cap.complete)

    def test_the_thread_each_signal_landed_on(self):
        for mode, want in EXPECT.items():
            for path in self.captures(mode):
                with self.subTest(path=os.path.basename(path)):
                    m = tracemodel.from_capture(
                        capture(os.path.basename(path)))
                    got = [(s.reason, named(m, s.woken),
                            named(m, s.dequeued_by))
                           for s in m.signals if s.sig == 10]
                    self.assertEqual(got, want)

    def test_a_group_kill_of_16_threads(self):
        for path in self.captures('groupkill'):
            m = tracemodel.from_capture(capture(os.path.basename(path)))
            [s] = [s for s in m.signals if s.generated is not None]
            self.assertEqual((s.sig, s.reason, s.threads, named(m, s.woken),
                              named(m, s.sender)),
                             (9, 'group_kill', 16, 'main', 'killer'))
            self.assertEqual(sorted(k.tid for k in s.killed),
                             sorted(m.threads))
            self.assertTrue(all(t.exit is not None
                                for t in m.threads.values()))

    def test_a_fatal_signal_to_a_thread_that_is_not_main(self):
        for path in self.captures('fatal'):
            m = tracemodel.from_capture(capture(os.path.basename(path)))
            [s] = [s for s in m.signals if s.generated is not None]
            self.assertEqual((s.name, s.group, named(m, s.target),
                              s.reason, named(m, s.woken), s.threads),
                             ('SIGTERM', False, 'worker2', 'group_kill',
                              'worker2', 4))
            self.assertEqual(len(s.killed), 4)


class WokenIsNotTaker(unittest.TestCase):
    """lts_race.trace: sigdemo main before it waited for the main thread
    to sleep again. The second signal came while the main thread, on its
    way out of the first handler, was preempted with TIF_SIGPENDING set:
    wants_signal() passed it over, the walk woke worker1, and the main
    thread dequeued the signal before worker1 ran."""

    def test_worker1_woken_main_took_it(self):
        m = tracemodel.from_capture(capture('lts_race.trace'))
        got = [(s.reason, named(m, s.woken), named(m, s.dequeued_by))
               for s in m.signals]
        self.assertEqual(got[1], ('curr_target', 'worker1', 'main'))
        self.assertEqual(got[0], ('named', 'main', 'main'))


class EndToEndVerdict(unittest.TestCase):
    """tracecheck.verify(), the e2e case's verdict, on captured traces:
    it passes the trace of the mode it expects, and fails one whose
    signal went elsewhere, or whose program failed its own check."""

    def test_it_passes_and_it_fails(self):
        for mode in tracecheck.EXPECT:
            m = tracemodel.from_capture(capture(f'lts_{mode}.trace'))
            self.assertEqual(tracecheck.verify(mode, m, 0), [], mode)
        race = tracemodel.from_capture(capture('lts_race.trace'))
        [wrong] = tracecheck.verify('main', race, 0)
        self.assertIn("'worker1', 'main'", wrong)
        sticky = tracemodel.from_capture(capture('lts_sticky.trace'))
        self.assertEqual(len(tracecheck.verify('sigthread', sticky, 0)), 1)
        self.assertEqual(tracecheck.verify('sticky', sticky, 1),
                         ['sigdemo sticky exited with 1'])


class HostTraces(unittest.TestCase):
    """host_*.trace: `tgsig trace --host` on a kernel without the
    series: no reason, and the fatal signal found from the SIGKILLs."""

    def test_without_signal_wake_target(self):
        cap = capture('host_sticky.trace')
        self.assertEqual(cap.missing, ['signal/signal_wake_target'])
        m = tracemodel.from_capture(cap)
        self.assertEqual({(s.reason, s.woken, named(m, s.dequeued_by))
                          for s in m.signals},
                         {(tracemodel.NO_EVENT, None, 'worker1')})

    def test_a_fatal_signal_found_from_the_sigkills(self):
        m = tracemodel.from_capture(capture('host_fatal.trace'))
        [s] = m.signals
        self.assertEqual((s.name, named(m, s.target), len(s.killed)),
                         ('SIGTERM', 'worker2', 4))
        self.assertIn('taken as fatal', s.note)


class Golden(unittest.TestCase):
    """The summary, trace.json and timeline.svg of every trace of
    tests/data/trace/ are the .summary, .json and .svg files beside it."""

    def test_summary_json_and_svg(self):
        for path in sorted(glob.glob(os.path.join(TRACES, '*.trace'))):
            stem = path[:-len('.trace')]
            with self.subTest(trace=os.path.basename(path)):
                cap = capture(os.path.basename(path))
                with tempfile.TemporaryDirectory() as tmp:
                    _, text = tracerun.render(cap, {}, 'title',
                                              'subtitle', tmp)
                    self.assertEqual(text, read(stem + '.summary'))
                    self.assertEqual(
                        json.loads(read(os.path.join(tmp, 'trace.json'))),
                        json.loads(read(stem + '.json')))
                    self.assertEqual(read(os.path.join(tmp,
                                                       'timeline.svg')),
                                     read(stem + '.svg'))


class Timeline(unittest.TestCase):
    def test_well_formed_one_lane_per_thread_a_tooltip_per_signal(self):
        for path in sorted(glob.glob(os.path.join(TRACES, '*.trace'))):
            with self.subTest(trace=os.path.basename(path)):
                m = tracemodel.from_capture(capture(os.path.basename(path)))
                svg = timeline.render(m, 'Title', 'Subtitle')
                root = ET.fromstring(svg)
                ns = '{http://www.w3.org/2000/svg}'
                texts = [t.text for t in root.iter(ns + 'text')]
                for t in m.threads.values():
                    self.assertEqual(sum(1 for x in texts if x and x
                                         .endswith(f'thread {t.tid}')), 1,
                                     t.label())
                tips = ' '.join(t.text for t in root.iter(ns + 'title'))
                for s in m.signals:
                    self.assertIn(f'#{s.id} {s.name}', tips)


class Wrapper(unittest.TestCase):
    def test_the_command_is_quoted_and_every_event_asked_for(self):
        text = tracerun.wrapper_text(['./prog', 'a b', "it's"])
        self.assertIn("tgsig-trace ./prog 'a b' 'it'\"'\"'s'", text)
        self.assertEqual(shlex.split(
            text.split('tgsig-trace ./prog', 1)[1].splitlines()[0]),
            ['a b', "it's"])
        for event in tracerun.EVENTS:
            self.assertIn(event, text)
        self.assertNotIn('@', text.replace('$@', ''))


def regold():
    """Write the .summary, .json and .svg of every trace again (after a
    change to their format, read the diff):
    cd scripts && python3 -m tgsiglib.tests.test_trace --regold"""
    for path in sorted(glob.glob(os.path.join(TRACES, '*.trace'))):
        stem = path[:-len('.trace')]
        cap = capture(os.path.basename(path))
        with tempfile.TemporaryDirectory() as tmp:
            _, text = tracerun.render(cap, {}, 'title', 'subtitle', tmp)
            with open(stem + '.summary', 'w', encoding='utf-8') as f:
                f.write(text)
            for name, ext in (('trace.json', '.json'),
                              ('timeline.svg', '.svg')):
                with open(os.path.join(tmp, name), encoding='utf-8') as f:
                    data = f.read()
                with open(stem + ext, 'w', encoding='utf-8') as f:
                    f.write(data)


if __name__ == '__main__':
    import sys
    if sys.argv[1:] == ['--regold']:
        regold()
    else:
        unittest.main()
