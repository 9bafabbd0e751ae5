#!/bin/sh
# A task stuck in D state: SIGKILL from the guest's timeout cannot end it,
# the hung-task detector reports it, and the host's timeout ends the run.
echo HUNG_TASK > /sys/kernel/debug/provoke-crash/DIRECT
