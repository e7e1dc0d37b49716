/* SPDX-License-Identifier: MIT */
/* A small JSON writer, so --json output comes from the same data as the tables. */
#ifndef LO6RELAY_JSON_H
#define LO6RELAY_JSON_H

#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *out;
	int depth;
	unsigned char first[16]; /* per nesting level: no comma before the next item */
};

void json_init(struct json *j, FILE *out);
void json_obj_begin(struct json *j, const char *key); /* key NULL inside arrays/top */
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, int val);
/* Ends the document with a newline. */
void json_finish(struct json *j);

#endif
