#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tgsig trace, the traced side (the guest, or this machine with --host):
# make a tracefs instance of our own, enable the events tgsig trace reads,
# run the program under it and print the trace between marker lines.
# trace.py fills in @EVENTS@ (system/event ...) and @COMMAND@ (quoted).
#
#   tgsig-trace:kernel RELEASE
#   tgsig-trace:event SYSTEM/EVENT     enabled
#   tgsig-trace:missing SYSTEM/EVENT   this kernel has no such event
#   tgsig-trace:pid PID                the program's pid (before its exec)
#   ... the program's own output ...
#   tgsig-trace:exit STATUS            as the shell gives it (128 + signal)
#   tgsig-trace:trace
#   ... the instance's trace file ...
#   tgsig-trace:end
T=/sys/kernel/tracing
[ -d "$T/instances" ] || T=/sys/kernel/debug/tracing
I="$T/instances/tgsig-trace-$$"
say() { echo "tgsig-trace:$*"; }

say "kernel $(uname -r)"
if ! mkdir "$I"; then
	say "error cannot make a tracefs instance in $T"
	exit 1
fi
echo 4096 > "$I/buffer_size_kb"
for e in @EVENTS@; do
	if [ -e "$I/events/$e/enable" ]; then
		echo 1 > "$I/events/$e/enable"
		say "event $e"
	else
		say "missing $e"
	fi
done
echo 1 > "$I/tracing_on"
sh -c 'echo "tgsig-trace:pid $$"; exec "$@"' tgsig-trace @COMMAND@
rc=$?
echo 0 > "$I/tracing_on"
say "exit $rc"
say "trace"
cat "$I/trace"
say "end"
echo 0 > "$I/events/enable"
rmdir "$I"
exit 0
