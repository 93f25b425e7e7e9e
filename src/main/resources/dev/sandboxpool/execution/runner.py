# The in-sandbox runner, passed with `sandboxpool-python3 -I -c` (see SandboxScripts and docs/isolation.md).
#
# Protocol on stdin: a line with the byte length of a JSON request, then the request. For each request, one line
# on stdout: the request's nonce, a space, the JSON result. With the argument `serve` it answers requests until
# stdin closes (the persistent runner, started once per member and kept attached); without, it answers one. With
# `serve --connect PATH` it first moves that stream to a Unix socket the pool listens on (see connect_stream).
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

import array, ast, base64, builtins, codecs, errno, fcntl, gc, io, json, linecache, os, resource, select, selectors
import signal, socket, stat, struct, sys, time, traceback, types
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


class Requests:
    """The framed requests on stdin. While the runner waits for one, it keeps the lease's commands going (reads
    their output, feeds their input, enforces their timeouts): see service.

    A cancel frame ({"op": "cancel", "target": nonce}) is never answered: it names a request to stop. The pool sends
    it while that request runs (its client went away), so a run and a context run also watch stdin (see
    cancel_requested); one that arrives before or after its request is remembered or harmless."""

    def __init__(self):
        self.buf = bytearray(self.read_ahead())
        self.eof = False

    @staticmethod
    def read_ahead():
        """What stdin's buffer already holds: a bootstrap that read this script from stdin (a cluster's exec, see
        StdinScript) may have read past it. Read without waiting; from here on only os.read takes from fd 0."""
        os.set_blocking(0, False)
        try:
            return sys.stdin.buffer.read1(1 << 20) or b""
        except BlockingIOError:
            return b""
        finally:
            os.set_blocking(0, True)

    def complete(self):
        nl = self.buf.find(b"\n")
        if nl < 0:
            return None
        size = int(self.buf[:nl])
        if len(self.buf) - nl - 1 < size:
            return None
        raw = bytes(self.buf[nl + 1:nl + 1 + size])
        del self.buf[:nl + 1 + size]
        return raw

    def next_request(self):
        while True:
            raw = self.complete()
            if raw is not None:
                if not note_cancel(raw):
                    return raw
                continue
            if self.eof:
                return None
            if COMMANDS and not ZYGOTE_LOST and 0 not in service(None, [0]):
                continue
            chunk = os.read(0, 1 << 20)
            if not chunk:
                return None
            self.buf += chunk

    def take_cancels(self):
        """Reads what stdin holds now (it was readable) and takes the cancel frames at the head of the buffer. Only
        cancels arrive while a request runs (the pool sends one request at a time), so a head frame that is not one
        waits, unread, for next_request."""
        try:
            chunk = os.read(0, 1 << 20)
        except BlockingIOError:
            chunk = None
        if chunk == b"":
            self.eof = True  # the pool is gone: the request ends as usual, its answer has nowhere to go
        elif chunk:
            self.buf += chunk
        self.scan_cancels()

    def scan_cancels(self):
        """Takes the cancel frames at the head of what was read already (one may have come with its request)."""
        while True:
            nl = self.buf.find(b"\n")
            if nl < 0 or nl > 20 or not self.buf[:nl].isdigit():
                return
            size = int(self.buf[:nl])
            if size > 4096 or len(self.buf) - nl - 1 < size:
                return
            if not note_cancel(bytes(self.buf[nl + 1:nl + 1 + size])):
                return
            del self.buf[:nl + 1 + size]


REQUESTS = None  # the framed requests on stdin, when serving (see main)
CURRENT = None  # the nonce of the request being answered
CANCELLED = []  # nonces named by cancel frames, newest last (a few: a cancel concerns the request running now)


def note_cancel(raw):
    """True when the frame is a cancel (it is then remembered, never answered)."""
    if len(raw) > 4096 or b'"cancel"' not in raw:
        return False
    try:
        req = json.loads(raw)
    except ValueError:
        return False
    if not isinstance(req, dict) or req.get("op") != "cancel":
        return False
    CANCELLED.append(str(req.get("target")))
    del CANCELLED[:-16]
    return True


def watches_stdin():
    """Whether a running request should watch stdin for its cancel: only when serving, and while stdin is open."""
    return REQUESTS is not None and not REQUESTS.eof


def cancel_requested():
    """Called when stdin is readable during a request: whether a cancel named it."""
    REQUESTS.take_cancels()
    return CURRENT is not None and CURRENT in CANCELLED


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
    "EXDEV": "is on another file system than the destination (each writable dir is its own): copy it instead",
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
        if ADDRESS_SPACE:
            resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        if req.get("fileOp"):
            result = file_op(req)
            data = memoryview(json.dumps(result).encode())
            while data:
                data = data[os.write(out_w, data):]
            code = 0
            return
        if req.get("context"):
            context_main(req, stdin_r, out_w, err_w, status_w)  # never returns
        # CPU time: a backstop behind the clock (the runner kills at the time limit, before this is reached)
        cpu = int(-(-float(req.get("timeoutSeconds", 60)) // 1)) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
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


# ---- files of a lease (in a child, like user code: nothing here runs in the runner) -----------------------------
# Paths are absolute or relative to the work dir and must lie in a writable dir. They are walked by descriptors,
# component by component, never following a symbolic link on the way (a lease may have planted one anywhere).

class FileError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind, self.message = kind, message


ERRNO_KINDS = {errno.ENOENT: "NOT_FOUND", errno.EEXIST: "ALREADY_EXISTS", errno.ENOTEMPTY: "ALREADY_EXISTS",
               errno.EFBIG: "TOO_LARGE"}


def split_path(path, roots):
    """(root, [components]) of a path inside one of the roots; FileError INVALID otherwise."""
    if not isinstance(path, str) or not path or "\0" in path:
        raise FileError("INVALID", "must be a non-empty path without NUL characters")
    full = path if path.startswith("/") else WORKDIR + "/" + path
    parts = [p for p in full.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise FileError("INVALID", "must not have \"..\" components")
    for root in roots:
        rparts = [p for p in root.split("/") if p]
        if parts[:len(rparts)] == rparts:
            return root, parts[len(rparts):]
    raise FileError("INVALID", "must be inside one of the sandbox's writable dirs: " + ", ".join(roots))


def open_dir(root, parts, create=False):
    """A descriptor of the directory root/parts, reached without following links; made when {@code create}."""
    fd = os.open(root, DIR_FLAGS)
    try:
        for part in parts:
            if create:
                try:
                    os.mkdir(part, 0o777, dir_fd=fd)
                except FileExistsError:
                    pass
            inner = os.open(part, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = inner
    except BaseException:
        os.close(fd)
        raise
    return fd


def entry(dir_fd, name, path):
    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    kind = ("DIRECTORY" if stat.S_ISDIR(st.st_mode) else "FILE" if stat.S_ISREG(st.st_mode)
            else "SYMLINK" if stat.S_ISLNK(st.st_mode) else "OTHER")
    target = os.readlink(name, dir_fd=dir_fd) if kind == "SYMLINK" else None
    return {"name": name, "path": path, "type": kind, "size": st.st_size, "mode": stat.S_IMODE(st.st_mode),
            "modifiedMs": int(st.st_mtime * 1000), "symlinkTarget": target}


def joined(root, parts):
    return "/".join([root.rstrip("/")] + parts) if parts else root


def file_op(req):
    """One file operation, answered as {"ok": ...} or {"fileError": {"kind", "message"}}."""
    op, roots = req["fileOp"], req["roots"]
    try:
        root, parts = split_path(req.get("path"), roots)
        if op == "write" or op == "makeDir" or op == "rename":
            if not parts:
                raise FileError("INVALID", "is a writable dir itself, not an entry in it")
        if op == "makeDir":
            parent = open_dir(root, parts[:-1], create=True)
            try:
                os.mkdir(parts[-1], 0o777, dir_fd=parent)
                return {"ok": entry(parent, parts[-1], joined(root, parts))}
            finally:
                os.close(parent)
        if op == "write":
            parent = open_dir(root, parts[:-1], create=True)
            try:
                fd = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY,
                             0o666, dir_fd=parent)
                try:
                    if not stat.S_ISREG(os.fstat(fd).st_mode):
                        raise FileError("INVALID", "is not a regular file in the sandbox")
                    os.ftruncate(fd, 0)
                    data = memoryview(base64.b64decode(req["content"]))
                    while data:
                        data = data[os.write(fd, data):]
                finally:
                    os.close(fd)
                return {"ok": entry(parent, parts[-1], joined(root, parts))}
            finally:
                os.close(parent)
        if op == "rename":
            root2, parts2 = split_path(req.get("to"), roots)
            if not parts2:
                raise FileError("INVALID", "the destination is a writable dir itself")
            src = open_dir(root, parts[:-1])
            try:
                dst = open_dir(root2, parts2[:-1], create=True)
                try:
                    os.stat(parts[-1], dir_fd=src, follow_symlinks=False)
                    os.rename(parts[-1], parts2[-1], src_dir_fd=src, dst_dir_fd=dst)
                    return {"ok": entry(dst, parts2[-1], joined(root2, parts2))}
                finally:
                    os.close(dst)
            finally:
                os.close(src)
        if not parts:  # the writable dir itself
            if op == "read":
                # (it has no parent to open it from: without this the child failed, and the member with it)
                raise FileError("INVALID", "is a directory")
            if op == "stat":
                parent = os.open(os.path.dirname(root) or "/", DIR_FLAGS)
                try:
                    return {"ok": entry(parent, os.path.basename(root), root)}
                finally:
                    os.close(parent)
            if op == "remove":
                raise FileError("INVALID", "is a writable dir itself: remove what is in it instead")
        if op == "list":
            fd = open_dir(root, parts)
            try:
                found = []
                walk(fd, joined(root, parts), max(1, int(req.get("depth", 1))), found, int(req["maxEntries"]))
                return {"ok": found}
            finally:
                os.close(fd)
        if op == "read":
            parent = open_dir(root, parts[:-1])
            try:
                fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY, dir_fd=parent)
            finally:
                os.close(parent)
            try:
                st = os.fstat(fd)
                if stat.S_ISDIR(st.st_mode):
                    raise FileError("INVALID", "is a directory")
                if not stat.S_ISREG(st.st_mode):
                    raise FileError("INVALID", "is not a regular file")
                limit = int(req["maxBytes"])
                chunks, size = [], 0
                while True:
                    chunk = os.read(fd, 1 << 20)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        raise FileError("TOO_LARGE", "is larger than %d bytes" % limit)
                    chunks.append(chunk)
                return {"ok": base64.b64encode(b"".join(chunks)).decode()}
            finally:
                os.close(fd)
        parent = open_dir(root, parts[:-1])
        try:
            if op == "stat":
                return {"ok": entry(parent, parts[-1], joined(root, parts))}
            if op == "remove":
                os.stat(parts[-1], dir_fd=parent, follow_symlinks=False)
                remove_tree(parent, parts[-1])
                return {"ok": True}
        finally:
            os.close(parent)
        raise FileError("INVALID", "unknown file operation " + op)
    except FileError as e:
        return {"fileError": {"kind": e.kind, "message": e.message}}
    except OSError as e:
        kind = ERRNO_KINDS.get(e.errno, "INVALID")
        reason = FILE_ERRORS.get(errno.errorcode.get(e.errno, ""), os.strerror(e.errno))
        if e.errno == errno.ENOENT:
            reason = "does not exist in the sandbox"
        elif e.errno == errno.EEXIST:
            reason = "already exists in the sandbox"
        return {"fileError": {"kind": kind, "message": reason}}


def walk(fd, path, depth, found, limit):
    for name in sorted(os.listdir(fd)):
        if len(found) >= limit:
            raise FileError("TOO_LARGE", "has more than %d entries" % limit)
        e = entry(fd, name, path.rstrip("/") + "/" + name)
        found.append(e)
        if depth > 1 and e["type"] == "DIRECTORY":
            inner = os.open(name, DIR_FLAGS, dir_fd=fd)
            try:
                walk(inner, e["path"], depth - 1, found, limit)
            finally:
                os.close(inner)


# ---- Python contexts (in a child: the context's own interpreter, which runs user code) ---------------------------
# A context is a child of the zygote that keeps its globals from one run to the next. It reads framed runs from its
# control pipe and writes each run's result, framed, to its result pipe; its stdout and stderr are pipes the runner
# reads (and streams) while the run lasts. Everything in it is the lease's: the runner trusts nothing it writes
# beyond the frame's length and JSON, and a clean-up kills it with every other process.

MIME_REPRS = (("_repr_png_", "image/png"), ("_repr_jpeg_", "image/jpeg"), ("_repr_svg_", "image/svg+xml"),
              ("_repr_html_", "text/html"), ("_repr_markdown_", "text/markdown"), ("_repr_latex_", "text/latex"),
              ("_repr_json_", "application/json"))


def write_frame(fd, obj):
    data = json.dumps(obj).encode()
    data = memoryview(b"%d\n" % len(data) + data)
    while data:
        data = data[os.write(fd, data):]


def read_frame(stream):
    header = stream.readline()
    if not header:
        return None
    return json.loads(stream.read(int(header)))


def mime_bundle(value):
    bundle = {"text/plain": repr(value)}
    module = type(value).__module__ or ""
    if module.startswith("matplotlib.figure"):
        out = io.BytesIO()
        value.savefig(out, format="png", bbox_inches="tight")
        bundle["image/png"] = base64.b64encode(out.getvalue()).decode()
    for attr, mime in MIME_REPRS:
        method = getattr(value, attr, None)
        if not callable(method) or isinstance(value, type):
            continue
        try:
            shown = method()
        except Exception:
            continue
        if isinstance(shown, tuple):
            shown = shown[0]
        if shown is None:
            continue
        if isinstance(shown, bytes):
            shown = base64.b64encode(shown).decode()
        elif mime == "application/json":
            shown = json.dumps(shown)
        bundle[mime] = str(shown)
    return bundle


def open_figures():
    """The figures matplotlib has open, as results (as a notebook shows them), then closed."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    shown = []
    for number in plt.get_fignums():
        figure = plt.figure(number)
        shown.append({"data": mime_bundle(figure), "isMain": False})
    plt.close("all")
    return shown


def user_traceback(e, filename):
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next  # from the user's code on, not the context's frames
    return "".join(traceback.format_exception(type(e), e, tb))


def run_cell(scope, src, count):
    filename = "<cell %d>" % count
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    results, error = [], None
    try:
        tree = ast.parse(src, filename)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), scope)
        value = eval(compile(last, filename, "eval"), scope) if last is not None else None
        results = open_figures()
        if value is not None:
            scope["_"] = value
            results.append({"data": mime_bundle(value), "isMain": True})
    except SystemExit as e:
        error = {"name": "SystemExit", "value": str(e.code), "traceback": "SystemExit: %s\n" % e.code}
    except BaseException as e:
        error = {"name": type(e).__name__, "value": str(e), "traceback": user_traceback(e, filename)}
    return results, error


def context_main(req, ctl_r, out_w, err_w, res_w):
    """Becomes a context: never returns."""
    ctl, res = fcntl.fcntl(ctl_r, fcntl.F_DUPFD_CLOEXEC, 900), fcntl.fcntl(res_w, fcntl.F_DUPFD_CLOEXEC, 900)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(err_w, 2)
    os.closerange(3, min(ctl, res))
    os.closerange(max(ctl, res) + 1, MAXFD)
    workdir = req.get("workdir", WORKDIR)
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(base_env(workdir))
    os.environ["MPLBACKEND"] = "Agg"  # figures are rendered to PNG results, never to a display
    # Line-buffered, as in a notebook: print() writes its text and its newline separately, and a streamed line
    # should reach the client as one event; what a run leaves without a newline goes out when the run ends.
    sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__ = (
        CHILD_STDIO[0],
        io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                         line_buffering=True),
        io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
                         line_buffering=True))
    sys.path.insert(0, workdir)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    sys.argv = [""]
    control = io.FileIO(ctl, "r")
    control = io.BufferedReader(control)
    write_frame(res, {"ready": True})
    count = 0
    while True:
        try:
            run = read_frame(control)
        except (OSError, ValueError):
            run = None
        if run is None:
            os._exit(0)
        count += 1
        # CPU time per run, a backstop behind the runner's clock: what this run may use on top of what is used
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(used.ru_utime + used.ru_stime) + 1
        limit = spent + int(-(-float(run.get("timeoutSeconds", 60)) // 1)) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (limit, resource.RLIM_INFINITY))
        results, error = run_cell(main.__dict__, run["code"], count)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        try:
            write_frame(res, {"results": results, "error": error, "executionCount": count})
        except (TypeError, ValueError) as e:
            write_frame(res, {"results": [], "executionCount": count,
                              "error": {"name": type(e).__name__, "value": str(e), "traceback": ""}})


# ---- the zygote ------------------------------------------------------------------------------------------------
# It forks the children. It was forked from the runner before any request and never receives one: it gets the
# child's descriptors (among them a pipe the request comes through, read by the child alone), forks, and tells the
# runner the child's pid, and later the child's wait status when it ends. Several children may run at once (a
# lease's background commands and Python contexts beside its executions). The runner has the next child forked
# ahead, while it waits for a request (see fork_ahead): the child then waits for its request on that pipe.

ZYGOTE_MESSAGE = struct.Struct("=iii")  # (kind, pid, wait status)
FORKED, EXITED = 0, 1


def zygote(sock):
    # SIGCHLD wakes the loop through a pipe (the handler itself does nothing): a child's end is reported at once
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ)
    sel.register(wake_r, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fd == wake_r:
                try:
                    while os.read(wake_r, 4096):
                        pass
                except BlockingIOError:
                    pass
                continue
            try:
                _, fds, _, _ = socket.recv_fds(sock, 1, 5)
            except InterruptedError:
                continue
            except OSError:
                os._exit(0)
            if len(fds) != 5:
                os._exit(0)  # the runner is gone (or speaks nonsense): nothing left to do
            pid = os.fork()
            if pid == 0:
                try:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    for fd in (wake_r, wake_w):
                        os.close(fd)
                    sel.close()
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
            sock.sendall(ZYGOTE_MESSAGE.pack(FORKED, pid, 0))
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            sock.sendall(ZYGOTE_MESSAGE.pack(EXITED, pid, status))


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


ZYGOTE_BUFFER = bytearray()
FORKS = []  # pids of children forked and not yet taken, in order
EXITS = {}  # pid -> wait status of children whose end was reported and not yet taken
ZYGOTE_LOST = False


def zygote_feed():
    """Takes every message the zygote has sent so far, without waiting. False once the zygote is gone."""
    global ZYGOTE_LOST
    if ZYGOTE_LOST:
        return False
    while True:
        try:
            chunk = ZYGOTE.recv(65536, socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            break
        except OSError:
            chunk = b""
        if not chunk:
            ZYGOTE_LOST = True
            break
        ZYGOTE_BUFFER.extend(chunk)
    size = ZYGOTE_MESSAGE.size
    while len(ZYGOTE_BUFFER) >= size:
        kind, pid, status = ZYGOTE_MESSAGE.unpack_from(ZYGOTE_BUFFER)
        del ZYGOTE_BUFFER[:size]
        if kind == FORKED:
            # a pid is reused only after the zygote reported its earlier child's end, earlier in this stream
            EXITS.pop(pid, None)
            FORKS.append(pid)
        else:
            EXITS[pid] = status
    return not ZYGOTE_LOST


def zygote_wait(ready, deadline):
    """Takes the zygote's messages until {@code ready()} holds; False when the zygote is gone or silent past the
    deadline (user code may stop or kill it: the runner then answers with an error and the sandbox is replaced)."""
    while not ready():
        if not zygote_feed():
            return False
        if ready():
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        select.select([ZYGOTE], [], [], left)
    return True


def wait_exit(pid, deadline):
    """The wait status of the zygote's child {@code pid}, or None."""
    return EXITS.pop(pid) if zygote_wait(lambda: pid in EXITS, deadline) else None


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
    pid = FORKS.pop(0) if zygote_wait(lambda: FORKS, time.monotonic() + 5) else None
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
    if wait_exit(pid, time.monotonic() + 5) is None:
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
    streamed = {fd: codecs.getincrementaldecoder("utf-8")("replace") for fd in out} if EVENTS else None
    sel = selectors.DefaultSelector()
    for fd in out:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    # The zygote's socket turns readable when the program exits (the zygote reports its wait status then):
    # background processes it left may hold its pipes open, and the execution ends with the program, not with them.
    exited = ZYGOTE.fileno()
    sel.register(exited, selectors.EVENT_READ)
    if watches_stdin():
        os.set_blocking(0, False)
        sel.register(0, selectors.EVENT_READ)
    status = None
    pending_in = (req.get("stdin") or "").encode()
    os.set_blocking(in_w, False)
    if pending_in:
        sel.register(in_w, selectors.EVENT_WRITE)
    else:
        os.close(in_w)
    timed_out = truncated = zygote_lost = cancelled = False
    drain_until = None
    while not truncated and not zygote_lost and not cancelled:
        if status is None and pid in EXITS:  # taken from the zygote's stream while serving something else
            sel.unregister(exited)
            status = EXITS.pop(pid)
            drain_until = time.monotonic() + 0.05
        now = time.monotonic()
        if now >= deadline:
            timed_out = True
            break
        if drain_until is not None and (now >= drain_until or not any(fd in out for fd in sel.get_map())):
            break
        for key, _ in sel.select(min(deadline, drain_until or deadline) - now):
            fd = key.fd
            if fd == exited:
                if not zygote_feed():
                    zygote_lost = True  # reported below
                    break
                if pid in EXITS:
                    sel.unregister(fd)
                    status = EXITS.pop(pid)
                    drain_until = time.monotonic() + 0.05
            elif fd == 0:
                cancelled = cancel_requested()
                if REQUESTS.eof:
                    sel.unregister(0)
                if cancelled:
                    break
            elif fd in out:
                chunk = os.read(fd, 65536)
                if not chunk:
                    sel.unregister(fd)
                    continue
                room = cap - len(out[fd])
                out[fd] += chunk[:max(room, 0)]
                if streamed:
                    text = streamed[fd].decode(chunk[:max(room, 0)])
                    if text:
                        emit({"stdout" if fd == out_r else "stderr": text})
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
    if watches_stdin():
        os.set_blocking(0, True)
    if pending_in:
        os.close(in_w)
    # Whatever the execution started in its own session goes with it: on timeout and flood the program
    # too. A timed-out execution takes its whole tree, daemons that left the session included: every
    # process but PID 1, this runner and its zygote (one execution runs per sandbox at a time).
    kill_group(pid)
    if timed_out:
        kill_all_others()
    if status is None and not zygote_lost:
        status = wait_exit(pid, time.monotonic() + 5)
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
            "timedOut": timed_out, "truncated": truncated, "cancelled": cancelled,
            "durationMs": int((time.monotonic() - started) * 1000)}


# ---- a lease's commands and contexts (in the runner) -----------------------------------------------------------
# The runner keeps each one's pipes. It serves one request at a time; between requests, and while it waits for a
# command's output, it reads every command's output into a buffer that keeps the newest maxOutputBytes of each
# stream, so a command never blocks on a full pipe because nobody asked for its output yet. A clean-up kills them
# with every other process and forgets them.

EVENTS = None  # the nonce of the request being answered, for its streamed events (see emit)
OUT = None  # the runner's stdout: its stream to the pool
MAX_ENDED_COMMANDS = 64


def emit(event):
    """A streamed event of the request being answered: a line of its nonce and "!" before the JSON."""
    if EVENTS is not None:
        OUT.write((EVENTS + "! " + json.dumps(event) + "\n").encode())
        OUT.flush()


class Stream:
    """The newest {@code cap} bytes of a stream, addressed by offsets counted from its start."""

    def __init__(self, cap):
        self.data, self.base, self.cap = bytearray(), 0, cap

    def append(self, chunk):
        self.data += chunk
        if len(self.data) > self.cap:
            drop = len(self.data) - self.cap
            del self.data[:drop]
            self.base += drop

    def end(self):
        return self.base + len(self.data)

    def since(self, offset):
        lost = offset < self.base
        start = max(offset, self.base) - self.base
        return bytes(self.data[start:]), self.end(), lost


class Command:
    def __init__(self, pid, req, fds, cap):
        self.pid, self.argv, self.cwd, self.tag = pid, req["argv"], req["workdir"], req.get("tag")
        _, self.in_w, out_r, err_r, status_r = fds
        os.close(status_r)
        self.pipes = {out_r: Stream(cap), err_r: Stream(cap)}
        self.out_r, self.err_r = out_r, err_r
        self.out, self.err = self.pipes[out_r], self.pipes[err_r]
        for fd in self.pipes:
            os.set_blocking(fd, False)
        os.set_blocking(self.in_w, False)
        self.pending_in = bytearray(base64.b64decode(req.get("stdinBase64") or ""))
        self.close_in = not req.get("keepStdinOpen")
        self.deadline = time.monotonic() + float(req["timeoutSeconds"])
        self.status = None
        self.timed_out = False
        self.drain_until = None
        self.settle()

    def open_pipes(self):
        return [fd for fd in (self.out_r, self.err_r) if fd is not None]

    def readable(self, fd):
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return
        if chunk:
            self.pipes[fd].append(chunk)
        else:
            self.close_pipe(fd)

    def close_pipe(self, fd):
        os.close(fd)
        if fd == self.out_r:
            self.out_r = None
        else:
            self.err_r = None

    def writable(self):
        try:
            written = os.write(self.in_w, self.pending_in[:65536])
            del self.pending_in[:written]
        except BrokenPipeError:
            self.pending_in.clear()
        self.settle()

    def settle(self):
        if self.in_w is not None and not self.pending_in and self.close_in:
            os.close(self.in_w)
            self.in_w = None

    def tick(self, now):
        if self.status is None and self.pid in EXITS:
            self.status = EXITS.pop(self.pid)
            self.drain_until = now + 0.05  # what it printed last; background processes it left keep no pipe open
        if self.status is None and now >= self.deadline and not self.timed_out:
            self.timed_out = True
            kill_group(self.pid)
        if self.drain_until is not None and now >= self.drain_until:
            for fd in self.open_pipes():
                self.readable(fd)
                if fd in (self.out_r, self.err_r):
                    self.close_pipe(fd)
            if self.in_w is not None:
                os.close(self.in_w)
                self.in_w = None
            self.drain_until = None

    def ended(self):
        return self.status is not None and not self.open_pipes()

    def next_time(self):
        return self.drain_until if self.drain_until is not None else None if self.status is not None \
            else self.deadline

    def exit_code(self):
        if self.status is None:
            return None
        code = os.waitstatus_to_exitcode(self.status)
        return 128 - code if code < 0 else code

    def info(self):
        return {"pid": self.pid, "argv": self.argv, "cwd": self.cwd, "tag": self.tag, "running": not self.ended(),
                "exitCode": self.exit_code() if self.ended() else None}

    def discard(self):
        for fd in self.open_pipes():
            os.close(fd)
        self.out_r = self.err_r = None
        if self.in_w is not None:
            os.close(self.in_w)
            self.in_w = None


COMMANDS = {}


def service(timeout, extra=()):
    """One wait for any of: the zygote's messages, the commands' pipes, {@code extra} fds; the extra fds that are
    ready. Commands are moved on (ends taken, timeouts enforced, last output drained) either way."""
    now = time.monotonic()
    for c in COMMANDS.values():
        c.tick(now)
        t = c.next_time()
        if t is not None:
            timeout = t - now if timeout is None else min(timeout, t - now)
    sel = selectors.DefaultSelector()
    if not ZYGOTE_LOST:
        sel.register(ZYGOTE, selectors.EVENT_READ)
    for c in COMMANDS.values():
        for fd in c.open_pipes():
            sel.register(fd, selectors.EVENT_READ, c)
        if c.in_w is not None and c.pending_in:
            sel.register(c.in_w, selectors.EVENT_WRITE, c)
    for fd in extra:
        sel.register(fd, selectors.EVENT_READ)
    ready = []
    for key, events in sel.select(None if timeout is None else max(timeout, 0)):
        if key.fileobj is ZYGOTE:
            zygote_feed()
        elif key.data is None:
            ready.append(key.fd)
        elif events & selectors.EVENT_WRITE:
            key.data.writable()
        else:
            key.data.readable(key.fd)
    sel.close()
    now = time.monotonic()
    for c in COMMANDS.values():
        c.tick(now)
    return ready


def command_of(req):
    c = COMMANDS.get(int(req.get("pid", -1)))
    if c is None:
        raise FileError("NOT_FOUND", "no command with pid %s in this lease" % req.get("pid"))
    return c


def command_op(req):
    global AHEAD
    op = req["op"]
    if op == "command.start":
        ended = [pid for pid, c in COMMANDS.items() if c.ended()]
        for pid in ended[:max(0, len(ended) - MAX_ENDED_COMMANDS + 1)]:
            COMMANDS.pop(pid).discard()
        fds, AHEAD = AHEAD or spawn_child(), None
        pid, req_w = fds[0], fds[1]
        child_req = {"argv": req["argv"], "env": req.get("env") or {}, "workdir": req["workdir"],
                     "timeoutSeconds": req["timeoutSeconds"], "maxFileBytes": req.get("maxFileBytes", 64 << 20)}
        write_all(req_w, json.dumps(child_req).encode())
        os.close(req_w)
        c = COMMANDS[pid] = Command(pid, req, fds[1:], int(req["maxOutputBytes"]))
        service(0)
        return {"ok": c.info()}
    if op == "command.list":
        service(0)
        return {"ok": [c.info() for c in COMMANDS.values()]}
    c = command_of(req)
    if op == "command.read":
        until = time.monotonic() + min(float(req.get("waitSeconds", 0)), 1.0)
        out_from, err_from = int(req.get("stdoutOffset", 0)), int(req.get("stderrOffset", 0))
        while True:
            service(0)
            if c.out.end() > out_from or c.err.end() > err_from or c.ended() or time.monotonic() >= until:
                break
            service(until - time.monotonic())
        out, out_end, out_lost = c.out.since(out_from)
        err, err_end, err_lost = c.err.since(err_from)
        return {"ok": {"stdout": base64.b64encode(out).decode(), "stderr": base64.b64encode(err).decode(),
                       "stdoutOffset": out_end, "stderrOffset": err_end, "exited": c.ended(),
                       "exitCode": c.exit_code() if c.ended() else None, "timedOut": c.timed_out,
                       "lost": out_lost or err_lost}}
    if op == "command.input":
        if c.in_w is None:
            raise FileError("INVALID", "the command's stdin is closed")
        c.pending_in += base64.b64decode(req.get("dataBase64") or "")
        service(0)
        return {"ok": True}
    if op == "command.closeInput":
        c.close_in = True
        c.settle()
        return {"ok": True}
    if op == "command.signal":
        if c.status is None:
            kill_group(c.pid, int(req["signal"]))
        return {"ok": True}
    raise FileError("INVALID", "unknown command operation " + op)


def write_all(fd, data):
    data = memoryview(data)
    try:
        while data:
            data = data[os.write(fd, data):]
    except BrokenPipeError:
        pass


class Context:
    def __init__(self, ident, pid, fds, cwd):
        self.id, self.pid, self.cwd = ident, pid, cwd
        _, self.ctl_w, self.out_r, self.err_r, self.res_r = fds
        for fd in (self.out_r, self.err_r, self.res_r):
            os.set_blocking(fd, False)
        self.alive = True

    def discard(self):
        for fd in (self.ctl_w, self.out_r, self.err_r, self.res_r):
            if fd is not None:
                os.close(fd)
        self.ctl_w = self.out_r = self.err_r = self.res_r = None
        self.alive = False

    def info(self):
        return {"id": self.id, "language": "python", "cwd": self.cwd}


CONTEXTS = {}
MAX_RESULT_BYTES = 32 << 20


def start_context(ident, cwd):
    global AHEAD
    fds, AHEAD = AHEAD or spawn_child(), None
    pid, req_w = fds[0], fds[1]
    write_all(req_w, json.dumps({"context": True, "workdir": cwd}).encode())
    os.close(req_w)
    ctx = Context(ident, pid, fds[1:], cwd)
    frame = read_result(ctx, time.monotonic() + 10)
    if not isinstance(frame, dict) or not frame.get("ready"):
        kill_group(pid)
        ctx.discard()
        raise FileError("INVALID", "the context did not start in %s" % cwd)
    CONTEXTS[ident] = ctx
    return ctx


def read_result(ctx, deadline, output=None, cancel=None):
    """The next frame on a context's result pipe, or None when it ended, broke the frame, passed the deadline or
    (with {@code cancel}, a dict) a cancel named the request: then cancel["cancelled"] is set."""
    buf = bytearray()
    while True:
        nl = buf.find(b"\n")
        if nl >= 0:
            try:
                size = int(buf[:nl])
            except ValueError:
                return None
            if size > MAX_RESULT_BYTES:
                return None
            if len(buf) - nl - 1 >= size:
                try:
                    return json.loads(bytes(buf[nl + 1:nl + 1 + size]))
                except ValueError:
                    return None
        elif len(buf) > 32:
            return None
        left = deadline - time.monotonic()
        if left <= 0 or ctx.pid in EXITS:
            return None
        fds = [ctx.res_r] + ([ctx.out_r, ctx.err_r] if output else [])
        watching = cancel is not None and watches_stdin()
        if watching:
            fds.append(0)
            os.set_blocking(0, False)
        try:
            ready = service(left, fds)
        finally:
            if watching:
                os.set_blocking(0, True)
        for fd in ready:
            if fd == 0:
                if cancel_requested():
                    cancel["cancelled"] = True
                    return None
            elif fd == ctx.res_r:
                try:
                    chunk = os.read(fd, 1 << 20)
                except BlockingIOError:
                    continue
                if not chunk:
                    return None
                buf += chunk
            elif not output(fd):
                return None


def context_op(req):
    op = req["op"]
    if op == "context.create":
        ident = req["id"]
        if ident in CONTEXTS:
            raise FileError("ALREADY_EXISTS", "context %s exists" % ident)
        return {"ok": start_context(ident, req["workdir"]).info()}
    if op == "context.list":
        return {"ok": [c.info() for c in CONTEXTS.values()]}
    ctx = CONTEXTS.get(req.get("id"))
    if ctx is None:
        raise FileError("NOT_FOUND", "no context %s in this lease" % req.get("id"))
    if op in ("context.delete", "context.restart"):
        kill_group(ctx.pid)
        wait_exit(ctx.pid, time.monotonic() + 5)
        ctx.discard()
        del CONTEXTS[ctx.id]
        if op == "context.delete":
            return {"ok": True}
        return {"ok": start_context(ctx.id, ctx.cwd).info()}
    if op == "context.run":
        return {"ok": context_run(ctx, req)}
    raise FileError("INVALID", "unknown context operation " + op)


def context_run(ctx, req):
    cap = int(req["maxOutputBytes"])
    started = time.monotonic()
    deadline = started + float(req["timeoutSeconds"])
    if not ctx.alive or ctx.pid in EXITS:
        return {"contextLost": True, "stdout": "", "stderr": "", "results": [], "error": None,
                "executionCount": 0, "timedOut": False, "truncated": False, "durationMs": 0}
    frame = json.dumps({"code": req["code"], "timeoutSeconds": req["timeoutSeconds"]}).encode()
    sent = send_within(ctx.ctl_w, b"%d\n" % len(frame) + frame, deadline)
    out = {ctx.out_r: bytearray(), ctx.err_r: bytearray()}
    decoders = {fd: codecs.getincrementaldecoder("utf-8")("replace") for fd in out}
    names = {ctx.out_r: "stdout", ctx.err_r: "stderr"}
    state = {"truncated": False, "cancelled": False}

    def output(fd):
        """Takes what is in one of its pipes; False on a flood (it is stopped here, not drained)."""
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if not chunk:
            return True
        room = cap - len(out[ctx.out_r]) - len(out[ctx.err_r])
        kept = chunk[:max(room, 0)]
        out[fd] += kept
        text = decoders[fd].decode(kept)
        if text:
            emit({names[fd]: text})
        if len(chunk) > room:
            state["truncated"] = True
            return False
        state["more"] = True
        return True

    result = read_result(ctx, deadline, output, state) if sent else None
    if result is not None:
        # what it printed before its result is in the pipes already (it flushes first)
        for fd in (ctx.out_r, ctx.err_r):
            state["more"] = True
            while state["more"] and not state["truncated"]:
                state["more"] = False
                output(fd)
    timed_out = result is None and not state["cancelled"] and time.monotonic() >= deadline
    # a cancelled run is stopped the only sure way, with its interpreter: the context is lost, as on a time limit
    lost = result is None or state["truncated"]
    stdout, stderr = bytes(out[ctx.out_r]), bytes(out[ctx.err_r])
    if lost:
        # time, flood, a broken frame or its interpreter gone: the context's state is unknown, so it goes
        kill_group(ctx.pid)
        wait_exit(ctx.pid, time.monotonic() + 5)
        ctx.discard()
    result = result or {}
    return {"contextLost": lost, "stdout": stdout.decode("utf-8", "replace"),
            "stderr": stderr.decode("utf-8", "replace"), "results": result.get("results") or [],
            "error": result.get("error"), "executionCount": int(result.get("executionCount") or 0),
            "timedOut": timed_out, "truncated": state["truncated"], "cancelled": state["cancelled"],
            "durationMs": int((time.monotonic() - started) * 1000)}


def send_within(fd, data, deadline):
    """Writes all of {@code data} to a pipe before the deadline; False when the reader did not take it."""
    os.set_blocking(fd, False)
    data = memoryview(data)
    while data:
        try:
            data = data[os.write(fd, data):]
            continue
        except BlockingIOError:
            pass
        except BrokenPipeError:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        select.select([], [fd], [], min(left, 0.1))
    return True
def kill_group(pgid, sig=signal.SIGKILL):
    try:
        os.killpg(pgid, sig)
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
        forget_lease_processes()
        discard_ahead()


def ops_answer(op, req):
    if ZYGOTE_LOST or not zygote_alive():
        raise ZygoteGone("it is gone")
    try:
        return op(req)
    except FileError as e:
        return {"fileError": {"kind": e.kind, "message": e.message}}


def file_request(req):
    """A file operation, run in a fresh child (like user code, never in the runner)."""
    child_req = dict(req, fileOp=req["fileOp"])
    child_req["maxOutputBytes"] = int(req.get("maxBytes", 0)) * 4 // 3 + (1 << 20)
    child_req.setdefault("timeoutSeconds", 30)
    result = run(child_req, json.dumps(child_req).encode())
    if "rejected" in result or result.get("exitCode") != 0 or result.get("truncated"):
        return {"error": "the file operation failed in the sandbox: exit %s%s, %s" % (
            result.get("exitCode"), ", timed out" if result.get("timedOut") else "",
            (result.get("stderr") or "")[-300:])}
    try:
        answer = json.loads(result["stdout"])
    except ValueError:
        return {"error": "the file operation's answer was unreadable"}
    return answer


def forget_lease_processes():
    """After a clean-up killed them: the lease's commands and contexts are forgotten with their pipes."""
    for table in (COMMANDS, CONTEXTS):
        for item in table.values():
            item.discard()
            EXITS.pop(item.pid, None)
        table.clear()


def answer(raw, refusal):
    global EVENTS, CURRENT
    req = json.loads(raw)
    if refusal:
        return req["nonce"], {"error": refusal}
    op = req.get("op", "run")
    EVENTS = req["nonce"] if req.get("stream") else None
    CURRENT = req["nonce"]
    if REQUESTS is not None:
        REQUESTS.scan_cancels()
    if CURRENT in CANCELLED and op in ("run", "context.run"):
        # cancelled before it ran (its cancel overtook it, or came with it): nothing of it runs
        stopped = {"stdout": "", "stderr": "", "exitCode": -1, "cancelled": True, "durationMs": 0}
        return req["nonce"], stopped if op == "run" else {"ok": dict(stopped, results=[], executionCount=0)}
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
        if op == "file":
            return req["nonce"], file_request(req)
        if op.startswith("command."):
            return req["nonce"], ops_answer(command_op, req)
        if op.startswith("context."):
            return req["nonce"], ops_answer(context_op, req)
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


def connect_stream(path):
    """Moves the stream to the pool from this exec's stdin and stdout to a Unix socket the pool listens on, in a
    directory it bind-mounts read-only into the sandbox (local Docker mode, see RunnerSocketHandshake): the exec's
    relay through the daemon, containerd and the shim costs CPU in three more processes on every request. The first
    line on stdin is a token only the pool and this process know; the pool takes only the connection that presents it,
    then stops listening and removes the socket, so user code can neither reach the listener later nor stand in for
    this runner, even by connecting first. When the socket cannot be reached (a daemon in a VM, another host), the answer "nosocket" on stdout
    tells the pool to go on over the exec's stream."""
    token = bytearray()
    while not token.endswith(b"\n"):
        chunk = os.read(0, 1)
        if not chunk or len(token) > 128:
            os._exit(0)  # the pool is gone, or this is not its handshake: nothing to serve
        token += chunk
    try:
        stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stream.settimeout(5)
        stream.connect(path)
        stream.sendall(bytes(token))
        stream.settimeout(None)
    except OSError as e:
        os.write(1, ("nosocket %s\n" % e).encode())
        return
    # from here the stream is fd 0 and fd 1, as the exec's were: nothing else in this script changes, and the zygote
    # puts /dev/null over both for itself and its children as before
    os.dup2(stream.fileno(), 0)
    os.dup2(stream.fileno(), 1)
    stream.close()


def main():
    if sys.argv[1:2] == ["serve"] and sys.argv[2:3] == ["--connect"]:
        connect_stream(sys.argv[3])
        del sys.argv[2:]
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
    global OUT, REQUESTS
    OUT = stdout
    requests = Requests()
    if serve:
        REQUESTS = requests
    while True:
        raw = requests.next_request()
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
