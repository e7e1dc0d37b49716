/* SPDX-License-Identifier: MIT */
/* Text from outside (paths, config lines, process names) on its way to a terminal or JSON. */
#ifndef LO6RELAY_UTF8_H
#define LO6RELAY_UTF8_H

#include <stddef.h>

/* The length of the well-formed UTF-8 sequence at P (RFC 3629), 0 if there is none. */
size_t utf8_len(const unsigned char *p);

/*
 * S in place with every byte a UTF-8 terminal could act on shown as '?':
 * C0 controls and DEL, C1 controls (U+0080-U+009F, which some terminals
 * take as CSI and friends), and bytes that are not UTF-8. Returns S.
 */
char *printable(char *s);

#endif
