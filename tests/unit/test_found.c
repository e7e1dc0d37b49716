// SPDX-License-Identifier: MIT
/*
 * Bugs the hardening work found, one readable case each: the fuzz targets
 * (tests/fuzz/; their raw inputs are in tests/fuzz/corpus/TARGET/crash-*
 * and replayed too) and the bad-input tests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "check.h"
#include "config_file.h"

/*
 * fuzz_mountinfo: a cgroup2 line whose mount point field is empty (two
 * spaces in a row) with a zero-sized output buffer made
 * cgroup2_mount_from_mountinfo write its NUL one byte past the buffer and
 * return 0. Now both an empty mount point and no room are refused.
 */
static void mountinfo_empty_field_no_room(void)
{
	const char *line = "30 1 0:26 /  rw - cgroup2 cgroup2 rw\n";
	char *out = malloc(1), big[64];

	CHECK(cgroup2_mount_from_mountinfo(line, out, 0) == -1);
	CHECK(cgroup2_mount_from_mountinfo(line, big, sizeof(big)) == -1);
	CHECK(cgroup2_mount_from_mountinfo("30 1 0:26 / /cg rw - cgroup2 c rw\n", out, 0) == -1);
	free(out);
}

/*
 * test_bad_input.sh: `--config FIFO` hung for ever in open(), waiting for
 * a writer, before config_file_load could refuse a file that is not
 * regular. Now it opens with O_NONBLOCK and refuses it at once.
 */
static void config_fifo_refused(void)
{
	static struct config_file c;
	char dir[] = "/tmp/lo6found.XXXXXX", path[64], err[256];

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0);
	/* Were it to block, the test's timeout would say so. */
	CHECK(config_file_load(path, &c, err, sizeof(err)) == -EINVAL);
	CHECK(strstr(err, "not a regular file") != NULL);
	unlink(path);
	rmdir(dir);
}

/*
 * test_bad_input.sh: a file saved with a UTF-8 byte order mark, as Windows
 * editors may, was refused as "unknown setting 'allow'": the mark is
 * invisible in the message. Now the mark is skipped; elsewhere it is still
 * an unknown setting.
 */
static void config_bom_skipped(void)
{
	static const char bom[] = "\xef\xbb\xbf"
				  "allow = 8080\r\ndefault = auto\r\n";
	static const char bom2[] = "allow = 8080\n\xef\xbb\xbf"
				   "default = auto\n";
	static struct config_file c;
	char err[256];

	CHECK(config_file_parse("bom.conf", bom, sizeof(bom) - 1, &c, err, sizeof(err)) == 0);
	CHECK(c.modes[8080] == LO6_MODE_AUTO && c.default_mode == LO6_MODE_AUTO);
	CHECK(config_file_parse("bom2.conf", bom2, sizeof(bom2) - 1, &c, err, sizeof(err)) == -1);
	CHECK(strncmp(err, "bom2.conf:2: unknown setting", 28) == 0);
}

int main(void)
{
	mountinfo_empty_field_no_room();
	config_fifo_refused();
	config_bom_skipped();
	return checks_done("found");
}
