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
#   tgsig-fuzz:hang what=sigfuzz init=PID after=SECONDS
#   tgsig-fuzz:tasks, tgsig-fuzz:task ..., tgsig-fuzz:tasks_end
#   tgsig-fuzz:sigfuzz_exit rc=RC|stuck
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

# Wait up to $2 seconds for process $1 to end.
wait_gone() {
	t1=$(now)
	while kill -0 "$1" 2>/dev/null && [ $(($(now) - t1)) -lt "$2" ]; do
		sleep 1
	done
}

# Every task left, for a hang: where each sleeps, its pids in each
# namespace, its parent and tracer; the kernel stack of $1 (the init
# that does not end) and the kernel's list of blocked tasks (sysrq w).
tasks() {
	say "tasks"
	for d in /proc/[0-9]*/task/[0-9]*; do
		read -r stat < "$d/stat" 2>/dev/null || continue
		rest=${stat##*) }
		comm=${stat#*(}
		comm=${comm%%)*}
		read -r wchan < "$d/wchan" 2>/dev/null
		ids=$(grep -E '^(NSpid|PPid|TracerPid|SigPnd|ShdPnd):' \
			"$d/status" 2>/dev/null | tr -s '\t\n' '  ')
		echo "tgsig-fuzz:task ${d#/proc/} $comm ${rest%% *} ${wchan:-0} $ids"
	done
	[ -n "$1" ] && sed 's/^/tgsig-fuzz:stack /' "/proc/$1/stack" 2>/dev/null
	{ echo w > /proc/sysrq-trigger; } 2>/dev/null
	say "tasks_end"
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
	# sigfuzz ends at its time; its init's exit zaps the namespace.
	wait_gone "$sf" 60
	if kill -0 "$sf" 2>/dev/null; then
		pid=$(child_of "$sf")
		say "hang what=sigfuzz init=$pid after=$(($(now) - t0))"
		tasks "$pid"
		[ -n "$pid" ] && kill -KILL "$pid"
		wait_gone "$sf" 30
	fi
	if kill -0 "$sf" 2>/dev/null; then
		say "sigfuzz_exit rc=stuck"
	else
		wait "$sf"
		say "sigfuzz_exit rc=$?"
	fi
fi
for f in "$logs"/trinity*.log; do
	[ -f "$f" ] || continue
	say "log ${f##*/}"
	tail -n 20 "$f"
done
# Trinity's status after SIGINT is not a verdict; the kernel's is.
exit 0
