// SPDX-License-Identifier: GPL-2.0
/*
 * The hang sigfuzz found in the base kernels (7.3-rc7 and 6.12.117, with
 * or without the series; the 6.18 of our build machines too): the init
 * of a PID namespace that joined the process group of a child, and then
 * reaped that child, never finishes exiting.
 *
 * The reaped child's pid lives on as the group's, since init is still in
 * the group.  When init exits, zap_pid_ns_processes() waits until the
 * namespace holds no pid but init's own (one, or two when init's leader
 * exited before its last thread), and this one is init's too: it would
 * go only when init is released, which waits for the zap.  Init's parent
 * waits in waitpid() for good; nothing can kill the exiting init.
 *
 *	gcc -O2 -o /tmp/pgzap scripts/fuzz/init-in-group-of-reaped-child.c
 *	sudo /tmp/pgzap
 *
 * Exits 0 when init was reaped, 1 when it was not within 5 seconds (and
 * then leaves that init behind, stuck).  sigfuzz no longer makes this
 * state, so that a fuzz run can look for other things.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int ready[2];
	pid_t init, child;
	char x;

	if (unshare(CLONE_NEWPID) || pipe(ready)) {
		perror("unshare(CLONE_NEWPID) (root?)");
		return 2;
	}
	init = fork();
	if (!init) {
		child = fork();
		if (!child) {
			setpgid(0, 0);
			write(ready[1], "x", 1);
			pause();
		}
		if (read(ready[0], &x, 1) != 1 || setpgid(0, child)) {
			perror("init: setpgid() into the child's group");
			_exit(2);
		}
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		_exit(0);
	}
	sigaction(SIGALRM, &sa, NULL);
	alarm(5);
	if (waitpid(init, NULL, 0) == init) {
		printf("init was reaped: this kernel does not have the bug\n");
		return 0;
	}
	printf("init (pid %d) did not finish exiting in 5 s: it waits in "
	       "zap_pid_ns_processes() for the pid of its reaped child, "
	       "which its own process group holds\n", init);
	return 1;
}
