#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tgsig fuzz, the guest's side: one trinity run of one seed, for a bounded
# time, in a PID and mount namespace of its own, and beside it sigfuzz
# (scripts/fuzz/sigfuzz.c: the kill, tgkill, clone and ptrace calls that
# trinity marks AVOID) with the same seed and time, in another.
#
#   fuzz.sh SEED SECONDS CHILDREN SYSCALL[,SYSCALL...] WORKERS [EXTRA-ARG...]
#
# WORKERS is sigfuzz's; 0 runs trinity alone.
#
# Trinity runs as root: unshare(CLONE_NEWPID) and setns need it, and so do
# the paths of kill() and ptrace() that check permissions against other
# users' tasks only after they pass.  Root needs --dangerous.  The PID
# namespace is what keeps that safe: trinity's kill(-1), kill(-pgrp) and
# ptrace() reach only its own processes, never the guest's init, this
# script or the heartbeat, and trinity is the namespace's init, so its
# exit zaps whatever its children left behind.
#
# The time limit is kept from outside the namespace, where trinity's own
# signals cannot reach the watcher: SIGINT at the end (trinity then stops
# its children and prints its totals), SIGKILL 60 seconds later.
#
# Lines for the host (fuzz.py reads them from output.log):
#   tgsig-fuzz:start seed=S seconds=N children=C
#   tgsig-fuzz:stop reason=time|exited after=SECONDS
#   tgsig-fuzz:exit rc=RC
#   tgsig-fuzz:log FILE      then the last lines of one child's log
#   tgsig-fuzz:sigfuzz_exit rc=RC
# and sigfuzz's own `sigfuzz:` lines.  sigfuzz stops by itself at SECONDS
# (it is its namespace's init, so nothing else could stop it gently).
seed=$1 secs=$2 children=$3 syscalls=$4 workers=$5
shift 5
logs=/tmp/trinity-$seed
here=$(pwd)
mkdir -p "$logs" && cd "$logs" || exit 1

set -- -a 64 --dangerous -s "$seed" -C "$children" -l "$logs" \
	--disable-fds=sockets --stats "$@"
for s in $(echo "$syscalls" | tr , ' '); do
	set -- "$@" -c "$s"
done

say() { echo "tgsig-fuzz:$*"; }
now() { read -r up _ < /proc/uptime; echo "${up%.*}"; }

# The pid of trinity itself (outside the namespace): unshare's child.
child_of() {
	for stat in /proc/[0-9]*/stat; do
		read -r pid _ _ ppid _ < "$stat" 2>/dev/null || continue
		[ "$ppid" = "$1" ] && echo "$pid" && return
	done
}

say "start seed=$seed seconds=$secs children=$children workers=$workers"
t0=$(now)
sf=
if [ "$workers" -gt 0 ]; then
	echo "+ unshare --pid --fork --mount --mount-proc sigfuzz $seed $secs $workers"
	unshare --pid --fork --mount --mount-proc "$here/sigfuzz" "$seed" \
		"$secs" "$workers" 2>&1 &
	sf=$!
fi
echo "+ unshare --pid --fork --mount --mount-proc trinity $*"
unshare --pid --fork --mount --mount-proc /usr/bin/trinity "$@" 2>&1 &
ns=$!
while kill -0 "$ns" 2>/dev/null && [ $(($(now) - t0)) -lt "$secs" ]; do
	sleep 1
done
reason=exited
if kill -0 "$ns" 2>/dev/null; then
	reason=time
	pid=$(child_of "$ns")
	[ -n "$pid" ] && kill -INT "$pid"
	t1=$(now)
	while kill -0 "$ns" 2>/dev/null && [ $(($(now) - t1)) -lt 60 ]; do
		sleep 1
	done
	if kill -0 "$ns" 2>/dev/null; then
		say "stop reason=killed after=$(($(now) - t0))"
		pid=$(child_of "$ns")
		[ -n "$pid" ] && kill -KILL "$pid"
	fi
fi
wait "$ns"
rc=$?
say "stop reason=$reason after=$(($(now) - t0))"
say "exit rc=$rc"
if [ -n "$sf" ]; then
	t1=$(now)
	while kill -0 "$sf" 2>/dev/null && [ $(($(now) - t1)) -lt 60 ]; do
		sleep 1
	done
	if kill -0 "$sf" 2>/dev/null; then
		pid=$(child_of "$sf")
		[ -n "$pid" ] && kill -KILL "$pid"
	fi
	wait "$sf"
	say "sigfuzz_exit rc=$?"
fi
for f in "$logs"/trinity*.log; do
	[ -f "$f" ] || continue
	say "log ${f##*/}"
	tail -n 20 "$f"
done
# Trinity's status after SIGINT is not a verdict; the kernel's is.
exit 0
