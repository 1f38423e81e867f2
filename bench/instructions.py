#!/usr/bin/env python3
"""Instructions per request, counted by callgrind: the benchmark's operations, one at a
time, on one keep-alive connection, against the release binary on a SQLite database
that `bench-http --keep` left behind.

wrk's req/s on this kind of machine moves by half its value from run to run (shared
host); an instruction count does not: the same binary, database and requests give
the same figure to within a fraction of a per cent, whatever else the machine does.
It counts the server's user-space instructions only: not the kernel's work (sockets,
fsync, context switches), not the time waiting for the disk, and not batching under
concurrency (one connection: every audited request commits alone). valgrind also hides
the CPU's SHA extensions, so the audit rows' HMACs are counted in the sha2 crate's
portable code (~1,900 instructions a block), which the server does not run on a CPU that
has them (docs/benchmarks.md, thirteenth session). So it is a way to judge a change to
the code's own work in minutes, not a replacement for bench-http.

    cargo build --release --locked --bin dermachart --example bench-http
    target/release/examples/bench-http --backend sqlite --keep --work-dir /tmp/kept \\
        --duration 2 --warmup 1
    python3 bench/instructions.py /tmp/kept target/release/dermachart [--requests 500] \\
        [--dumps /tmp/dumps]   # then: callgrind_annotate /tmp/dumps/2-get-patients-id.callgrind

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


def measured_week(work, bookers):
    """The practitioner who holds the measured week and its Monday. bench-http seeds
    that week (40 appointments, from 09:00 on a Monday one to two weeks ahead of its
    run) for its first practitioner, and books only the others (plan.txt's)."""
    db = sqlite3.connect(os.path.join(work, "bench.db"))
    rows = db.execute(
        "SELECT lower(hex(practitioner_id)), min(starts_at), count(*) FROM appointments GROUP BY 1"
    ).fetchall()
    held = [(str(uuid.UUID(h)), first, n) for h, first, n in rows if str(uuid.UUID(h)) not in bookers]
    if len(held) != 1 or held[0][2] != 40:
        sys.exit(f"not a folder kept by bench-http: expected one practitioner with the 40-appointment week, found {held}")
    who, first, _ = held[0]
    monday = datetime.date.fromisoformat(first[:10])
    if monday.weekday() != 0:
        sys.exit(f"the measured week starts on {monday}, not a Monday")
    return who, monday


def control(flag, pid):
    """callgrind_control exits 0 even when it found no run to talk to: read what it says."""
    said = subprocess.run(["callgrind_control", flag, str(pid)], capture_output=True, text=True)
    text = said.stdout + said.stderr
    if said.returncode != 0 or "Error" in text or "No active" in text or "not detected" in text:
        sys.exit(f"callgrind_control {flag}: {text.strip()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work", help="a folder kept by bench-http --backend sqlite --keep")
    ap.add_argument("server_bin")
    ap.add_argument("--requests", type=int, default=500, help="measured requests per operation")
    ap.add_argument("--port", type=int, default=18790)
    ap.add_argument("--dumps", metavar="DIR",
                    help="keep each operation's callgrind dump here (for callgrind_annotate)")
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
    who, monday = measured_week(work, set(plan["practitioners"]))
    day = lambda d: (monday + datetime.timedelta(days=d)).isoformat() + "T00:00:00Z"
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
    for unwanted in ("RUST_LOG", "SMTP_URL", "PUBLIC_URL"):  # no background jobs counted
        env.pop(unwanted, None)
    log = open(os.path.join(kept, "instructions-server.log"), "ab")
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p", args.server_bin, "serve"],
        env=env, stdout=log, stderr=log,
    )
    c = None
    try:
        for _ in range(600):
            if server.poll() is not None:
                sys.exit(f"the server exited ({server.returncode}): see {kept}/instructions-server.log")
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

        week = f"/api/v1/appointments?practitioner_id={who}&from={day(0)}&to={day(7)}"
        slots = (f"/api/v1/availability?service_id={plan['service']}&practitioner_id={who}"
                 f"&from={day(2)}&to={day(3)}")  # the Wednesday, as bench-http measures
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
            control("-z", server.pid)
            before = set(glob.glob(f"{out}.{server.pid}.*"))
            for i in range(args.requests):
                send(i + 100000 * n)
            control("-d", server.pid)
            new = set(glob.glob(f"{out}.{server.pid}.*")) - before
            if len(new) != 1:
                sys.exit(f"{label}: callgrind wrote {len(new)} dumps, not one")
            dump = new.pop()
            totals = next(int(m.group(1)) for line in open(dump)
                          if (m := re.match(r"^totals: (\d+)", line)))
            if args.dumps:
                os.makedirs(args.dumps, exist_ok=True)
                name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
                shutil.copy2(dump, os.path.join(args.dumps, f"{n}-{name}.callgrind"))
            results.append((label, totals / args.requests))
    finally:
        if c is not None:
            c.close()
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    ceiling = results[0][1]
    print(f"callgrind, {args.requests} requests each on one connection, {args.server_bin}")
    print("| operation | instructions per request | × `/healthz` | share of `/healthz`'s |")
    print("| --- | ---: | ---: | ---: |")
    for label, per in results:
        print(f"| {label} | {per:,.0f} | {per / ceiling:.2f} | {100 * ceiling / per:.1f} % |")


if __name__ == "__main__":
    main()
