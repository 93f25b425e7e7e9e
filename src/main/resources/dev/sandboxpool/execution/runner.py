# The in-sandbox runner, passed with `sandboxpool-python3 -I -c` (see SandboxScripts and docs/isolation.md).
#
# Protocol on stdin: a line with the byte length of a JSON request, then the request. For each request, one line
# on stdout: the request's nonce, a space, the JSON result. With the argument `serve` it answers requests until
# stdin closes (the persistent runner, started once per member and kept attached); without, it answers one.
#
# Requests: {"op": "run", ...execution...} | {"op": "clean", "dirs": [...]} | {"op": "ping"}. An execution runs
# Python "code", or a command ("argv", e.g. the pool's health probe) with the same limits and capture; with
# "cleanAfter": [dirs] the clean-up follows it before the answer. A request the sandbox cannot honour (a file that
# would land on a link, a FIFO or a directory) is answered {"rejected": {"field": ..., "reason": ...}}.
#
# The isolation rule (docs/isolation.md): only processes the product starts after the last verified clean-up run in
# a sandbox, and user code can neither observe nor impersonate them.
# - This runner is started with an execute-only copy of the interpreter, which the kernel makes non-dumpable from
#   its first instruction: user code (same uid) can never ptrace it or open its /proc files, not even while it
#   starts. It checks that at start and serves nothing when it is not so (see isolation_failure).
# - Executions run in children of a zygote, a process forked from this runner before it read any request: a child's
#   memory is a copy of the zygote's, which never held a request, so nothing of earlier executions (code, stdin,
#   env, files) is in it. The runner's own memory, which holds them, is never copied into user code.
# - User code never holds the runner's stdout: a child's 0/1/2 are pipes read here and every other descriptor is
#   closed in it; the nonce makes a stray line harmless.
# - The request's files are written by the child, through real directories into regular files only.
# - A clean-up stops every process, kills all but PID 1, this runner, its zygote and the kubelet's readiness probes,
#   removes System V IPC objects and POSIX message queues, empties the writable dirs, and verifies each.
import ctypes

LIBC = ctypes.CDLL(None, use_errno=True)
# First of all, before anything else runs here: was this process born non-dumpable (an execute-only interpreter),
# and make sure it is from now on.
BORN_DUMPABLE = LIBC.prctl(3, 0, 0, 0, 0) != 0  # PR_GET_DUMPABLE
LIBC.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0

import array, builtins, errno, gc, io, json, linecache, os, resource, selectors, signal, socket, stat, struct, sys
import time, traceback, types
# (everything a child needs is imported here, once: children are forks and inherit it instead of importing it anew)

MAXFD = 1024
WORKDIR = "/workspace"
CHILD_STDIO = ()
ADDRESS_SPACE = None
ZYGOTE_PID = None
ZYGOTE = None  # the runner's end of the socket to its zygote
AHEAD = None  # the child forked ahead for the next execution (see fork_ahead)
# Set only by the product's own test double of a cluster (FakeExec), which runs this script as root on the test
# machine where no execute-only interpreter exists; nothing inside a sandbox can set a future runner's environment.
UNCHECKED = os.environ.get("SANDBOXPOOL_TEST_UNISOLATED_RUNNER") == "1"
REJECTED_EXIT = 125
IPC_RMID = 0


def isolation_failure():
    """Why this runner must not serve, or None: it could have been taken over while it started, or PID 1 can be."""
    if UNCHECKED:
        return None
    if BORN_DUMPABLE:
        return ("not isolated: the interpreter is readable by the sandbox user, so user code could take this runner "
                "over while it starts; the image needs sandboxpool-python3, an execute-only copy of python3 "
                "(mode 0711, see sandbox/Dockerfile)")
    try:
        os.listdir("/proc/1/fd")
    except PermissionError:
        return None
    except OSError as e:
        return "not isolated: cannot tell whether PID 1 is protected: %s" % e
    return "not isolated: user code can observe PID 1 of the sandbox (it is dumpable)"


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


def read_request(stdin):
    header = stdin.readline()
    if not header:
        return None
    return stdin.read(int(header))


class Rejected(Exception):
    def __init__(self, field, reason):
        super().__init__(reason)
        self.field, self.reason = field, reason


FILE_ERRORS = {
    "ELOOP": "is a symbolic link in the sandbox",
    "EISDIR": "is a directory in the sandbox",
    "ENOTDIR": "has a part that is not a directory in the sandbox",
    "ENXIO": "is a FIFO or a device in the sandbox",
    "EACCES": "is not writable in the sandbox",
    "EPERM": "is not writable in the sandbox",
    "EFBIG": "is larger than the pool allows for one file",
    "ENOSPC": "does not fit: the sandbox's work dir is full",
    "ENAMETOOLONG": "is too long for the sandbox's file system",
}


def write_files(workdir, files):
    """In the child, before the user's code: each file reached through real directories only and written into a
    regular file only. No symlink, FIFO or device that earlier code of the lease planted is ever followed."""
    if not files:
        return
    top = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY)
    for name, content in files.items():
        parts = name.split("/")
        at = os.dup(top)
        try:
            for part in parts[:-1]:
                try:
                    os.mkdir(part, 0o777, dir_fd=at)
                except FileExistsError:
                    pass
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=at)
                os.close(at)
                at = inner
            fd = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY, 0o666,
                         dir_fd=at)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise Rejected("files." + name, "is not a regular file in the sandbox")
                os.ftruncate(fd, 0)
                data = memoryview(content.encode("utf-8"))
                while data:
                    data = data[os.write(fd, data):]
            finally:
                os.close(fd)
        except OSError as e:
            code = errno.errorcode.get(e.errno, "")
            raise Rejected("files." + name, FILE_ERRORS.get(code, "cannot be written in the sandbox: %s"
                                                            % os.strerror(e.errno)))
        finally:
            os.close(at)
    os.close(top)


def child(raw, stdin_r, out_w, err_w, status_w):
    """In a child of the zygote, once its request is read: become the user's program. Never returns."""
    code = 1
    try:
        req = json.loads(raw)
        del raw
        fsize = int(req.get("maxFileBytes", 64 << 20))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        # CPU time: a backstop behind the clock (the runner kills at the time limit, before this is reached)
        cpu = int(-(-float(req.get("timeoutSeconds", 60)) // 1)) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        if ADDRESS_SPACE:
            resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        # No RLIMIT_NPROC: it counts every process of the uid on the host, and all sandboxes share one uid, so one
        # sandbox's fork bomb would stop the others from forking. The pids cgroup bounds each sandbox instead.
        workdir = req.get("workdir", WORKDIR)
        try:
            write_files(workdir, req.get("files"))
        except Rejected as e:
            os.write(status_w, json.dumps({"field": e.field, "reason": e.reason}).encode())
            code = REJECTED_EXIT
            return
        os.dup2(stdin_r, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.closerange(3, MAXFD)
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
        # the runner runs isolated (-I: no work dir, no user site on its path); the user's program imports its own
        # files from the work dir, as `python3 main.py` there would
        sys.path.insert(0, workdir)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as in any Python program: BrokenPipeError, not death
        src = req["code"]
        del req
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


# ---- the zygote ------------------------------------------------------------------------------------------------
# It forks the children. It was forked from the runner before any request and never receives one: it gets the
# child's descriptors (among them a pipe the request comes through, read by the child alone), forks, tells the
# runner the child's pid, and the child's wait status when it ends. The runner has the next child forked ahead,
# while it waits for a request (see fork_ahead): the child then waits for its request on that pipe.

def zygote(sock):
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(sock, 1, 5)
        except OSError:
            os._exit(0)
        if len(fds) != 5:
            os._exit(0)  # the runner is gone (or speaks nonsense): nothing left to do
        pid = os.fork()
        if pid == 0:
            try:
                sock.close()
                # what needs no request is done while the request is not there yet
                os.setsid()
                resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
                chunks = []
                while True:
                    chunk = os.read(fds[0], 1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
                os.close(fds[0])
                child(b"".join(chunks), *fds[1:])
            finally:
                os._exit(1)  # never back into this loop as a second zygote
        for fd in fds:
            os.close(fd)
        sock.sendall(struct.pack("=i", pid))
        _, status = os.waitpid(pid, 0)
        sock.sendall(struct.pack("=i", status))


def start_zygote():
    global ZYGOTE, ZYGOTE_PID
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        try:
            ours.close()
            # a runner that is gone ends the zygote when it reports; children start with the default, as a new
            # process has it
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            # the runner's stdin and stdout are its stream to the pool: the zygote and its children never hold them
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.close(null)
            zygote(theirs)
        finally:
            os._exit(0)
    theirs.close()
    ZYGOTE, ZYGOTE_PID = ours, pid


def zygote_alive():
    """Whether the zygote still runs. It is never reaped here, so its pid stays taken (a zombie) once it ended and no
    process of user code can come to have it, and be spared by a clean-up in its name."""
    try:
        with open("/proc/%d/stat" % ZYGOTE_PID) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, TypeError):
        return False


def recv_int(deadline):
    """An int from the zygote, or None when it is gone or silent past the deadline (user code may stop or kill it:
    the runner then answers with an error and the sandbox is replaced)."""
    data = b""
    while len(data) < 4:
        ZYGOTE.settimeout(max(deadline - time.monotonic(), 0.001))
        try:
            chunk = ZYGOTE.recv(4 - len(data))
        except (OSError, socket.timeout):
            return None
        if not chunk:
            return None
        data += chunk
    return struct.unpack("=i", data)[0]


class ZygoteGone(Exception):
    pass


# ---- executions -----------------------------------------------------------------------------------------------

def spawn_child():
    """A new child of the zygote, waiting for its request: (pid, request pipe, stdin, stdout, stderr, status)."""
    req_r, req_w = os.pipe()
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    status_r, status_w = os.pipe()
    theirs = (req_r, in_r, out_w, err_w, status_w)
    try:
        # (socket.send_fds of Python 3.11 drops its flags: without MSG_NOSIGNAL a gone zygote is a SIGPIPE here)
        ZYGOTE.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", theirs))],
                       socket.MSG_NOSIGNAL)
    except OSError as e:
        for fd in theirs + (req_w, in_w, out_r, err_r, status_r):
            os.close(fd)
        raise ZygoteGone("cannot reach the zygote: %s" % e)
    for fd in theirs:
        os.close(fd)
    pid = recv_int(time.monotonic() + 5)
    if pid is None:
        for fd in (req_w, in_w, out_r, err_r, status_r):
            os.close(fd)
        raise ZygoteGone("the zygote did not answer")
    return pid, req_w, in_w, out_r, err_r, status_r


def fork_ahead():
    """Has the next execution's child forked now, between requests, so that the fork is not in an execution's time.
    Called only after a verified clean-up or an execution of the same lease: the child is forked from the zygote
    and is as clean as one forked on demand. A clean-up kills it like any other process (see discard_ahead). When
    the zygote cannot be reached, the next execution finds out and reports it."""
    global AHEAD
    if AHEAD is None and ZYGOTE is not None and zygote_alive():
        try:
            AHEAD = spawn_child()
        except ZygoteGone:
            AHEAD = None


def discard_ahead():
    """Forgets the child forked ahead once a clean-up killed it, and takes the wait status the zygote sends for it,
    which would otherwise read as the end of the next execution."""
    global AHEAD
    if AHEAD is None:
        return
    pid, fds = AHEAD[0], AHEAD[1:]
    AHEAD = None
    for fd in fds:
        os.close(fd)
    if recv_int(time.monotonic() + 5) is None:
        raise ZygoteGone("the zygote did not report the end of the child forked ahead (%d)" % pid)


def run(req, raw):
    global AHEAD
    cap = int(req["maxOutputBytes"])
    started = time.monotonic()
    deadline = started + float(req["timeoutSeconds"])
    child_fds, AHEAD = AHEAD or spawn_child(), None
    pid, req_w, in_w, out_r, err_r, status_r = child_fds
    try:
        pending_req = memoryview(raw)  # the child reads it while this writes; a child that is gone leaves EPIPE
        while pending_req:
            pending_req = pending_req[os.write(req_w, pending_req):]
    except BrokenPipeError:
        pass
    os.close(req_w)
    out = {out_r: bytearray(), err_r: bytearray()}
    sel = selectors.DefaultSelector()
    for fd in out:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    # The zygote's socket turns readable when the program exits (the zygote reports its wait status then):
    # background processes it left may hold its pipes open, and the execution ends with the program, not with them.
    exited = ZYGOTE.fileno()
    sel.register(exited, selectors.EVENT_READ)
    status = None
    pending_in = (req.get("stdin") or "").encode()
    os.set_blocking(in_w, False)
    if pending_in:
        sel.register(in_w, selectors.EVENT_WRITE)
    else:
        os.close(in_w)
    timed_out = truncated = zygote_lost = False
    drain_until = None
    while not truncated and not zygote_lost:
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
                status = recv_int(time.monotonic() + 5)
                if status is None:
                    zygote_lost = True  # reported below
                    break
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
    sel.close()
    if pending_in:
        os.close(in_w)
    # Whatever the execution started in its own session goes with it: on timeout and flood the program
    # too. A timed-out execution takes its whole tree, daemons that left the session included: every
    # process but PID 1, this runner and its zygote (one execution runs per sandbox at a time).
    kill_group(pid)
    if timed_out:
        kill_all_others()
    if status is None and drain_until is None and not zygote_lost:
        status = recv_int(time.monotonic() + 5)
    os.set_blocking(status_r, False)
    try:
        rejected = os.read(status_r, 65536)
    except BlockingIOError:
        rejected = b""
    for fd in (out_r, err_r, status_r):
        os.close(fd)
    if status is None:
        raise ZygoteGone("the zygote did not report the end of the execution")
    code = os.waitstatus_to_exitcode(status)
    if code == REJECTED_EXIT and rejected:
        return {"rejected": json.loads(rejected)}
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


PROBE_COMMAND = [b"sandboxpool-python3", b"-I", b"-c"]
PROBE_MARK = b"# Readiness probe of a cluster member"


def is_readiness_probe(pid, ppid):
    """A readiness probe the kubelet runs (killing one made healthy members look unhealthy under load). Told by what
    user code cannot fake: its parent is outside the sandbox's PID namespace (ppid 0: only a process started from
    outside, by exec, has one), it runs the probe script with the execute-only interpreter (a process shows that
    command line only by exec'ing it, and then it runs the probe), and it is not dumpable. What it starts (the health
    command) is not spared."""
    if ppid != 0:
        return False
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    if argv[:3] != PROBE_COMMAND or len(argv) < 4 or not argv[3].startswith(PROBE_MARK):
        return False
    try:
        os.listdir("/proc/%d/fd" % pid)
    except PermissionError:
        return True
    except OSError:
        return False
    return False


def processes(spared=None):
    """Every process of the sandbox but PID 1, this runner, its zygote and readiness probes (collected in
    {@code spared} when given) that has not ended (zombies excluded)."""
    keep = (1, os.getpid(), ZYGOTE_PID)
    alive = []
    for p in os.listdir("/proc"):
        if p.isdigit() and int(p) not in keep:
            try:
                with open("/proc/%s/stat" % p) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] == "Z":
                continue
            if is_readiness_probe(int(p), int(fields[1])):
                if spared is not None:
                    spared.append(int(p))
                continue
            alive.append(int(p))
    return alive


def stop_and_kill_others():
    """Stops every process but PID 1 and this runner, in one call (kill(-1) reaches every process the caller may
    signal but PID 1 and the caller, atomically with respect to fork), so nothing forks while the rest are found;
    then SIGKILL to all but this runner's zygote and readiness probes. Returns those spared, still stopped."""
    try:
        os.kill(-1, signal.SIGSTOP)
    except ProcessLookupError:
        return set()
    spared = [ZYGOTE_PID] if ZYGOTE_PID else []
    for pid in processes(spared):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return set(spared)


def resume(spared):
    for pid in spared:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


def kill_all_others():
    resume(stop_and_kill_others())


DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def remove_tree(parent_fd, name):
    """Removes the entry {@code name} of the directory open as {@code parent_fd}: a file, a link, or a directory tree
    of any depth. By descriptors, one open at a time, walking down by name and back up by '..': a tree deeper than
    PATH_MAX (4096 bytes) has no path the kernel accepts, and one deeper than the recursion limit no recursion that
    reaches its bottom. Each directory is listed once. Nothing runs meanwhile (every other process is dead), so
    nothing moves under the walk. User code may have taken its own permissions away from what it made: they are
    given back first."""
    fd = os.dup(parent_fd)
    levels = []  # for each directory walked into: its name in its parent, and what is left to remove in the parent
    todo = [name]
    try:
        while True:
            if todo:
                entry = todo.pop()
                try:
                    st = os.stat(entry, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if not stat.S_ISDIR(st.st_mode):
                    os.unlink(entry, dir_fd=fd)
                    continue
                os.chmod(entry, 0o700, dir_fd=fd)
                child = os.open(entry, DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = child
                levels.append((entry, todo))
                todo = os.listdir(fd)
                continue
            if not levels:
                return
            entry, todo = levels.pop()
            up = os.open("..", DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = up
            os.rmdir(entry, dir_fd=fd)
    finally:
        os.close(fd)


def ipc_objects():
    """System V shared memory segments, message queues and semaphore sets of this IPC namespace, by kind."""
    found = {}
    for kind in ("shm", "msg", "sem"):
        try:
            with open("/proc/sysvipc/" + kind) as f:
                found[kind] = [int(line.split()[1]) for line in f.read().splitlines()[1:] if line.strip()]
        except OSError:
            found[kind] = []
    return found


def remove_ipc():
    """Removes every System V IPC object (nothing but the sandbox's own processes can have made one: the sandbox
    has a private IPC namespace, as containers and pods do). Files under /dev/shm and /dev/mqueue go with the dirs."""
    found = ipc_objects()
    if not any(found.values()):
        return None
    for kind, ids in found.items():
        for ident in ids:
            if kind == "shm":
                LIBC.shmctl(ident, IPC_RMID, None)
            elif kind == "msg":
                LIBC.msgctl(ident, IPC_RMID, None)
            else:
                LIBC.semctl(ident, 0, IPC_RMID)
    left = {kind: ids for kind, ids in ipc_objects().items() if ids}
    return "IPC objects survived: %s" % left if left else None


def clean(req):
    """Back to the warm, empty state: every other process killed, IPC objects removed, the writable dirs emptied,
    each verified."""
    if not zygote_alive():
        return {"error": "user code ended the runner's zygote"}
    # the spared (zygote, readiness probes) stay stopped until the end: a probe cannot start a new health command
    # while the sandbox is being verified empty
    spared = set()
    try:
        for _ in range(50):
            spared |= stop_and_kill_others()
            # orphans are reaped by PID 1; this runner's only child is its zygote
            if not processes():
                break
            time.sleep(0.02)
        else:
            return {"error": "processes survived: " + " ".join(map(str, processes()))}
        failure = remove_ipc()
        if failure:
            return {"error": failure}
        for root in req.get("dirs", []):
            if not os.path.isdir(root):
                continue
            root_fd = os.open(root, DIR_FLAGS)
            try:
                for name in os.listdir(root_fd):
                    remove_tree(root_fd, name)
            finally:
                os.close(root_fd)
            if os.listdir(root):
                return {"error": "not empty: " + root}
        return {"clean": True}
    finally:
        resume(spared)
        discard_ahead()


def answer(raw, refusal):
    req = json.loads(raw)
    if refusal:
        return req["nonce"], {"error": refusal}
    op = req.get("op", "run")
    try:
        if op == "run":
            result = run(req, raw)
            if req.get("cleanAfter") is not None:
                # a one-shot execution: its lease ends with it, so the clean-up rides on the same round trip
                # (when it fails, the pool cleans again the usual way, with retries, and reports what stays dirty)
                result["cleaned"] = "error" not in clean({"dirs": req["cleanAfter"]})
            return req["nonce"], result
        if op == "clean":
            return req["nonce"], clean(req)
        if op == "ping":
            return req["nonce"], {"pong": True}
        return req["nonce"], {"error": "unknown op " + op}
    except ZygoteGone as e:
        return req["nonce"], {"error": "user code ended or stopped the runner's zygote (%s)" % e}
    except Exception as e:  # reported, never swallowed: the caller sees a runner error
        return req["nonce"], {"error": "%s: %s" % (type(e).__name__, e)}


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
    json.loads(json.dumps({"warm": [1, "x"]}))
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
    refusal = isolation_failure()
    # A pipe to a child whose program ended is an EPIPE to handle, not the end of this runner (a program may leave
    # most of a large stdin unread); the zygote puts the default back for itself and its children.
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    serve = sys.argv[1:] == ["serve"]
    if not refusal:
        prepare_children()
        # what exists now is never collected in a child: its pages stay shared after fork instead of being copied
        gc.freeze()
        start_zygote()
        if serve:
            fork_ahead()
    while True:
        raw = read_request(stdin)
        if raw is None:
            return
        nonce, result = answer(raw, refusal)
        try:
            stdout.write((nonce + " " + json.dumps(result) + "\n").encode())
            stdout.flush()
        except BrokenPipeError:
            os._exit(0)  # the stream to the pool is gone: nothing left to do
        if not serve:
            return
        if not refusal:
            fork_ahead()


main()
