#!/usr/bin/env python3
# runadvice.py: carry out the fix that sendmail-check or sendmail-setup
# printed, exactly as printed, the way an admin would: each edit made in
# its file, each configuration snippet pasted, each command run in a shell
# (trustbuild on the PATH).  Used by tests/e2e/sendmail_advice.sh.
#   runadvice.py json FILE   the "steps" of every finding of --json output
#   runadvice.py text FILE   the numbered steps of the text output
# Prints what it did; exits 1 when a command fails or a step is malformed.
import json
import subprocess
import sys


def edit(kind, path, line, text):
    with open(path) as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if kind == "replace":
        if not 1 <= line <= len(lines):
            sys.exit("runadvice: %s has no line %d" % (path, line))
        lines[line - 1] = text
    elif line == 0:
        lines.append(text)
    else:
        lines.insert(line - 1, text)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def step(kind, path, line, text):
    print("step: %s %s %s" % (kind, path or "", line or ""))
    if kind in ("replace", "insert"):
        edit(kind, path, line, text)
    elif kind == "conf":
        with open(path, "a") as f:
            f.write("\n" + text.rstrip("\n") + "\n")
    elif kind == "run":
        print("run: %s" % text, flush=True)
        if subprocess.run(text, shell=True).returncode not in (0, 2):
            sys.exit("runadvice: '%s' failed" % text)
    else:
        sys.exit("runadvice: unknown step %r" % kind)


def from_json(path):
    with open(path) as f:
        d = json.load(f)
    for f in d["findings"]:
        for s in f.get("steps", []):
            step(s["do"], s.get("file"), s.get("line", 0), s["text"])


def from_text(path):
    # "  N. in FILE, replace line L with:" / "  N. in FILE, before line L,
    # add:" / "  N. at the end of FILE, add:" then the line; "  N. add to
    # FILE:" then the snippet's lines; "  N. run: CMD"
    import re
    lines = open(path).read().split("\n")
    i = 0
    while i < len(lines):
        l = lines[i].strip()
        i += 1
        m = re.match(r"^\d+\. (.*)$", l)
        if not m:
            continue
        s = m.group(1)
        if s.startswith("run: "):
            step("run", None, 0, s[5:])
            continue
        m = re.match(r"^in (.*), replace line (\d+) with:$", s)
        if m:
            step("replace", m.group(1), int(m.group(2)), lines[i].strip())
            i += 1
            continue
        m = re.match(r"^in (.*), before line (\d+), add:$", s)
        if m:
            step("insert", m.group(1), int(m.group(2)), lines[i].strip())
            i += 1
            continue
        m = re.match(r"^at the end of (.*), add:$", s)
        if m:
            step("insert", m.group(1), 0, lines[i].strip())
            i += 1
            continue
        m = re.match(r"^add to (.*):$", s)
        if m:
            snippet = []
            while i < len(lines) and lines[i].startswith("                "):
                snippet.append(lines[i].strip())
                i += 1
            step("conf", m.group(1), 0, "\n".join(snippet))
            continue
        sys.exit("runadvice: a step it cannot carry out: %r" % s)


if __name__ == "__main__":
    {"json": from_json, "text": from_text}[sys.argv[1]](sys.argv[2])
