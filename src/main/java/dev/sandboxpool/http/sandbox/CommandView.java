package dev.sandboxpool.http.sandbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sandboxpool.sandbox.CommandInfo;
import io.micronaut.core.annotation.Introspected;
import java.util.List;

/** A command of the lease: {@code pid} is its handle; {@code exitCode} appears once it ended (128+N: signal N). */
@Introspected
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandView(int pid, List<String> argv, String cwd, String tag, boolean running, Integer exitCode) {

    static CommandView of(CommandInfo c) {
        return new CommandView(c.pid(), c.argv(), c.cwd(), c.tag(), c.running(), c.exitCode());
    }

    /** {@code GET .../commands}. */
    @Introspected
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Listing(List<CommandView> commands) {
    }
}
