#!/usr/bin/env python3
"""Writes the `token scan` benchmark corpus: text files of source-like lines with planted tokens.

    scan_corpus.py tree DIR [MEGABYTES]   many files (default 120 MB), and DIR/../manifest.json
    scan_corpus.py big FILE MEGABYTES     one file of that size, a valid token near each end

Deterministic (fixed seed). Planted in the tree: valid Choreo PATs (chp_), GitHub (ghp_) and npm
(npm_) tokens with their CRC-32 checksums, the same with one character changed (near misses,
which must not be reported as valid), and the other kinds (GitLab, Slack, Stripe, AWS), each
standing alone on a line of ordinary text. The manifest lists every planted token's path, line,
column, kind and whether its checksum holds, for checking what each scanner found. The lines are
built from a vocabulary that includes the prefixes' neighbours in real code (`git`, `github`,
`npm`, `digit`, `asia`, `risk_`, `task_`), so prefix searches meet near hits, but no prefix
itself: a search for the prefixes matches only the planted lines.
"""

import json
import os
import random
import sys
import zlib

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def checksummed(prefix, rng):
    body = "".join(rng.choice(BASE62) for _ in range(30))
    n = zlib.crc32(body.encode())
    sum_ = ""
    for _ in range(6):
        sum_ = BASE62[n % 62] + sum_
        n //= 62
    return prefix + body + sum_


def near_miss(token, rng):
    i = rng.randrange(len(token) - 36, len(token))
    c = token[i]
    other = rng.choice([x for x in BASE62 if x != c])
    return token[:i] + other + token[i + 1 :]


def other_kind(rng):
    alnum = lambda n: "".join(rng.choice(BASE62) for _ in range(n))
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))
    upper = lambda n: "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(n))
    return rng.choice(
        [
            ("gitlab-pat", "glpat-" + alnum(20)),
            ("slack", f"xoxb-{digits(11)}-{digits(13)}-{alnum(24)}"),
            ("stripe-secret", "sk_test_" + alnum(24)),
            ("aws-access-key-id", "AKIA" + upper(16)),
        ]
    )


WORDS = (
    "the a of to in is for on with as by at from that this it be are was an or not "
    "fn let const var def class struct impl return if else match while loop import export "
    "from use pub mod async await self super crate type enum trait where true false null "
    "config token secret key value name path file line column error warning result option "
    "git github gitlab npm npx digit digits asia asian risk_level task_list desk_top "
    "skip sketch xoxo chapter chip chips shop ghost ghoul rake rkt npmrc registry scope "
    "user org organization access refresh bearer header request response status active "
    "string number array object map list set vec box rc arc mutex lock read write open "
    "close buffer chunk stream parse format print debug info trace span event metric "
    "http https url uri host port api base login logout session store keyring cache "
    "install build test bench check lint fmt doc release deploy publish version tag "
    "Alpha Beta Gamma Delta AKIRA Asiana SKU RK_ SK_ CHP ghp gh_ xox"
).split()


def line_pool(rng, n=20000):
    pool = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 16))]
        indent = " " * rng.choice([0, 0, 2, 4, 8])
        sep = rng.choice([" ", " ", " ", ", ", " = ", ".", "(", ": "])
        pool.append(indent + sep.join(words))
    return pool


def tree(out, megabytes):
    rng = random.Random(19)
    pool = line_pool(rng)
    target = megabytes * 1024 * 1024
    written, index, manifest = 0, 0, []
    while written < target:
        rel = f"d{index % 37:02d}/s{index % 11}/file{index:05d}.txt"
        lines = rng.choices(pool, k=rng.choice([20, 200, 600, 1200, 3000]))
        # About one file in four gets a planted token; one in six a near miss.
        plants = []
        if rng.random() < 0.25:
            kind = rng.choice(["choreo-pat", "github-classic", "npm"])
            prefix = {"choreo-pat": "chp_", "github-classic": "ghp_", "npm": "npm_"}[kind]
            plants.append((kind, checksummed(prefix, rng), True))
        if rng.random() < 0.16:
            kind = rng.choice(["choreo-pat", "github-classic", "npm"])
            prefix = {"choreo-pat": "chp_", "github-classic": "ghp_", "npm": "npm_"}[kind]
            plants.append((kind, near_miss(checksummed(prefix, rng), rng), False))
        if rng.random() < 0.05:
            kind, token = other_kind(rng)
            plants.append((kind, token, True))
        for (kind, token, valid), at in zip(plants, rng.sample(range(len(lines)), len(plants))):
            lead = rng.choice(["", "TOKEN=", "  key: ", 'auth = "'])
            tail = '"' if lead.endswith('"') else rng.choice(["", " # do not commit", "."])
            lines[at] = f"{lead}{token}{tail}"
            manifest.append(
                {
                    "path": rel,
                    "line": at + 1,
                    "column": len(lead) + 1,
                    "kind": kind,
                    "valid": valid,
                }
            )
        text = "\n".join(lines) + "\n"
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        written += len(text)
        index += 1
    manifest.sort(key=lambda m: (m["path"], m["line"]))
    with open(os.path.join(os.path.dirname(os.path.abspath(out)), "manifest.json"), "w") as f:
        json.dump({"files": index, "bytes": written, "tokens": manifest}, f, indent=0)
    print(f"{out}: {index} files, {written} bytes, {len(manifest)} planted")


def big(path, megabytes):
    rng = random.Random(20)
    pool = line_pool(rng, 4000)
    block = ("\n".join(rng.choices(pool, k=20000)) + "\n").encode()
    target = megabytes * 1024 * 1024
    with open(path, "wb") as f:
        f.write(f"first {checksummed('chp_', rng)}\n".encode())
        written = 0
        while written < target:
            f.write(block)
            written += len(block)
        f.write(f"last {checksummed('chp_', rng)}\n".encode())
    print(f"{path}: {os.path.getsize(path)} bytes, 2 planted")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "tree":
        tree(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 120)
    elif len(sys.argv) == 4 and sys.argv[1] == "big":
        big(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
