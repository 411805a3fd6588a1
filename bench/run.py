#!/usr/bin/env python3
#
# make bench: what the consent filter costs, against plain nginx and
# nginx's own sub_filter, on this machine (docs/performance.md).
#
# Starts Debian's nginx (1 worker, then 2) with one server per case, once
# with sendfile on + tcp_nopush on (Debian's defaults) and once with
# sendfile off; loads each case with wrk on 127.0.0.1 for a few seconds,
# the cases interleaved and the whole repeated; reports medians, and the
# worker's CPU time per request from /proc.  With 1 worker, nginx runs on
# CPU 0 and wrk on CPU 1.  Also: a keep-alive stall check per case, the
# worker's memory by page size, and the core's micro-benchmarks
# (build/consent-bench).  Run with --report to redo the table, the chart
# and the docs from build/bench/results.json.
#
# Environment: BUILD (build directory), NGINX_BIN, BENCH_SECONDS (2),
# BENCH_ROUNDS (3), BENCH_WORKERS ("1 2"), BENCH_CONNECTIONS (32),
# BENCH_PAGES2 (pages also run with 2 workers: "p50k"; "all"),
# BENCH_DOCS=1 (refresh docs/performance.md and docs/performance.svg).
#
# Python 3 standard library only.

import base64
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUILD = os.path.abspath(os.environ.get("BUILD") or os.path.join(REPO, "build"))
OUT = os.path.join(BUILD, "bench")
NGINX = os.environ.get("NGINX_BIN") or "/usr/sbin/nginx"
MODULE = os.path.join(BUILD, "ngx_http_consent_module.so")
# nginx loads a copy: a rebuild during the run rewrites the .so in place,
# which would crash the running workers
MODULE_RUN = os.path.join(OUT, "ngx_http_consent_module.so")
MICRO = os.path.join(BUILD, "consent-bench")
POLICY = os.path.join(REPO, "conf", "policy.json")

SECONDS = max(1, int(os.environ.get("BENCH_SECONDS") or 2))   # wrk: whole s
ROUNDS = int(os.environ.get("BENCH_ROUNDS") or 3)
WORKERS = [int(w) for w in (os.environ.get("BENCH_WORKERS") or "1 2").split()]
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS") or 32)
PAGES2 = (os.environ.get("BENCH_PAGES2") or "p50k").split()
DOCS = os.environ.get("BENCH_DOCS") == "1"

PAGES = [("p2k", "2 KB"), ("p50k", "50 KB"), ("p500k", "500 KB"),
         ("p5m", "5 MB")]
ASSETS = [("css", "CSS", "/assets/style.css"),
          ("png", "image", "/assets/photo.png")]

# case: (server, cookie) ; cookie is None, "all" or "tampered"
CASES = {
    "plain": ("plain", None),
    "none": ("consent", None),
    "all": ("consent", "all"),
    "tampered": ("consent", "tampered"),
    "sub1": ("sub1", None),
    "sub5": ("sub5", None),
    # assets: the same browser, with its consent cookie, on both
    "plain+cookie": ("plain", "all"),
    "module": ("consent", "all"),
}
PAGE_CASES = ["plain", "none", "all", "tampered", "sub1", "sub5"]
ASSET_CASES = ["plain+cookie", "module"]
LABELS = {
    "plain": "plain nginx",
    "none": "module, no cookie: banner + gating",
    "all": "module, everything granted",
    "tampered": "module, tampered cookie",
    "sub1": "sub_filter, 1 pattern",
    "sub5": "sub_filter, 5 patterns",
    "plain+cookie": "plain nginx",
    "module": "consent location",
}
SENDFILE = ["on", "off"]
SERVERS = ["plain", "consent", "sub1", "sub5"]


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def die(msg):
    log("bench: " + msg)
    sys.exit(1)


# ---------------------------------------------------------------- setup

def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    nginx_v = subprocess.run([NGINX, "-v"], capture_output=True,
                             text=True).stderr.strip()
    wrk_v = subprocess.run(["wrk", "-v"], capture_output=True,
                           text=True)
    wrk_v = (wrk_v.stdout + wrk_v.stderr).strip().splitlines()[0]
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "kernel": os.uname().release,
        "nginx": nginx_v.replace("nginx version: ", ""),
        "wrk": wrk_v.split(" [")[0],
        "date": datetime.datetime.now(datetime.timezone.utc)
                .strftime("%Y-%m-%d %H:%M UTC"),
    }


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def conf_string(s):
    """s as a double-quoted nginx string; "$" through a variable."""
    s = s.replace("\\", "\\\\").replace('"', '\\"')
    return s.replace("$", "${bench_dollar}")


def banner_vars(banner):
    """The banner as geo variables of at most 2000 characters each (an
    nginx parameter is at most 4 KB), and their references in order."""
    defs, refs = [], []
    for i in range(0, max(len(banner), 1), 2000):
        name = "bench_banner%d" % (i // 2000)
        defs.append('    geo $%s {\n        default "%s";\n    }\n'
                    % (name, conf_string(banner[i:i + 2000])))
        refs.append("${%s}" % name)
    return "".join(defs), "".join(refs)


def render(template, values):
    with open(os.path.join(HERE, template)) as f:
        text = f.read()
    for k, v in values.items():
        text = text.replace("@%s@" % k, str(v))
    left = re.findall(r"@[A-Z_0-9]+@", text)
    if left:
        die("%s: unfilled %s" % (template, ", ".join(sorted(set(left)))))
    return text


class Nginx:
    """One nginx: its prefix, ports by (sendfile, server), workers."""

    def __init__(self, name, workers, banner, keys, pin):
        self.prefix = os.path.join(OUT, name)
        self.workers = workers
        self.pin = pin
        shutil.rmtree(self.prefix, ignore_errors=True)
        os.makedirs(self.prefix)
        os.chmod(self.prefix, 0o755)
        ports = free_ports(len(SENDFILE) * len(SERVERS))
        self.port = {}
        servers = []
        defs, refs = banner_vars(banner)
        for sf in SENDFILE:
            v = {"SENDFILE": sf, "HTML": os.path.join(OUT, "html"),
                 "BANNER": refs}
            for srv in SERVERS:
                p = ports.pop()
                self.port[sf, srv] = p
                v["PORT_" + srv.upper()] = p
            servers.append(render("servers.conf.in", v))
        conf = render("nginx.conf.in", {
            "MODULE": MODULE_RUN, "WORKERS": workers, "PREFIX": self.prefix,
            "KEYS": keys, "POLICY": POLICY, "BANNER_VARS": defs,
            "SERVERS": "\n".join(servers)})
        self.conf = os.path.join(self.prefix, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = None

    def start(self):
        cmd = [NGINX, "-p", self.prefix + "/", "-c", self.conf,
               "-e", os.path.join(self.prefix, "error.log")]
        if self.pin:
            cmd = ["taskset", "-c", self.pin] + cmd
        err = open(os.path.join(self.prefix, "stderr"), "w")
        self.proc = subprocess.Popen(cmd, stdout=err, stderr=err)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                die("nginx exited:\n" + self.tail())
            try:
                for p in self.port.values():
                    socket.create_connection(("127.0.0.1", p), 1).close()
                if len(self.worker_pids()) == self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        die("nginx did not start:\n" + self.tail())

    def check_workers(self, pids):
        """Dies if a worker is not the one measured (it crashed)."""
        if self.worker_pids() != pids:
            crash = [l for l in self.tail().splitlines()
                     if "exited on signal" in l]
            self.stop()
            die("an nginx worker died during the run; the figures are "
                "not valid:\n  " + "\n  ".join(crash[-5:]))

    def tail(self):
        out = ""
        for name in ("stderr", "error.log"):
            try:
                with open(os.path.join(self.prefix, name)) as f:
                    out += f.read()[-3000:]
            except OSError:
                pass
        return out

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(5)

    def worker_pids(self):
        master = self.proc.pid      # taskset execs nginx: same pid
        pids = []
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    st = f.read()
            except OSError:
                continue
            fields = st[st.rindex(")") + 2:].split()
            if int(fields[1]) == master:
                pids.append(int(d))
        return sorted(pids)

    def cpu(self):
        """(ns on CPU from schedstat, utime+stime in ns) of the workers."""
        run = ticks = 0
        hz = os.sysconf("SC_CLK_TCK")
        for pid in self.worker_pids():
            try:
                with open("/proc/%d/schedstat" % pid) as f:
                    run += int(f.read().split()[0])
            except (OSError, TypeError):
                run = None              # no schedstat: ticks only
            with open("/proc/%d/stat" % pid) as f:
                st = f.read()
            fields = st[st.rindex(")") + 2:].split()
            ticks += int(fields[11]) + int(fields[12])
        return run, ticks * 1e9 / hz

    def memory(self):
        """(VmRSS, VmHWM) in KB, summed over the workers."""
        rss = hwm = 0
        for pid in self.worker_pids():
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        hwm += int(line.split()[1])
        return rss, hwm

    def url(self, sf, case, target):
        srv = CASES[case][0]
        return "http://127.0.0.1:%d%s" % (self.port[sf, srv], path(target))


def path(target):
    for name, _, p in ASSETS:
        if name == target:
            return p
    return "/%s.html" % target


def get(port, uri, cookie=None, conn=None, method="GET", body=None,
        headers=None):
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = "consent=" + cookie
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, uri, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    if conn is None:
        c.close()
    return r, data


# ----------------------------------------------------- checks and probes

# the banner sits right after <body> and ends with its end mark
BANNER_RE = re.compile(rb'<div id="consent-banner".*?'
                       rb'<i class="consent-end" hidden></i></form>\n</div>',
                       re.S)


def first_banner(ngx):
    """The module's banner for a visitor without a cookie, and a cookie
    that grants everything."""
    port = ngx.port["off", "consent"]
    r, body = get(port, "/p50k.html")
    m = BANNER_RE.search(body)
    if r.status != 200 or not m:
        die("no banner in the module's answer (status %d)" % r.status)
    r, _ = get(port, "/consent/", method="POST",
               body=b'{"action":"accept_all"}',
               headers={"Content-Type": "application/json"})
    sc = r.getheader("Set-Cookie") or ""
    m2 = re.match(r"consent=([^;]+)", sc)
    if r.status != 200 or not m2:
        die("POST /consent/ gave no cookie (status %d)" % r.status)
    return m.group(0).decode(), m2.group(1)


def tamper(cookie):
    i = len(cookie) // 2
    c = "B" if cookie[i] == "A" else "A"
    return cookie[:i] + c + cookie[i + 1:]


def check(ngx, cookies, html):
    """Each case answers what it should, before it is measured."""
    for sf in SENDFILE:
        for page, _ in PAGES:
            with open(os.path.join(html, page + ".html"), "rb") as f:
                orig = f.read()
            for case in PAGE_CASES:
                srv, ck = CASES[case]
                r, body = get(ngx.port[sf, srv], path(page), cookies.get(ck))
                what = "%s %s sendfile %s" % (case, page, sf)
                if r.status != 200:
                    die("%s: status %d" % (what, r.status))
                banner = b'id="consent-banner"' in body
                hidden = re.search(rb'<div id="consent-banner"[^>]* hidden>',
                                   body) is not None
                gated = b'data-consent-src=' in body
                ok = {
                    "plain": body == orig,
                    "none": banner and not hidden and gated,
                    "tampered": banner and not hidden and gated,
                    # the banner is sent hidden, for "manage preferences"
                    "all": banner and hidden and not gated
                    and b'type="text/plain"' not in body,
                    "sub1": banner,
                    "sub5": banner and b"www.googletagmanager.com"
                    not in body,
                }[case]
                if not ok:
                    die("%s: not the expected answer" % what)
        for name, _, p in ASSETS:
            with open(os.path.join(html, p.lstrip("/")), "rb") as f:
                orig = f.read()
            for case in ASSET_CASES:
                srv, ck = CASES[case]
                r, body = get(ngx.port[sf, srv], p, cookies.get(ck))
                if r.status != 200 or body != orig:
                    die("%s %s sendfile %s: not the file" % (case, name, sf))


def stall_once(ngx, sf, case, target, cookies, n):
    """n + 1 requests on one keep-alive connection, interleaved with
    requests each on a new connection; ms each."""
    srv, ck = CASES[case]
    port = ngx.port[sf, srv]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    keep, fresh = [], []
    for _ in range(n + 1):
        for conn_, times in ((None, fresh), (conn, keep)):
            t0 = time.perf_counter()
            r, _ = get(port, path(target), cookies.get(ck), conn=conn_)
            times.append((time.perf_counter() - t0) * 1000)
            if r.status != 200:
                die("stall check %s %s: status %d" % (case, target,
                                                      r.status))
    conn.close()
    return keep, fresh


def stall_check(ngx, sf, case, target, cookies):
    """Keep-alive stalls: responses after the first on a connection that
    take 30 ms longer than the median of the same request on new
    connections (the delayed-ACK stall is about 40 ms, and need not hit
    every response).  A check that sees one is repeated twice; the case
    stalls if two checks of the three see some, so that one busy moment
    of the machine is not taken for a stall."""
    n = 6 if target == "p5m" else 20
    tries = []
    for attempt in range(3):
        keep, fresh = stall_once(ngx, sf, case, target, cookies, n)
        base = statistics.median(fresh)
        slow = [round(x - base, 1) for x in keep[1:] if x - base >= 30]
        tries.append({"requests": n, "stalled": len(slow),
                      "extra_ms": slow,
                      "new_connection_ms": round(base, 2)})
        if attempt == 0 and not slow:
            break
    seen = sum(1 for t in tries if t["stalled"])
    extra = [x for t in tries for x in t["extra_ms"]]
    return {"stall": seen >= 2, "checks": len(tries), "seen": seen,
            "stalled": sum(t["stalled"] for t in tries),
            "requests": sum(t["requests"] for t in tries),
            "extra_ms": statistics.median(extra) if extra else 0,
            "tries": tries}


# ------------------------------------------------------------- wrk runs

def wrk(url, cookie, seconds, wrk_pin, connections=CONNECTIONS):
    cmd = ["wrk", "-t1", "-c%d" % connections, "-d%ds" % seconds,
           "--timeout", "10s", "-s", os.path.join(HERE, "wrk-report.lua")]
    if cookie:
        cmd += ["-H", "Cookie: consent=" + cookie]
    cmd.append(url)
    if wrk_pin:
        cmd = ["taskset", "-c", wrk_pin] + cmd
    p = subprocess.run(cmd, capture_output=True, text=True,
                       timeout=seconds + 60)
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    die("wrk gave no result for %s:\n%s%s" % (url, p.stdout, p.stderr))


def measure(ngx, sf, case, target, cookies, seconds, wrk_pin):
    pids = ngx.worker_pids()
    c0 = ngx.cpu()
    w = wrk(ngx.url(sf, case, target), cookies.get(CASES[case][1]),
            seconds, wrk_pin)
    c1 = ngx.cpu()
    ngx.check_workers(pids)
    n = max(w["requests"], 1)
    run = {
        "rps": w["requests"] / (w["duration_us"] / 1e6),
        "p50_us": w["p50_us"], "p99_us": w["p99_us"],
        "requests": w["requests"], "errors": w["errors"],
        "non2xx": w["non2xx"],
        "cpu_us": ((c1[0] - c0[0]) if c0[0] is not None
                   else (c1[1] - c0[1])) / 1e3 / n,
        "cpu_tick_us": (c1[1] - c0[1]) / 1e3 / n,
    }
    if w["errors"] or w["non2xx"]:
        log("  warning: %s %s sendfile %s: %d errors, %d non-2xx"
            % (case, target, sf, w["errors"], w["non2xx"]))
    return run


def plan(workers):
    """(target, case) pairs in the order they are interleaved."""
    pages = [p for p, _ in PAGES]
    if workers > 1 and "all" not in PAGES2:
        pages = [p for p in pages if p in PAGES2]
    out = []
    for p in pages:
        out += [(p, c) for c in PAGE_CASES]
    for a, _, _ in ASSETS:
        out += [(a, c) for c in ASSET_CASES]
    return out


MEMORY_KINDS = [("plain", "off", "plain"),
                ("none", "off", "module, no cookie"),
                ("none", "on", "module, no cookie"),
                ("all", "off", "module, granted")]


def memory_probe(banner, keys, cookies, results, repeat=3, requests=30):
    """The growth of the worker's peak memory while one keep-alive
    connection fetches a page 30 times, on a fresh nginx each time: what
    one request holds, by page size.  The median of 3."""
    for page, _ in PAGES:
        for case, sf, _ in MEMORY_KINDS:
            growth = []
            for _ in range(repeat):
                ngx = Nginx("mem", 1, banner, keys, "0")
                ngx.start()
                try:
                    hwm0 = ngx.memory()[1]
                    srv, ck = CASES[case]
                    conn = http.client.HTTPConnection(
                        "127.0.0.1", ngx.port[sf, srv], timeout=30)
                    for _ in range(requests):
                        get(None, path(page), cookies.get(ck), conn=conn)
                    conn.close()
                    growth.append(ngx.memory()[1] - hwm0)
                finally:
                    ngx.stop()
            results["memory"].append({
                "page": page, "case": case, "sendfile": sf,
                "growth_kb": statistics.median(growth),
                "runs_kb": growth})
    log("worker peak memory growth, one connection: " + "; ".join(
        "%s %s/%s +%d KB" % (m["page"], m["case"], m["sendfile"],
                             m["growth_kb"]) for m in results["memory"]))


def bench_nginx(workers, banner, keys, cookies, results):
    pin_ngx, pin_wrk = ("0", "1") if workers == 1 else (None, None)
    ngx = Nginx("w%d" % workers, workers, banner, keys, pin_ngx)
    ngx.start()
    log("nginx with %d worker(s) %s; pinned: %s"
        % (workers, ngx.worker_pids(),
           "nginx CPU 0, wrk CPU 1" if pin_ngx else "no"))
    try:
        check(ngx, cookies, os.path.join(OUT, "html"))

        if workers == 1:
            for sf in SENDFILE:
                for target, case in plan(1):
                    s = stall_check(ngx, sf, case, target, cookies)
                    s.update({"sendfile": sf, "target": target,
                              "case": case})
                    results["stall"].append(s)
            n = [s for s in results["stall"] if s["stall"]]
            log("keep-alive stalls: %s" % (", ".join(
                "%s %s sendfile %s" % (s["case"], s["target"], s["sendfile"])
                for s in n) or "none"))

        todo = plan(workers)
        for rnd in range(ROUNDS):
            t0 = time.time()
            for sf in SENDFILE:
                for target, case in todo:
                    r = measure(ngx, sf, case, target, cookies, SECONDS,
                                pin_wrk)
                    r.update({"workers": workers, "sendfile": sf,
                              "target": target, "case": case,
                              "round": rnd})
                    results["runs"].append(r)
            log("  round %d/%d with %d worker(s): %.0f s, load %.2f"
                % (rnd + 1, ROUNDS, workers, time.time() - t0, loadavg()))
    finally:
        ngx.stop()
    err = [l for l in ngx.tail().splitlines()
           if re.search(r"\[(alert|crit|emerg|error)\]", l)]
    if err:
        log("nginx reported errors:\n  " + "\n  ".join(err[:10]))


# -------------------------------------------------------------- summary

def summarise(runs):
    """Medians per case, and the median over rounds of the ratio to plain
    measured in the same round."""
    by = {}
    for r in runs:
        by.setdefault((r["workers"], r["sendfile"], r["target"], r["case"]),
                      {})[r["round"]] = r
    out = []
    for key, rounds in by.items():
        w, sf, target, case = key
        base_case = "plain+cookie" if case in ASSET_CASES else "plain"
        base = by[w, sf, target, base_case]
        s = {"workers": w, "sendfile": sf, "target": target, "case": case}
        for m in ("rps", "p50_us", "p99_us", "cpu_us", "cpu_tick_us"):
            s[m] = statistics.median(r[m] for r in rounds.values())
        rps = [r["rps"] for r in rounds.values()]
        s["rps_spread"] = (max(rps) - min(rps)) / s["rps"] if s["rps"] else 0
        # share of the workers' CPU the load kept busy (1.0: saturated)
        s["busy"] = s["rps"] * s["cpu_us"] / 1e6 / w
        for m, name in (("rps", "rps_ratio"), ("p50_us", "p50_ratio"),
                        ("p99_us", "p99_ratio"), ("cpu_us", "cpu_ratio")):
            ratios = [rounds[i][m] / base[i][m] for i in rounds
                      if i in base and base[i][m]]
            s[name] = statistics.median(ratios) if ratios else None
        out.append(s)
    order = {c: i for i, c in enumerate(PAGE_CASES + ASSET_CASES)}
    targets = [p for p, _ in PAGES] + [a for a, _, _ in ASSETS]
    out.sort(key=lambda s: (s["workers"], SENDFILE.index(s["sendfile"]),
                            targets.index(s["target"]), order[s["case"]]))
    return out


def target_name(t):
    for p, label in PAGES:
        if p == t:
            return label
    for a, label, _ in ASSETS:
        if a == t:
            return label
    return t


def table(summary, stall):
    stalled = {(s["sendfile"], s["target"], s["case"]) for s in stall
               if s["stall"]}
    lines = ["| workers | sendfile | page | case | req/s | x plain | "
             "p50 ms | p99 ms | p99 x plain | CPU us/req | CPU x plain |"
             " busy | spread |",
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
             "---:|"]
    for s in summary:
        stall_mark = ""
        if s["workers"] == 1 and (s["sendfile"], s["target"],
                                  s["case"]) in stalled:
            stall_mark = " (stall)"
        lines.append(
            "| %d | %s | %s | %s%s | %.0f | %.2f | %.2f | %.2f | %.2f | "
            "%.1f | %.2f | %.0f%% | %.0f%% |" % (
                s["workers"], s["sendfile"], target_name(s["target"]),
                LABELS[s["case"]], stall_mark, s["rps"], s["rps_ratio"],
                s["p50_us"] / 1000, s["p99_us"] / 1000, s["p99_ratio"],
                s["cpu_us"], s["cpu_ratio"], s["busy"] * 100,
                s["rps_spread"] * 100))
    return "\n".join(lines)


def find(summary, w, sf, t, c):
    """The summary of one case: workers, sendfile, target, case."""
    for s in summary:
        if (s["workers"], s["sendfile"], s["target"], s["case"]) == \
                (w, sf, t, c):
            return s
    return None


def targets(summary, stall, memory, micro):
    def get(w, sf, t, c):
        return find(summary, w, sf, t, c)

    out = []

    def add(name, value, limit, met, unit="x"):
        out.append({"target": name, "value": value, "limit": limit,
                    "met": None if met is None else bool(met),
                    "unit": unit})

    # issue 19's targets: a filter must read the page, so plain nginx
    # without sendfile is the ceiling; the ratio with sendfile is shown
    for page in ("p50k", "p500k", "p5m"):
        for sf in SENDFILE:
            s = get(1, sf, page, "none")
            if s:
                add("%s, no cookie, req/s x plain, sendfile %s"
                    % (target_name(page), sf), s["rps_ratio"],
                    ">= 0.85" if sf == "off" else "(shown)",
                    s["rps_ratio"] >= 0.85 if sf == "off" else None)
    s, p = get(1, "off", "p50k", "none"), get(1, "off", "p50k", "plain")
    if s and p:
        d = s["cpu_us"] - p["cpu_us"]
        add("50 KB, no cookie, CPU a request over plain, sendfile off",
            d, "<= 10", d <= 10, "us")
    mem = {(m["page"], m["case"], m["sendfile"]): m["growth_kb"]
           for m in memory}
    for case, sf, label in MEMORY_KINDS[1:]:
        if ("p2k", case, sf) in mem and ("p5m", case, sf) in mem:
            grow = mem["p5m", case, sf] - mem["p2k", case, sf]
            add("worker memory, 5 MB page minus 2 KB page, %s, sendfile %s"
                % (label, sf), grow, "<= 256 (no growth)", grow <= 256, "KB")
    for a, label, _ in ASSETS:
        for sf in SENDFILE:
            s = get(1, sf, a, "module")
            if s:
                add("%s through a consent location, req/s, sendfile %s"
                    % (label, sf), s["rps_ratio"], ">= 0.98",
                    s["rps_ratio"] >= 0.98)
    ours = [s for s in stall if CASES[s["case"]][0] == "consent"]
    add("keep-alive stalls in the module's cases",
        sum(1 for s in ours if s["stall"]), "0",
        not any(s["stall"] for s in ours), "")
    if micro:
        c = micro["scanner"]["corpus"]
        add("scanner over the corpus, whole buffer, no cookie",
            c["none_whole_gbs"], ">= 6", c["none_whole_gbs"] >= 6, "GB/s")
        add("scanner over the corpus, whole buffer, everything granted",
            c["all_whole_gbs"], ">= 8", c["all_whole_gbs"] >= 8, "GB/s")
        for who, label in (("none", "no cookie"),
                           ("all", "everything granted")):
            r = c[who + "_1k_gbs"] / c[who + "_whole_gbs"]
            add("scanner in 1 KB pieces x whole, %s" % label, r,
                ">= 0.85", r >= 0.85)
        v = micro["token"]["verify_valid_ns"] / 1000
        add("token verify", v, "<= 0.5", v <= 0.5, "us")
    return out


def bounds(summary, micro):
    """What limits the 50 KB ratios on this machine, from the same run:
    sendfile against a page read into memory, and the time a filter may
    add for 0.85x against what finding the page's tags alone takes."""
    def get(sf, c):
        return find(summary, 1, sf, "p50k", c)

    b = {}
    on, off = get("on", "plain"), get("off", "plain")
    if on and off and on["rps"]:
        b["plain_off_over_on"] = off["rps"] / on["rps"]
        b["budget_off_us"] = off["cpu_us"] * (1 / 0.85 - 1)
    if micro:
        for p in micro["scanner"]["pages"]:
            if p["page"] == "p50k.html":
                b["memchr_us"] = p["memchr_us"]
                b["scan_none_us"] = p["none_whole_us"]
                b["scan_all_us"] = p["all_whole_us"]
                if "floor_us" in p:
                    b["floor_us"] = p["floor_us"]
    for sf in SENDFILE:
        none = get(sf, "none")
        for sub in ("sub1", "sub5"):
            s = get(sf, sub)
            if none and s and s["rps"]:
                b["none_over_%s_%s" % (sub, sf)] = none["rps"] / s["rps"]
    return b


def bounds_md(b):
    out = []
    if "plain_off_over_on" in b:
        out.append(
            "- Plain nginx without sendfile serves the 50 KB page at "
            "%.2fx the req/s it reaches with sendfile: with Debian's "
            "defaults, no filter that reads the page into memory (this "
            "module, `sub_filter`) can do better than that."
            % b["plain_off_over_on"])
    if "budget_off_us" in b and "memchr_us" in b:
        out.append(
            "- For 0.85x of plain nginx without sendfile, a filter may add "
            "%.1f us of CPU to a 50 KB request. `memchr()` alone takes "
            "%.1f us to find the page's `<`; the scanner takes %.1f us "
            "with no cookie and %.1f us for a visitor who granted "
            "everything (micro-benchmark)."
            % (b["budget_off_us"], b["memchr_us"], b["scan_none_us"],
               b["scan_all_us"]))
    if "floor_us" in b:
        out.append(
            "- The least work any tokenizer must do to know where the "
            "50 KB page's tags end (find each `<`, read the name, walk to "
            "the `>` past quoted values, pass comments and script text: "
            "consent-bench's floor) takes %.1f us; the scanner with "
            "everything granted takes %.2fx that, with no cookie %.2fx."
            % (b["floor_us"], b["scan_all_us"] / b["floor_us"],
               b["scan_none_us"] / b["floor_us"]))
    for sf in SENDFILE:
        k1, k5 = "none_over_sub1_" + sf, "none_over_sub5_" + sf
        if k1 in b and k5 in b:
            out.append(
                "- Sendfile %s: the module with no cookie (banner and "
                "gating) serves %.2fx the req/s of `sub_filter` with one "
                "pattern (banner only) and %.2fx that of five patterns."
                % (sf, b[k1], b[k5]))
    return "\n".join(out)


def targets_md(tg):
    lines = ["| target | measured | wanted | |", "|---|---:|---|---|"]
    for t in tg:
        v = t["value"]
        if isinstance(v, float):
            # a scanner just under 3 GB/s must not read "3.00 ... missed"
            v = ("%.3f" if t["unit"] == "GB/s" else "%.2f") % v
        else:
            v = str(v)
        lines.append("| %s | %s %s | %s | %s |" % (
            t["target"], v, t["unit"], t["limit"],
            "" if t["met"] is None else
            "met" if t["met"] else "**missed**"))
    return "\n".join(lines)


def micro_md(m):
    c = m["scanner"]["corpus"]
    lines = [
        "Corpus: the four pages, %.1f MB. GB/s = 10^9 bytes a second of "
        "one core's CPU time; the better of two runs (before and after the "
        "load tests)." % (m["corpus_bytes"] / 1e6), "",
        "| scanner | whole buffer | 1 KB pieces |", "|---|---:|---:|",
        "| no cookie: gating, head snippet, banner | %.2f GB/s | %.2f GB/s |"
        % (c["none_whole_gbs"], c["none_1k_gbs"]),
        "| everything granted | %.2f GB/s | %.2f GB/s |"
        % (c["all_whole_gbs"], c["all_1k_gbs"]),
        "| for scale: memchr('<') over the same bytes | %.2f GB/s | |"
        % c["memchr_gbs"],
        "| the floor: tags found with the least work a tokenizer must do "
        "| %.2f GB/s | |" % c.get("floor_gbs", 0), "",
        "| page | no cookie, whole | no cookie, 1 KB pieces | granted, "
        "whole | floor | memchr |", "|---|---:|---:|---:|---:|---:|"]
    for p in m["scanner"]["pages"]:
        lines.append("| %s | %.1f us | %.1f us | %.1f us | %.1f us "
                     "| %.1f us |" % (
                         p["page"], p["none_whole_us"], p["none_1k_us"],
                         p["all_whole_us"], p.get("floor_us", 0),
                         p["memchr_us"]))
    ipb = m.get("instructions")
    if ipb:
        lines += ["", "Instructions a byte (callgrind, the per-request "
                  "set-up included; the page whole unless said):", "",
                  "| page | no cookie | no cookie, 1 KB pieces "
                  "| everything granted | floor |",
                  "|---|---:|---:|---:|---:|"]
        for page in sorted(ipb, key=lambda k: ipb[k]["bytes"]):
            i = ipb[page]
            lines.append("| %s | %.2f | %.2f | %.2f | %.2f |" % (
                page, i["none"] / i["bytes"], i["pieces"] / i["bytes"],
                i["granted"] / i["bytes"], i["floor"] / i["bytes"]))
    t, mt = m["token"], m["match"]
    lines += ["", "| core operation | time |", "|---|---:|",
              "| token verify, valid cookie | %.0f ns |"
              % t["verify_valid_ns"],
              "| token verify, tampered cookie | %.0f ns |"
              % t["verify_tampered_ns"],
              "| rule matching, per tag (%d tags of the pages) | %.0f ns |"
              % (mt["tags"], mt["element_ns_per_tag"]),
              "| inline script markers, per script (%d scripts) | %.0f ns |"
              % (mt["inline_scripts"], mt["inline_ns_per_script"])]
    return "\n".join(lines)


# ---------------------------------------------------------------- chart

COLOURS = {"none": "#1f77b4", "all": "#2ca02c", "tampered": "#9467bd",
           "sub1": "#ff7f0e", "sub5": "#d62728", "module": "#1f77b4"}


def svg(summary, workers=1):
    """Horizontal bars, one panel per sendfile setting: above, req/s as
    a fraction of plain nginx; below, plain's CPU time per request over
    the case's (what the worker could serve if it were the limit).  A
    bar beyond the axis is cut and labelled."""
    xmax, plot_w, bar_h, gap = 1.2, 360, 10, 8
    left, panel_gap = 150, 40
    groups = [p for p, _ in PAGES] + [a for a, _, _ in ASSETS]
    rows = {}
    for s in summary:
        if s["workers"] == workers and s["case"] not in ("plain",
                                                         "plain+cookie"):
            rows.setdefault((s["sendfile"], s["target"]), []).append(s)
    heights = sum(len(rows.get(("on", g), [])) * bar_h + gap
                  for g in groups)
    width = left + 2 * plot_w + panel_gap + 30
    sections = [
        ("rps_ratio", "Requests per second, as a fraction of plain nginx"),
        ("cpu_eff", "CPU time per request of plain nginx / of the case "
                    "(from /proc: what one worker could serve)")]
    sec_h = heights + 80
    height = 30 + len(sections) * sec_h + 50
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
         'viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">'
         % (width, height, width, height),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="10" y="18" font-size="14" font-weight="bold">'
         'Cost of the consent filter and of sub_filter: %d nginx worker%s, '
         'median of %d round%s</text>'
         % (workers, "" if workers == 1 else "s", ROUNDS,
            "" if ROUNDS == 1 else "s")]
    for si, (metric, title) in enumerate(sections):
        top = 30 + si * sec_h + 50
        o.append('<text x="10" y="%d" font-size="12" font-weight="bold">'
                 '%s</text>' % (top - 34, title))
        for pi, sf in enumerate(SENDFILE):
            x0 = left + pi * (plot_w + panel_gap)
            o.append('<text x="%d" y="%d">%s</text>'
                     % (x0, top - 14, "sendfile on; tcp_nopush on"
                        if sf == "on" else "sendfile off"))
            for tick in (0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2):
                x = x0 + tick / xmax * plot_w
                o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" '
                         'stroke="#ddd"/>' % (x, top - 4, x, top + heights))
                o.append('<text x="%.1f" y="%d" text-anchor="middle" '
                         'fill="#555">%.1f</text>'
                         % (x, top + heights + 14, tick))
            for lim, dash in ((0.85, "4,3"), (1.0, "")):
                x = x0 + lim / xmax * plot_w
                o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" '
                         'stroke="#333" stroke-dasharray="%s"/>'
                         % (x, top - 4, x, top + heights, dash))
            y = top
            for g in groups:
                bars = rows.get((sf, g), [])
                if not bars:
                    continue
                if pi == 0:
                    o.append('<text x="%d" y="%.1f" text-anchor="end" '
                             'font-weight="bold">%s</text>'
                             % (left - 8, y + len(bars) * bar_h / 2 + 4,
                                target_name(g)))
                for s in bars:
                    if metric == "cpu_eff":
                        r = 1 / s["cpu_ratio"] if s["cpu_ratio"] else 0
                    else:
                        r = s[metric] or 0
                    w = min(r, xmax) / xmax * plot_w
                    o.append('<rect x="%d" y="%.1f" width="%.1f" '
                             'height="%d" fill="%s"><title>%s, %s: %.2f'
                             '</title></rect>'
                             % (x0, y, w, bar_h - 2, COLOURS[s["case"]],
                                target_name(g), LABELS[s["case"]], r))
                    o.append('<text x="%.1f" y="%.1f" font-size="9" '
                             'fill="#222">%.2f</text>'
                             % (x0 + w + 3, y + bar_h - 3, r))
                    y += bar_h
                y += gap
    ly = 30 + len(sections) * sec_h
    lx = 10
    for c in ("none", "all", "tampered", "sub1", "sub5"):
        o.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>'
                 '<text x="%d" y="%d">%s</text>'
                 % (lx, ly, COLOURS[c], lx + 14, ly + 9, LABELS[c]))
        lx += 28 + 6 * len(LABELS[c])
    o.append('<text x="10" y="%d" fill="#555">CSS and image: the '
             'consent-enabled location (blue). Solid line: plain nginx; '
             'dashed: 0.85, the target for a page without a cookie.</text>'
             % (ly + 26))
    o.append("</svg>")
    return "\n".join(o) + "\n"


# ----------------------------------------------------------------- main

def update_docs(md, chart):
    doc = os.path.join(REPO, "docs", "performance.md")
    with open(doc) as f:
        text = f.read()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    if begin not in text or end not in text:
        log("docs/performance.md has no %s ... %s section" % (begin, end))
        return
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    with open(doc, "w") as f:
        f.write(head + begin + "\n" + md + "\n" + end + tail)
    shutil.copyfile(chart, os.path.join(REPO, "docs", "performance.svg"))
    log("updated docs/performance.md and docs/performance.svg")


def report_md(res):
    m = res["machine"]
    out = ["Measured %s on %d CPU%s (%s), Linux %s, nginx %s, %s; load "
           "average %.2f before, %.2f after. %d rounds of %g s a case, "
           "%d connections."
           % (m["date"], m["nproc"], "" if m["nproc"] == 1 else "s",
              m["cpu"], m["kernel"], m["nginx"], m["wrk"],
              res["load_before"], res["load_after"], ROUNDS, SECONDS,
              CONNECTIONS), "",
           "### Targets", "", targets_md(res["targets"]), ""]
    if res.get("bounds"):
        out += ["What bounds the 50 KB ratios on this machine, from this "
                "run:", "", bounds_md(res["bounds"]), ""]
    out += ["### Requests", "", table(res["summary"], res["stall"]), ""]
    if res["memory"]:
        mem = {(m["page"], m["case"], m["sendfile"]): m["growth_kb"]
               for m in res["memory"]}
        out += ["### Worker memory by page size", "",
                "Growth of the worker's peak RSS while one keep-alive "
                "connection fetches the page 30 times, on a fresh nginx "
                "each time; the median of 3.", "",
                "| page | " + " | ".join("%s, sendfile %s" % (l, sf)
                                      for _, sf, l in MEMORY_KINDS) + " |",
                "|---|" + "---:|" * len(MEMORY_KINDS)]
        for page, label in PAGES:
            out.append("| %s | " % label + " | ".join(
                "+%d KB" % mem.get((page, c, sf), 0)
                for c, sf, _ in MEMORY_KINDS) + " |")
        out.append("")
    st = [s for s in res["stall"] if s["stall"]]
    seen = [s for s in res["stall"] if s.get("seen") and not s["stall"]]
    out += ["### Keep-alive stalls", "",
            "21 requests on one connection per case (7 for 5 MB), "
            "interleaved with the same request on new connections; a "
            "stalled response takes 30 ms longer than the median on a "
            "new connection. A case stalls if two checks out of three "
            "see stalled responses. Stalled: "
            + (", ".join(
                "%s, %s, sendfile %s (%d of %d responses, +%.0f ms)" % (
                    LABELS[s["case"]], target_name(s["target"]),
                    s["sendfile"], s["stalled"], s["requests"],
                    s["extra_ms"])
                for s in st) or "none") + "."
            + ("" if not seen else " Seen once, not confirmed: " +
               ", ".join("%s, %s, sendfile %s" % (
                   LABELS[s["case"]], target_name(s["target"]),
                   s["sendfile"]) for s in seen) + "."), ""]
    if res["micro"]:
        out += ["### Core micro-benchmarks", "", micro_md(res["micro"]), ""]
    return "\n".join(out)


def micro(res, html):
    """The core's micro-benchmarks, pinned to CPU 1; run before and after
    the load tests, and the better figure of the two kept."""
    if not os.path.exists(MICRO):
        log("no %s: micro-benchmarks skipped" % MICRO)
        return
    log("micro-benchmarks of the core (consent-bench)")
    cmd = ["taskset", "-c", "1", MICRO, "--policy", POLICY] + [
        os.path.join(html, p + ".html") for p, _ in PAGES]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        log("consent-bench failed:\n" + p.stderr)
        return
    m = json.loads(p.stdout)
    res.setdefault("micro_runs", []).append(m)
    res["micro"] = m if res.get("micro") is None else merge_best(
        res["micro"], m)


def instructions(res, html):
    """The scanner's and the floor's instructions a page, counted by
    callgrind (the difference of 6 runs and 1, over 5): repeatable where
    the times of a shared machine are not."""
    if shutil.which("valgrind") is None or not res.get("micro"):
        log("no valgrind: instructions a byte not counted")
        return

    def count(page, fn, *mode):
        n = []
        for runs in (1, 6):
            p = subprocess.run(
                ["valgrind", "--tool=callgrind", "--toggle-collect=" + fn,
                 "--callgrind-out-file=/dev/null", MICRO, "--policy",
                 POLICY] + list(mode) + [str(runs), page],
                capture_output=True, text=True)
            m = re.search(r"Collected : *(\d+)", p.stderr)
            if p.returncode != 0 or m is None:
                return None
            n.append(int(m.group(1)))
        return (n[1] - n[0]) / 5

    log("instructions a byte (callgrind)")
    out = {}
    for name in ("p2k", "p50k", "p500k"):
        page = os.path.join(html, name + ".html")
        i = {"bytes": os.path.getsize(page),
             "none": count(page, "bench_scan", "--scan"),
             "granted": count(page, "bench_scan", "--granted", "--scan"),
             "pieces": count(page, "bench_scan", "--piece", "1024",
                             "--scan"),
             "floor": count(page, "bench_floor_walk", "--floor")}
        if None in i.values():
            log("callgrind failed on %s" % page)
            return
        out[name + ".html"] = i
    res["micro"]["instructions"] = out


def merge_best(a, b, key=""):
    if isinstance(a, dict):
        return {k: merge_best(a[k], b[k], k) for k in a}
    if isinstance(a, list):
        return [merge_best(x, y, key) for x, y in zip(a, b)]
    if isinstance(a, float):
        return max(a, b) if key.endswith("_gbs") else min(a, b)
    return a


def write_outputs(res):
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    chart = os.path.join(OUT, "ratios.svg")
    with open(chart, "w") as f:
        f.write(svg(res["summary"]))
    md = report_md(res)
    with open(os.path.join(OUT, "results.md"), "w") as f:
        f.write(md + "\n")
    print(md)
    log("\nwritten: %s/results.json, results.md, ratios.svg" % OUT)
    if DOCS:
        update_docs(md, chart)


def main():
    if sys.argv[1:] == ["--report"]:
        # the table, the chart and the docs again from results.json
        with open(os.path.join(OUT, "results.json")) as f:
            res = json.load(f)
        global ROUNDS, SECONDS, CONNECTIONS
        c = res["config"]
        ROUNDS, SECONDS, CONNECTIONS = (c["rounds"], c["seconds"],
                                        c["connections"])
        res["summary"] = summarise(res["runs"])
        res["targets"] = targets(res["summary"], res["stall"],
                                 res["memory"], res["micro"])
        res["bounds"] = bounds(res["summary"], res["micro"])
        write_outputs(res)
        return 0

    for f in (NGINX, MODULE):
        if not os.path.exists(f):
            die("%s is missing (run make)" % f)
    if shutil.which("wrk") is None:
        die("wrk is missing: apt-get install wrk")
    os.makedirs(OUT, exist_ok=True)
    shutil.copyfile(MODULE, MODULE_RUN + ".tmp")
    os.replace(MODULE_RUN + ".tmp", MODULE_RUN)
    html = os.path.join(OUT, "html")
    subprocess.run([sys.executable, os.path.join(HERE, "gen-pages.py"),
                    html], check=True)
    os.chmod(OUT, 0o755)

    res = {"machine": machine(), "load_before": loadavg(),
           "config": {"seconds": SECONDS, "rounds": ROUNDS,
                      "connections": CONNECTIONS, "workers": WORKERS},
           "runs": [], "stall": [], "memory": [], "micro": None}

    n1 = len(plan(1)) * len(SENDFILE)
    n2 = sum(len(plan(w)) * len(SENDFILE) for w in WORKERS if w > 1)
    log("bench: %d + %d cases x %d rounds x %g s: about %.0f minutes"
        % (n1, n2, ROUNDS, SECONDS,
           ((n1 + n2) * ROUNDS * (SECONDS + 0.15) + 100) / 60))

    micro(res, html)

    keys = os.path.join(OUT, "consent.keys")
    with open(os.open(keys, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
              "w") as f:
        f.write("k1 %s\n" % base64.b64encode(os.urandom(32)).decode())
    os.chmod(keys, 0o600)

    # the module's own banner and a cookie, for sub_filter and the cases
    probe = Nginx("probe", 1, "", keys, None)
    probe.start()
    try:
        banner, cookie = first_banner(probe)
    finally:
        probe.stop()
    cookies = {"all": cookie, "tampered": tamper(cookie)}

    memory_probe(banner, keys, cookies, res)

    for w in WORKERS:
        bench_nginx(w, banner, keys, cookies, res)

    micro(res, html)
    res["load_after"] = loadavg()
    instructions(res, html)
    res["summary"] = summarise(res["runs"])
    res["targets"] = targets(res["summary"], res["stall"], res["memory"],
                             res["micro"])
    res["bounds"] = bounds(res["summary"], res["micro"])

    write_outputs(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
