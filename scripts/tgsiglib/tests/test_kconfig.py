# SPDX-License-Identifier: GPL-2.0
import os
import tempfile
import unittest

from tgsiglib import kconfig


class Validate(unittest.TestCase):
    def fragment(self, text):
        f = tempfile.NamedTemporaryFile('w', suffix='.config', delete=False)
        f.write(text)
        f.close()
        self.addCleanup(os.unlink, f.name)
        return f.name

    def test_every_lost_option_is_listed(self):
        base = self.fragment('CONFIG_SMP=y\nCONFIG_NR_CPUS=8\n'
                             '# CONFIG_MODULES is not set\n')
        extra = self.fragment('CONFIG_IPC_NS=y\nCONFIG_PID_NS=y\n')
        wanted = kconfig.merge([base, extra])
        have = kconfig.parse('CONFIG_SMP=y\nCONFIG_NR_CPUS=2\n'
                             'CONFIG_PID_NS=y\n# CONFIG_IPC_NS is not set\n')
        lost = kconfig.missing(wanted, have)
        self.assertEqual([(o.name, got) for o, got in lost],
                         [('CONFIG_NR_CPUS', '2'), ('CONFIG_IPC_NS', 'n')])
        text = kconfig.describe_missing(lost)
        self.assertIn('CONFIG_IPC_NS=y', text)
        self.assertIn(f'{extra}:1', text)
        self.assertIn('not set', text)

    def test_later_fragment_wins(self):
        a = self.fragment('CONFIG_KASAN=y\n')
        b = self.fragment('# CONFIG_KASAN is not set\n')
        wanted = kconfig.merge([a, b])
        self.assertEqual(wanted['CONFIG_KASAN'].value, 'n')
        self.assertEqual(kconfig.missing(wanted, {}), [])

    def test_comments_and_blank_lines_are_not_options(self):
        opts = kconfig.parse('# a comment\n\nCONFIG_A="x y"\n')
        self.assertEqual(list(opts), ['CONFIG_A'])
        self.assertEqual(str(opts['CONFIG_A']), 'CONFIG_A="x y"')


if __name__ == '__main__':
    unittest.main()
