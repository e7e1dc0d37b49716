// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Calibration for tools/bench/run: cgroup sock_addr programs that do nothing
 * and allow everything. Attached to a private cgroup, their run_time_ns per
 * run is the kernel's own dispatch and accounting cost, which the benchmark
 * subtracts from lo6relay's programs measured in the same run.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

SEC("cgroup/connect6")
int empty_connect6(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/getpeername6")
int empty_getpeer6(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/getsockname6")
int empty_getsock6(struct bpf_sock_addr *ctx)
{
	return 1;
}

SEC("cgroup/recvmsg6")
int empty_recvmsg6(struct bpf_sock_addr *ctx)
{
	return 1;
}
