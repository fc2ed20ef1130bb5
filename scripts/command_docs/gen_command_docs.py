#!/usr/bin/env python3
"""Writes engine/commands/command_docs_table.cc (COMMAND DOCS rows) and
engine/commands/command_key_specs.cc (COMMAND INFO key specs) for every command the engine
registers, from the facts a running Debian redis-server 7.0 reports (since, group, complexity,
deprecation, argument names/types/tokens/flags, key specs) and the project's own summaries
(summaries.py). Redis's history entries are not reproduced.

  redis-server --port 16399 --save '' &
  python3 scripts/command_docs/gen_command_docs.py 16399

Rerun it when a command is registered (tests/integration/redis_compat/test_command_docs.py
fails until the new command has a row), the script clang-formats the two files."""
import os
import re
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summaries import HAND_WRITTEN, KEY_SPEC_NOTES, SUMMARIES  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Resp3:
    """Just enough RESP3 to read COMMAND DOCS / COMMAND INFO: maps stay ordered lists of pairs,
    sets and arrays become lists, status strings become str, bulk strings bytes."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.read()

    def line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(1 << 20)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read(self):
        line = self.line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(1 << 20)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode()
        if kind in (b"*", b"~"):
            return [self.read() for _ in range(int(rest))]
        if kind == b"%":
            return [(self.read(), self.read()) for _ in range(int(rest))]
        if kind == b"_":
            return None
        raise ValueError("unexpected reply %r" % line)


# Redis 7.0 subcommands the engine's containers do not implement (they answer "unknown
# subcommand"): left out of COMMAND DOCS and COMMAND INFO. test_command_docs.py checks this list
# against the engine, so a subcommand implemented later fails there until it is removed here.
UNIMPLEMENTED_SUBCOMMANDS = {
    "client|caching", "client|getredir", "client|help", "client|tracking",
    "client|trackinginfo", "function|help", "latency|histogram", "memory|purge",
    "script|debug", "script|help",
}


def engine_commands():
    names = set()
    for folder, _, files in os.walk(os.path.join(ROOT, "engine")):
        for f in files:
            if f.endswith(".cc"):
                text = open(os.path.join(folder, f)).read()
                names.update(re.findall(r'\bAdd\(\{"([a-z_|-]+)"', text))
    return sorted(names)


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ident(name):
    return re.sub(r"[^A-Za-z0-9]", "_", name)


ARG_TYPES = {"string": "kString", "integer": "kInteger", "double": "kDouble", "key": "kKey",
             "pattern": "kPattern", "unix-time": "kUnixTime", "pure-token": "kPureToken",
             "oneof": "kOneof", "block": "kBlock"}
ARG_FLAGS = {"optional": "kArgOptional", "multiple": "kArgMultiple",
             "multiple_token": "kArgMultipleToken"}


class DocsWriter:
    def __init__(self):
        self.arrays = []  # C++ definitions, children before parents

    def args(self, prefix, args):
        """Emits the array for one argument list; returns its name."""
        rows = []
        for i, arg in enumerate(args):
            a = dict(arg)
            children = "{}"
            if "arguments" in a:
                children = self.args("%s_%d" % (prefix, i), a["arguments"])
            flags = " | ".join(ARG_FLAGS[f] for f in a.get("flags", [])) or "0"
            fields = [cstr(a["name"]), ARG_TYPES[a["type"]], str(a.get("key_spec_index", -1)),
                      cstr(a.get("token", "")), flags, cstr(a.get("since", "")),
                      cstr(a.get("deprecated_since", "")), children]
            defaults = ['""', "0", '""', '""', "{}"]
            while len(fields) > 3 and fields[-1] == defaults[len(fields) - 4]:
                fields.pop()  # trailing fields at their default
            rows.append("{%s}" % ", ".join(fields))
        name = "k" + prefix
        self.arrays.append("constexpr ArgDoc %s[] = {%s};" % (name, ", ".join(rows)))
        return name

    def row(self, name, doc):
        d = dict(doc)
        args = self.args("Args_" + ident(name), d["arguments"]) if "arguments" in d else "{}"
        flags = " | ".join({"deprecated": "kDocDeprecated", "syscmd": "kDocSyscmd"}[f]
                           for f in d.get("doc_flags", [])) or "0"
        if name not in SUMMARIES:
            sys.exit("no summary for %s in summaries.py" % name)
        fields = [cstr(name), cstr(SUMMARIES[name]), cstr(d["since"]), cstr(d["group"]),
                  cstr(d.get("complexity", "")), args, flags,
                  cstr(d.get("deprecated_since", "")), cstr(d.get("replaced_by", ""))]
        defaults = ["{}", "0", '""', '""']
        while len(fields) > 5 and fields[-1] == defaults[len(fields) - 6]:
            fields.pop()
        return "    {%s}," % ", ".join(fields)


BEGIN = {"index": "kBeginIndex", "keyword": "kBeginKeyword", "unknown": "kBeginUnknown"}
FIND = {"range": "kFindRange", "keynum": "kFindKeynum", "unknown": "kFindUnknown"}
KEY_FLAGS = {"RO": "kKeyRO", "RW": "kKeyRW", "OW": "kKeyOW", "RM": "kKeyRM",
             "access": "kKeyAccess", "update": "kKeyUpdate", "insert": "kKeyInsert",
             "delete": "kKeyDelete", "not_key": "kKeyNotKey", "incomplete": "kKeyIncomplete",
             "variable_flags": "kKeyVariableFlags"}


def key_spec(name, index, spec):
    s = dict(spec)
    flags = " | ".join(KEY_FLAGS[f] for f in s["flags"])
    begin, find = dict(s["begin_search"]), dict(s["find_keys"])
    bspec, fspec = dict(begin["spec"]), dict(find["spec"])
    if begin["type"] == "index":
        b = "%s, %d, {}" % (BEGIN["index"], bspec["index"])
    elif begin["type"] == "keyword":
        b = "%s, %d, %s" % (BEGIN["keyword"], bspec["startfrom"], cstr(bspec["keyword"]))
    else:
        b = "%s, 0, {}" % BEGIN["unknown"]
    if find["type"] == "range":
        f = "%s, {%d, %d, %d}" % (FIND["range"], fspec["lastkey"], fspec["keystep"],
                                  fspec["limit"])
    elif find["type"] == "keynum":
        f = "%s, {%d, %d, %d}" % (FIND["keynum"], fspec["keynumidx"], fspec["firstkey"],
                                  fspec["keystep"])
    else:
        f = "%s, {0, 0, 0}" % FIND["unknown"]
    note = ""
    if "notes" in s:
        if (name, index) not in KEY_SPEC_NOTES:
            sys.exit("no note for %s key spec %d in summaries.py" % (name, index))
        note = ", " + cstr(KEY_SPEC_NOTES[(name, index)])
    return "{%s, %s, %s%s}" % (flags, b, f, note)


# The command flags the engine models (command.h), by Redis's name.
COMMAND_FLAGS = {"write": "kWrite", "readonly": "kReadonly", "denyoom": "kDenyOom",
                 "admin": "kAdmin", "noscript": "kNoScript", "blocking": "kMayBlock",
                 "no_auth": "kNoAuth", "skip_slowlog": "kNoSlowlog", "fast": "kFast"}


def info_rows(info):
    """COMMAND INFO rows by name, subcommands ("config|get") included."""
    rows = {}
    for row in info:
        rows[row[0]] = row
        for sub in row[9]:
            rows[sub[0]] = sub
    return rows


HEADER = """// Generated by scripts/command_docs/gen_command_docs.py from Debian's redis-server 7.0
// (facts: since, group, complexity, deprecation, arguments) and the project's own summaries
// (scripts/command_docs/summaries.py). Data only: one row per command or subcommand.
"""


def write_docs(names, docs):
    w = DocsWriter()
    rows = []
    for name in names:
        doc = dict(docs[name])
        rows.append(w.row(name, doc))
        for sub, subdoc in sorted(dict(doc).get("subcommands", [])):  # stable, by name
            if sub not in UNIMPLEMENTED_SUBCOMMANDS:
                rows.append(w.row(sub, subdoc))
    out = HEADER + """#include "engine/commands/command_docs.h"

namespace strongbox::engine {
namespace {

using enum ArgType;

""" + "\n".join(w.arrays) + """

constexpr CommandDoc kDocs[] = {
""" + "\n".join(rows) + """
};

}  // namespace

std::span<const CommandDoc> AllCommandDocs() { return kDocs; }

}  // namespace strongbox::engine
"""
    open(os.path.join(ROOT, "engine/commands/command_docs_table.cc"), "w").write(out)


def write_key_specs(names, info):
    rows, arrays = [], []
    for name in names:
        row = info[name]
        subs = sorted(r for r in row[9] if r[0] not in UNIMPLEMENTED_SUBCOMMANDS)
        for r in [row] + subs:
            specs = [key_spec(r[0], i, s) for i, s in enumerate(r[8])]
            array = "{}"
            if specs:
                array = "kKeys_" + ident(r[0])
                arrays.append("constexpr KeySpec %s[] = {%s};" % (array, ", ".join(specs)))
            tips = cstr(" ".join(r[7]))
            flags = "0"
            if "|" in r[0]:  # the registry holds the container's flags, not the subcommand's
                flags = " | ".join(COMMAND_FLAGS[f] for f in r[2] if f in COMMAND_FLAGS) or "0"
            fields = [cstr(r[0]), str(r[1]), array, tips, flags]
            while len(fields) > 3 and fields[-1] in ('""', "0"):
                fields.pop()
            rows.append("    {%s}," % ", ".join(fields))
    header = HEADER.replace("(facts: since, group, complexity, deprecation, arguments)",
                            "(arity, tips, key specs; a subcommand's flags)")
    out = header + """#include "engine/commands/command_keys.h"

namespace strongbox::engine {
namespace {

""" + "\n".join(arrays) + """

constexpr CommandKeySpecs kKeySpecs[] = {
""" + "\n".join(rows) + """
};

}  // namespace

std::span<const CommandKeySpecs> AllCommandKeySpecs() { return kKeySpecs; }

}  // namespace strongbox::engine
"""
    open(os.path.join(ROOT, "engine/commands/command_key_specs.cc"), "w").write(out)


def main():
    r = Resp3(int(sys.argv[1]))
    r.call("HELLO", "3")
    docs = dict(r.call("COMMAND", "DOCS"))
    info = info_rows(r.call("COMMAND", "INFO"))
    names = engine_commands()
    for name, facts in HAND_WRITTEN.items():
        if name not in docs:
            docs[name], info[name] = facts["docs"], facts["info"]
    missing = [n for n in names if n not in docs]
    if missing:
        sys.exit("Redis 7.0 has no docs for %s: write their rows by hand" % missing)
    write_docs(names, docs)
    write_key_specs(names, info)
    for f in ("command_docs_table.cc", "command_key_specs.cc"):
        subprocess.run(["clang-format", "-i", os.path.join(ROOT, "engine/commands", f)], check=True)


if __name__ == "__main__":
    main()
