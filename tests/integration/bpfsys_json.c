// SPDX-License-Identifier: MIT
/*
 * bpfsys_json: prints, as one JSON object, every number the tests' Python
 * needs to call bpf() itself (tests/integration/bpfsys.py): the syscall's
 * number on this machine, the layouts of include/lo6relay/abi.h's structs
 * and of the parts of <linux/bpf.h> they pass, and the constants they use.
 * tests/meson.build runs it at build time into bpfsys.json, so a layout
 * changed in abi.h reaches the Python side with the next build, and no
 * number is copied by hand.
 *
 *   {"nr_bpf": N, "consts": {NAME: VALUE...},
 *    "structs": {NAME: {"size": N, "fields": {FIELD: [OFFSET, SIZE]...}}}}
 *
 * A field of a nested struct of union bpf_attr is named as C names it
 * ("query.prog_cnt"). abi.h's structs are listed whole: one with a field
 * this file does not name fails the build.
 */
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "lo6relay/abi.h"

static const char *sep;
static const char *whole;     /* the struct being listed, if it must be whole */
static size_t whole_size, covered;

static void begin(const char *name, size_t size, int all)
{
	printf("%s\n    \"%s\": {\"size\": %zu, \"fields\": {", sep, name, size);
	sep = "";
	whole = all ? name : NULL;
	whole_size = size;
	covered = 0;
}

static void field(const char *name, size_t offset, size_t size)
{
	printf("%s\"%s\": [%zu, %zu]", sep, name, offset, size);
	sep = ", ";
	covered += size;
}

static void end(void)
{
	printf("}}");
	sep = ",";
	if (whole && covered != whole_size) {
		fprintf(stderr,
			"bpfsys_json: %s has %zu bytes, the fields named here %zu: name them all "
			"(and padding, as a field such as lo6_event's pad)\n",
			whole, whole_size, covered);
		exit(1);
	}
}

static void num(const char *name, long long value)
{
	printf("%s\n    \"%s\": %lld", sep, name, value);
	sep = ",";
}

static void str(const char *name, const char *value)
{
	printf("%s\n    \"%s\": \"%s\"", sep, name, value);
	sep = ",";
}

#define WHOLE(type) begin(#type, sizeof(type), 1)
#define STRUCT(type) begin(#type, sizeof(type), 0)
#define FIELD(type, member) field(#member, offsetof(type, member), sizeof(((type *)0)->member))
#define NUM(name) num(#name, name)
#define STR(name) str(#name, name)

int main(void)
{
	printf("{\"nr_bpf\": %d,\n \"consts\": {", (int)__NR_bpf);
	sep = "";
	/* The commands, program type, attach types and flags the tests use. */
	NUM(BPF_MAP_LOOKUP_ELEM);
	NUM(BPF_MAP_UPDATE_ELEM);
	NUM(BPF_PROG_LOAD);
	NUM(BPF_OBJ_GET);
	NUM(BPF_PROG_ATTACH);
	NUM(BPF_PROG_DETACH);
	NUM(BPF_PROG_GET_FD_BY_ID);
	NUM(BPF_OBJ_GET_INFO_BY_FD);
	NUM(BPF_PROG_QUERY);
	NUM(BPF_PROG_TYPE_CGROUP_SOCK_ADDR);
	NUM(BPF_CGROUP_INET4_CONNECT);
	NUM(BPF_CGROUP_INET6_CONNECT);
	NUM(BPF_CGROUP_UDP4_RECVMSG);
	NUM(BPF_CGROUP_UDP6_RECVMSG);
	NUM(BPF_CGROUP_INET4_GETPEERNAME);
	NUM(BPF_CGROUP_INET6_GETPEERNAME);
	NUM(BPF_CGROUP_INET4_GETSOCKNAME);
	NUM(BPF_CGROUP_INET6_GETSOCKNAME);
	NUM(BPF_F_ALLOW_OVERRIDE);
	NUM(BPF_ALU64);
	NUM(BPF_MOV);
	NUM(BPF_K);
	NUM(BPF_JMP);
	NUM(BPF_EXIT);
	/* abi.h's. */
	STR(LO6_MAP_CONFIG);
	STR(LO6_MAP_STATS);
	printf("},\n \"structs\": {");
	sep = "";

	WHOLE(struct lo6_config);
	FIELD(struct lo6_config, relay_ip4);
	FIELD(struct lo6_config, default_mode);
	FIELD(struct lo6_config, netns_cookie);
	FIELD(struct lo6_config, flags);
	FIELD(struct lo6_config, abi_version);
	FIELD(struct lo6_config, lacks);
	FIELD(struct lo6_config, hooks_absent);
	end();
	WHOLE(struct lo6_port_stats);
	FIELD(struct lo6_port_stats, redirected);
	FIELD(struct lo6_port_stats, not_allowed);
	FIELD(struct lo6_port_stats, v6only);
	FIELD(struct lo6_port_stats, bound_v6);
	FIELD(struct lo6_port_stats, local_listener);
	FIELD(struct lo6_port_stats, other_netns);
	FIELD(struct lo6_port_stats, via_127);
	FIELD(struct lo6_port_stats, via_mapped);
	end();

	/* The members the tests set, by the command whose part they are. */
	STRUCT(union bpf_attr);
	FIELD(union bpf_attr, map_fd); /* BPF_MAP_*_ELEM */
	FIELD(union bpf_attr, key);
	FIELD(union bpf_attr, value);
	FIELD(union bpf_attr, flags);
	FIELD(union bpf_attr, prog_type); /* BPF_PROG_LOAD */
	FIELD(union bpf_attr, insn_cnt);
	FIELD(union bpf_attr, insns);
	FIELD(union bpf_attr, license);
	FIELD(union bpf_attr, prog_name);
	FIELD(union bpf_attr, expected_attach_type);
	FIELD(union bpf_attr, pathname); /* BPF_OBJ_GET */
	FIELD(union bpf_attr, bpf_fd);
	FIELD(union bpf_attr, file_flags);
	FIELD(union bpf_attr, target_fd); /* BPF_PROG_ATTACH, BPF_PROG_DETACH */
	FIELD(union bpf_attr, attach_bpf_fd);
	FIELD(union bpf_attr, attach_type);
	FIELD(union bpf_attr, attach_flags);
	FIELD(union bpf_attr, replace_bpf_fd);
	FIELD(union bpf_attr, prog_id); /* BPF_PROG_GET_FD_BY_ID */
	FIELD(union bpf_attr, info.bpf_fd); /* BPF_OBJ_GET_INFO_BY_FD */
	FIELD(union bpf_attr, info.info_len);
	FIELD(union bpf_attr, info.info);
	FIELD(union bpf_attr, query.target_fd); /* BPF_PROG_QUERY */
	FIELD(union bpf_attr, query.attach_type);
	FIELD(union bpf_attr, query.query_flags);
	FIELD(union bpf_attr, query.attach_flags);
	FIELD(union bpf_attr, query.prog_ids);
	FIELD(union bpf_attr, query.prog_cnt);
	end();
	STRUCT(struct bpf_prog_info);
	FIELD(struct bpf_prog_info, id);
	FIELD(struct bpf_prog_info, name);
	end();
	STRUCT(struct bpf_map_info);
	FIELD(struct bpf_map_info, key_size);
	FIELD(struct bpf_map_info, value_size);
	end();
	/* dst_reg and src_reg are bit fields of the byte after code. */
	STRUCT(struct bpf_insn);
	FIELD(struct bpf_insn, code);
	FIELD(struct bpf_insn, off);
	FIELD(struct bpf_insn, imm);
	end();
	printf("}}\n");
	return ferror(stdout) ? 1 : 0;
}
