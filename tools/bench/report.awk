# SPDX-License-Identifier: MIT
# tools/bench/report.awk — turns run's raw samples (TSV) into the table on
# stdout and the JSON file (-v json=PATH). Medians of interleaved rounds;
# ratios are ratios of medians from the same run.
# Also: -v ncpu=N (possible CPUs here), -v btf="htab_elem=48 bucket=16 ".
BEGIN {
	FS = "\t"
	NMODE_ORDER = split("direct mapped lo6relay lo6relay-auto lo6relay-show socat proxyd", MODE_ORDER, " ")
	split("htab_elem=48 bucket=16", d, " ") # defaults if the kernel's BTF is unreadable
	for (i in d) { split(d[i], kv, "="); SZ[kv[1]] = kv[2] }
	n = split(btf, d, " ")
	for (i = 1; i <= n; i++) { split(d[i], kv, "="); if (kv[2] + 0) SZ[kv[1]] = kv[2] }
	MIB = 1048576
}
$1 == "dp" && $5 == "pressure" { if ($4 != "storm") PRES = PRES " " $6; next }
$1 == "dp" && $6 != "" { DP[$3, $4, $5] = DP[$3, $4, $5] " " $6; SEEN[$3] = 1; DPR[$2, $3, $4, $5] = $6; if ($2 > NR_DP) NR_DP = $2 }
$1 == "fail" { FAILS = FAILS sprintf("%s%s/%s round %s", FAILS == "" ? "" : ", ", $3, $4, $2) }
$1 == "cost" { COST[$3] = COST[$3] " " $4; COSTR[$2, $3] = $4; RUNS[$3] = RUNS[$3] " " $5; if ($2 > NR_COST) NR_COST = $2 }
$1 == "cp" { CP[$3] = CP[$3] " " $4 }
$1 == "mem" { MEMN[$2]++; MEM[$2, MEMN[$2]] = $3 "\t" $4 "\t" $5 "\t" $6 "\t" $7 "\t" $8 "\t" $9 }
$1 == "prog" { PROGN++; PROG[PROGN] = $2 "\t" $3 "\t" $4 "\t" $5 "\t" $6 "\t" ($7 == "" ? "default" : $7) }
$1 == "counter" { COUNTER[$2] = $3 }
$1 == "meta" { META[$2] = $3; METAK[++METAN] = $2 }

function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	if (!n) return ""
	for (i = 2; i <= n; i++) {
		t = a[i] + 0
		for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	return n % 2 ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
}
function jlist(list,    a, n, i, s) {
	n = split(list, a, " ")
	s = "["
	for (i = 1; i <= n; i++) s = s ((i > 1 ? ", " : "")) (a[i] + 0)
	return s "]"
}
function jstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
function num(x) { return x == "" ? "null" : x + 0 }
function fmt(x) {
	if (x == "") return "-"
	if (x >= 10000) return sprintf("%.0f", x)
	if (x >= 100) return sprintf("%.1f", x)
	return sprintf("%.3g", x)
}
function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "" : a / b }
function rfmt(x) { return x == "" ? "-" : sprintf(x >= 10 ? "%.0fx" : (x >= 0.1 ? "%.3fx" : "%.4fx"), x) }
function r8(x) { return int((x + 7) / 8) * 8 }

# A target: name, value shown, met (1/0/-1 unknown), target text.
function target(name, shown, ok, want) {
	NT++
	TN[NT] = name; TV[NT] = shown; TOK[NT] = ok; TW[NT] = want
}
function check(name, v, op, lim, shown, unit) {
	if (v == "") { target(name, "not measured", -1, op " " lim unit); return }
	target(name, shown, op == ">=" ? v >= lim : v <= lim, op " " lim unit)
}

# Per-round ratio of two modes (same round, adjacent runs), median over rounds.
function pratio(m, ref, w, k,    r, l) {
	l = ""
	for (r = 1; r <= NR_DP; r++)
		if ((r, m, w, k) in DPR && (r, ref, w, k) in DPR && DPR[r, ref, w, k] + 0)
			l = l " " DPR[r, m, w, k] / DPR[r, ref, w, k]
	return median(l)
}

# The same, averaging the medians of odd and even rounds (whose order of
# measurement alternates, so an order effect cancels).
function balanced(a, b, key,    r, lo, le, m) {
	lo = le = ""
	for (r = 1; r <= NR_COST; r++)
		if ((r, a) in COSTR && (r, b) in COSTR) {
			if (r % 2) lo = lo " " (COSTR[r, a] - COSTR[r, b])
			else le = le " " (COSTR[r, a] - COSTR[r, b])
		}
	PAIRED[key] = lo le
	if (lo == "" || le == "") return median(lo le)
	return (median(lo) + median(le)) / 2
}

# Per-round paired difference "a - b", median over the rounds.
function paired(a, b, key,    r, l) {
	l = ""
	for (r = 1; r <= NR_COST; r++)
		if ((r, a) in COSTR && (r, b) in COSTR) l = l " " (COSTR[r, a] - COSTR[r, b])
	PAIRED[key == "" ? a : key] = l
	return median(l)
}

END {
	for (i = 1; i <= NMODE_ORDER; i++) if (MODE_ORDER[i] in SEEN) M[++NM] = MODE_ORDER[i]
	split("connect:conn_per_s:connect+close  conn/s:h|connect:p50_us:connect+close  p50 us:l|" \
	      "connect:p99_us:connect+close  p99 us:l|storm:conn_per_s:storm (" META["storm_procs"] \
	      " procs)  conn/s:h|storm:p99_us:storm  p99 us:l|rr:p50_us:64 B req/resp  p50 us:l|" \
	      "rr:p99_us:64 B req/resp  p99 us:l|bulk:gbytes_per_s:bulk  GB/s:h", ROWS, "|")
	NROWS = 8

	printf "\nlo6relay benchmark: kernel %s, %s CPUs, %s (%s), lo6relay %s\n", META["kernel"],
		META["cpus_online"], META["date"], META["commit"], META["lo6relay"]
	printf "Load average before/after: %s / %s (other work on the machine makes the numbers noisy)\n",
		META["loadavg_start"], META["loadavg_end"]
	printf "Data plane: medians of %s rounds; a round gives every mode one %s ms slice, A B C ..., order rotated each round; loopback only\n\n", META["rounds"], META["slice_ms"]
	printf "%-26s", ""
	for (i = 1; i <= NM; i++) printf " %13s", M[i]
	printf "\n"
	for (k = 1; k <= NROWS; k++) {
		split(ROWS[k], f, ":")
		printf "%-26s", f[3]
		for (i = 1; i <= NM; i++) {
			MED[M[i], f[1], f[2]] = median(DP[M[i], f[1], f[2]])
			printf " %13s", fmt(MED[M[i], f[1], f[2]])
		}
		printf "\n"
	}
	printf "\nRatios vs direct: median over rounds of each round's ratio (rates: higher is better; times: lower)\n%-26s", ""
	for (i = 2; i <= NM; i++) printf " %13s", M[i]
	printf "\n"
	for (k = 1; k <= NROWS; k++) {
		split(ROWS[k], f, ":")
		printf "%-26s", f[3]
		for (i = 2; i <= NM; i++) printf " %13s", rfmt(pratio(M[i], "direct", f[1], f[2]))
		printf "\n"
	}
	split("mapped socat proxyd", REFS, " ")
	split("v4-mapped with no program (the program's own share)|socat|systemd-socket-proxyd", REFN, "|")
	printf "\nlo6relay against the others (median of per-round ratios):\n"
	for (ref = 1; ref <= 3; ref++) {
		rm = REFS[ref]
		if (!(rm in SEEN)) continue
		printf "  vs %s: connect %s, storm %s, RR p50 %s, bulk %s\n", REFN[ref],
			rfmt(pratio("lo6relay", rm, "connect", "conn_per_s")), rfmt(pratio("lo6relay", rm, "storm", "conn_per_s")),
			rfmt(pratio("lo6relay", rm, "rr", "p50_us")), rfmt(pratio("lo6relay", rm, "bulk", "gbytes_per_s"))
	}
	if ("lo6relay-show" in SEEN && "lo6relay" in SEEN)
		printf "  --show-relay (lo6relay-show) vs lo6relay: connect %s, storm %s, RR p50 %s, bulk %s\n",
			rfmt(pratio("lo6relay-show", "lo6relay", "connect", "conn_per_s")),
			rfmt(pratio("lo6relay-show", "lo6relay", "storm", "conn_per_s")),
			rfmt(pratio("lo6relay-show", "lo6relay", "rr", "p50_us")),
			rfmt(pratio("lo6relay-show", "lo6relay", "bulk", "gbytes_per_s"))
	# Someone else's burst shows as a slice far off its mode's median.
	printf "disturbed slices (rate under half its median, RR p50 over twice):"
	for (i = 1; i <= NM; i++) {
		nd = nt = 0
		split("connect:conn_per_s:h|storm:conn_per_s:h|bulk:gbytes_per_s:h|rr:p50_us:l", DW, "|")
		for (k = 1; k <= 4; k++) {
			split(DW[k], f, ":")
			mm = MED[M[i], f[1], f[2]]
			for (r = 1; r <= NR_DP; r++) {
				if (!((r, M[i], f[1], f[2]) in DPR) || mm == "") continue
				v = DPR[r, M[i], f[1], f[2]]
				nt++
				nd += f[3] == "h" ? v < mm / 2 : v > 2 * mm
			}
		}
		DIST[M[i]] = nd "/" nt
		printf " %s %s", M[i], DIST[M[i]]
	}
	printf "\n"
	# PSI: the share of each slice in which some task waited for a CPU. The
	# storm makes its own (5 processes on the CPUs), so it is left out.
	PMED = median(PRES)
	if (PMED != "")
		printf "CPU pressure (/proc/pressure/cpu, share of a slice some task waited for a CPU): median %.2f%s\n",
			PMED, (PMED > 0.2 ? " -- busy machine: differences of a few % are noise, run again when quiet" : "")
	if (FAILS != "") printf "failed runs (left out of the medians): %s\n", FAILS

	# ---- program cost
	NCASE = split("redirect;empty_connect;redirected connect (always);120|" \
		      "redirect_show;empty_connect;redirected, --show-relay (no mark);120|" \
		      "redirect_auto;empty_connect3;redirected connect (auto, lookup);250|" \
		      "cmp_1;empty_connect2;redirected, 1 port allowed (pair);|" \
		      "cmp_65535;empty_connect2;redirected, 65,535 ports allowed (pair);|" \
		      "not_allowed;empty_refused;[::1], port not allowed (miss);|" \
		      "not_allowed_65535;empty_refused2;[::1], port never, 65,535 in map;|" \
		      "other_addr;empty_other;other IPv6 address (UDP);20|" \
		      "getpeername;empty_getpeername;getpeername6 (redirected);60|" \
		      "getsockname;empty_getsockname;getsockname6 (redirected);60|" \
		      "recvmsg;empty_recvmsg;recvmsg6 (redirected UDP);60", CASES, "|")
	printf "\nProgram cost: kernel BPF stats (run_time_ns / run_cnt), medians of %s rounds of %s syscalls;\n", \
		META["cost_rounds"], META["cost_count"]
	printf "above empty: median of each round's difference to an empty program on the same syscalls, run next to it\n"
	printf "%-42s %8s %8s %12s %8s\n", "case", "ns/run", "empty", "above empty", "target"
	for (k = 1; k <= NCASE; k++) {
		split(CASES[k], f, ";")
		CM[f[1]] = median(COST[f[1]]); CM[f[2]] = median(COST[f[2]])
		if (CM[f[1]] == "") continue
		CD[f[1]] = paired(f[1], f[2], "")
		printf "%-42s %8.1f %8.1f %12.1f %8s\n", f[3], CM[f[1]], CM[f[2]], CD[f[1]], f[4] == "" ? "" : "<= " f[4]
	}
	n = split(COST["empty_connect"] COST["empty_connect2"] COST["empty_connect3"], tmp, " ")
	lo = hi = tmp[1]
	for (i = 2; i <= n; i++) { if (tmp[i] + 0 < lo + 0) lo = tmp[i]; if (tmp[i] + 0 > hi + 0) hi = tmp[i] }
	if (n) printf "  noise: the same empty program measured %.0f to %.0f ns/run over the rounds\n", lo, hi
	# The mark: default minus --show-relay, per round (the two ran back to
	# back, order alternating by round), the two orders averaged.
	dm = balanced("redirect", "redirect_show", "redirect_minus_show_relay")
	if (dm != "") printf "  the mark and its checks (redirected minus --show-relay, both orders averaged): %.1f ns\n", dm
	for (i = 1; i <= PROGN; i++) {
		split(PROG[i], f, "\t")
		printf "  %s (%s%s): %s B xlated, %s B jited, %s insns verified\n", f[2], f[1], f[6] == "show_relay" ? ", --show-relay" : "",
			f[3], f[4], f[5] == "" ? "?" : f[5]
	}
	printf "  counters after the cost rounds: %s redirected, %s not allowed, %s local listener\n", \
		COUNTER["redirected"], COUNTER["not_allowed"], COUNTER["local_listener"]

	# ---- control plane and memory
	split("start:start (load, verify, attach, pin)|start_again:start again (replace in place)|" \
	      "allow_all:allow 1-65535 (fresh instance)|allow_all_live:allow 1-65535 (live instance)|" \
	      "stop:stop", CPR, "|")
	printf "\nControl plane: medians, wall time of the CLI command\n"
	for (k = 1; k <= 5; k++) {
		split(CPR[k], f, ":")
		CPM[f[1]] = median(CP[f[1]])
		if (CPM[f[1]] != "") printf "  %-38s %8.1f ms  (%d runs)\n", f[2], CPM[f[1]], split(CP[f[1]], tmp, " ")
	}
	split("fresh:after start (default ports)|all_allowed:after allow 1-65535|all_seen:... and every port counted once", PH, "|")
	printf "\nMap memory (bpftool map show memlock), here with %s possible CPUs; per-CPU terms from the kernel's htab_map_mem_usage\n", ncpu
	for (p = 1; p <= 3; p++) {
		split(PH[p], f, ":")
		ph = f[1]
		if (!MEMN[ph]) continue
		FIX[ph] = 0; PER[ph] = 0; TOT[ph] = 0; MAPS[ph] = ""
		for (i = 1; i <= MEMN[ph]; i++) {
			split(MEM[ph, i], m, "\t") # name type flags key value max memlock
			pc = 0
			if (m[2] == "hash" || m[2] == "lru_hash" || m[2] == "percpu_hash" || m[2] == "lru_percpu_hash") {
				pc = 4 * 8 # htab->map_locked: HASHTAB_MAP_LOCK_COUNT ints per CPU
				if (m[2] == "hash" && m[3] % 2 == 0) # prealloc: one extra element per CPU + its pointer
					pc += SZ["htab_elem"] + r8(m[4]) + r8(m[5]) + 8
				if (m[2] == "percpu_hash" && m[3] % 2 == 0)
					pc += r8(m[5]) * m[6]
			} else if (m[2] == "percpu_array")
				pc = r8(m[5]) * m[6]
			fix = m[7] - pc * ncpu
			FIX[ph] += fix; PER[ph] += pc; TOT[ph] += m[7]
			MAPS[ph] = MAPS[ph] sprintf("%s{\"name\": %s, \"type\": %s, \"flags\": %d, \"key\": %d, \"value\": %d, \"max_entries\": %d, \"memlock\": %d, \"per_cpu\": %d}",
				MAPS[ph] == "" ? "" : ", ", jstr(m[1]), jstr(m[2]), m[3], m[4], m[5], m[6], m[7], pc)
			MAPTXT[ph] = MAPTXT[ph] sprintf(" %s %.2f MiB;", m[1], m[7] / MIB)
		}
		AT64[ph] = FIX[ph] + PER[ph] * 64
		printf "  %-38s %6.2f MiB =%s\n", f[2], TOT[ph] / MIB, MAPTXT[ph]
		printf "  %-38s %d + %d x N bytes; N = 64: %.2f MiB\n", "", FIX[ph], PER[ph], AT64[ph] / MIB
	}

	# ---- targets
	# Ratio targets on the per-round ratios (each round's modes ran back to back);
	# the ratio of the medians is shown beside them.
	split("direct:connect:conn_per_s:connect rate:>=:0.98|direct:rr:p50_us:RR p50:<=:1.02|" \
	      "direct:bulk:gbytes_per_s:bulk:>=:0.98|socat:connect:conn_per_s:connect rate:>=:50|" \
	      "socat:bulk:gbytes_per_s:bulk:>=:5|socat:rr:p50_us:RR p50:<=:0.5", RT, "|")
	for (k = 1; k <= 6; k++) {
		split(RT[k], f, ":")
		v = pratio("lo6relay", f[1], f[2], f[3])
		check(f[4] " lo6relay / " f[1], v, f[5], f[6], rfmt(v) " (of medians " \
		      rfmt(ratio(MED["lo6relay", f[2], f[3]], MED[f[1], f[2], f[3]])) ")", "x")
	}
	check("redirected connect, above empty", CD["redirect"], "<=", 120, sprintf("%.1f ns", CD["redirect"]), " ns")
	check("redirected, --show-relay, above empty", CD["redirect_show"], "<=", 120, sprintf("%.1f ns", CD["redirect_show"]), " ns")
	check("auto-mode connect, above empty", CD["redirect_auto"], "<=", 250, sprintf("%.1f ns", CD["redirect_auto"]), " ns")
	# 65,535 against 1: the per-round difference of the two redirected runs
	# (measured one after the other), against the cost above empty.
	dd = balanced("cmp_65535", "cmp_1", "redirect_65535_minus_1")
	dn = paired("not_allowed_65535", "not_allowed", "not_allowed_65535_minus_1")
	if (dd == "" || CD["cmp_1"] == "") target("65,535 ports vs 1, above empty", "not measured", -1, "within 10%")
	else target("65,535 ports vs 1, above empty", sprintf("%+.1f ns (%+.1f%%; not allowed %+.1f ns)", dd,
		CD["cmp_1"] ? 100 * dd / CD["cmp_1"] : 0, dn), (dd < 0 ? -dd : dd) <= 0.1 * CD["cmp_1"], "within 10%")
	check("other IPv6 address, above empty", CD["other_addr"], "<=", 20, sprintf("%.1f ns", CD["other_addr"]), " ns")
	check("getpeername6, above empty", CD["getpeername"], "<=", 60, sprintf("%.1f ns", CD["getpeername"]), " ns")
	check("getsockname6, above empty", CD["getsockname"], "<=", 60, sprintf("%.1f ns", CD["getsockname"]), " ns")
	check("recvmsg6, above empty", CD["recvmsg"], "<=", 60, sprintf("%.1f ns", CD["recvmsg"]), " ns")
	check("start median", CPM["start"], "<=", 100, sprintf("%.1f ms", CPM["start"]), " ms")
	check("allow 1-65535", CPM["allow_all"], "<=", 250, sprintf("%.1f ms", CPM["allow_all"]), " ms")
	check("map memory, all ports allowed, 64 CPUs", AT64["all_allowed"] == "" ? "" : AT64["all_allowed"] / MIB, "<=", 8,
	      sprintf("%.2f MiB", AT64["all_allowed"] / MIB), " MiB")
	check("... and every port counted, 64 CPUs", AT64["all_seen"] == "" ? "" : AT64["all_seen"] / MIB, "<=", 8,
	      sprintf("%.2f MiB", AT64["all_seen"] / MIB), " MiB")
	printf "\nTargets (issue 6)\n"
	for (i = 1; i <= NT; i++)
		printf "  %-7s %-40s %-34s (target %s)\n", TOK[i] == 1 ? "met" : (TOK[i] == 0 ? "MISSED" : "n/a"), TN[i], TV[i], TW[i]

	# ---- JSON
	if (json == "") exit
	printf "{\n  \"meta\": {\n    \"cpu_pressure_median\": %s,", num(PMED) > json
	for (i = 1; i <= METAN; i++) printf "%s\n    %s: %s", (i > 1 ? "," : ""), jstr(METAK[i]), jstr(META[METAK[i]]) > json
	printf "\n  },\n  \"data_plane\": {" > json
	for (i = 1; i <= NM; i++) {
		printf "%s\n    %s: {", (i > 1 ? "," : ""), jstr(M[i]) > json
		for (k = 1; k <= NROWS; k++) {
			split(ROWS[k], f, ":")
			printf "%s\n      \"%s_%s\": {\"median\": %s, \"rounds\": %s, \"vs_direct\": %s, \"vs_direct_of_medians\": %s}",
				(k > 1 ? "," : ""), f[1], f[2], num(MED[M[i], f[1], f[2]]), jlist(DP[M[i], f[1], f[2]]),
				num(pratio(M[i], "direct", f[1], f[2])),
				num(ratio(MED[M[i], f[1], f[2]], MED["direct", f[1], f[2]])) > json
		}
		printf ",\n      \"disturbed_slices\": %s\n    }", jstr(DIST[M[i]]) > json
	}
	printf "\n  },\n  \"program_cost_ns\": {" > json
	first = 1
	for (k = 1; k <= NCASE; k++) {
		split(CASES[k], f, ";")
		if (CM[f[1]] == "") continue
		printf "%s\n    %s: {\"per_run\": %s, \"empty_per_run\": %s, \"above_empty\": %s, \"rounds\": %s, \"empty_rounds\": %s, \"above_empty_rounds\": %s, \"runs_per_sample\": %s}",
			first ? "" : ",", jstr(f[1]), num(CM[f[1]]), num(CM[f[2]]), num(CD[f[1]]), jlist(COST[f[1]]), jlist(COST[f[2]]),
			jlist(PAIRED[f[1]]), jlist(RUNS[f[1]]) > json
		first = 0
	}
	printf ",\n    \"redirect_65535_minus_1\": {\"median\": %s, \"rounds\": %s},\n    \"not_allowed_65535_minus_1\": {\"median\": %s, \"rounds\": %s}",
		num(dd), jlist(PAIRED["redirect_65535_minus_1"]), num(dn), jlist(PAIRED["not_allowed_65535_minus_1"]) > json
	if (dm != "")
		printf ",\n    \"redirect_minus_show_relay\": {\"median\": %s, \"rounds\": %s}",
			num(dm), jlist(PAIRED["redirect_minus_show_relay"]) > json
	printf "\n  },\n  \"programs\": [" > json
	for (i = 1; i <= PROGN; i++) {
		split(PROG[i], f, "\t")
		printf "%s{\"attach_type\": %s, \"name\": %s, \"bytes_xlated\": %s, \"bytes_jited\": %s, \"verified_insns\": %s, \"instance\": %s}",
			(i > 1 ? ", " : ""), jstr(f[1]), jstr(f[2]), num(f[3]), num(f[4]), num(f[5]), jstr(f[6]) > json
	}
	printf "],\n  \"counters\": {\"redirected\": %s, \"not_allowed\": %s, \"local_listener\": %s},\n", num(COUNTER["redirected"]),
		num(COUNTER["not_allowed"]), num(COUNTER["local_listener"]) > json
	printf "  \"control_plane_ms\": {" > json
	first = 1
	for (k = 1; k <= 5; k++) {
		split(CPR[k], f, ":")
		if (CPM[f[1]] == "") continue
		printf "%s\n    %s: {\"median\": %s, \"runs\": %s}", first ? "" : ",", jstr(f[1]), num(CPM[f[1]]), jlist(CP[f[1]]) > json
		first = 0
	}
	printf "\n  },\n  \"map_memory\": {\"possible_cpus\": %d, \"htab_elem\": %d, \"phases\": {", ncpu, SZ["htab_elem"] > json
	first = 1
	for (p = 1; p <= 3; p++) {
		split(PH[p], f, ":")
		if (!MEMN[f[1]]) continue
		printf "%s\n    %s: {\"memlock\": %d, \"fixed\": %d, \"per_cpu\": %d, \"at_64_cpus\": %d, \"maps\": [%s]}",
			first ? "" : ",", jstr(f[1]), TOT[f[1]], FIX[f[1]], PER[f[1]], AT64[f[1]], MAPS[f[1]] > json
		first = 0
	}
	printf "\n  }},\n  \"targets\": [" > json
	for (i = 1; i <= NT; i++)
		printf "%s\n    {\"name\": %s, \"value\": %s, \"target\": %s, \"met\": %s}", (i > 1 ? "," : ""), jstr(TN[i]), jstr(TV[i]),
			jstr(TW[i]), TOK[i] == 1 ? "true" : (TOK[i] == 0 ? "false" : "null") > json
	printf "\n  ]\n}\n" > json
	close(json)
}
