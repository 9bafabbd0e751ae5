#!/bin/sh
# A panic: QEMU ends (panic=-1 reboots, -no-reboot exits) in the middle of the run.
echo c > /proc/sysrq-trigger
