#!/usr/bin/env python3
"""Fails when two files of src/ import each other, directly or round a circle, or when
a route handler reaches past the services layer.

Reads every `crate::…` path in src/**/*.rs (outside `mod tests`), resolves it to the
file that defines the module, and looks for strongly connected components of the
file graph (Tarjan). Prints each circle and exits 1 if there is one.
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")


def module_of(path):
    parts = os.path.relpath(path, ROOT)[:-3].split(os.sep)
    if parts[-1] == "mod":
        parts = parts[:-1]
    return "::".join(parts)


files = {}
for folder, _, names in os.walk(ROOT):
    for name in names:
        if name.endswith(".rs"):
            p = os.path.join(folder, name)
            m = module_of(p)
            if m not in ("lib", "main"):
                files[m] = p


def resolve(path):
    """The longest prefix of `a::b::c` that is a module file."""
    parts = path.split("::")
    best = None
    for k in range(1, len(parts) + 1):
        if "::".join(parts[:k]) in files:
            best = "::".join(parts[:k])
    return best


def uses(src):
    src = re.split(r"#\[cfg\(test\)\]\s*mod tests", src)[0]
    found = set(re.findall(r"crate::((?:[a-z_0-9]+::)*[a-z_0-9]+)", src))
    for group in re.findall(r"crate::((?:[a-z_0-9]+::)*)\{([^}]*)\}", src):
        prefix, inner = group
        for item in re.findall(r"([a-z_0-9]+(?:::[a-z_0-9]+)*)", inner):
            found.add(prefix + item)
    return found


edges = {m: set() for m in files}
for m, p in files.items():
    with open(p, encoding="utf-8") as f:
        text = f.read()
    for path in uses(text):
        target = resolve(path)
        # A module using its own descendants or ancestors is a folder, not a circle.
        if target and target != m and not target.startswith(m + "::") and not m.startswith(target + "::"):
            edges[m].add(target)

sys.setrecursionlimit(100000)
index, low, stack, on, circles = {}, {}, [], set(), []
counter = [0]


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            circles.append(sorted(comp))


for v in sorted(files):
    if v not in index:
        visit(v)

# The layering rule of docs/ARCHITECTURE.md: handlers (src/routes/) extract, call a
# use case of src/services/ and answer. None names the SQL layer or a connection, or
# opens a transaction or an audit write of its own.
HANDLER_MUST_NOT = [
    (re.compile(r"db::models"), "imports db::models"),
    (re.compile(r"\bDbConnection\b"), "takes a database connection"),
    (re.compile(r"\.(db|write)\(\s*(move\s*)?\|"), "opens a transaction (state.db / state.write)"),
    (re.compile(r"audited_transaction|\.audit\s*\.\s*record"), "writes audit rows itself"),
]
layering = []
for m, p in sorted(files.items()):
    if not (m == "routes" or m.startswith("routes::")):
        continue
    with open(p, encoding="utf-8") as f:
        text = re.split(r"#\[cfg\(test\)\]\s*mod tests", f.read())[0]
    for pattern, what in HANDLER_MUST_NOT:
        for hit in pattern.finditer(text):
            line = text.count("\n", 0, hit.start()) + 1
            layering.append(f"{os.path.relpath(p, os.path.join(ROOT, '..'))}:{line}: a handler {what}")

if layering:
    for problem in layering:
        print(problem, file=sys.stderr)
    print("handlers call src/services/ instead (docs/ARCHITECTURE.md)", file=sys.stderr)

if circles:
    for c in circles:
        inner = {a: sorted(b for b in edges[a] if b in c) for a in c}
        print("import circle:", ", ".join(f"{a} -> {inner[a]}" for a in c), file=sys.stderr)
if circles or layering:
    sys.exit(1)
print(f"no import circles among {len(files)} files of src/, and no handler past the services layer")
