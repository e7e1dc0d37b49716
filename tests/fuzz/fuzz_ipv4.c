// SPDX-License-Identifier: MIT
/*
 * ipv4_parse: an accepted address is a unicast dotted quad that prints
 * back as typed; a refused one leaves the output alone and explains. The
 * first byte picks the size of the error buffer.
 */
#include <arpa/inet.h>

#include "fuzz.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t addr = 0xdeadbeef;
	char back[INET_ADDRSTRLEN], *s, *err;
	size_t errlen;

	if (size < 1)
		return 0;
	errlen = data[0] % 200;
	s = fuzz_str(data + 1, size - 1);
	err = malloc(errlen ? errlen : 1);
	if (!err)
		abort();
	if (ipv4_parse(s, &addr, err, errlen) == 0) {
		uint32_t h = ntohl(addr);

		FUZZ_ASSERT(inet_ntop(AF_INET, &addr, back, sizeof(back)) != NULL);
		FUZZ_ASSERT(strcmp(back, s) == 0);
		FUZZ_ASSERT(h != 0 && h != 0xffffffffu && (h >> 28) != 0xe);
	} else {
		FUZZ_ASSERT(addr == 0xdeadbeef);
		fuzz_check_err(err, errlen);
	}
	free(err);
	free(s);
	return 0;
}
