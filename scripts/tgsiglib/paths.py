# SPDX-License-Identifier: GPL-2.0
"""Where things are in this repository."""
import os

HERE = os.path.dirname(os.path.realpath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GUEST_INIT = os.path.join(HERE, 'guest', 'init')
