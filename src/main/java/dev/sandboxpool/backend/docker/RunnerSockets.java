package dev.sandboxpool.backend.docker;

import dev.sandboxpool.backend.Owner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the runners of this instance's containers connect to it, when the daemon runs on this host: one directory per
 * member, bind-mounted read-only at {@link #IN_SANDBOX}, in which {@link RunnerSocketHandshake} listens while that
 * member's runner starts. A request then goes over one Unix socket instead of the exec stream's relay through
 * dockerd, containerd and the shim (issue 15).
 *
 * <p>The layout on the host is {@code /tmp/sandboxpool-runners-<user>/<instance>/<member>}: the first directory is
 * this user's alone (0700, checked, never followed as a link), so no other user of the host can reach a socket; a
 * member's directory is 0711, so the sandbox's user can reach the socket in it but not list it; inside the sandbox it
 * is read-only, so user code can neither create nor remove anything there. Directories of instances that are gone
 * are removed when the next one starts.
 *
 * <p>Where a daemon cannot see this host's files (a daemon in a VM or on another host, a private /tmp), the first
 * runner reports that it could not connect and this instance goes on with the exec stream, for every member after.
 */
final class RunnerSockets {
    private static final Logger log = LoggerFactory.getLogger(RunnerSockets.class);
    /** The member's directory inside the sandbox. */
    static final String IN_SANDBOX = "/run/sandboxpool";
    static final String SOCKET = "runner.sock";
    /** Set to {@code off} to keep every runner on the exec stream. */
    static final String SWITCH = "SANDBOXPOOL_RUNNER_SOCKET";
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> TRAVERSE_ONLY = PosixFilePermissions.fromString("rwx--x--x");

    private final Path instanceDir;
    private final Map<String, Path> byContainer = new ConcurrentHashMap<>();
    private volatile boolean reachable = true;

    private RunnerSockets(Path instanceDir) {
        this.instanceDir = instanceDir;
    }

    /** Sockets for {@code owner}'s members, or empty where the daemon is not on this host or they are switched off. */
    static Optional<RunnerSockets> forLocalDaemon(Owner owner) {
        String dockerHost = Optional.ofNullable(System.getenv("DOCKER_HOST"))
                .or(() -> Optional.ofNullable(System.getProperty("DOCKER_HOST"))).orElse("unix://");
        if ("off".equals(System.getenv(SWITCH)) || !dockerHost.startsWith("unix://")
                || !System.getProperty("os.name", "").toLowerCase().startsWith("linux")) {
            return Optional.empty();
        }
        Path base = Path.of("/tmp", "sandboxpool-runners-" + System.getProperty("user.name", "user"));
        try {
            Optional<Path> usable = privateDir(base);
            if (usable.isEmpty()) {
                log.warn("{} is not this user's private directory: runners keep to the exec stream", base);
                return Optional.empty();
            }
            removeGoneInstances(base);
            Path instance = Files.createDirectory(base.resolve(owner.fileName()),
                    PosixFilePermissions.asFileAttribute(PRIVATE));
            Files.setPosixFilePermissions(instance, TRAVERSE_ONLY);
            return Optional.of(new RunnerSockets(instance));
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("cannot make a directory for runner sockets under {} ({}): runners keep to the exec stream",
                    base, e.toString());
            return Optional.empty();
        }
    }

    /** {@code dir}, made when missing; empty when it is a link, or not this user's with mode 0700. */
    private static Optional<Path> privateDir(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // checked below, without following a link another user may have put there
        }
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS);
        boolean ours = attributes.isDirectory() && attributes.permissions().equals(PRIVATE)
                && attributes.owner().getName().equals(System.getProperty("user.name"));
        return ours ? Optional.of(dir) : Optional.empty();
    }

    private static void removeGoneInstances(Path base) throws IOException {
        try (DirectoryStream<Path> instances = Files.newDirectoryStream(base)) {
            for (Path instance : instances) {
                if (Owner.ofFileName(instance.getFileName().toString()) == Owner.Liveness.GONE) {
                    removeTree(instance);
                }
            }
        }
    }

    /** Whether members made now should get a directory: false once a runner could not reach its socket. */
    boolean reachable() {
        return reachable;
    }

    /** A runner could not reach its socket, or no socket could be made: said once, and none made from now on. */
    void unreachable(String why) {
        if (reachable) {
            reachable = false;
            log.warn("runner sockets under {} cannot be used ({}): the Docker daemon may not see this host's files; "
                    + "runners keep to the exec stream", instanceDir, why);
        }
    }

    /**
     * A new member's directory on the host, to bind into its container. Its name is short (12 hex digits): a socket's
     * whole path must fit in 107 bytes.
     */
    Path newMemberDir() {
        try {
            Path dir = Files.createDirectory(instanceDir.resolve(UUID.randomUUID().toString().substring(24)),
                    PosixFilePermissions.asFileAttribute(PRIVATE));
            Files.setPosixFilePermissions(dir, TRAVERSE_ONLY);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code dir} is the directory of container {@code id}. */
    void bound(String id, Path dir) {
        byContainer.put(id, dir);
    }

    /** The directory of container {@code id}, when this instance made it one. */
    Optional<Path> dirOf(String id) {
        return Optional.ofNullable(byContainer.get(id));
    }

    /** Container {@code id} is gone: its directory goes too. */
    void forget(String id) {
        Path dir = byContainer.remove(id);
        if (dir != null) {
            removeQuietly(dir);
        }
    }

    /** A directory made for a container that was never made. */
    void discard(Path dir) {
        removeQuietly(dir);
    }

    /** This instance ended: every directory it made goes. */
    void close() {
        byContainer.clear();
        removeQuietly(instanceDir);
    }

    private static void removeQuietly(Path dir) {
        try {
            removeTree(dir);
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", dir, e.toString());
        }
    }

    private static void removeTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
