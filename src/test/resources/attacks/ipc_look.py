# What lease B finds of lease A's IPC objects: None where nothing is left.
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
found = {}
shm = libc.shmget(0x1337, 0, 0)
if shm >= 0:
    addr = libc.shmat(shm, None, 0)
    found["shm"] = ctypes.string_at(addr, 17).decode(errors="replace")
msq = libc.msgget(0x1337, 0)
if msq >= 0:
    found["msg"] = "queue"
if libc.semget(0x1337, 0, 0) >= 0:
    found["sem"] = "set"
found["mqueue"] = sorted(os.listdir("/dev/mqueue"))
found["sysvipc"] = [len(open("/proc/sysvipc/" + k).read().splitlines()) - 1 for k in ("shm", "msg", "sem")]
print(found)
