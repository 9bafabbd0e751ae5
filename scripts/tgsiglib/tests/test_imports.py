# SPDX-License-Identifier: GPL-2.0
"""The module graph: a command module (the top of one scripts/tgsig
command) imports shared modules only, never another command."""
import ast
import glob
import os
import unittest

from tgsiglib.paths import HERE

# scripts/tgsig COMMAND -> the module that is its top.
COMMANDS = {'run': 'run', 'check': 'check', 'host': 'host',
            'bench': 'benchrun', 'mutants': 'mutants', 'series': 'seriescmd',
            'compare': 'compare', 'e2e': 'e2e', 'report': 'reportcmd',
            'trace': 'trace', 'fuzz': 'fuzz'}
# Edges still to remove: (importer, imported). Each must exist, so that
# this list shrinks when one goes.
PENDING: set = set()
# cli.py reads the command line and calls the command's module.
DISPATCHER = 'cli'


def imports(path):
    """The tgsiglib modules a module imports, anywhere in it."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split('.')[0])
            else:
                out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith('tgsiglib.'):
            out.add(node.module.split('.')[1])
    return out


def graph():
    return {os.path.basename(p)[:-3]: imports(p)
            for p in glob.glob(os.path.join(HERE, '*.py'))}


class ImportGraph(unittest.TestCase):
    def test_every_command_has_its_module(self):
        modules = graph()
        for command, module in COMMANDS.items():
            self.assertIn(module, modules, command)

    def test_no_command_imports_another(self):
        modules = graph()
        commands = set(COMMANDS.values())
        edges = {(m, i) for m, deps in modules.items() if m in commands
                 for i in deps if i in commands and i != m}
        self.assertEqual(edges - PENDING, set())
        self.assertEqual(PENDING - edges, set(),
                         'an edge of PENDING is gone: remove it from the list')

    def test_no_shared_module_imports_a_command(self):
        modules = graph()
        commands = set(COMMANDS.values())
        edges = {(m, i) for m, deps in modules.items()
                 if m not in commands and m != DISPATCHER
                 for i in deps if i in commands}
        self.assertEqual(edges, set())

    def test_the_graph_has_no_cycle(self):
        modules = graph()
        state = {}

        def visit(m, path):
            if state.get(m) == 'done':
                return
            self.assertNotEqual(state.get(m), 'open',
                                'import cycle: ' + ' -> '.join(path + [m]))
            state[m] = 'open'
            for dep in sorted(modules.get(m, ())):
                visit(dep, path + [m])
            state[m] = 'done'
        for m in sorted(modules):
            visit(m, [])


if __name__ == '__main__':
    unittest.main()
