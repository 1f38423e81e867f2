#!/usr/bin/env python3
"""Instructions per request, counted by callgrind: the benchmark's operations, one at a
time, on one keep-alive connection, against the release binary on a SQLite database
that `bench-http --keep` left behind.

wrk's req/s on this kind of machine moves by half its value from run to run (shared
host); an instruction count does not: the same binary, database and requests give
the same figure to within a fraction of a per cent, whatever else the machine does.
It counts the server's user-space instructions only: not the kernel's work (sockets,
fsync, context switches), not the time waiting for the disk, and not batching under
concurrency (one connection: every audited request commits alone). So it is a way to
judge a change to the code's own work in minutes, not a replacement for bench-http.

    cargo build --release --locked --bin dermachart --example bench-http
    target/release/examples/bench-http --backend sqlite --keep --work-dir /tmp/kept \\
        --duration 2 --warmup 1
    python3 bench/instructions.py /tmp/kept target/release/dermachart [--requests 500]

Needs valgrind (Debian: apt-get install -y valgrind). Each run works on a fresh copy of
the kept database (the requests write audit rows, patients and bookings, and a database
that grew between two runs would count differently), so two binaries measured one after
the other meet the same data.
"""
import argparse
import datetime
import glob
import http.client
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

PASSWORD = "benchmark passphrase of the clinic"  # bench/http.rs PASSWORD
DESK = "desk@bench.example"


def plan_of(work):
    plan = [line.split() for line in open(os.path.join(work, "plan.txt")) if line.strip()]
    return {
        "base": int(next(v for k, v in plan if k == "base")),
        "slots": [int(v) for k, v in plan if k == "slot"],
        "service": next(v for k, v in plan if k == "service"),
        "practitioners": [v for k, v in plan if k == "practitioner"],
        "patients": [v for k, v in plan if k == "patient"],
    }


def measured_practitioner(work):
    """The practitioner who holds the measured week (bench-http seeds 40 appointments
    for the first practitioner in the week of the 21st)."""
    db = sqlite3.connect(os.path.join(work, "bench.db"))
    row = db.execute(
        "SELECT lower(hex(practitioner_id)), count(*) AS n FROM appointments "
        "WHERE starts_at LIKE '2026-12-2%' GROUP BY 1 ORDER BY n DESC LIMIT 1"
    ).fetchone()
    return str(uuid.UUID(row[0]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work", help="a folder kept by bench-http --backend sqlite --keep")
    ap.add_argument("server_bin")
    ap.add_argument("--requests", type=int, default=500, help="measured requests per operation")
    ap.add_argument("--port", type=int, default=18790)
    args = ap.parse_args()
    kept = os.path.abspath(args.work)
    scratch = tempfile.TemporaryDirectory(prefix="instructions-")
    work = scratch.name
    for name in ("bench.db", "audit.key", "plan.txt", "patients.txt"):
        shutil.copy2(os.path.join(kept, name), work)
    if os.path.isdir(os.path.join(kept, "media")):
        shutil.copytree(os.path.join(kept, "media"), os.path.join(work, "media"))
    for leftover in ("bench.db-wal", "bench.db-shm"):
        if os.path.exists(os.path.join(kept, leftover)):
            shutil.copy2(os.path.join(kept, leftover), work)
    plan = plan_of(work)
    who = measured_practitioner(work)
    patient_ids = [l.strip() for l in open(os.path.join(work, "patients.txt")) if l.strip()]
    out = os.path.join(work, "callgrind.out")
    for old in glob.glob(out + ".*"):
        os.remove(old)
    env = dict(
        os.environ,
        BIND=f"127.0.0.1:{args.port}",
        DATABASE_URL=f"sqlite://{work}/bench.db",
        MEDIA_DIR=os.path.join(work, "media"),
        AUDIT_KEY_FILE=os.path.join(work, "audit.key"),
        CLINIC_TIMEZONE="UTC",
        FRONTEND_DIR=os.path.join(work, "no-ui"),
    )
    env.pop("RUST_LOG", None)
    log = open(os.path.join(kept, "instructions-server.log"), "ab")
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p", args.server_bin, "serve"],
        env=env, stdout=log, stderr=log,
    )
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("the server did not answer /healthz under valgrind")
        c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=300)
        c.request("POST", "/api/v1/auth/login", json.dumps({"email": DESK, "password": PASSWORD}),
                  {"content-type": "application/json"})
        token = json.loads(c.getresponse().read())["token"]
        auth = {"authorization": "Bearer " + token}
        posted = dict(auth, **{"content-type": "application/json"})
        offset = 1_500_000  # bookings far past any the benchmark made; each run starts from the copy

        def booking(k):
            np_ = len(plan["practitioners"])
            j = k // np_
            at = plan["base"] + (j // len(plan["slots"])) * 604800 + plan["slots"][j % len(plan["slots"])]
            return json.dumps({
                "patient_id": plan["patients"][k % len(plan["patients"])],
                "practitioner_id": plan["practitioners"][k % np_],
                "service_id": plan["service"],
                "starts_at": datetime.datetime.fromtimestamp(at, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            })

        def new_patient(i):
            return json.dumps({
                "given_name": f"Count{offset}", "family_name": f"Patient{i}",
                "date_of_birth": f"{1940 + i % 60:04d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "phone": f"+44 7700 {i % 1000000:06d}", "email": f"count{offset}.{i}@bench.example",
            })

        week = (f"/api/v1/appointments?practitioner_id={who}"
                "&from=2026-12-21T00:00:00Z&to=2026-12-28T00:00:00Z")
        slots = (f"/api/v1/availability?service_id={plan['service']}&practitioner_id={who}"
                 "&from=2026-12-23T00:00:00Z&to=2026-12-24T00:00:00Z")
        operations = [
            ("GET /healthz", lambda i: ("GET", "/healthz", None, {})),
            ("GET /auth/me (the guard and one lookup)", lambda i: ("GET", "/api/v1/auth/me", None, auth)),
            ("GET /patients/{id}", lambda i: ("GET", f"/api/v1/patients/{patient_ids[i % len(patient_ids)]}", None, auth)),
            ("the week (40)", lambda i: ("GET", week, None, auth)),
            ("GET /availability (one day)", lambda i: ("GET", slots, None, auth)),
            ("POST /patients", lambda i: ("POST", "/api/v1/patients", new_patient(i), posted)),
            ("POST /appointments", lambda i: ("POST", "/api/v1/appointments", booking(offset + i), posted)),
        ]
        results = []
        for n, (label, make) in enumerate(operations):
            def send(i):
                method, path, body, headers = make(i)
                c.request(method, path, body, headers)
                r = c.getresponse()
                r.read()
                if r.status >= 300:
                    sys.exit(f"{label}: answered {r.status}")
            for i in range(20):  # warm the caches and prepared statements
                send(args.requests + 20 * n + i + 1000)
            subprocess.run(["callgrind_control", "-z", str(server.pid)], check=True, capture_output=True)
            for i in range(args.requests):
                send(i + 100000 * n)
            subprocess.run(["callgrind_control", "-d", str(server.pid)], check=True, capture_output=True)
            dump = max(glob.glob(f"{out}.{server.pid}.*"), key=lambda p: int(p.rsplit(".", 1)[1]))
            totals = next(int(m.group(1)) for line in open(dump)
                          if (m := re.match(r"^totals: (\d+)", line)))
            results.append((label, totals / args.requests))
    finally:
        server.terminate()
        server.wait()
    ceiling = results[0][1]
    print(f"callgrind, {args.requests} requests each on one connection, {args.server_bin}")
    print("| operation | instructions per request | × `/healthz` | share of `/healthz`'s |")
    print("| --- | ---: | ---: | ---: |")
    for label, per in results:
        print(f"| {label} | {per:,.0f} | {per / ceiling:.2f} | {100 * ceiling / per:.1f} % |")


if __name__ == "__main__":
    main()
