# SPDX-License-Identifier: GPL-2.0
import io
import unittest

from tgsiglib import archtable
from tgsiglib.shell import Progress, Shell

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


# The table as the series has it now: the asserts are static_asserts on
# SIG_ACTION_TABLE itself, with a row-counting helper macro.
ROWS_H = '''
#define SIG_DFL_TERM 1
#define SIG_ACTION_TABLE(X, ...) (X(SIGHUP, 1, __VA_ARGS__) + \\
                                  X(SIGURG, 2, __VA_ARGS__))
#define sig_fatal(t, s) 0
'''
ROWS_C = '''
/*
 * SLAB caches for signal bits.
 */
#define __SIG_ROW_COUNT(...)\t1
static_assert(SIG_ACTION_TABLE(__SIG_ROW_COUNT, 0) ==
\t      SIGRTMIN - 1);
static_assert(sizeof(int) >= 4);
'''


def rows_tree(rtmin_x86):
    return FakeTree({
        'include/linux/signal.h': ROWS_H,
        'kernel/signal.c': ROWS_C,
        'include/uapi/asm-generic/signal.h':
            '#define SIGHUP 1\n#define SIGURG 2\n#define SIGRTMIN 3\n',
        'arch/x86/include/uapi/asm/signal.h':
            f'#define SIGHUP 1\n#define SIGURG 2\n#define SIGRTMIN '
            f'{rtmin_x86}\n',
    })


def quiet():
    return Shell(Progress(io.StringIO()), verbose=False)


class TableAsserts(unittest.TestCase):
    def test_the_static_asserts_on_the_table_and_their_helpers(self):
        got = archtable.table_asserts(ROWS_C)
        self.assertIn('#define __SIG_ROW_COUNT(...)\t1\n', got)
        self.assertIn('SIGRTMIN - 1);', got)
        self.assertNotIn('sizeof', got)

    def test_a_row_missing_on_one_architecture_is_named(self):
        results = archtable.check(rows_tree(3), shell=quiet())
        self.assertEqual(results, {'asm-generic': None, 'x86': None})
        results = archtable.check(rows_tree(4), shell=quiet())
        self.assertIsNone(results['asm-generic'])
        self.assertIn('static assertion failed', results['x86'])


class ArchTable(unittest.TestCase):
    def test_every_numbering_is_compiled_and_holds(self):
        self.assertEqual(archtable.check(tree(23), shell=quiet()),
                         {'asm-generic': None, 'alpha': None, 'x86': None})

    def test_a_numbering_that_breaks_an_assert_is_named(self):
        # SIGURG == SIGHUP on one architecture: the TERM and IGN masks
        # are then the same, and the second assert fails there only.
        results = archtable.check(tree(23, urg_alpha=1), shell=quiet())
        self.assertIsNone(results['x86'])
        self.assertIn('static assertion failed', results['alpha'])

    def test_a_tree_without_the_table_is_not_checked(self):
        self.assertIsNone(archtable.check(FakeTree({}), shell=quiet()))


if __name__ == '__main__':
    unittest.main()
