# SPDX-License-Identifier: GPL-2.0
"""The kernel build's progress lines: objects counted from make's own
output, said only when the count changed."""
import io
import os
import tempfile
import unittest

from tgsiglib import build
from tgsiglib.shell import Progress

MAKE_OUTPUT = '''$ make -C tree O=out bzImage
  SYNC    include/config/auto.conf
  CC      scripts/mod/empty.o
  HOSTCC  scripts/kallsyms
  CC      kernel/signal.o
  AS      arch/x86/entry/entry_64.o
  LD      vmlinux.o
  AR      lib/lib.a
  CC [M]  fs/foo.o
  CC      kernel/bounds.s
'''


class CountObjects(unittest.TestCase):
    def test_compiled_and_assembled_objects_count(self):
        self.assertEqual(build.count_objects(MAKE_OUTPUT), 4)

    def test_nothing_compiled(self):
        self.assertEqual(build.count_objects('make: Nothing to be done\n'), 0)


class Progress_(unittest.TestCase):
    def setUp(self):
        fd, self.log = tempfile.mkstemp()
        os.close(fd)
        self.addCleanup(os.remove, self.log)
        with open(self.log, 'w') as f:
            f.write('  CC      before/this/build.o\n')
        self.out = io.StringIO()

    def append(self, text):
        with open(self.log, 'a') as f:
            f.write(text)

    def lines(self):
        return [line.split('] ', 1)[1] for line in
                self.out.getvalue().splitlines()]

    def test_says_the_count_since_it_started_only_when_it_changed(self):
        watch = build.BuildProgress(self.log, Progress(self.out),
                                    'build kernel', before=2890)
        watch.tick()
        self.append(MAKE_OUTPUT)
        watch.tick()
        watch.tick()
        self.append('  CC      kernel/exit.o\n')
        watch.tick()
        self.assertEqual(self.lines(), [
            'build kernel: 4 objects compiled so far (the last finished '
            'build here compiled 2890)',
            'build kernel: 5 objects compiled so far (the last finished '
            'build here compiled 2890)'])

    def test_without_an_earlier_build(self):
        watch = build.BuildProgress(self.log, Progress(self.out), 'build')
        self.append(MAKE_OUTPUT)
        watch.tick()
        self.assertEqual(self.lines(), ['build: 4 objects compiled so far'])

    def test_counts_are_kept_per_target(self):
        with tempfile.TemporaryDirectory() as root:
            self.assertEqual(build._read_counts(root), {})
            build._save_count(root, 'bzImage', 2890)
            self.assertEqual(build._read_counts(root), {'bzImage': 2890})


if __name__ == '__main__':
    unittest.main()
