# PID 1 of a sandbox container: reaps orphans as soon as they exit (zombies count against the pids limit) and ends at
# once on SIGTERM. Injected with `sandboxpool-python3 -I -c`, an execute-only interpreter, so the kernel makes it
# non-dumpable from its first instruction: user code (same uid) can neither ptrace it nor open its /proc files.
# PID 1 is the one process a clean-up never kills, so this is what keeps a lease from planting a successor there.
import ctypes, os, signal

ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: kept so even if the image's interpreter were readable
# Nothing of the sandbox reaches the container's log (on the host, outside every output cap): no stdio at all.
null = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)
os.close(null)
# Both are taken by sigwait, never by a handler: a handler would run only between two waits, and the wait for a
# child would hold a SIGTERM back until the next child ended.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD, signal.SIGTERM})
while True:
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass
    if signal.sigwait({signal.SIGCHLD, signal.SIGTERM}) == signal.SIGTERM:
        os._exit(0)  # the kernel ends every other process of the sandbox with PID 1
