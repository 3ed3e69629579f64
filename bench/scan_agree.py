#!/usr/bin/env python3
"""Checks `codeindex files` against git on a real repository.

usage: bench/scan_agree.py CODEINDEX_BIN WORKSPACE [WORKSPACE...]

For each workspace (the top of a git work tree or a directory inside one), the expected
listing is `git ls-files -co --exclude-standard` minus tracked files that an ignore pattern
matches (codeindex never reads the index), descending into nested repositories (submodules,
nested clones: git lists them as one entry, codeindex walks them as their own scope), then
filtered by the rules git does not know: hidden names, the original's ignored directories,
the extension list printed by `codeindex files --help`, the 1 MiB limit and the binary
check. git does not follow symbolic links to directories and codeindex does (as the
original's `rg --follow`), so files below such links are counted apart, not as differences.

Prints one summary line per workspace and the first differences; exits 1 on any difference.
"""
import os
import subprocess
import sys

IGNORED = {"node_modules", "__pycache__", "env", "venv", "dist", "out", "bundle", "vendor",
           "tmp", "temp", "deps", "pkg", "Pods"}


def extensions(binary):
    out = subprocess.run([binary, "files", "--help"], capture_output=True, text=True).stdout
    lines = out.split("Supported extensions", 1)[1].split("\n")[1:]
    exts = set()
    for line in lines:
        if not line.strip():
            break
        exts.update(w for w in line.split() if w.startswith("."))
    return exts


def git_z(cwd, *args):
    r = subprocess.run(["git", "-C", cwd, "-c", "core.quotepath=off", *args, "-z"],
                       capture_output=True)
    if r.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} in {cwd}: {r.stderr.decode(errors='replace')}")
    return [p for p in r.stdout.split(b"\0") if p]


def git_listing(ws):
    """Paths (bytes, relative to ws) git considers not ignored, nested repositories included."""
    listed = git_z(ws, "ls-files", "-c", "-o", "--exclude-standard")
    tracked_ignored = set(git_z(ws, "ls-files", "-c", "-i", "--exclude-standard"))
    out = []
    for p in listed:
        if p in tracked_ignored:
            continue
        full = os.path.join(ws.encode(), p.rstrip(b"/"))
        if os.path.isdir(full) and not os.path.islink(full):
            if os.path.exists(os.path.join(full, b".git")):
                out += [p.rstrip(b"/") + b"/" + q for q in git_listing(full.decode(errors="surrogateescape"))]
            continue
        out.append(p)
    return out


def indexable(ws, rel, exts):
    parts = rel.split(b"/")
    for i, c in enumerate(parts):
        if not c or c.startswith(b".") or c.decode(errors="replace") in IGNORED:
            return False
        if i + 1 < len(parts) and (parts[i], parts[i + 1]) in (
                (b"target", b"dependency"), (b"build", b"dependencies")):
            return False
    name = parts[-1]
    dot = name.rfind(b".")
    if dot <= 0 or name[dot:].lower().decode(errors="replace") not in exts:
        return False
    full = os.path.join(ws.encode(), rel)
    try:
        st = os.stat(full)  # codeindex follows links to files
    except OSError:
        return False
    if not os.path.isfile(full) or st.st_size > (1 << 20):
        return False
    with open(full, "rb") as f:
        return b"\0" not in f.read(8192)


def below_dir_link(ws, rel):
    parts = rel.split(b"/")
    for i in range(1, len(parts)):
        if os.path.islink(os.path.join(ws.encode(), *parts[:i])):
            return True
    return False


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    binary, workspaces = sys.argv[1], sys.argv[2:]
    exts = extensions(binary)
    bad = 0
    for ws in workspaces:
        want = sorted(p for p in git_listing(ws) if indexable(ws, p, exts))
        r = subprocess.run([binary, "files", "-0", "--workspace", ws], capture_output=True)
        got = [p for p in r.stdout.split(b"\0") if p]
        missing = sorted(set(want) - set(got))
        extra_all = sorted(set(got) - set(want))
        # git does not follow links to directories; codeindex does (rg --follow), so files
        # below such a link are expected extras.
        via_link = [p for p in extra_all if below_dir_link(ws, p)]
        extra = [p for p in extra_all if not below_dir_link(ws, p)]
        print(f"{ws}: git+rules {len(want)}, codeindex {len(got)}, missing {len(missing)}, "
              f"extra {len(extra)} (+{len(via_link)} through links to directories), "
              f"exit {r.returncode}")
        for p in missing[:10]:
            print("  missing", p)
        for p in extra[:10]:
            print("  extra  ", p)
        bad += bool(missing or extra)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
