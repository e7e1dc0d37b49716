/* SPDX-License-Identifier: MIT */
/*
 * What lo6relay tells people: one line each, prefixed "lo6relay: ", with
 * what the user typed or a file held made printable (utf8.h). A command
 * that runs at boot, where nobody sees its output (WSL's [boot] command=),
 * also sends each line to syslog: log_to_syslog().
 */
#ifndef LO6RELAY_LOG_H
#define LO6RELAY_LOG_H

/* What failed and what to do: a line to stderr. */
void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Something missing that did not stop the command (a kernel without a
 * hook): "note: ..." to stderr; syslog's warning level.
 */
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Something the user may have expected otherwise, though nothing is wrong
 * (an allowlist a running instance keeps): "note: ..." to stderr; syslog's
 * notice level, so a healthy boot logs no warning.
 */
void remarkf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What was done: a line to stdout. */
void notef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* From now on every line above goes to syslog too (the daemon facility). */
void log_to_syslog(void);

#endif
