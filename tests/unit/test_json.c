// SPDX-License-Identifier: MIT
/* The JSON writer's strings: escapes, and UTF-8 only, whatever bytes it is handed. */
#include <stdlib.h>

#include "check.h"
#include "json.h"

static char *str(const char *s)
{
	static char *buf;
	size_t len;
	struct json j;
	FILE *f;

	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	json_init(&j, f);
	json_str(&j, NULL, s);
	fclose(f);
	return buf;
}

int main(void)
{
	CHECK_STR(str("plain /sys/fs/bpf/lo6relay"), "\"plain /sys/fs/bpf/lo6relay\"");
	CHECK_STR(str("a\"b\\c"), "\"a\\\"b\\\\c\"");
	CHECK_STR(str("tab\tnl\nesc\x1b" "del\x7f"), "\"tab\\u0009nl\\u000aesc\\u001bdel\\u007f\"");
	/* Well-formed UTF-8 passes through: é, €, U+10FFFF, an emoji. */
	CHECK_STR(str("\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80"),
		  "\"\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xf0\x9f\x98\x80\"");
	/* Anything else is U+FFFD, one per byte that starts no sequence. */
	CHECK_STR(str("/sys/fs/bpf/\xff\x80x"), "\"/sys/fs/bpf/\\ufffd\\ufffdx\"");
	CHECK_STR(str("\xc0\xaf"), "\"\\ufffd\\ufffd\"");                 /* overlong '/' */
	CHECK_STR(str("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");      /* a surrogate */
	CHECK_STR(str("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
	CHECK_STR(str("\xe2\x82"), "\"\\ufffd\\ufffd\"");                 /* cut short at the end */
	CHECK_STR(str("\xe2\x82" "a"), "\"\\ufffd\\ufffda\"");
	CHECK_STR(str(""), "\"\"");
	return checks_done("json");
}
