package dev.sandboxpool.backend;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running instance of sandbox-pool that created a member, written on the member as a label: the host, the
 * process (its pid and start time, so a reused pid is a different process) and a nonce for each backend in that
 * process (tests start several instances in one JVM). A pool removes at start only what an instance that is gone left
 * behind, so {@code ./sandboxpool test} next to {@code ./sandboxpool up} leaves the other's members alone (issue 13
 * item 5).
 *
 * <p>Whether an owner is gone can be known only on its own host: there the process table says. A member of another
 * host's instance (two machines sharing one daemon) is {@link Liveness#UNKNOWN}.
 */
public record Owner(String host, long pid, long startMillis, String nonce) {
    private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();
    private static final String SEPARATOR = "/";
    private static final String HOST = hostName();

    /** Whether the instance that wrote an owner label still runs. */
    public enum Liveness { ALIVE, GONE, UNKNOWN }

    /** A new instance in this process, alive until {@link #end()}. */
    public static Owner start() {
        ProcessHandle self = ProcessHandle.current();
        Owner o = new Owner(HOST, self.pid(), startMillis(self).orElse(0L),
                UUID.randomUUID().toString().substring(0, 8));
        LIVE.add(o.nonce);
        return o;
    }

    /** This instance stopped: another one in this process may now remove what it left. */
    public void end() {
        LIVE.remove(nonce);
    }

    /** The label value: {@code host/pid/startMillis/nonce}. */
    public String label() {
        return String.join(SEPARATOR, host, Long.toString(pid), Long.toString(startMillis), nonce);
    }

    /**
     * A name for this instance's files on this host ({@code pid-startMillis-nonce}): the host is left out, the files
     * being on it.
     */
    public String fileName() {
        return pid + "-" + startMillis + "-" + nonce;
    }

    /** Asked on this host: is the instance that named its files {@code fileName} (see {@link #fileName}) running? */
    public static Liveness ofFileName(String fileName) {
        String[] parts = fileName.split("-", -1);
        return parts.length != 3 ? Liveness.GONE : of(String.join(SEPARATOR, HOST, parts[0], parts[1], parts[2]));
    }

    /** The owner a label names; empty for a malformed or missing one (members of versions before owners). */
    public static Optional<Owner> parse(String label) {
        if (label == null) {
            return Optional.empty();
        }
        String[] parts = label.split(SEPARATOR, -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Owner(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2]), parts[3]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Asked on this host: is the instance that wrote {@code label} still running? */
    public static Liveness of(String label) {
        Optional<Owner> owner = parse(label);
        if (owner.isEmpty()) {
            return Liveness.GONE; // written by a version without owners, which no longer runs beside this one
        }
        Owner o = owner.get();
        if (!o.host.equals(HOST)) {
            return Liveness.UNKNOWN;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(o.pid).filter(ProcessHandle::isAlive);
        // a process whose start time this user may not read is taken for the owner: leaving a member is safe
        if (process.isEmpty() || !startMillis(process.get()).map(s -> s == o.startMillis).orElse(true)) {
            return Liveness.GONE;
        }
        if (o.pid == ProcessHandle.current().pid()) {
            return LIVE.contains(o.nonce) ? Liveness.ALIVE : Liveness.GONE;
        }
        return Liveness.ALIVE;
    }

    private static Optional<Long> startMillis(ProcessHandle p) {
        return p.info().startInstant().map(i -> i.toEpochMilli());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replace(SEPARATOR, "_");
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
