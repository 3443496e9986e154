#!/usr/bin/env python3
"""Checks of tests/scenario.py (the .scn format, docs/testing.md), and that every scenario file parses."""
import os
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import scenario as S  # noqa: E402

GOOD = """# a comment
[scenario]
desc = two partitions
emulator = bochs-bios
cpus = 2
guests = mgmt flusher

[pass]
PASS scenario x
  minihv: summary: mgmt=ok

[fail]
FAIL

[input]
abc\\r<wait:x>
  def\\r

[partition mgmt]
# kept: minihv.cfg comment
role = management
image = elf mgmt.elf
module = steps.txt
cmdline = scenario=x

[steps x]
# first
ready
[steps y]
list
"""


class Parse(unittest.TestCase):
    def test_good(self):
        s = S.parse(GOOD, "x")
        self.assertEqual(s.emulator, "bochs-bios")
        self.assertEqual(s.number("cpus"), 2)
        self.assertEqual(s.number("megs"), 256)
        self.assertEqual(s.guests, ["mgmt", "flusher"])
        self.assertEqual(s.options, "emulator=bochs")
        self.assertEqual(s.pass_lines, ["PASS scenario x", "minihv: summary: mgmt=ok"])
        self.assertEqual(s.fail_lines, ["FAIL"])
        self.assertEqual(s.input, "abc\\r<wait:x>\ndef\\r")
        cfg = s.config_text().split("\n")
        self.assertEqual(cfg[0], "[partition mgmt]")  # line numbers count from the first partition
        self.assertIn("# kept: minihv.cfg comment", cfg)
        self.assertEqual(s.steps_text(), "[steps x]\n# first\nready\n[steps y]\nlist\n")
        self.assertFalse(s.cannot_run)

    def test_defaults(self):
        s = S.parse("[scenario]\nemulator = qemu-ovmf\n[pass]\nok\n", "d")
        self.assertIsNone(s.guests)
        self.assertEqual(s.options, "emulator=qemu")
        self.assertEqual(s.config_text(), "")
        self.assertEqual(S.parse("[scenario]\nemulator = qemu-ovmf\nguests =\n[pass]\nok\n", "d").guests, [])

    def bad(self, text, message):
        with self.assertRaises(S.ScenarioError) as e:
            S.parse(text, "b", "b.scn")
        self.assertIn(message, str(e.exception))

    def test_errors(self):
        ok = "[scenario]\nemulator = bochs-bios\n[pass]\nok\n"
        self.bad("[scenario]\nemulator = bochs\n[pass]\nok\n", "emulator = bochs;")
        self.bad(ok + "[scenario]\n", "b.scn:5: a second [scenario]")
        self.bad(ok.replace("[pass]\nok\n", ""), "no [pass] lines")
        self.bad("[scenario]\nemulator = bochs-bios\nncpu = 2\n[pass]\nok\n", "b.scn:3: expected KEY = VALUE")
        self.bad(ok + "[hypervisor]\noptions = x\n", "b.scn:5: no [hypervisor] section")
        self.bad(ok + "[steps]\n", "needs a name")
        self.bad(ok + "[steps a]\nlist\n", "no partition has module = steps.txt")
        self.bad(ok + "[bogus]\n", "unknown section [bogus]")
        self.bad("[scenario]\nemulator = qemu-ovmf\n[pass]\nok\n[input]\nx\n", "bochs-bios only")
        self.bad(ok.replace("[pass]", "cpus = 0\n[pass]"), "cpus = 0 is not a positive number")
        self.bad("junk\n" + ok, "b.scn:1: text before the first [section]")


class Files(unittest.TestCase):
    def test_every_scenario_parses(self):
        d = os.path.join(ROOT, "tests/scenarios")
        names = sorted(f for f in os.listdir(d) if f.endswith(".scn"))
        self.assertTrue(names)
        for f in names:
            s = S.load(os.path.join(d, f))
            for other in s.keys["include-steps"].split():
                S.load(os.path.join(d, other + ".scn"))


if __name__ == "__main__":
    unittest.main()
