// SPDX-License-Identifier: MIT
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "utf8.h"

static int log_syslog;

void log_to_syslog(void)
{
	openlog("lo6relay", LOG_PID, LOG_DAEMON);
	log_syslog = 1;
}

/* Syslog's ident names us already: it gets the line without our prefix. */
static void put_line(FILE *f, int prio, const char *label, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	printable(line);
	fprintf(f, "lo6relay: %s%s\n", label, line);
	if (log_syslog)
		syslog(prio, "%s%s", label, line);
}

void errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_line(stderr, LOG_ERR, "", fmt, ap);
	va_end(ap);
}

void warnf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_line(stderr, LOG_WARNING, "note: ", fmt, ap);
	va_end(ap);
}

void remarkf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_line(stderr, LOG_NOTICE, "note: ", fmt, ap);
	va_end(ap);
}

void notef(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_line(stdout, LOG_NOTICE, "", fmt, ap);
	va_end(ap);
}
