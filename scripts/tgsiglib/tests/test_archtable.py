# SPDX-License-Identifier: GPL-2.0
import unittest

from tgsiglib import archtable

SIGNAL_H = '''
#define SIG_DFL_TERM 1
#define SIG_DFL_IGN 2
#define SIG_TABLE_MASK(w) (((w) & 1 ? sigmask(SIGHUP) : 0) | \\
                           ((w) & 2 ? sigmask(SIGURG) : 0))
#define sig_fatal(t, s) 0
'''
SIGNAL_C = '''
#ifdef SIGEMT
#define SIGEMT_MASK 1
#endif
static_assert(SIG_TABLE_MASK(SIG_DFL_IGN) == sigmask(SIGURG));
static_assert(SIG_TABLE_MASK(SIG_DFL_TERM) != SIG_TABLE_MASK(SIG_DFL_IGN));
/*
 * SLAB caches for signal bits.
 */
'''


class FakeTree:
    def __init__(self, files):
        self.files = files

    def __call__(self, path):
        return self.files.get(path)

    def arches(self):
        return sorted({p.split('/')[1] for p in self.files
                       if p.startswith('arch/')})


def tree(urg_x86, urg_alpha=16):
    return FakeTree({
        'include/linux/signal.h': SIGNAL_H,
        'kernel/signal.c': SIGNAL_C,
        'include/uapi/asm-generic/signal.h':
            '#define SIGHUP 1\n#define SIGURG 23\n',
        'arch/x86/include/uapi/asm/signal.h':
            f'#define SIGHUP\t\t 1\n#define SIGURG\t{urg_x86}\n',
        'arch/alpha/include/uapi/asm/signal.h':
            f'#define SIGHUP 1\n#define SIGURG {urg_alpha}\n',
        'arch/arm64/include/uapi/asm/signal.h':
            '#include <asm-generic/signal.h>\n',
    })


class ArchTable(unittest.TestCase):
    def test_every_numbering_is_compiled_and_holds(self):
        self.assertEqual(archtable.check(tree(23)),
                         {'asm-generic': None, 'alpha': None, 'x86': None})

    def test_a_numbering_that_breaks_an_assert_is_named(self):
        # SIGURG == SIGHUP on one architecture: the TERM and IGN masks
        # are then the same, and the second assert fails there only.
        results = archtable.check(tree(23, urg_alpha=1))
        self.assertIsNone(results['x86'])
        self.assertIn('static assertion failed', results['alpha'])

    def test_a_tree_without_the_table_is_not_checked(self):
        self.assertIsNone(archtable.check(FakeTree({})))


if __name__ == '__main__':
    unittest.main()
