/* SPDX-License-Identifier: MIT */
/*
 * What cppcheck needs to know of libbpf's macros to parse user/ without
 * reading the system headers (tools/lint passes it with --include).
 */
#define LIBBPF_OPTS(TYPE, NAME, ...) struct TYPE NAME = { __VA_ARGS__ }
#define bpf_object__for_each_map(pos, obj) for ((pos) = 0; (pos); (pos) = 0)
#define bpf_object__for_each_program(pos, obj) for ((pos) = 0; (pos); (pos) = 0)
