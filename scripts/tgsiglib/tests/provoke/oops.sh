#!/bin/sh
# An oops in process context (a NULL dereference): the writer dies, the kernel lives on.
echo EXCEPTION > /sys/kernel/debug/provoke-crash/DIRECT
