#!/bin/sh
# A lockdep report, on a --debug kernel: LKDTM's SPINLOCKUP returns to user
# space holding a spinlock, which lockdep reports on the way out.
echo SPINLOCKUP > /sys/kernel/debug/provoke-crash/DIRECT
echo "provoke: returned holding a spinlock"
