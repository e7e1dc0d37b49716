// SPDX-License-Identifier: MIT
/* printable(): what reaches a terminal from a path, a config line or a process name. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "utf8.h"

static char *p(const char *s)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s", s);
	return printable(buf);
}

int main(void)
{
	CHECK_STR(p("plain /etc/lo6relay.conf"), "plain /etc/lo6relay.conf");
	/* C0 controls and DEL: escape sequences, newlines, backspaces. */
	CHECK_STR(p("a\x1b[2Jb\nc\rd\x08" "e\x7f"), "a?[2Jb?c?d?e?");
	/* C1 controls, raw (8-bit CSI, as a terminal in 8-bit mode reads it) or as UTF-8. */
	CHECK_STR(p("x\x9b" "2J"), "x?2J");
	CHECK_STR(p("x\xc2\x9b" "2J"), "x??2J");
	CHECK_STR(p("\xc2\x80\xc2\x9f"), "????");
	/* The first character past them, and UTF-8 in any script, pass. */
	CHECK_STR(p("\xc2\xa0\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\xc2\xa0\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* Bytes that are not UTF-8: one '?' each, the length kept. */
	CHECK_STR(p("/srv/\xff\x80x"), "/srv/??x");
	CHECK_STR(p("\xc0\xaf"), "??");           /* overlong '/' */
	CHECK_STR(p("\xe2\x82"), "??");           /* cut short at the end */
	CHECK_STR(p("\xed\xa0\x80"), "???");      /* a surrogate */
	CHECK_STR(p(""), "");
	for (int c = 1; c < 256; c++) {
		char s[2] = { (char)c, 0 };

		/* Every single byte: only printable ASCII survives alone. */
		CHECK(strcmp(p(s), c >= 0x20 && c < 0x7f ? s : "?") == 0);
	}
	for (int c = 0x80; c < 0x800; c++) {
		char s[3] = { (char)(0xc0 | c >> 6), (char)(0x80 | (c & 0x3f)), 0 };

		/* Every two-byte character: kept unless it is a C1 control. */
		CHECK(strcmp(p(s), c < 0xa0 ? "??" : s) == 0);
	}
	return checks_done("utf8");
}
