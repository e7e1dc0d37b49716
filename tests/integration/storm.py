#!/usr/bin/env python3
"""Load for the race and upgrade-under-load tests: loopback only.

serve PORTS READY COUNTS    listen on 127.0.0.1 on each port (comma list),
                            accept and close; create READY once bound; on
                            SIGTERM write {"port": accepts} to COUNTS
connect PORTS STOP OUT [--procs N] [--min N] [--max N] [--pause MS]
                            N processes connect to [::1]:P round robin over
                            PORTS until STOP exists (and at least --min
                            connects were made, at most --max in all), MS
                            milliseconds apart; STOP.started appears once
                            every process has made its first connect. OUT
                            gets {"port": {"made", "ok", "refused", "other":
                            {errname: n}}, "first": T, "last": T} (T: the
                            wall clock of the first and last connect). "ok"
                            is a connect that reached a server (nothing
                            listens on [::1], so only the relay can
                            answer); "refused" is ECONNREFUSED, what a
                            [::1] connect gets without lo6relay.
plan WORKERS OPS SEED BASE SPAN DIR
                            racing allow/deny commands: worker W owns ports
                            BASE + W*SPAN .. + SPAN-1 and runs OPS commands
                            on them in order (DIR/wW.cmds, one per line);
                            all of them first allow a shared range with the
                            same mode. DIR/expected.json: the final mode of
                            every port touched ("off" when not listed), a
                            serial application of each worker's commands.
check EXPECTED PORTS_JSON   compare `lo6relay ports --json` with the plan:
                            prints "ok" or the ports that differ
tally CLIENTS COUNTS STATS T0 T1
                            one line of shell assignments from the clients'
                            OUT, the servers' COUNTS and `lo6relay stats
                            --json` (STATS): made, landed, refused, other;
                            accepted (by the servers); under=1 if the
                            clients connected before T0 and after T1;
                            counted (every outcome counter of those ports);
                            redirected, not_allowed; and mismatch, the
                            ports whose redirected/not_allowed counters or
                            accepts differ from the clients' landed/refused
ids FILE                    the "KIND ID" of each object in FILE, lines of
                            `bpftool -j map|link|prog show` output, and of
                            the programs links name and the maps programs use
"""
import errno
import json
import multiprocessing
import os
import random
import selectors
import signal
import socket
import sys
import time


def serve(ports, ready, counts_path):
    sel = selectors.DefaultSelector()
    counts = {}
    for p in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", p))
        s.listen(512)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, p)
        counts[p] = 0
    done = []

    def stop(*_):
        done.append(1)
    signal.signal(signal.SIGTERM, stop)
    open(ready, "w").close()
    deadline = time.time() + 600  # bounded: a forgotten server ends by itself
    def accept_all(key):  # every connection queued on one listener
        while True:
            try:
                c, _ = key.fileobj.accept()
            except (BlockingIOError, InterruptedError):
                return
            counts[key.data] += 1
            c.close()

    while not done and time.time() < deadline:
        for key, _ in sel.select(timeout=0.2):
            accept_all(key)
    # Drain what the kernel accepted before the signal.
    for key in list(sel.get_map().values()):
        accept_all(key)
    with open(counts_path, "w") as f:
        json.dump({str(p): n for p, n in counts.items()}, f)


def one_client(ports, stop, min_n, max_n, pause, started, q):
    res = {p: {"made": 0, "ok": 0, "refused": 0, "other": {}} for p in ports}
    first = last = None
    i = 0
    while i < max_n and (i < min_n or not os.path.exists(stop)):
        if i == 1:
            started.release()
        if i and pause:
            time.sleep(pause)
        p = ports[i % len(ports)]
        i += 1
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.settimeout(3)
        first = first or time.time()
        r = res[p]
        r["made"] += 1
        try:
            s.connect(("::1", p))
            r["ok"] += 1
        except OSError as e:
            if e.errno == errno.ECONNREFUSED:
                r["refused"] += 1
            else:
                name = errno.errorcode.get(e.errno, "timeout") if e.errno else "timeout"
                r["other"][name] = r["other"].get(name, 0) + 1
        finally:
            s.close()
            last = time.time()
    if i <= 1:
        started.release()
    q.put((res, first, last))


def connect(ports, stop, out, opts):
    procs = int(opts.get("--procs", 4))
    min_n = int(opts.get("--min", 100))
    max_n = int(opts.get("--max", 2000))
    pause = int(opts.get("--pause", 0)) / 1000.0
    q = multiprocessing.Queue()
    started = multiprocessing.Semaphore(0)
    # Each process starts at another port so all ports see every moment.
    workers = []
    for k in range(procs):
        rot = ports[k % len(ports):] + ports[:k % len(ports)]
        w = multiprocessing.Process(target=one_client,
                                    args=(rot, stop, min_n // procs + 1, max_n // procs, pause, started, q))
        w.start()
        workers.append(w)
    for _ in workers:
        started.acquire()
    open(stop + ".started", "w").close()
    total = {p: {"made": 0, "ok": 0, "refused": 0, "other": {}} for p in ports}
    firsts, lasts = [], []
    for _ in workers:
        res, first, last = q.get()
        firsts.append(first or time.time())
        lasts.append(last or 0)
        for p, r in res.items():
            t = total[p]
            for k in ("made", "ok", "refused"):
                t[k] += r[k]
            for e, n in r["other"].items():
                t["other"][e] = t["other"].get(e, 0) + n
    for w in workers:
        w.join()
    doc = {str(p): r for p, r in total.items()}
    doc.update(first=min(firsts), last=max(lasts))
    with open(out, "w") as f:
        json.dump(doc, f)


def spec(ports):
    """Ports as a spec with ranges, shuffled, as a user might type them."""
    ports = sorted(ports)
    items, i = [], 0
    while i < len(ports):
        j = i
        while j + 1 < len(ports) and ports[j + 1] == ports[j] + 1:
            j += 1
        items.append(str(ports[i]) if i == j else "%d-%d" % (ports[i], ports[j]))
        i = j + 1
    random.shuffle(items)
    return ",".join(items)


def plan(workers, ops, seed, base, span, out_dir):
    random.seed(seed)
    expected = {}
    shared = list(range(base + workers * span, base + workers * span + 1000))
    for w in range(workers):
        own = list(range(base + w * span, base + (w + 1) * span))
        state = {p: "off" for p in own}
        lines = ["allow %s" % spec(shared)]
        for _ in range(ops):
            pick = random.sample(own, random.randint(1, len(own)))
            if random.random() < 0.4:
                lines.append("deny " + spec(pick))
                for p in pick:
                    state[p] = "off"
            else:
                mode = random.choice(["always", "always", "auto", "never"])
                lines.append("allow --mode %s %s" % (mode, spec(pick)))
                for p in pick:
                    state[p] = mode
        with open(os.path.join(out_dir, "w%d.cmds" % w), "w") as f:
            f.write("\n".join(lines) + "\n")
        expected.update({str(p): m for p, m in state.items()})
    expected.update({str(p): "auto" for p in shared})  # allow without --mode
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(expected, f)


def parse_spec(s):
    ports = set()
    for item in filter(None, s.split(",")):
        a, _, b = item.partition("-")
        ports.update(range(int(a), int(b or a) + 1))
    return ports


def check(expected_path, ports_json):
    expected = json.load(open(expected_path))
    got = json.loads(ports_json)["ports"]
    mode_of = {}
    for mode, s in got.items():
        for p in parse_spec(s):
            mode_of[p] = mode
    bad = [p for p, m in expected.items() if mode_of.get(int(p), "off") != m]
    extra = [p for p in mode_of if str(p) not in expected]
    if bad or extra:
        print("differ: %s; not planned: %s" % (
            ", ".join("%s wanted %s got %s" % (p, expected[p], mode_of.get(int(p), "off"))
                      for p in bad[:10]), extra[:10]))
        return 1
    print("ok")
    return 0


def tally(clients_path, counts_path, stats_path, t0, t1):
    c = json.load(open(clients_path))
    counts = json.load(open(counts_path))
    stats = {str(p["port"]): p for p in json.load(open(stats_path))["ports"]}
    ports = [k for k in c if k.isdigit()]
    outcomes = ("redirected", "not_allowed", "v6only", "bound_v6", "local_listener", "other_netns")
    t = dict(made=0, landed=0, refused=0, other=0, accepted=0, counted=0, redirected=0,
             not_allowed=0)
    mismatch = []
    for p in ports:
        r, st = c[p], stats.get(p, {})
        t["made"] += r["made"]
        t["landed"] += r["ok"]
        t["refused"] += r["refused"]
        t["other"] += sum(r["other"].values())
        t["accepted"] += counts.get(p, 0)
        t["counted"] += sum(st.get(k, 0) for k in outcomes)
        t["redirected"] += st.get("redirected", 0)
        t["not_allowed"] += st.get("not_allowed", 0)
        if (st.get("redirected", 0), st.get("not_allowed", 0), counts.get(p, 0)) != \
                (r["ok"], r["refused"], r["ok"]):
            mismatch.append("%s:redirected=%d/%d,not_allowed=%d/%d,accepted=%d" % (
                p, st.get("redirected", 0), r["ok"], st.get("not_allowed", 0), r["refused"],
                counts.get(p, 0)))
    t["under"] = int(c["first"] < float(t0) and c["last"] > float(t1))
    print(" ".join("%s=%s" % kv for kv in t.items()) + " mismatch='%s'" % " ".join(mismatch))


def ids(path):
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        d = json.loads(line)
        kind = "map" if "bytes_key" in d else "prog" if "tag" in d else "link"
        print(kind, d["id"])
        if "prog_id" in d:
            print("prog", d["prog_id"])
        for m in d.get("map_ids", []):
            print("map", m)


def main(argv):
    if len(argv) == 7 and argv[1] == "tally":
        tally(*argv[2:7])
        return 0
    if len(argv) == 3 and argv[1] == "ids":
        ids(argv[2])
        return 0
    if len(argv) == 5 and argv[1] == "serve":
        serve([int(p) for p in argv[2].split(",")], argv[3], argv[4])
        return 0
    if len(argv) >= 5 and argv[1] == "connect":
        opts = dict(zip(argv[5::2], argv[6::2]))
        connect([int(p) for p in argv[2].split(",")], argv[3], argv[4], opts)
        return 0
    if len(argv) == 8 and argv[1] == "plan":
        plan(*(int(a) for a in argv[2:7]), argv[7])
        return 0
    if len(argv) == 4 and argv[1] == "check":
        return check(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
