// SPDX-License-Identifier: MIT
/*
 * The /proc/net parsers: the default route, TCP listeners on a port, and
 * listen_describe. Bytes 0-1: the port; byte 2: v6 or not and the sizes
 * of the device and description buffers; the rest is the file's text.
 */
#include "fuzz.h"
#include "procnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned port, bits, all = LISTEN_LOOP6 | LISTEN_ANY6 | LISTEN_LOOP4 | LISTEN_ANY4 |
				  LISTEN_OTHER;
	size_t devlen, desclen;
	uint32_t gw = 0;
	char *text, *dev, *desc;
	int v6;

	if (size < 3)
		return 0;
	port = (unsigned)data[0] << 8 | data[1];
	v6 = data[2] & 1;
	devlen = (data[2] >> 1) & 31;
	desclen = (size_t)(data[2] >> 6) * 40;
	text = fuzz_str(data + 3, size - 3);
	dev = malloc(devlen ? devlen : 1);
	desc = malloc(desclen ? desclen : 1);
	if (!dev || !desc)
		abort();

	bits = procnet_tcp_listeners(text, v6, port);
	FUZZ_ASSERT((bits & ~all) == 0);
	if (procnet_default_route(text, &gw, dev, devlen) == 0)
		FUZZ_ASSERT(devlen == 0 || memchr(dev, '\0', devlen) != NULL);
	listen_describe(bits, port, desc, desclen);
	FUZZ_ASSERT(desclen == 0 || memchr(desc, '\0', desclen) != NULL);
	free(desc);
	free(dev);
	free(text);
	return 0;
}
