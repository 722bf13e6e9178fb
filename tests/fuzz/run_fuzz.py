#!/usr/bin/env python3
"""Run a libFuzzer target briefly on a seed corpus made here.

    run_fuzz.py FUZZER KIND [libFuzzer options…]

KIND is macho or elf (object files), or plist, shlex, manifest, config or
lcprint (launchctl's print text): what relaunch reads from disk or from
launchctl.

The seeds are small crafted images (every byte order and width, a
universal file) and, for ELF, this system's /bin/true. The fuzzer runs a
bounded number of inputs; any crash, leak or sanitizer report fails.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seeds_text  # noqa: E402


def macho(be, is64, cpu, names, rpaths):
    e = ">" if be else "<"
    cmds = b""
    for i, n in enumerate(names):
        s = n.encode() + b"\0"
        size = (24 + len(s) + 7) & ~7
        cmd = [0xc, 0x80000018, 0x8000001f, 0x20, 0x80000023][i % 5]
        cmds += struct.pack(e + "IIIIII", cmd, size, 24, 0, 0, 0) + s.ljust(size - 24, b"\0")
    for r in rpaths:
        s = r.encode() + b"\0"
        size = (12 + len(s) + 7) & ~7
        cmds += struct.pack(e + "III", 0x8000001c, size, 12) + s.ljust(size - 12, b"\0")
    n = len(names) + len(rpaths)
    hdr = struct.pack(e + "IiiIIII", 0xfeedfacf if is64 else 0xfeedface, cpu, 0, 2, n,
                      len(cmds), 0)
    return hdr + (b"\0\0\0\0" if is64 else b"") + cmds


def fat(slices, is64):
    out = struct.pack(">II", 0xcafebabf if is64 else 0xcafebabe, len(slices))
    off, body = 4096, b""
    for cpu, data in slices:
        if is64:
            out += struct.pack(">iiQQII", cpu, 0, off, len(data), 12, 0)
        else:
            out += struct.pack(">iiIII", cpu, 0, off, len(data), 12)
        body += data.ljust(1024, b"\0")
        off += 1024
    return out.ljust(4096, b"\0") + body


def elf(be, is64, runpath, strsz=None):
    """strsz: a DT_STRSZ shorter than the names (Homebrew's libforty.so.0
    shape), which ld.so and the parser read past."""
    e = ">" if be else "<"
    strtab = b"\0libfoo.so.1\0$ORIGIN/../lib:/opt/lib\0/abs/libbar.so\0"
    ehsize, phsize = (64, 56) if is64 else (52, 32)
    interp_off, str_off, dyn_off, total, base = 0x100, 0x180, 0x200, 0x280, 0x10000
    ident = b"\x7fELF" + bytes([2 if is64 else 1, 2 if be else 1, 1]) + b"\0" * 9
    if is64:
        hdr = ident + struct.pack(e + "HHIQQQIHHHHHH", 3, 62, 1, 0, ehsize, 0, 0, ehsize,
                                  phsize, 3, 0, 0, 0)
        ph = lambda t, o, s: struct.pack(e + "IIQQQQQQ", t, 4, o, base + o, base + o, s, s, 8)
        dyn = lambda t, v: struct.pack(e + "qQ", t, v)
    else:
        hdr = ident + struct.pack(e + "HHIIIIIHHHHHH", 3, 3, 1, 0, ehsize, 0, 0, ehsize,
                                  phsize, 3, 0, 0, 0)
        ph = lambda t, o, s: struct.pack(e + "IIIIIIII", t, o, base + o, base + o, s, s, 4, 4)
        dyn = lambda t, v: struct.pack(e + "iI", t, v)
    img = bytearray(total)
    phdrs = ph(3, interp_off, 28) + struct.pack(e + ("IIQQQQQQ" if is64 else "IIIIIIII"),
                                                 1, 4 if is64 else 0, 0, base, base, total,
                                                 total, 8 if is64 else 4) + ph(2, dyn_off, 0x60)
    img[0:len(hdr)] = hdr
    img[ehsize:ehsize + len(phdrs)] = phdrs
    img[interp_off:interp_off + 28] = b"/lib64/ld-linux-x86-64.so.2\0"
    img[str_off:str_off + len(strtab)] = strtab
    d = dyn(1, 1) + dyn(1, 37) + dyn(5, base + str_off) + dyn(10, len(strtab) if strsz is None else strsz) + \
        dyn(29 if runpath else 15, 13) + dyn(0, 0)
    img[dyn_off:dyn_off + len(d)] = d
    return bytes(img)


def seeds(kind):
    if kind in TEXT_KINDS:
        yield from seeds_text.text_seeds(kind)
        return
    if kind == "macho":
        names = ["@rpath/libfoo.dylib", "/opt/x/lib/libw.dylib", "@loader_path/libr.dylib",
                 "@executable_path/../lib/libu.dylib", "/usr/lib/libSystem.B.dylib"]
        a = macho(False, True, 0x01000007, names, ["@loader_path/../lib"])
        b = macho(False, True, 0x0100000c, names[:2], ["/opt/lib", "@executable_path"])
        yield macho(True, False, 18, names, ["/r"])
        yield macho(False, False, 7, names[:3], [])
        yield macho(True, True, 0x01000012, names[1:], ["/a", "/b"])
        yield a
        yield fat([(0x01000007, a), (0x0100000c, b)], False)
        yield fat([(18, macho(True, False, 18, names, [])), (7, b)], True)
    else:
        for form in range(8):
            yield elf(form & 1, form & 2, form & 4)
        yield elf(0, 1, 1, strsz=12)
        with open(os.path.realpath("/bin/true"), "rb") as f:
            yield f.read()


TEXT_KINDS = ("plist", "shlex", "manifest", "config", "lcprint")


def main():
    kinds = ("macho", "elf") + TEXT_KINDS
    if len(sys.argv) < 3 or sys.argv[2] not in kinds:
        sys.exit("usage: run_fuzz.py FUZZER %s [options]" % "|".join(kinds))
    fuzzer, kind, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    # The targets that read a file write each input to one (fuzz_file.h),
    # and libFuzzer adds each new input to the corpus: in memory where
    # there is a tmpfs, so no input waits on a disk.
    shm = "/dev/shm"
    where = shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None
    with tempfile.TemporaryDirectory(prefix="relaunch-fuzz-", dir=where) as tmp:
        corpus = os.path.join(tmp, "corpus")
        os.makedirs(corpus)
        for i, data in enumerate(seeds(kind)):
            with open(os.path.join(corpus, "seed%02d" % i), "wb") as f:
                f.write(data)
        argv = [fuzzer, "-runs=20000", "-timeout=10", "-rss_limit_mb=1024",
                "-max_total_time=60", "-print_final_stats=1",
                "-artifact_prefix=" + tmp + "/"] + extra + [corpus]
        r = subprocess.run(argv, timeout=300, env=dict(os.environ, TMPDIR=tmp))
        if r.returncode != 0:
            for name in os.listdir(tmp):
                if name != "corpus":
                    shutil.copy(os.path.join(tmp, name), name)
                    print("crash input kept as", name)
        # libFuzzer exits 77 (-error_exitcode) on a finding, which meson
        # would take for a skip: any finding is a failure.
        sys.exit(1 if r.returncode else 0)


if __name__ == "__main__":
    main()
