#!/usr/bin/env python3
"""Boot media and emulator command lines for minihv, shared by tests/run and tools/run (docs/testing.md).

    tools/minihv_emu.py iso OUT.iso CONFIG CMDLINE MINIHV.ELF [FILE...]
    tools/minihv_emu.py esp OUT.img CONFIG MINIHV.EFI [FILE...]

iso: a GRUB rescue ISO (BIOS and UEFI El Torito) that boots minihv.elf with CMDLINE; the config and every
FILE (guest images, a partition's module) are multiboot2 modules named by their file names.
esp: a FAT EFI system partition image (no partition table: OVMF boots it as removable media) with
\\EFI\\BOOT\\BOOTX64.EFI, its minihv.cfg and every FILE next to it, where minihv.efi looks for them.

As a module: make_iso(), make_esp(), bochs_command(), qemu_command(), have_kvm_vmx(). Only the standard
library; the tools it runs are grub-mkrescue (grub-common, grub-pc-bin, grub-efi-amd64-bin, xorriso) and
mtools.
"""

import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OVMF_FD = "/usr/share/ovmf/OVMF.fd"
BOCHSRC = {"bios": os.path.join(ROOT, "tests/emu/bochsrc-bios.txt"),
           "ovmf": os.path.join(ROOT, "tests/emu/bochsrc-ovmf.txt")}
# QEMU's isa-debug-exit turns minihv's power-off codes into these exit statuses (core/power.c).
QEMU_EXIT = {33: "ok", 35: "cannot run", 37: "failed"}


class MediaError(Exception):
    pass


def make_iso(out, config, cmdline, elf, files=()):
    """GRUB ISO at out: minihv.elf (multiboot2) with cmdline, modules minihv.cfg and files."""
    if not shutil.which("grub-mkrescue"):
        raise MediaError("grub-mkrescue missing (apt-get install grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools)")
    with tempfile.TemporaryDirectory() as stage:
        os.makedirs(os.path.join(stage, "boot/grub"))
        os.makedirs(os.path.join(stage, "boot/files"))
        shutil.copy(elf, os.path.join(stage, "boot/minihv.elf"))
        shutil.copy(config, os.path.join(stage, "boot/minihv.cfg"))
        modules = ["  module2 --nounzip /boot/minihv.cfg minihv.cfg"]
        for f in files:
            name = os.path.basename(f)
            shutil.copy(f, os.path.join(stage, "boot/files", name))
            modules.append("  module2 --nounzip /boot/files/%s %s" % (name, name))
        grub_cfg = ("set timeout=0\nset default=0\nserial --unit=0 --speed=115200\n"
                    "terminal_input serial console\nterminal_output serial console\n"
                    'menuentry "minihv" {\n  multiboot2 /boot/minihv.elf %s\n%s\n  boot\n}\n'
                    % (cmdline, "\n".join(modules)))
        with open(os.path.join(stage, "boot/grub/grub.cfg"), "w") as g:
            g.write(grub_cfg)
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        r = subprocess.run(["grub-mkrescue", "-o", out, stage], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode:
            tail = r.stdout.decode(errors="replace").strip().splitlines()[-3:]
            raise MediaError("grub-mkrescue failed: " + " / ".join(tail))


def make_esp(out, config, efi, files=()):
    """FAT image at out: \\EFI\\BOOT\\BOOTX64.EFI, minihv.cfg and files beside it."""
    if not shutil.which("mformat"):
        raise MediaError("mtools missing (mformat, mmd, mcopy: apt-get install mtools)")
    items = [efi, config, *files]
    need_kib = sum(os.path.getsize(f) for f in items) // 1024 + 1
    mib = 32  # FAT16, which OVMF reads; doubled until the files fit
    while mib * 1024 < need_kib + need_kib // 8 + 1024:
        mib *= 2
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    tmp = "%s.tmp.%d" % (out, os.getpid())
    try:
        with open(tmp, "wb") as f:
            f.truncate(mib << 20)

        def mt(*args):
            r = subprocess.run(list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if r.returncode:
                raise MediaError("%s failed: %s" % (args[0], r.stdout.decode(errors="replace").strip()))

        mt("mformat", "-i", tmp, "-v", "MINIHV", "::")
        mt("mmd", "-i", tmp, "::/EFI", "::/EFI/BOOT")
        mt("mcopy", "-i", tmp, efi, "::/EFI/BOOT/BOOTX64.EFI")
        mt("mcopy", "-i", tmp, config, "::/EFI/BOOT/minihv.cfg")
        for f in files:
            mt("mcopy", "-i", tmp, f, "::/EFI/BOOT/" + os.path.basename(f))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def bochs_command(firmware, rundir, megs, cpus, medium, serial, bochs_cpu="corei7_skylake_x", com1=None):
    """(argv, env) for a headless Bochs run. firmware: "bios" (medium = ISO) or "ovmf" (medium = ESP image).
    The bochsrc (tests/emu/) takes its values from the environment; com1 replaces its com1: line (e.g. a
    socket for tests/serial-feeder), in which case the edited bochsrc is written to rundir/bochsrc.txt."""
    rc = BOCHSRC[firmware]
    if com1:
        with open(rc) as f:
            lines = f.read().split("\n")
        hits = [i for i, l in enumerate(lines) if l.startswith("com1:")]
        if len(hits) != 1:
            raise MediaError("%s: no single com1: line" % rc)
        lines[hits[0]] = "com1: " + com1
        rc = os.path.join(rundir, "bochsrc.txt")
        with open(rc, "w") as f:
            f.write("\n".join(lines))
    script = os.path.join(rundir, "bochs.rc")
    with open(script, "w") as f:
        f.write("c\n")  # the debugger's first command: continue
    env = {"TERM": "dumb", "MEGS": str(megs), "NCPU": str(cpus), "BOCHS_CPU": bochs_cpu, "ISO": medium,
           "DISK": medium, "ESP": medium, "SERIAL": serial, "LOG": os.path.join(rundir, "bochs.log"), "OVMF": OVMF_FD}
    return ["bochs", "-q", "-unlock", "-f", rc, "-rc", script], env


def qemu_command(boot, megs, cpus, serial, medium=None, elf=None, cmdline="", initrd=(), kvm=False):
    """argv for QEMU (q35, no display, COM1 to serial: a file name, or "stdio"). boot: "iso" (medium = GRUB
    ISO), "esp" (medium = ESP image, with OVMF) or "kernel" (-kernel elf via multiboot1 with cmdline;
    initrd: the config first, then the other files, as multiboot modules). kvm: -enable-kvm -cpu host
    (nested VMX), else TCG with -cpu max (no VMX: minihv says it cannot run)."""
    argv = ["qemu-system-x86_64", "-machine", "q35", "-m", str(megs), "-smp", str(cpus), "-no-reboot",
            "-display", "none", "-monitor", "none",
            "-serial", serial if serial == "stdio" else "file:" + serial,
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    argv += ["-enable-kvm", "-cpu", "host"] if kvm else ["-cpu", "max"]
    if boot == "iso":
        argv += ["-cdrom", medium, "-boot", "d"]
    elif boot == "esp":
        argv += ["-bios", OVMF_FD, "-drive", "format=raw,file=" + medium]
    elif boot == "kernel":
        argv += ["-kernel", elf, "-append", cmdline, "-initrd", ",".join(initrd)]
    else:
        raise ValueError(boot)
    return argv


def have_kvm_vmx():
    """(usable, why not): nested KVM needs a read-write /dev/kvm and a host CPU with vmx."""
    if not os.path.exists("/dev/kvm"):
        return False, "no /dev/kvm"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False, "/dev/kvm not usable"
    try:
        with open("/proc/cpuinfo") as f:
            if " vmx" in f.read():
                return True, ""
    except OSError:
        pass
    return False, "the host CPU has no vmx flag"


def main(argv):
    usage = __doc__.split("\n\n")[1]
    try:
        if len(argv) >= 5 and argv[0] == "iso":
            make_iso(argv[1], argv[2], argv[3], argv[4], argv[5:])
        elif len(argv) >= 4 and argv[0] == "esp":
            make_esp(argv[1], argv[2], argv[3], argv[4:])
        else:
            print("usage:\n" + usage, file=sys.stderr)
            return 2
    except (MediaError, OSError) as e:
        print("minihv_emu: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
