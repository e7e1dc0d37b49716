// SPDX-License-Identifier: MIT
/*
 * cgroup2_mount_from_mountinfo and windows_system32_path over arbitrary text. The first byte is the
 * size of the output buffer (0 included), which is malloc'd at exactly
 * that size so any write past it is caught.
 */
#include "cgroup.h"
#include "fuzz.h"
#include "runcmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	char *text, *out;

	if (size < 1)
		return 0;
	len = data[0];
	text = fuzz_str(data + 1, size - 1);
	out = malloc(len ? len : 1);
	if (!out)
		abort();
	if (cgroup2_mount_from_mountinfo(text, out, len) == 0) {
		FUZZ_ASSERT(len > 0 && memchr(out, '\0', len) != NULL);
		/* The mount point is a field of the text, so never longer than it. */
		FUZZ_ASSERT(strlen(out) <= size);
	}
	out[0] = '\0';
	if (len && windows_system32_path(text, "netstat.exe", out, len) == 0)
		/* An absolute path, ending as asked, within the buffer. */
		FUZZ_ASSERT(memchr(out, '\0', len) != NULL && out[0] == '/' &&
			    strlen(out) >= 12 && strcmp(out + strlen(out) - 12, "/netstat.exe") == 0);
	FUZZ_ASSERT(windows_system32_path(text, "netstat.exe", out, 0) == -1);
	free(out);
	free(text);
	return 0;
}
