/* SPDX-License-Identifier: MIT */
/*
 * Test-only fault points: with LO6RELAY_TEST_KILL_AT=N in the environment,
 * `start` or `stop` kills itself with SIGKILL at step N, so the tests can
 * prove that a loader dying anywhere leaves the old working state or
 * nothing, that status reads what it left truly, and that the next start
 * or stop finishes the job. With LO6RELAY_TEST_STALL_AT=N it stops itself
 * (SIGSTOP) there instead, so a test can run another command in exactly
 * that gap and then let it go on (SIGCONT). Unset, a step costs two
 * getenvs. Only the test binary (built with LO6_TEST_SWITCHES) has them:
 * in the installed lo6relay a fault point is nothing.
 */
#ifndef LO6RELAY_FAULTS_H
#define LO6RELAY_FAULTS_H

#include <signal.h>
#include <stdlib.h>

#ifdef LO6_TEST_SWITCHES
static inline void fault_point(int step)
{
	const char *at = getenv("LO6RELAY_TEST_KILL_AT");
	const char *stall = getenv("LO6RELAY_TEST_STALL_AT");

	if (at && atoi(at) == step)
		raise(SIGKILL);
	if (stall && atoi(stall) == step)
		raise(SIGSTOP);
}
#else
static inline void fault_point(int step)
{
	(void)step;
}
#endif

/* The steps, in the order start takes them. */
enum {
	STEP_BPFFS = 1,   /* pin folder made */
	STEP_LOADED,      /* program loaded, maps pinned */
	STEP_PORTS,       /* allowlist filled (a new instance) */
	STEP_CONFIG,      /* config written: the instance is complete but not attached */
	STEP_HOOK_FIRST,  /* + h: hook h attached or replaced, link pinned */
};

/* ... and those of stop, which takes the links away connect6 first, then the maps. */
enum {
	STEP_STOP_ENTERED = 99,   /* the folder locked, or seen missing */
	STEP_DETACHED = 100,      /* + h: hook h detached, its link still pinned (pins.c) */
	STEP_STOP_UNPINNED = 110, /* + h: hook h's link unpinned */
	STEP_STOP_MAPS = 120,     /* every map unpinned, the pin folder still there */
};

#endif
