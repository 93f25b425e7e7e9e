# The in-sandbox runner: injected with `python3 -c` at execution time, so any image with python3 works.
# Protocol on its stdin: one line with the byte length of a JSON request, then the request.
# Its stdout carries exactly one line: the request's nonce, a space, and the JSON result.
# User code never holds the runner's stdout (its own stdout/stderr are pipes read here) and the runner is
# not dumpable, so user output cannot forge a result; the nonce makes a stray line harmless too.
import json, os, resource, selectors, signal, subprocess, sys, time

BOOT = ("import os,sys,__main__,linecache;f=os.fdopen(%d,'rb');s=f.read().decode();f.close();"
        "sys.argv=['main.py'];linecache.cache['main.py']=(len(s),None,s.splitlines(True),'main.py');"
        "exec(compile(s,'main.py','exec'),__main__.__dict__)")


def not_dumpable():
    try:
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:
        pass


def read_request():
    header = sys.stdin.buffer.readline()
    return json.loads(sys.stdin.buffer.read(int(header)))


def write_files(workdir, files):
    for name, content in (files or {}).items():
        path = os.path.join(workdir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content)


def limits(fsize):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def run(req):
    workdir = req.get("workdir", "/workspace")
    write_files(workdir, req.get("files"))
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": workdir, "LANG": "C.UTF-8",
           "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(req.get("env") or {})
    cap = int(req["maxOutputBytes"])
    code_r, code_w = os.pipe()
    started = time.monotonic()
    deadline = started + float(req["timeoutSeconds"])
    proc = subprocess.Popen([sys.executable, "-c", BOOT % code_r], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=workdir, env=env, pass_fds=(code_r,),
                            start_new_session=True, preexec_fn=limits(int(req.get("maxFileBytes", 64 << 20))))
    os.close(code_r)
    with os.fdopen(code_w, "wb") as f:
        f.write(req["code"].encode())
    out = {proc.stdout.fileno(): bytearray(), proc.stderr.fileno(): bytearray()}
    sel = selectors.DefaultSelector()
    for fd in out:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    # A pidfd turns readable when the program exits: background processes it left may hold its pipes open,
    # and the execution ends with the program, not with them.
    exited = os.pidfd_open(proc.pid)
    sel.register(exited, selectors.EVENT_READ)
    pending_in = (req.get("stdin") or "").encode()
    if pending_in:
        os.set_blocking(proc.stdin.fileno(), False)
        sel.register(proc.stdin.fileno(), selectors.EVENT_WRITE)
    else:
        proc.stdin.close()
    timed_out = truncated = False
    drain_until = None
    while not truncated:
        now = time.monotonic()
        if now >= deadline:
            timed_out = True
            break
        if drain_until is not None and (now >= drain_until or not any(fd in out for fd in sel.get_map())):
            break
        for key, _ in sel.select(min(deadline, drain_until or deadline) - now):
            fd = key.fd
            if fd == exited:
                sel.unregister(fd)
                drain_until = time.monotonic() + 0.05
            elif fd in out:
                chunk = os.read(fd, 65536)
                if not chunk:
                    sel.unregister(fd)
                    continue
                room = cap - len(out[fd])
                out[fd] += chunk[:max(room, 0)]
                if len(chunk) > room:
                    truncated = True  # a flood is stopped here, not drained
            else:
                try:
                    pending_in = pending_in[os.write(fd, pending_in[:65536]):]
                except BrokenPipeError:
                    pending_in = b""
                if not pending_in:
                    sel.unregister(fd)
                    proc.stdin.close()
    os.close(exited)
    # Whatever the execution started in its own session goes with it: on timeout and flood the program
    # too. A timed-out execution takes its whole tree, daemons that left the session included: every
    # process but PID 1 and this runner (one execution runs per sandbox at a time).
    kill_group(proc.pid)
    if timed_out:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
    code = proc.wait()
    return {"stdout": out[proc.stdout.fileno()].decode("utf-8", "replace"),
            "stderr": out[proc.stderr.fileno()].decode("utf-8", "replace"),
            "exitCode": 128 - code if code < 0 else code,
            "timedOut": timed_out, "truncated": truncated,
            "durationMs": int((time.monotonic() - started) * 1000)}


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def main():
    not_dumpable()
    req = read_request()
    try:
        result = run(req)
    except Exception as e:  # reported, never swallowed: the caller sees a runner error
        result = {"error": "%s: %s" % (type(e).__name__, e)}
    sys.stdout.write(req["nonce"] + " " + json.dumps(result) + "\n")
    sys.stdout.flush()


main()
