// SPDX-License-Identifier: MIT
/* mode_parse and mode_name agree, and nothing else is a mode. */
#include "fuzz.h"
#include "parse.h"

#include <lo6relay/abi.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	int m = mode_parse(s);
	uint32_t any = 0;

	FUZZ_ASSERT(m >= -1 && m <= LO6_MODE_NEVER);
	if (m >= 0)
		FUZZ_ASSERT(strcmp(mode_name((uint32_t)m), s) == 0);
	memcpy(&any, data, size < sizeof(any) ? size : sizeof(any));
	FUZZ_ASSERT(mode_name(any) != NULL);
	FUZZ_ASSERT(any <= LO6_MODE_NEVER || strcmp(mode_name(any), "unknown") == 0);
	free(s);
	return 0;
}
