package dev.sandboxpool.sandbox;

import dev.sandboxpool.execution.Cancellation;
import java.time.Duration;
import java.util.List;

/**
 * What a lease can do in its sandbox besides one-off executions: files, commands in the foreground or background, and
 * stateful Python contexts (sessions). One is bound to one lease ({@code Pool.sandbox(leaseId)}): every call is fenced
 * by it, so a call that arrives after the lease ended fails with {@code LeaseNotActiveException} and never reaches the
 * member, which may already serve the next lease. Nothing made through it outlives the lease: the clean-up after it
 * kills every process (contexts and background commands included) and empties the writable dirs.
 *
 * <p>Paths are absolute or relative to the work dir, and must lie in one of the sandbox's writable dirs
 * ({@code SandboxScripts.WRITABLE_DIRS}). Failures the caller caused are {@link SandboxOpException}s.
 */
public interface SandboxOps {

    // ---- files ---------------------------------------------------------------------------------------------------

    /** The bytes of a regular file; {@link SandboxOpException.Kind#TOO_LARGE} past {@code maxBytes}. */
    byte[] readFile(String path, long maxBytes);

    /** Writes (replaces) a regular file, making missing parent dirs; what is there afterwards. */
    FileEntry writeFile(String path, byte[] content);

    /** The entries below a directory, {@code depth} levels down (1: its children only). */
    List<FileEntry> listDir(String path, int depth);

    /** The entry at a path (a symbolic link is described, not followed). */
    FileEntry stat(String path);

    /** Makes a directory and its missing parents; {@link SandboxOpException.Kind#ALREADY_EXISTS} when it exists. */
    FileEntry makeDir(String path);

    /** Removes a file, a link or a whole directory tree. */
    void remove(String path);

    /** Moves an entry; what is at {@code to} afterwards. */
    FileEntry rename(String from, String to);

    // ---- commands ------------------------------------------------------------------------------------------------

    /** Starts a command; it runs until it exits, is signalled, passes its timeout or the lease ends. */
    CommandInfo startCommand(CommandSpec spec);

    /**
     * The command's output from the given offsets on (each stream counted in bytes from the command's start), waiting
     * up to {@code maxWait} for some to arrive or for the command to end. A reader that fell behind what the sandbox
     * keeps of a stream ({@code maxOutputBytes}, the newest) gets what is kept and {@link CommandProgress#lost()}.
     */
    CommandProgress readCommand(int pid, long stdoutOffset, long stderrOffset, Duration maxWait);

    /** Writes to the command's stdin (started with {@link CommandSpec#keepStdinOpen()}). */
    void sendInput(int pid, byte[] data);

    /** Closes the command's stdin: it reads end of file. */
    void closeInput(int pid);

    /** Sends a signal (a Linux signal number) to the command's process group. */
    void signal(int pid, int signal);

    /** The commands of this lease, running or ended and not yet forgotten. */
    List<CommandInfo> listCommands();

    // ---- Python contexts (sessions) ------------------------------------------------------------------------------

    /** A new Python context: its globals, imports and definitions persist from one run to the next. */
    ContextInfo createContext(String cwd);

    /**
     * Runs code in a context under the pool's limits; its output reaches {@code output} as it arrives. A context a
     * limit killed (time, memory) is reported in the result ({@link ContextRun#contextLost()}) and can be restarted.
     */
    default ContextRun runInContext(String contextId, String code, Duration timeout, OutputListener output) {
        return runInContext(contextId, code, timeout, output, Cancellation.NONE);
    }

    /**
     * {@link #runInContext(String, String, Duration, OutputListener)}, stopped when {@code cancellation} is
     * cancelled: the context's interpreter is killed (the run ends {@link ContextRun#cancelled()} and {@link
     * ContextRun#contextLost()}; restart the context to use it again).
     */
    ContextRun runInContext(String contextId, String code, Duration timeout, OutputListener output,
            Cancellation cancellation);

    /** A fresh interpreter for the context: its state is gone, its id stays. */
    ContextInfo restartContext(String contextId);

    void deleteContext(String contextId);

    List<ContextInfo> listContexts();

    /** Output of a command or a context run, as it arrives (text decoded as UTF-8, invalid bytes replaced). */
    interface OutputListener {
        OutputListener NONE = new OutputListener() {
        };

        default void stdout(String text) {
        }

        default void stderr(String text) {
        }

        /** An event of the runner's stream ({@code {"stdout": text}} or {@code {"stderr": text}}) to this listener. */
        static void deliver(com.fasterxml.jackson.databind.JsonNode event, OutputListener output) {
            if (event.hasNonNull("stdout")) {
                output.stdout(event.get("stdout").asText());
            } else if (event.hasNonNull("stderr")) {
                output.stderr(event.get("stderr").asText());
            }
        }
    }

    /** The longest {@link #readCommand} wait: a longer one holds the sandbox's channel from every other call. */
    Duration MAX_READ_WAIT = Duration.ofSeconds(1);
}
