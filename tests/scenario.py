#!/usr/bin/env python3
"""A scenario file, tests/scenarios/NAME.scn: everything one boot scenario needs (docs/testing.md).

The file is made of [sections]; a line starting with '#' is a comment everywhere except inside the
minihv.cfg sections, which are copied verbatim (comments included) into the minihv.cfg of the run.

    [scenario]          key = value lines: how to boot and judge (KEYS below)
    [pass]              lines that must all appear in the serial log (substrings)
    [fail]              lines none of which may appear
    [input]             keystrokes for COM1 (tests/serial-feeder syntax; line breaks are ignored)
    [partition NAME]    minihv.cfg, verbatim: the partitions of the run (docs/config.md)
    [steps NAME]        a step list for the management partition (docs/api.md); all of them go into the
                        file steps.txt on the boot medium, which `module = steps.txt` hands to it

Parsing is pure (no files but the one read, no processes) so that it can be checked on its own.
"""

import os
import re
import sys

EMULATORS = ("bochs-bios", "bochs-ovmf", "qemu-ovmf", "qemu-kernel", "qemu-kvm")
REQUIRES = ("kvm-vmx",)

# [scenario] keys: name -> (default, meaning). None: not set.
KEYS = {
    "desc": ("", "one line for tests/run --list"),
    "emulator": (None, "|".join(EMULATORS) + " (required)"),
    "cpus": ("1", "number of CPUs of the emulated machine"),
    "megs": ("256", "MiB of RAM of the emulated machine"),
    "timeout": ("60", "seconds before the run is killed and fails"),
    "guests": (None, "guest images (names without .elf) on the boot medium; absent: all; empty: none"),
    "options": (None, "hypervisor command line; default emulator=bochs or emulator=qemu"),
    "cannot-run": ("no", "yes: 'minihv: cannot run' is expected (otherwise it fails the scenario)"),
    "exit-status": ("", "the emulator's exit status the run must end with"),
    "requires": ("", "kvm-vmx: SKIP unless /dev/kvm works and the host CPU has vmx"),
    "bochs-cpu": ("corei7_skylake_x", "Bochs CPU model"),
    "include-steps": ("", "names of other scenarios whose [steps] lists also go into steps.txt"),
    "prepare": ("", "hooks of tests/run (PREPARE_HOOKS) that fetch or build more files for the boot medium"),
}

STEPS_FILE = "steps.txt"
CONFIG_SECTION = re.compile(r"^\s*\[\s*(partition\b[^\]]*|hypervisor)\s*\]\s*$")
SECTION = re.compile(r"^\[\s*([a-z]+)(?:\s+(\S+))?\s*\]\s*$")


class ScenarioError(Exception):
    """A scenario file that cannot be run as written; the message names the file and line."""


class Scenario:
    def __init__(self, name, path):
        self.name = name
        self.path = path
        self.keys = {k: v[0] for k, v in KEYS.items()}
        self.pass_lines = []
        self.fail_lines = []
        self.input_lines = []
        self.config_lines = []  # minihv.cfg, from the first [partition] header on
        self.steps = {}         # name -> list of lines (the section's text, comments included)
        self.steps_order = []

    # Typed views of the keys.
    @property
    def emulator(self):
        return self.keys["emulator"]

    def number(self, key):
        return int(self.keys[key])

    @property
    def guests(self):
        g = self.keys["guests"]
        return None if g is None else g.split()

    @property
    def options(self):
        o = self.keys["options"]
        if o is None:
            return "emulator=bochs" if self.emulator.startswith("bochs") else "emulator=qemu"
        return o

    @property
    def input(self):
        """The INPUT script for tests/serial-feeder, or '' (its line breaks are ignored by the feeder)."""
        return "\n".join(self.input_lines)

    def config_text(self):
        return "".join(line + "\n" for line in self.config_lines)

    def steps_text(self, extra=()):
        """steps.txt: this scenario's [steps] sections, then those of extra (other Scenario objects)."""
        out = []
        for s in (self, *extra):
            for name in s.steps_order:
                out.append("[steps %s]\n" % name)
                out.extend(line + "\n" for line in s.steps[name])
        return "".join(out)


def _bool(s, what, where):
    if s in ("yes", "1", "true"):
        return True
    if s in ("no", "0", "false", ""):
        return False
    raise ScenarioError("%s: %s must be yes or no, not '%s'" % (where, what, s))


def parse(text, name, path="<text>"):
    """Parses the text of NAME.scn. Raises ScenarioError with the file and line of the first problem."""
    s = Scenario(name, path)
    section, arg = None, None
    seen = set()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        where = "%s:%d" % (path, n)
        m = SECTION.match(line)
        if m and m.group(1) not in ("partition", "hypervisor"):
            section, arg = m.group(1), m.group(2)
            if section not in ("scenario", "pass", "fail", "input", "steps"):
                raise ScenarioError("%s: unknown section [%s] (scenario, pass, fail, input, partition NAME, "
                                    "steps NAME)" % (where, line.strip()[1:-1]))
            if section == "steps":
                if not arg:
                    raise ScenarioError("%s: [steps] needs a name: [steps NAME]" % where)
                if arg in s.steps:
                    raise ScenarioError("%s: a second [steps %s]" % (where, arg))
                s.steps[arg] = []
                s.steps_order.append(arg)
            elif arg:
                raise ScenarioError("%s: [%s] takes no name" % (where, section))
            elif section in seen:
                raise ScenarioError("%s: a second [%s] section" % (where, section))
            seen.add(section)
            continue
        if CONFIG_SECTION.match(line):
            if "hypervisor" in line:
                raise ScenarioError("%s: no [hypervisor] section in a scenario: set options = in [scenario]" % where)
            section = "config"
        if section == "config":
            s.config_lines.append(line)
            continue
        if section == "steps":
            s.steps[arg].append(line)
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if section is None:
            raise ScenarioError("%s: text before the first [section]: '%s'" % (where, stripped))
        if section == "scenario":
            key, eq, value = stripped.partition("=")
            key, value = key.strip(), value.strip()
            if not eq or key not in KEYS:
                raise ScenarioError("%s: expected KEY = VALUE with KEY one of %s" % (where, ", ".join(KEYS)))
            s.keys[key] = value
        elif section == "pass":
            s.pass_lines.append(stripped)
        elif section == "fail":
            s.fail_lines.append(stripped)
        elif section == "input":
            s.input_lines.append(stripped)
    _check(s)
    return s


def _check(s):
    where = s.path
    if s.emulator not in EMULATORS:
        raise ScenarioError("%s: emulator = %s; expected one of %s" % (where, s.emulator, ", ".join(EMULATORS)))
    for key in ("cpus", "megs", "timeout"):
        if not s.keys[key].isdigit() or int(s.keys[key]) == 0:
            raise ScenarioError("%s: %s = %s is not a positive number" % (where, key, s.keys[key]))
    if s.keys["exit-status"] and not s.keys["exit-status"].isdigit():
        raise ScenarioError("%s: exit-status = %s is not a number" % (where, s.keys["exit-status"]))
    if s.keys["requires"] and s.keys["requires"] not in REQUIRES:
        raise ScenarioError("%s: requires = %s (known: %s)" % (where, s.keys["requires"], ", ".join(REQUIRES)))
    s.cannot_run = _bool(s.keys["cannot-run"], "cannot-run", where)
    if not s.pass_lines:
        raise ScenarioError("%s: no [pass] lines: a scenario must say what shows that it passed" % where)
    if s.input_lines and s.emulator != "bochs-bios":
        raise ScenarioError("%s: [input] works with emulator = bochs-bios only" % where)
    if s.steps and not any(re.match(r"\s*module\s*=\s*%s\s*$" % re.escape(STEPS_FILE), l) for l in s.config_lines):
        raise ScenarioError("%s: [steps] lists but no partition has module = %s" % (where, STEPS_FILE))


def load(path):
    name = os.path.basename(path)
    if name.endswith(".scn"):
        name = name[:-4]
    with open(path, encoding="utf-8") as f:
        return parse(f.read(), name, path)


def main(argv):
    """tests/scenario.py config|steps FILE.scn: prints the minihv.cfg or steps.txt a scenario boots with
    (its own [steps] lists; tests/run adds those of include-steps)."""
    if len(argv) != 2 or argv[0] not in ("config", "steps"):
        print("usage: tests/scenario.py config|steps FILE.scn", file=sys.stderr)
        return 2
    try:
        s = load(argv[1])
    except (ScenarioError, OSError) as e:
        print("tests/scenario.py: %s" % e, file=sys.stderr)
        return 1
    sys.stdout.write(s.config_text() if argv[0] == "config" else s.steps_text())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
