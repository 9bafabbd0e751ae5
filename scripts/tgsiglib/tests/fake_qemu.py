#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Stands in for qemu-system-x86_64 in the watchdog's unit tests: writes
what a guest would to the three -serial files, as FAKE_GUEST says."""
import os
import sys
import time

files = [a[len('file:'):] for a in sys.argv[1:] if a.startswith('file:')]
console, output, heartbeat = (open(f, 'a', buffering=1) for f in files)
script = os.environ['FAKE_GUEST']


def say(text):
    output.write(text + '\n')


if script in ('done', 'hang_test', 'silent', 'panic'):
    console.write('[    0.100000] tgsig: booted\n')
    say('tgsig:booted 6.12.117 cpus=2')
    # The silent guest's test may not time out before the silence does.
    say('tgsig:begin t:one timeout=' + ('3600' if script == 'silent' else '1'))
    console.write('[    0.200000] tgsig: begin t:one\n')
    say('TAP version 13\n1..1\nok 1 works')
if script == 'done':
    say('tgsig:end t:one rc=0 cs=5\ntgsig:taint 0\ntgsig:done')
    if os.environ.get('FAKE_EXIT', '1') == '1':
        sys.exit(0)
elif script == 'hang_test':
    # The guest is alive (heartbeat) but the test never ends.
    while True:
        heartbeat.write('alive\n')
        time.sleep(0.1)
elif script == 'panic':
    console.write('[    0.300000] Kernel panic - not syncing: test\n')
    sys.exit(0)
# 'silent' and 'no_boot' fall through to sleeping without a word.
time.sleep(3600)
