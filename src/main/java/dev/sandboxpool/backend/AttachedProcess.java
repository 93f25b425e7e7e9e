package dev.sandboxpool.backend;

/**
 * A long-lived process inside a sandbox with its stdin held open and its output streamed to a listener: the
 * persistent runner's channel. Backends that cannot hold one return none from
 * {@link SandboxBackend#attach}, and executions fall back to one exec each.
 */
public interface AttachedProcess extends AutoCloseable {

    /** Receives the process's output in chunks, and the end of its stream. Called from the backend's threads. */
    interface Listener {
        void stdout(byte[] chunk);

        void stderr(byte[] chunk);

        /** The stream ended: the process exited or was killed, or the connection broke. */
        void closed(Throwable cause);
    }

    /** Writes to the process's stdin. */
    void write(byte[] data);

    /** Detaches and ends the process's stream. */
    @Override
    void close();
}
