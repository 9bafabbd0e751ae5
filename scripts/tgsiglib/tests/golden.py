# SPDX-License-Identifier: GPL-2.0
"""Golden logs of tests/data/."""
import os

DATA = os.path.join(os.path.dirname(__file__), 'data')


def load(name):
    with open(os.path.join(DATA, name), encoding='utf-8') as f:
        return f.read().splitlines()
