# SPDX-License-Identifier: GPL-2.0
"""What callers tell apart is a class, not the words of a message."""
import io
import os
import tempfile
import unittest
from unittest import mock

from tgsiglib import build, errors, qemu
from tgsiglib.shell import Progress, Shell, TIMEOUT_RC


class FakeWorkspace:
    def __init__(self, root):
        self.root = root
        self.repo = os.path.join(root, 'repo')
        self.build = os.path.join(root, 'build')


def quiet_shell():
    return Shell(Progress(io.StringIO()), verbose=False)


class Classes(unittest.TestCase):
    def test_every_class_is_a_tgsig_error(self):
        for cls in (errors.CommandFailed, errors.PatchDoesNotApply,
                    errors.BuildFailed, errors.ConfigNotKept,
                    errors.BootFailed):
            self.assertTrue(issubclass(cls, errors.TgsigError), cls)

    def test_a_command_that_fails_says_its_exit_code(self):
        with self.assertRaises(errors.CommandFailed) as cm:
            quiet_shell().run(['sh', '-c', 'exit 3'])
        self.assertEqual(cm.exception.returncode, 3)
        self.assertEqual(cm.exception.argv, ['sh', '-c', 'exit 3'])

    def test_a_command_past_its_timeout_gives_the_timeout_code(self):
        proc = quiet_shell().run(['sh', '-c', 'echo started; exec sleep 30'],
                                 capture=True, check=False, timeout=1)
        self.assertEqual(proc.returncode, TIMEOUT_RC)

    def test_make_failing_is_a_build_failure(self):
        with tempfile.TemporaryDirectory() as root:
            builder = build.Builder(FakeWorkspace(root), quiet_shell(),
                                    Progress(io.StringIO()), 1)
            log = os.path.join(root, 'build.log')
            with self.assertRaises(errors.BuildFailed) as cm:
                builder.selftests(['nothing'], os.path.join(root, 'inst'),
                                  log)
            self.assertTrue(cm.exception.what.startswith('`make '))

    def test_an_option_that_does_not_stick_names_it(self):
        with tempfile.TemporaryDirectory() as root:
            ws = FakeWorkspace(root)
            os.makedirs(ws.build)
            frag = os.path.join(root, 'frag.config')
            with open(frag, 'w') as f:
                f.write('CONFIG_PROVE_LOCKING=y\n')
            with open(os.path.join(ws.build, '.config'), 'w') as f:
                f.write('# CONFIG_PROVE_LOCKING is not set\n')
            builder = build.Builder(ws, quiet_shell(),
                                    Progress(io.StringIO()), 1)
            with mock.patch.object(builder, '_make'), \
                    mock.patch.object(builder.shell, 'run'):
                with self.assertRaises(errors.ConfigNotKept) as cm:
                    builder.configure([frag], os.path.join(root, 'log'))
            self.assertEqual(len(cm.exception.lost), 1)
            self.assertIn('CONFIG_PROVE_LOCKING', cm.exception.lost[0])

    def test_qemu_missing_is_a_boot_failure(self):
        with tempfile.TemporaryDirectory() as root:
            logs = tuple(os.path.join(root, n) for n in
                         ('console.log', 'output.log', 'heartbeat.log'))
            with self.assertRaises(errors.BootFailed):
                qemu.boot(['/nonexistent/qemu'], logs, qemu.Limits())


if __name__ == '__main__':
    unittest.main()
