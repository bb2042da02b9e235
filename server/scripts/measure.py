#!/usr/bin/env python3
"""Scripted figures for the reference server: start-up time to `ready`, sequential request
latency for the three Choreo endpoints over one keep-alive connection, and peak RSS.

usage: python3 server/scripts/measure.py [path/to/choreo-reference-server]
(default: target/release/choreo-reference-server; build it first with
`cargo build -p choreo-reference-server --release`)."""

import http.client
import statistics
import subprocess
import sys
import time

BINARY = sys.argv[1] if len(sys.argv) > 1 else "target/release/choreo-reference-server"
STARTS = 30
REQUESTS = 2000


def start():
    began = time.perf_counter()
    proc = subprocess.Popen(
        [BINARY, "--exit-on-stdin-eof"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    fields = {}
    for line in proc.stdout:
        line = line.rstrip("\n")
        if line == "ready":
            break
        name, _, value = line.partition(": ")
        fields[name] = value
    return proc, time.perf_counter() - began, fields


def stop(proc):
    proc.stdin.close()
    proc.wait(timeout=10)


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def main():
    startups = []
    for _ in range(STARTS):
        proc, took, _ = start()
        startups.append(took)
        stop(proc)
    print(f"start-up to ready: median {statistics.median(startups) * 1000:.2f} ms, "
          f"max {max(startups) * 1000:.2f} ms over {STARTS} runs")

    proc, _, fields = start()
    rss_idle = peak_rss_kib(proc.pid)
    host_port = fields["api"].removeprefix("http://")
    auth = {"Authorization": "Bearer " + fields["token"]}
    conn = http.client.HTTPConnection(host_port)
    for method, path in [
        ("POST", "/api-key-service/v1.0/pat/introspect"),
        ("GET", "/orgs/1.0.0/orgs"),
        ("GET", "/orgs/1.0.0/orgs/acme"),
    ]:
        times = []
        for _ in range(REQUESTS):
            began = time.perf_counter()
            conn.request(method, path, headers=auth)
            response = conn.getresponse()
            response.read()
            times.append(time.perf_counter() - began)
            assert response.status == 200, response.status
        times.sort()
        print(f"{method} {path}: median {statistics.median(times) * 1e6:.0f} us, "
              f"p99 {times[int(len(times) * 0.99)] * 1e6:.0f} us over {REQUESTS} "
              f"sequential keep-alive requests (python http.client)")
    rss_requests = peak_rss_kib(proc.pid)
    conn.request("POST", "/admin/faults", body='{"mode":"huge"}',
                 headers={"Content-Type": "application/json"})
    conn.getresponse().read()
    for _ in range(10):
        conn.request("POST", "/api-key-service/v1.0/pat/introspect", headers=auth)
        size = len(conn.getresponse().read())
    conn.close()
    print(f"peak RSS: {rss_idle} KiB after start-up, {rss_requests} KiB after "
          f"{3 * REQUESTS} requests, {peak_rss_kib(proc.pid)} KiB after 10 `huge` answers "
          f"of {size} bytes")
    stop(proc)


if __name__ == "__main__":
    main()
