// SPDX-License-Identifier: GPL-2.0
/* A guest program that fails: the harness must report its exit code and output. */
#include <stdio.h>

int main(void)
{
	printf("provoke: exiting with status 1 on purpose\n");
	return 1;
}
