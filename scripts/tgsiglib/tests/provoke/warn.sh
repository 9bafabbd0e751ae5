#!/bin/sh
# A kernel WARN, through LKDTM: the run must fail with the splat quoted.
echo WARNING > /sys/kernel/debug/provoke-crash/DIRECT
echo "provoke: still alive after the WARN"
