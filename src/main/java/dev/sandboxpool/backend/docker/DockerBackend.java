package dev.sandboxpool.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import dev.sandboxpool.api.v1alpha1.NetworkMode;
import dev.sandboxpool.backend.AttachedProcess;
import dev.sandboxpool.backend.BackendException;
import dev.sandboxpool.backend.BackendUnavailableException;
import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.backend.ExecOutput;
import dev.sandboxpool.backend.Labels;
import dev.sandboxpool.backend.Owner;
import dev.sandboxpool.backend.SandboxBackend;
import dev.sandboxpool.backend.SandboxGoneException;
import dev.sandboxpool.backend.SandboxLeftBehindException;
import dev.sandboxpool.backend.SandboxRef;
import dev.sandboxpool.execution.SandboxScripts;
import dev.sandboxpool.spec.PoolSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Members as Docker containers, hardened by default. */
public class DockerBackend implements SandboxBackend {
    /** The unprivileged user every sandbox process runs as ({@code nobody}). */
    public static final String SANDBOX_USER = "65534:65534";

    /** How long a starting runner has to connect to its socket (it does so before anything else). */
    private static final java.time.Duration HANDSHAKE = java.time.Duration.ofSeconds(20);

    private final DockerClient docker;
    private final Owner owner;
    private final Optional<RunnerSockets> sockets;

    /** A backend for a new instance of sandbox-pool in this process, alive until {@link #close()}. */
    public DockerBackend(DockerClient docker) {
        this(docker, Owner.start());
    }

    public DockerBackend(DockerClient docker, Owner owner) {
        this.docker = docker;
        this.owner = owner;
        this.sockets = RunnerSockets.forLocalDaemon(owner);
    }

    /** The instance whose members this backend creates. */
    public Owner owner() {
        return owner;
    }

    /** This instance ended: what it left may be removed by another (its members are removed before this). */
    public void close() {
        sockets.ifPresent(RunnerSockets::close);
        owner.end();
    }

    @Override
    public String kind() {
        return "docker";
    }

    @Override
    public SandboxRef create(PoolSettings s) {
        return guarded(() -> createContainer(s));
    }

    private SandboxRef createContainer(PoolSettings s) {
        String name = "sandboxpool-" + s.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
        String tmpfsOptions = "rw,nosuid,nodev,size=" + s.tmpfsBytes() + ",mode=1777";
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode(s.network() == NetworkMode.Allowed ? "bridge" : "none")
                .withReadonlyRootfs(true)
                // the work dir allows exec (users run what they write there); /tmp and /dev/shm do not
                .withTmpFs(Map.of(SandboxScripts.WORKDIR, tmpfsOptions + ",exec", "/tmp", tmpfsOptions + ",noexec"))
                .withShmSize(Math.min(s.tmpfsBytes(), 64L << 20))
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withPidsLimit((long) s.pids())
                .withMemory(s.memoryBytes())
                .withMemorySwap(s.memoryBytes())
                .withNanoCPUs(s.milliCpus() * 1_000_000L)
                .withInit(false)
                // PID 1 writes nothing (its stdio is /dev/null) and nothing else of a sandbox may reach the host's
                // disk outside every output cap: no container log at all
                .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE, null));
        // the runner's socket directory (see RunnerSockets): read-only inside, so user code cannot change it
        Optional<Path> socketDir = sockets.filter(RunnerSockets::reachable).map(RunnerSockets::newMemberDir);
        socketDir.ifPresent(dir -> host.withBinds(new Bind(dir.toString(), new Volume(RunnerSockets.IN_SANDBOX),
                AccessMode.ro)));
        boolean made = false;
        try {
            CreateContainerResponse created = docker.createContainerCmd(s.image())
                    .withName(name)
                    .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE, Labels.POOL, s.name(),
                            Labels.SPEC_HASH, s.specHash(), Labels.OWNER, owner.label()))
                    .withUser(SANDBOX_USER)
                    .withWorkingDir(SandboxScripts.WORKDIR)
                    .withEnv("HOME=" + SandboxScripts.WORKDIR, "LANG=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1")
                    .withEntrypoint(List.of())
                    .withCmd(SandboxScripts.initCommand())
                    .withHostConfig(host)
                    .exec();
            try {
                docker.startContainerCmd(created.getId()).exec();
            } catch (RuntimeException e) {
                try {
                    destroy(created.getId());
                } catch (BackendException notRemoved) {
                    // the daemon went away between the two calls: the pool removes it once the daemon is back
                    throw new SandboxLeftBehindException(created.getId(), guardedFailure(e));
                }
                throw e;
            }
            made = true;
            socketDir.ifPresent(dir -> sockets.get().bound(created.getId(), dir));
            return new SandboxRef(created.getId(), name, s.name(), s.specHash(), Instant.now(), true,
                    owner.label());
        } catch (NotFoundException e) {
            throw new BackendException("image " + s.image() + " not found: build it (sandbox/build-offline.sh) "
                    + "or pull it", e);
        } catch (DockerException e) {
            String why = String.valueOf(e.getMessage());
            if (why.contains(SandboxScripts.INTERPRETER)) {
                why = "the image has no " + SandboxScripts.INTERPRETER + " (an execute-only copy of python3 that "
                        + "the sandbox's isolation needs: see sandbox/Dockerfile): " + why;
            }
            throw new BackendException("cannot start a container of " + s.image() + ": " + why, e);
        } finally {
            if (!made) {
                socketDir.ifPresent(dir -> sockets.get().discard(dir));
            }
        }
    }

    @Override
    public List<SandboxRef> list(String pool) {
        return guarded(() -> listContainers(pool));
    }

    private List<SandboxRef> listContainers(String pool) {
        try {
            return docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE, Labels.POOL, pool))
                    .exec().stream().map(DockerBackend::toRef).toList();
        } catch (DockerException e) {
            throw new BackendException("cannot list containers of pool " + pool + ": " + e.getMessage(), e);
        }
    }

    private static SandboxRef toRef(Container c) {
        String name = c.getNames() == null || c.getNames().length == 0 ? c.getId() : c.getNames()[0].substring(1);
        Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
        return new SandboxRef(c.getId(), name, labels.get(Labels.POOL), labels.get(Labels.SPEC_HASH),
                Instant.ofEpochSecond(c.getCreated() == null ? 0 : c.getCreated()), "running".equals(c.getState()),
                labels.get(Labels.OWNER));
    }

    @Override
    public void destroy(String id) {
        guarded(() -> {
            removeContainer(id);
            sockets.ifPresent(known -> known.forget(id));
            return null;
        });
    }

    private void removeContainer(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone: what destroy wants
        } catch (ConflictException e) {
            // removal already in progress (another destroy of the same member): the daemon finishes it
            if (!String.valueOf(e.getMessage()).contains("already in progress")) {
                throw new BackendException("cannot remove container " + id + ": " + e.getMessage(), e);
            }
        } catch (DockerException e) {
            throw new BackendException("cannot remove container " + id + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ExecOutput exec(String id, ExecCall call) {
        return guarded(() -> execIn(id, call));
    }

    private ExecOutput execIn(String id, ExecCall call) {
        ExecCreateCmdResponse exec;
        try {
            exec = docker.execCreateCmd(id)
                    .withCmd(call.command().toArray(String[]::new))
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .withAttachStdin(call.stdin().length > 0)
                    .exec();
        } catch (NotFoundException | ConflictException e) {
            throw new SandboxGoneException(id, e);
        } catch (DockerException e) {
            throw new BackendException("cannot exec in " + id + ": " + e.getMessage(), e);
        }
        Collector collector = new Collector(call.maxOutputBytes());
        var start = docker.execStartCmd(exec.getId());
        if (call.stdin().length > 0) {
            start.withStdIn(new ByteArrayInputStream(call.stdin()));
        }
        try (Collector running = start.exec(collector)) {
            boolean finished = running.awaitCompletion(call.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!finished || running.overflowed) {
                return new ExecOutput(null, running.stdout.toByteArray(), running.stderr.toByteArray(), !finished,
                        running.overflowed);
            }
            if (running.failure != null) {
                throw new BackendException("exec in " + id + " failed: " + running.failure.getMessage(),
                        running.failure);
            }
            return new ExecOutput(exitCode(exec.getId()), running.stdout.toByteArray(), running.stderr.toByteArray(),
                    false, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while running in " + id, e);
        } catch (java.io.IOException e) {
            throw new BackendException("exec stream of " + id + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<AttachedProcess> attach(String id, List<String> command, AttachedProcess.Listener listener) {
        return guarded(() -> attachTo(id, command, listener));
    }

    private Optional<AttachedProcess> attachTo(String id, List<String> command, AttachedProcess.Listener listener) {
        Optional<Path> socketDir = sockets.flatMap(known -> known.dirOf(id));
        if (socketDir.isPresent() && command.equals(SandboxScripts.serveCommand())) {
            Optional<RunnerSocketHandshake> handshake = listen(socketDir.get());
            if (handshake.isPresent()) {
                return Optional.of(attachOverSocket(id, handshake.get(), listener));
            }
        }
        return Optional.of(startExec(id, command, listener));
    }

    /** {@code command} started in {@code id} with its stdin held open and its output streamed to {@code listener}. */
    private AttachedProcess startExec(String id, List<String> command, AttachedProcess.Listener listener) {
        ExecCreateCmdResponse exec;
        try {
            exec = docker.execCreateCmd(id).withCmd(command.toArray(String[]::new))
                    .withAttachStdin(true).withAttachStdout(true).withAttachStderr(true).exec();
        } catch (NotFoundException | ConflictException e) {
            throw new SandboxGoneException(id, e);
        } catch (DockerException e) {
            throw new BackendException("cannot attach to " + id + ": " + e.getMessage(), e);
        }
        QueueInputStream stdin = new QueueInputStream();
        ResultCallback.Adapter<Frame> stream = docker.execStartCmd(exec.getId()).withStdIn(stdin)
                .exec(new ResultCallback.Adapter<>() {
                    @Override
                    public void onNext(Frame frame) {
                        if (frame.getStreamType() == StreamType.STDERR) {
                            listener.stderr(frame.getPayload());
                        } else {
                            listener.stdout(frame.getPayload());
                        }
                    }

                    @Override
                    public void onError(Throwable cause) {
                        listener.closed(cause);
                        super.onError(cause);
                    }

                    @Override
                    public void onComplete() {
                        listener.closed(null);
                        super.onComplete();
                    }
                });
        return new AttachedProcess() {
            @Override
            public void write(byte[] data) {
                stdin.offer(data);
            }

            @Override
            public void close() {
                stdin.close();
                try {
                    stream.close();
                } catch (java.io.IOException e) {
                    throw new BackendException("cannot detach from " + id + ": " + e.getMessage(), e);
                }
            }
        };
    }

    /**
     * The runner, with its requests and answers on a socket in the member's directory rather than on the exec stream
     * (see {@link RunnerSockets}); on the exec stream still when the runner cannot reach the socket.
     */
    private AttachedProcess attachOverSocket(String id, RunnerSocketHandshake handshake,
            AttachedProcess.Listener listener) {
        try {
            RunnerStream stream = new RunnerStream(id, listener);
            AttachedProcess exec = startExec(id,
                    SandboxScripts.serveCommand(RunnerSockets.IN_SANDBOX + "/" + RunnerSockets.SOCKET),
                    stream.execListener());
            stream.exec(exec);
            exec.write(handshake.tokenLine());
            java.nio.channels.SocketChannel taken;
            try {
                taken = handshake.await(HANDSHAKE, stream::givenUp).orElse(null);
            } catch (java.io.IOException e) {
                stream.close();
                throw new BackendException("the handshake with the runner of " + id + " failed: " + e, e);
            }
            stream.start(taken);
            if (stream.noSocket() != null) {
                sockets.ifPresent(known -> known.unreachable(stream.noSocket()));
            }
            return stream;
        } finally {
            try {
                handshake.close();
            } catch (java.io.IOException e) {
                // the socket file stays in a directory nothing can connect through any more: removed with it
            }
        }
    }

    /** The host directory of member {@code id}'s runner socket, when it has one (for tests of this package). */
    Optional<Path> runnerSocketDir(String id) {
        return sockets.flatMap(known -> known.dirOf(id));
    }

    /** Whether members made now get a runner socket (for tests of this package). */
    boolean runnerSockets() {
        return sockets.map(RunnerSockets::reachable).orElse(false);
    }

    /** A listener in {@code dir}; none when this host cannot make one there (and then none for later members). */
    private Optional<RunnerSocketHandshake> listen(Path dir) {
        try {
            return Optional.of(RunnerSocketHandshake.listen(dir));
        } catch (java.io.IOException e) {
            sockets.ifPresent(known -> known.unreachable("cannot listen in " + dir + ": " + e));
            return Optional.empty();
        }
    }

    /**
     * Every call of the port, contained: what docker-java throws when the daemon's socket is gone or the daemon stops
     * mid-call is a plain RuntimeException (an IOException inside), not a DockerException; escaping a pool's worker
     * thread it left members busy for ever (issue 13 item 1). It is reported as the backend being unavailable.
     */
    private static <T> T guarded(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw guardedFailure(e);
        }
    }

    private static BackendException guardedFailure(RuntimeException e) {
        if (e instanceof BackendException b) {
            return b;
        }
        if (e instanceof DockerException) {
            return new BackendException("the Docker daemon refused: " + e.getMessage(), e);
        }
        return new BackendUnavailableException("the Docker daemon does not answer: " + rootCause(e), e);
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** The stream ends when the process does; the daemon records the exit code a moment later. */
    private Integer exitCode(String execId) throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            var inspected = docker.inspectExecCmd(execId).exec();
            if (!Boolean.TRUE.equals(inspected.isRunning()) && inspected.getExitCodeLong() != null) {
                return inspected.getExitCodeLong().intValue();
            }
            Thread.sleep(2);
        }
        return null;
    }

    /** Collects stdout and stderr up to a bound, so a flood cannot exhaust this process's memory. */
    private static final class Collector extends ResultCallback.Adapter<Frame> {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        final long max;
        volatile boolean overflowed;
        volatile Throwable failure;

        Collector(long max) {
            this.max = max;
        }

        @Override
        public void onNext(Frame frame) {
            ByteArrayOutputStream target = frame.getStreamType() == StreamType.STDERR ? stderr : stdout;
            byte[] payload = frame.getPayload();
            synchronized (this) {
                if (target.size() + payload.length > max) {
                    overflowed = true;
                    onComplete();
                    return;
                }
                target.write(payload, 0, payload.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            failure = throwable;
            super.onError(throwable);
        }
    }
}
