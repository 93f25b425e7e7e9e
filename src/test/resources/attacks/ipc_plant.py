# Attack: System V shared memory, message queue and semaphores under key 0x1337, and a POSIX message queue: none is a
# file in a directory the clean-up empties. A 64 MiB segment left behind would also take memory from later leases.
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
IPC_CREAT = 0o1000
shm = libc.shmget(0x1337, 64 << 20, IPC_CREAT | 0o600)
addr = libc.shmat(shm, None, 0)
ctypes.memmove(addr, b"secret of lease A", 17)
msq = libc.msgget(0x1337, IPC_CREAT | 0o600)
message = ctypes.create_string_buffer(b"\x01\x00\x00\x00\x00\x00\x00\x00secret of lease A")
libc.msgsnd(msq, message, 17, 0)
sem = libc.semget(0x1337, 1, IPC_CREAT | 0o600)
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
mq = libc.mq_open(b"/leak", os.O_CREAT | os.O_RDWR, 0o600, None)
libc.mq_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]
libc.mq_send(mq, b"secret of lease A", 17, 0)
print("planted", shm >= 0, msq >= 0, sem >= 0, mq >= 0)
