# SPDX-License-Identifier: GPL-2.0
import unittest

from tgsiglib.stream import GuestStream


class Protocol(unittest.TestCase):
    def test_markers_split_anywhere(self):
        s = GuestStream()
        text = ('tgsig:booted 6.12.117 cpus=4\r\n'
                'tgsig:begin signal:a timeout=45\n'
                'TAP version 13\n1..1\nok 1 x\n'
                'no newline at the endtgsig:end signal:a rc=0 cs=123\n'
                'tgsig:taint 512\ntgsig:done\n')
        for i in range(0, len(text), 7):
            s.feed(text[i:i + 7], now=i)
        s.close()
        self.assertEqual(s.booted, '6.12.117 cpus=4')
        self.assertEqual(len(s.tests), 1)
        t = s.tests[0]
        self.assertEqual((t.name, t.timeout, t.rc, t.guest_cs),
                         ('signal:a', 45, 0, 123))
        self.assertEqual(t.output[-1], 'no newline at the end')
        self.assertEqual(s.taint, 512)
        self.assertTrue(s.done)

    def test_timeout_needs_the_whole_budget(self):
        s = GuestStream()
        s.feed('tgsig:begin a timeout=2\ntgsig:end a rc=137 cs=201\n'
               'tgsig:begin b timeout=2\ntgsig:end b rc=137 cs=20\n')
        self.assertTrue(s.tests[0].timed_out)
        # Killed by SIGKILL early: a crash of its own, not the timeout.
        self.assertFalse(s.tests[1].timed_out)

    def test_unfinished_test(self):
        s = GuestStream()
        s.feed('tgsig:begin a timeout=2\npartial output\n')
        self.assertIs(s.current, s.tests[0])
        self.assertFalse(s.tests[0].finished)


if __name__ == '__main__':
    unittest.main()
