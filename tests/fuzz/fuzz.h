/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets: libFuzzer's entry point, and inputs copied
 * into buffers of exactly their size so AddressSanitizer sees any read
 * past the end. The same targets also build without libFuzzer, against
 * replay.c, as unit tests over the checked-in corpus.
 */
#ifndef LO6RELAY_FUZZ_H
#define LO6RELAY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: say which, then crash so the fuzzer keeps the input. */
#define FUZZ_ASSERT(cond)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                    \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* DATA as a NUL-terminated string in a malloc'd buffer of SIZE + 1 bytes. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* An error buffer ERRLEN long must hold a NUL-terminated sentence. */
static inline void fuzz_check_err(const char *err, size_t errlen)
{
	FUZZ_ASSERT(errlen == 0 || memchr(err, '\0', errlen) != NULL);
}

#endif
