package dev.sandboxpool.sandbox;

import java.util.List;

/**
 * A command of a lease.
 *
 * @param pid its process id in the sandbox, the handle of every later call
 * @param exitCode null while it runs; 128 + n when signal n ended it
 */
public record CommandInfo(int pid, List<String> argv, String cwd, String tag, boolean running, Integer exitCode) {
}
