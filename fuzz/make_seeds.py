#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets from real coverage data.

usage: fuzz/make_seeds.py GOCOVERDIR...

Each GOCOVERDIR is one that `testkit::covdata` produced (they are cached under
target/testkit-covdata/). For every directory: its meta-data files seed `meta`, the two smallest
counter files of each program seed `counters`, each program's meta-data file with those counter
files seeds `read_dir` (in the length-prefixed layout of `intcov_fuzz::split_files`), and the
text profile `go tool covdata textfmt` makes of the directory seeds `text_profile`.
Seeds are named `seed-<sha1 prefix>` so reruns are idempotent.
"""

import hashlib
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main(dirs):
    env = dict(os.environ, GOTOOLCHAIN="local")
    for d in dirs:
        names = sorted(os.listdir(d))
        metas = [n for n in names if n.startswith("covmeta.")]
        for m in metas:
            tag = m.split(".", 1)[1]
            meta = read(os.path.join(d, m))
            put("meta", meta)
            counters = [n for n in names if n.startswith("covcounters." + tag + ".")]
            counters.sort(key=lambda n: os.path.getsize(os.path.join(d, n)))
            chosen = [read(os.path.join(d, n)) for n in counters[:2]]
            for c in chosen:
                put("counters", c)
            put("read_dir", b"".join(struct.pack("<I", len(f)) + f for f in [meta] + chosen))
        with tempfile.TemporaryDirectory() as t:
            out = os.path.join(t, "p.txt")
            subprocess.run(["go", "tool", "covdata", "textfmt", "-i=" + d, "-o=" + out],
                           check=True, env=env)
            put("text_profile", read(out))
    # Hand-made profiles for the parser's corners: CRLF, repeated mode lines, blank lines.
    put("text_profile", b"mode: set\r\na/b.go:1.2,3.4 1 1\r\n\r\nmode: set\na/b.go:1.2,3.4 1 0\n")
    put("text_profile", b"mode: atomic\nC:/x/y.go:10.1,12.9 3 4294967295\n")


if __name__ == "__main__":
    main(sys.argv[1:])
