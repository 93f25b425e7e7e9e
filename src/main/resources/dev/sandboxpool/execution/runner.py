# The in-sandbox runner, passed with `python3 -c` (any image with python3 works).
#
# Protocol on stdin: a line with the byte length of a JSON request, then the request. For each request, one line
# on stdout: the request's nonce, a space, the JSON result. With the argument `serve` it answers requests until
# stdin closes (the persistent runner, started once per member and kept attached); without, it answers one.
#
# Requests: {"op": "run", ...execution...} | {"op": "clean", "dirs": [...]} | {"op": "ping"}. An execution runs
# Python "code", or a command ("argv", e.g. the pool's health probe) with the same limits and capture; with
# "cleanAfter": [dirs] the clean-up follows it before the answer.
#
# Each execution runs in a child forked from this already initialised interpreter (no interpreter start-up per
# execution), in its own session, with rlimits, in the work dir. User code never holds the runner's stdout: the
# child's 0/1/2 are pipes read here and every other descriptor is closed in the child. The runner is not dumpable,
# so user code (same uid) can neither ptrace it nor open its /proc fds; the nonce makes a stray line harmless.
# The runner keeps no state between requests that user code could alter: children are separate processes.
import builtins, gc, io, json, linecache, os, resource, selectors, signal, sys, time, traceback, types
# (everything a child needs is imported here, once: children are forks and inherit it instead of importing it anew)

MAXFD = 1024
WORKDIR = "/workspace"
CHILD_STDIO = ()
ADDRESS_SPACE = None


def address_space_limit():
    """Four times the sandbox's memory limit (from its cgroup, v2 or v1), at least 1 GiB; None without a limit. The
    cgroup bounds real memory; this only turns an absurd allocation into a MemoryError instead of an OOM kill, and
    leaves room for the address space that threads and allocators reserve without using."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                value = f.read().strip()
        except OSError:
            continue
        if value.isdigit() and int(value) < 1 << 50:
            return max(4 * int(value), 1 << 30)
    return None


def base_env(workdir):
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": workdir, "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def not_dumpable():
    try:
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except Exception:
        pass


def read_request(stdin):
    header = stdin.readline()
    if not header:
        return None
    return json.loads(stdin.read(int(header)))


def write_files(workdir, files):
    for name, content in (files or {}).items():
        path = os.path.join(workdir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content)


def child(req, stdin_r, out_w, err_w):
    """In the forked child: become the user's program. Never returns."""
    code = 1
    try:
        os.setsid()
        fsize = int(req.get("maxFileBytes", 64 << 20))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # CPU time: a backstop behind the clock (the runner kills at the time limit, before this is reached)
        cpu = int(-(-float(req.get("timeoutSeconds", 60)) // 1)) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        if ADDRESS_SPACE:
            resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        # No RLIMIT_NPROC: it counts every process of the uid on the host, and all sandboxes share one uid, so one
        # sandbox's fork bomb would stop the others from forking. The pids cgroup bounds each sandbox instead.
        os.dup2(stdin_r, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.closerange(3, MAXFD)
        workdir = req.get("workdir", WORKDIR)
        os.chdir(workdir)
        if workdir != WORKDIR or req.get("env"):
            os.environ.clear()
            os.environ.update(base_env(workdir))
            os.environ.update(req.get("env") or {})
        # the runner built these for fds 0-2 and never used them: the pipes just put there
        sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__ = CHILD_STDIO
        if req.get("argv"):  # a command: it starts with the signal dispositions a new process has
            try:
                os.execvp(req["argv"][0], req["argv"])
            except OSError as e:
                print("cannot run %s: %s" % (req["argv"][0], e), file=sys.stderr)
                code = 127
                return
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as in any Python program: BrokenPipeError, not death
        src = req["code"]
        main = types.ModuleType("__main__")
        main.__builtins__ = builtins
        main.__file__ = "main.py"
        sys.modules["__main__"] = main
        sys.argv = ["main.py"]
        linecache.cache["main.py"] = (len(src), None, src.splitlines(True), "main.py")
        try:
            exec(compile(src, "main.py", "exec"), main.__dict__)
            code = 0
        except SystemExit as e:
            if e.code is None:
                code = 0
            elif isinstance(e.code, int):
                code = e.code & 0xFF
            else:
                print(e.code, file=sys.stderr)
                code = 1
        except BaseException as e:
            tb = e.__traceback__.tb_next  # from the user's code on, not the runner's frame
            traceback.print_exception(type(e), e, tb)
            code = 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
    finally:
        os._exit(code)


def run(req):
    workdir = req.get("workdir", WORKDIR)
    write_files(workdir, req.get("files"))
    cap = int(req["maxOutputBytes"])
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    started = time.monotonic()
    deadline = started + float(req["timeoutSeconds"])
    pid = os.fork()
    if pid == 0:
        child(req, in_r, out_w, err_w)
    for fd in (in_r, out_w, err_w):
        os.close(fd)
    out = {out_r: bytearray(), err_r: bytearray()}
    sel = selectors.DefaultSelector()
    for fd in out:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    # A pidfd turns readable when the program exits: background processes it left may hold its pipes open,
    # and the execution ends with the program, not with them.
    exited = os.pidfd_open(pid)
    sel.register(exited, selectors.EVENT_READ)
    pending_in = (req.get("stdin") or "").encode()
    os.set_blocking(in_w, False)
    if pending_in:
        sel.register(in_w, selectors.EVENT_WRITE)
    else:
        os.close(in_w)
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
                    os.close(fd)
    for fd in list(sel.get_map()):
        if fd != exited:
            sel.unregister(fd)
    sel.close()
    if pending_in:
        os.close(in_w)
    os.close(exited)
    # Whatever the execution started in its own session goes with it: on timeout and flood the program
    # too. A timed-out execution takes its whole tree, daemons that left the session included: every
    # process but PID 1 and this runner (one execution runs per sandbox at a time).
    kill_group(pid)
    if timed_out:
        kill_all_others()
    _, status = os.waitpid(pid, 0)
    for fd in out:
        os.close(fd)
    code = os.waitstatus_to_exitcode(status)
    return {"stdout": out[out_r].decode("utf-8", "replace"),
            "stderr": out[err_r].decode("utf-8", "replace"),
            "exitCode": 128 - code if code < 0 else code,
            "timedOut": timed_out, "truncated": truncated,
            "durationMs": int((time.monotonic() - started) * 1000)}


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_all_others():
    """SIGKILL to every process we may signal but PID 1 and ourselves (kill(-1) spares the caller)."""
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:
        pass


def others_alive():
    me = os.getpid()
    alive = []
    for p in os.listdir("/proc"):
        if p.isdigit() and int(p) not in (1, me):
            try:
                with open("/proc/%s/stat" % p) as f:
                    if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                        alive.append(p)
            except OSError:
                pass
    return alive


def remove(path):
    # user code may have taken its own permissions away from what it made: give them back, then delete
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, 0o700)
        for name in os.listdir(path):
            remove(os.path.join(path, name))
        os.rmdir(path)
    else:
        os.unlink(path)


def clean(req):
    """Back to the warm, empty state: every other process killed, the writable dirs emptied, both verified."""
    for _ in range(50):
        kill_all_others()
        # reap our own children; orphans are reaped by PID 1
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        if not others_alive():
            break
        time.sleep(0.02)
    else:
        return {"error": "processes survived: " + " ".join(others_alive())}
    for root in req.get("dirs", []):
        if not os.path.isdir(root):
            continue
        for name in os.listdir(root):
            remove(os.path.join(root, name))
        if os.listdir(root):
            return {"error": "not empty: " + root}
    return {"clean": True}


def answer(req):
    op = req.get("op", "run")
    try:
        if op == "run":
            result = run(req)
            if req.get("cleanAfter") is not None:
                # a one-shot execution: its lease ends with it, so the clean-up rides on the same round trip
                # (when it fails, the pool cleans again the usual way, with retries, and reports what stays dirty)
                result["cleaned"] = "error" not in clean({"dirs": req["cleanAfter"]})
            return result
        if op == "clean":
            return clean(req)
        if op == "ping":
            return {"pong": True}
        return {"error": "unknown op " + op}
    except Exception as e:  # reported, never swallowed: the caller sees a runner error
        return {"error": "%s: %s" % (type(e).__name__, e)}


def prepare_children():
    """What every child would otherwise build for itself, made once here and inherited through fork: together about
    3 ms of CPU per execution. The first compile, exec, text stream and traceback in a process pay for lazy set-up
    in the interpreter; the environment and the text streams over fds 0-2 are the same for every execution."""
    global CHILD_STDIO, ADDRESS_SPACE
    ADDRESS_SPACE = address_space_limit()
    sink = io.TextIOWrapper(io.FileIO(os.open(os.devnull, os.O_WRONLY), "w"), encoding="utf-8",
                            errors="backslashreplace", write_through=True)
    program = "print('warm', 1)\ntry:\n    1 / 0\nexcept ZeroDivisionError as e:\n    error = e\n"
    scope = {"__builtins__": builtins, "print": lambda *a: print(*a, file=sink)}
    exec(compile(program, "warm.py", "exec"), scope)
    traceback.print_exception(type(scope["error"]), scope["error"], scope["error"].__traceback__, file=sink)
    sink.close()
    os.environ.clear()
    os.environ.update(base_env(WORKDIR))
    # Over fds 0-2 but never read or written here (the runner speaks through sys.stdin.buffer and
    # sys.stdout.buffer, taken before): in a child, after dup2, they are the execution's stdin, stdout and stderr.
    CHILD_STDIO = (io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8"),
                   io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                                    write_through=True),
                   io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                                    write_through=True))


def main():
    not_dumpable()
    sys.setrecursionlimit(20000)  # deep directory trees left by user code
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # the stream to the pool is gone: nothing left to do
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    serve = sys.argv[1:] == ["serve"]
    prepare_children()
    # what exists now is never collected in a child: its pages stay shared after fork instead of being copied
    gc.freeze()
    while True:
        req = read_request(stdin)
        if req is None:
            return
        stdout.write((req["nonce"] + " " + json.dumps(answer(req)) + "\n").encode())
        stdout.flush()
        if not serve:
            return


main()
