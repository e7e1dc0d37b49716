/* SPDX-License-Identifier: MIT */
/* A few lines of test harness: each failed CHECK prints where and counts. */
#ifndef LO6RELAY_CHECK_H
#define LO6RELAY_CHECK_H

#include <stdio.h>
#include <string.h>

static int checks_failed, checks_run;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		checks_run++;                                                         \
		if (!(cond)) {                                                        \
			checks_failed++;                                              \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                     \
	} while (0)

#define CHECK_STR(a, b)                                                               \
	do {                                                                          \
		checks_run++;                                                         \
		if (strcmp((a), (b)) != 0) {                                          \
			checks_failed++;                                              \
			fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__, (a), (b)); \
		}                                                                     \
	} while (0)

static inline int checks_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, checks_run, checks_failed);
	return checks_failed ? 1 : 0;
}

#endif
