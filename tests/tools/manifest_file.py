"""Reading relaunch's manifest in the tests, whatever its version.

read(path) gives {"version", "roots", "files", "dirs"}: "files" holds each
entry in the version 2 shape ({"path", "type", "dev", "ino", "size", "mode",
"mtime_ns", "ctime_ns", "sha256" | "link", "resolved", "uses": [{"label",
"role", "via", "chain"?, "ack"?}]?}), "dirs" each walked directory
({"path"} plus "dev", "ino", "mtime_ns", "ctime_ns" when its stamp is
trusted), and "stat_ns" when the header has it. write_v2(path, doc)
writes such a dict back as version 2, which relaunch still reads (and
rewrites as version 3 when it next saves), so a test can edit an entry
without knowing the newest format. same_tick(path, file, after_s) makes a
version 3 manifest hold what a racy rewrite leaves, aged(path, after_s) one
whose every hash is trusted (see there).
"""

import base64
import json
import os

TYPES = ["missing", "file", "symlink", "dir", "other", "unreadable"]
ROLES = ["plist", "program", "command", "script", "interpreter", "library", "symlink", "watch"]
VIA_SEP = " → "
MASK = (1 << 64) - 1


def _bytes(v):
    if isinstance(v, dict):
        return base64.b64decode(v["base64"])
    return v.encode("utf-8", "surrogateescape")


def _form(b):
    """Bytes in the JSON path form, as version 2 holds them: a string when
    UTF-8, else {"base64": ...}."""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(b).decode("ascii")}


def _text(v):
    return _form(_bytes(v)) if isinstance(v, dict) else v


def _signed(v):
    v &= MASK
    return v - (1 << 64) if v >> 63 else v


def _v3(lines, head):
    labels = [_text(x) for x in json.loads(lines[0])]
    segs = [_text(x) for x in json.loads(lines[1])]
    flat = json.loads(lines[2])
    vias = [""]
    for i in range(0, len(flat), 2):
        p, s = flat[i], flat[i + 1]
        vias.append(vias[p] + VIA_SEP + segs[s] if p else segs[s])
    flat = json.loads(lines[3])
    chains = [None]
    for i in range(0, len(flat), 2):
        chains.append((flat[i], flat[i + 1]))
    files, dirs, prev, paths = [], [], b"", []
    body = lines[4:]
    for line in body[:head["entries"]]:
        a = json.loads(line)
        prev = prev[:a[0]] + _bytes(a[1])
        paths.append(prev)
        e = {"path": _form(prev), "type": TYPES[a[2]], "dev": a[3], "ino": a[4], "size": a[5],
             "mode": a[6], "mtime_ns": a[7], "ctime_ns": _signed(a[7] + a[8])}
        rest = a[9:]
        if e["type"] == "file":
            e["sha256"], rest = rest[0], rest[1:]
        elif e["type"] == "symlink":
            e["link"], e["resolved"], rest = _text(rest[0]), _text(rest[1]), rest[2:]
        if rest:
            e["uses"] = []
            for u in rest[0]:
                use = {"label": labels[u[0]], "role": ROLES[u[1]], "via": vias[u[2]]}
                if len(u) > 3 and u[3]:
                    use["chain"] = u[3]
                if len(u) > 4:
                    use["ack"] = _text(u[4])
                e["uses"].append(use)
        files.append(e)
    for e in files:
        for u in e.get("uses", []):
            if "chain" in u:
                out, node = [], u["chain"]
                while node:
                    parent, item = chains[node]
                    out.append(_form(paths[item]) if isinstance(item, int) else _text(item))
                    node = parent
                u["chain"] = out[::-1]
    prev = b""
    for line in body[head["entries"]:]:
        a = json.loads(line)
        prev = prev[:a[0]] + _bytes(a[1])
        d = {"path": _form(prev)}
        if len(a) == 6:
            d.update(dev=a[2], ino=a[3], mtime_ns=a[4], ctime_ns=_signed(a[4] + a[5]))
        dirs.append(d)
    if len(files) != head["entries"] or len(dirs) != head["dirs"]:
        raise ValueError("truncated: %d entries and %d directories of %d and %d"
                         % (len(files), len(dirs), head["entries"], head["dirs"]))
    return files, dirs


def read(path):
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    lines = text.split("\n")
    try:
        head = json.loads(lines[0])
    except ValueError:
        head = json.loads(text)
    if "files" in head:
        doc = dict(head)
        doc.setdefault("dirs", [])
        return doc
    rest = [line for line in lines[1:] if line]
    if head["version"] == 2:
        files, dirs = [json.loads(line) for line in rest], []
    else:
        files, dirs = _v3(rest, head)
    doc = {"version": head["version"], "roots": head["roots"], "files": files, "dirs": dirs}
    if "stat_ns" in head:
        doc["stat_ns"] = head["stat_ns"]
    return doc


def same_tick(path, file, after_s):
    """Edit the version 3 manifest at path into the state a rewrite of file
    with the same size, in its mtime's tick after record hashed it, leaves:
    file's entry keeps its identity but holds another content's hash. The
    header's stat_ns becomes after_s seconds after file's mtime or ctime,
    whichever is later (None: no stat_ns, as a manifest written without
    it)."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    head = json.loads(lines[0])
    st = os.lstat(file)
    head.pop("stat_ns", None)
    if after_s is not None:
        head["stat_ns"] = max(st.st_mtime_ns, st.st_ctime_ns) + int(after_s * 1e9)
    lines[0] = json.dumps(head, separators=(",", ":"))
    want, prev, hits = os.fsencode(file), b"", 0
    for i in range(5, 5 + head["entries"]):
        a = json.loads(lines[i])
        prev = prev[:a[0]] + _bytes(a[1])
        if prev == want and TYPES[a[2]] == "file":
            a[9] = "0" * 64 if a[9] != "0" * 64 else "1" * 64
            lines[i] = json.dumps(a, ensure_ascii=False, separators=(",", ":"))
            hits += 1
    if hits != 1:
        raise ValueError("%s: no file entry for %s" % (path, file))
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("\n".join(lines))


def aged(path, after_s):
    """Edit the version 3 manifest at path as if it had been stat'ed
    after_s seconds after the last recorded change of any of its files
    (their mtime or ctime): the header's stat_ns, so that each recorded
    hash is trusted (outside the racy window) however recently the test
    built the files."""
    times = [max(e["mtime_ns"], e["ctime_ns"]) for e in read(path)["files"]
             if e["type"] == "file"]
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    head = json.loads(lines[0])
    head["stat_ns"] = max(times) + int(after_s * 1e9)
    lines[0] = json.dumps(head, separators=(",", ":"))
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("\n".join(lines))


def write_v2(path, doc):
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(json.dumps({"version": 2, "roots": doc["roots"]}) + "\n")
        for e in doc["files"]:
            f.write(json.dumps(e) + "\n")
