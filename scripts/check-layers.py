#!/usr/bin/env python3
"""Fails when the code breaks the direction of its layers (docs/architecture.md).

1. Links: from CMake's own dependency graph (cmake --graphviz), every edge between the project's
   libraries must go down the layers: pure libraries <- storage <- api <- programs, with http and
   redis beside each other under storage and api, and hiredis linked by server/redis only.
2. Sources: outside server/redis/ and server/storage/, no file spells a Redis key
   ("budget:{"), holds a Lua script (redis.call) or calls hiredis.

Usage: check-layers.py BUILD_DIR (a configured build directory)
"""
import pathlib
import re
import subprocess
import sys
import tempfile

# The rank of each library: a library may link only libraries of a lower rank.
RANK = {
    "budget_options": 0,
    "budget_labelling": 1,
    "budget_voting": 1,
    "budget_core": 1,
    "budget_config": 2,  # uses labelling/utf8.hpp to check operators' files
    "budget_http": 3,
    "budget_redis": 3,
    "budget_storage": 4,
    "budget_api": 5,
    "budget_loadtest_lib": 5,  # reads through storage, speaks HTTP; never the API's handlers
    "budget_cli": 6,
    "budgetd": 7,
    "budgetctl": 7,
    "budget_loadtest": 7,
}
# Pairs that ranks alone would allow but the design forbids.
FORBIDDEN = {
    ("budget_http", "budget_redis"),
    ("budget_redis", "budget_http"),
    ("budget_loadtest_lib", "budget_api"),
}
# Only these may link hiredis itself.
HIREDIS_USERS = {"budget_redis"}

SOURCE_DIRS = ["server", "loadtest", "tests", "scripts", "labelling", "voting", "config", "web"]
# The two layers themselves, and their own tests (tests mirror the sources).
ALLOWED_DIRS = ["server/redis/", "server/storage/", "tests/server/redis/", "tests/server/storage/"]
PATTERNS = [
    (re.compile(r"budget:\{"), "a Redis key"),
    (re.compile(r"redis\.call\("), "a Lua script"),
    (re.compile(r"#include\s*<hiredis|\bredis(Command|Connect|Async[A-Z]|Free|Reply)\w*\b"),
     "a raw hiredis call"),
]
SKIP_SUFFIXES = {".pb", ".json", ".png", ".svg", ".toml", ".jsonl"}


def link_problems(build_dir: pathlib.Path) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        dot = pathlib.Path(tmp) / "graph.dot"
        subprocess.run(["cmake", f"--graphviz={dot}", "."], cwd=build_dir, check=True,
                       stdout=subprocess.DEVNULL)
        text = dot.read_text()
    problems = []
    for source, target in re.findall(r"// (\S+) -> (\S+)", text):
        if source in RANK and target in RANK:
            if RANK[target] >= RANK[source] or (source, target) in FORBIDDEN:
                problems.append(f"link against the layers: {source} -> {target}")
        if "HIREDIS" in target.upper() and source in RANK and source not in HIREDIS_USERS:
            problems.append(f"hiredis linked outside server/redis: {source} -> {target}")
    return problems


def source_problems(root: pathlib.Path) -> list[str]:
    this = pathlib.Path(__file__).resolve()
    problems = []
    for folder in SOURCE_DIRS:
        for path in sorted((root / folder).rglob("*")):
            if not path.is_file() or path.suffix in SKIP_SUFFIXES or path.resolve() == this:
                continue
            relative = path.relative_to(root).as_posix()
            if any(relative.startswith(d) for d in ALLOWED_DIRS) or "/corpus/" in relative:
                continue
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (UnicodeDecodeError, OSError):
                continue
            for number, line in enumerate(lines, 1):
                for pattern, what in PATTERNS:
                    if pattern.search(line):
                        problems.append(f"{relative}:{number}: {what} outside the storage layer")
    return problems


# Commands the storage sends outside scripts ({"HGETALL", key}) and inside them
# (redis.call('SCARD', ...)). Keyless commands for routing live in server/redis itself.
COMMAND_PATTERNS = [
    re.compile(r"redis\.p?call\(\s*'([A-Za-z]+)'"),
    re.compile(r"\{\s*\"([A-Z][A-Z]+)\"\s*,\s*keys::"),
    re.compile(r"(?:cmd|command|args)\{\s*\"([A-Z][A-Z]+)\""),
]


def acl_problems(root: pathlib.Path) -> list[str]:
    """Every Redis command of server/storage must be allowed by budgetd's ACL user
    (server/redis/acl.cpp): a missing one only fails where Redis runs with the ACL, as the
    embedded redis-server of the README's first command does."""
    acl_text = (root / "server/redis/acl.cpp").read_text(encoding="utf-8")
    allowed = {m.lower() for m in re.findall(r"\+([a-z|]+)", acl_text)}
    # A subcommand allowed ("config|get") lets its command be named (the storage sends GET).
    allowed |= {m.split("|")[0] for m in allowed}
    problems = []
    for path in sorted((root / "server/storage").rglob("*.cpp")):
        text = path.read_text(encoding="utf-8")
        used = set()
        for pattern in COMMAND_PATTERNS:
            used.update(c.lower() for c in pattern.findall(text))
        for command in sorted(used - allowed):
            problems.append(f"{path.relative_to(root).as_posix()}: Redis command {command.upper()} "
                            "is not allowed by budgetd's ACL (server/redis/acl.cpp)")
    return problems


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    build_dir = pathlib.Path(sys.argv[1]).resolve()
    root = pathlib.Path(__file__).resolve().parent.parent
    problems = link_problems(build_dir) + source_problems(root) + acl_problems(root)
    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} problem(s)")
        return 1
    print("check-layers: the layers hold (links and sources)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
