// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <stdlib.h>
#include <lo6relay/abi.h>

#include "check.h"
#include "parse.h"

static struct portset set;
static char err[256], buf[6 * 65536];

static int parse(const char *spec)
{
	return portspec_parse(spec, &set, err, sizeof(err));
}

static void test_good_specs(void)
{
	memset(&set, 0, sizeof(set));
	CHECK(parse("8080") == 0);
	CHECK(parse("3000-3010,5173") == 0);
	CHECK(portset_count(&set) == 13);
	CHECK(portset_has(&set, 3000) && portset_has(&set, 3010) && !portset_has(&set, 3011));
	CHECK(portset_format(&set, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "3000-3010,5173,8080");

	memset(&set, 0, sizeof(set));
	CHECK(parse("1-65535") == 0);
	CHECK(portset_count(&set) == 65535);
	CHECK(!portset_has(&set, 0));
	CHECK(portset_format(&set, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "1-65535");

	/* Adjacent singles fold into a range; a one-port range prints as a port. */
	memset(&set, 0, sizeof(set));
	CHECK(parse("5,6,7,9,11-11") == 0);
	CHECK(portset_format(&set, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "5-7,9,11");
	CHECK(parse("65535") == 0 && portset_has(&set, 65535));
}

static void test_bad_specs(void)
{
	static const struct {
		const char *spec, *names; /* the error must name this token */
	} bad[] = {
		{ "0", "'0'" },         { "65536", "'65536'" }, { "abc", "'abc'" },
		{ "5-3", "'5-3'" },     { "80-", "'80-'" },     { "-80", "'-80'" },
		{ "", "empty" },        { "80,,81", "empty" },  { "80,", "empty" },
		{ "+80", "'+80'" },     { " 80", "' 80'" },     { "1-2-3", "'1-2-3'" },
		{ "99999999999", "'99999999999'" }, { "8080x", "'8080x'" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&set, 0, sizeof(set));
		portset_add(&set, 22);
		err[0] = '\0';
		CHECK(parse(bad[i].spec) == -1);
		CHECK(strstr(err, bad[i].names) != NULL);
		/* All or nothing: a bad token after good ones adds nothing. */
		CHECK(portset_count(&set) == 1);
	}
	memset(&set, 0, sizeof(set));
	CHECK(parse("80,90,0") == -1 && portset_count(&set) == 0);
}

static void test_limits(void)
{
	char *lst = malloc(PORTSPEC_MAX_LEN + 2);
	size_t n = 0;

	/* More tokens than allowed, short enough in characters. */
	for (int i = 0; i < PORTSPEC_MAX_TOKENS + 1; i++)
		n += (size_t)sprintf(lst + n, "%s%d", i ? "," : "", 1 + i % 9);
	memset(&set, 0, sizeof(set));
	CHECK(parse(lst) == -1 && strstr(err, "items") != NULL);
	memset(lst, '1', PORTSPEC_MAX_LEN + 1);
	lst[PORTSPEC_MAX_LEN + 1] = '\0';
	CHECK(parse(lst) == -1 && strstr(err, "longer") != NULL);
	free(lst);
}

static void test_modes_and_addresses(void)
{
	uint32_t a = 0;

	CHECK(mode_parse("always") == LO6_MODE_ALWAYS);
	CHECK(mode_parse("auto") == LO6_MODE_AUTO);
	CHECK(mode_parse("never") == LO6_MODE_NEVER);
	CHECK(mode_parse("off") == LO6_MODE_OFF);
	CHECK(mode_parse("Always") == -1 && mode_parse("") == -1);
	CHECK_STR(mode_name(LO6_MODE_AUTO), "auto");
	CHECK_STR(mode_name(99), "unknown");

	CHECK(ipv4_parse("127.0.0.1", &a, err, sizeof(err)) == 0 && a == htonl(0x7f000001));
	CHECK(ipv4_parse("172.20.0.1", &a, err, sizeof(err)) == 0 && a == htonl(0xac140001));
	CHECK(ipv4_parse("0.0.0.0", &a, err, sizeof(err)) == -1);
	CHECK(ipv4_parse("224.0.0.1", &a, err, sizeof(err)) == -1);
	CHECK(ipv4_parse("255.255.255.255", &a, err, sizeof(err)) == -1);
	CHECK(ipv4_parse("127.1", &a, err, sizeof(err)) == -1);
	CHECK(ipv4_parse("::1", &a, err, sizeof(err)) == -1 && strstr(err, "'::1'"));
	CHECK(ipv4_parse("", &a, err, sizeof(err)) == -1);
}

static void test_counts(void)
{
	CHECK(count_parse("1") == 1);
	CHECK(count_parse("1000000") == 1000000);
	CHECK(count_parse("0") == -1);
	CHECK(count_parse("1000001") == -1);
	CHECK(count_parse("1x") == -1);
	CHECK(count_parse("-1") == -1);
	CHECK(count_parse(" 1") == -1);
	CHECK(count_parse("") == -1);
	CHECK(count_parse("99999999999999999999999") == -1);
}

int main(void)
{
	test_counts();
	test_good_specs();
	test_bad_specs();
	test_limits();
	test_modes_and_addresses();
	return checks_done("parse");
}
