// SPDX-License-Identifier: MIT
#include "utf8.h"

size_t utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/*
 * For a UTF-8 terminal, as WSL's are: U+009B (0xc2 0x9b) is CSI to some of
 * them, and a raw 0x9b is not UTF-8; neither passes, while a path in any
 * script does. A terminal in an 8-bit mode would also act on the 0x80-0x9f
 * continuation bytes of some characters (0xc4 0x9b is U+011B): that would
 * take the locale, which lo6relay does not read.
 */
char *printable(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p;) {
		size_t n = utf8_len(p);

		if (n == 0 || *p < 0x20 || *p == 0x7f)
			n = 1, *p = '?';
		else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
			p[0] = p[1] = '?';
		p += n;
	}
	return s;
}
