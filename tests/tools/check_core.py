#!/usr/bin/python3
"""check_core.py DIR NAME: the FuseSoC core DIR/NAME.core against DIR/NAME.f.

Parses the core with PyYAML (python3-yaml) and checks: the first line is the
CAPI=2 tag; the rtl fileset lists the .f's files in its order, each present;
the constraints fileset holds the SDC; targets lint (verilator, -Wall),
sim (icarus, -g2005) and synth (yosys) exist, each toplevel a module of its
files.  Prints one line per problem; exit 1 if any."""
import os
import re
import sys

import yaml


def main():
    d, name = sys.argv[1], sys.argv[2]
    path = os.path.join(d, name + ".core")
    bad = []
    with open(path) as f:
        text = f.read()
    if not text.startswith("CAPI=2:\n"):
        bad.append("first line is not CAPI=2:")
    core = yaml.safe_load(text)
    with open(os.path.join(d, name + ".f")) as f:
        flist = [l.strip() for l in f if l.strip() and not l.startswith("//")]
    rtl = core["filesets"]["rtl"]
    if rtl["files"] != flist:
        bad.append("rtl files %s differ from the .f's %s" % (rtl["files"], flist))
    if rtl.get("file_type") != "verilogSource":
        bad.append("rtl file_type %r" % rtl.get("file_type"))
    for fn in rtl["files"]:
        if not os.path.isfile(os.path.join(d, fn)):
            bad.append("missing file " + fn)
    if core["filesets"]["constraints"]["files"] != [name + ".sdc"]:
        bad.append("constraints are not the SDC")
    modules = set()
    for fn in flist:
        with open(os.path.join(d, fn)) as f:
            modules.update(re.findall(r"^module (\w+)", f.read(), re.M))
    want = {"lint": ("verilator", "verilator_options", "-Wall"),
            "sim": ("icarus", "iverilog_options", "-g2005"),
            "synth": ("yosys", "arch", None)}
    for t, (tool, key, val) in want.items():
        tg = core["targets"].get(t)
        if not tg:
            bad.append("no target " + t)
            continue
        if tg.get("default_tool") != tool:
            bad.append("%s: default_tool %r, not %s" % (t, tg.get("default_tool"), tool))
        opt = tg.get("tools", {}).get(tool, {}).get(key)
        if opt is None or (val is not None and val not in opt):
            bad.append("%s: %s.%s is %r" % (t, tool, key, opt))
        if tg.get("toplevel") not in modules:
            bad.append("%s: toplevel %r is no module of the files" % (t, tg.get("toplevel")))
        if "rtl" not in tg.get("filesets", []):
            bad.append("%s: no rtl fileset" % t)
    for b in bad:
        print("%s: %s" % (path, b))
    if not bad:
        print("%s: %d files, targets %s" % (path, len(flist), " ".join(sorted(core["targets"]))))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
