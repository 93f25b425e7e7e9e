package dev.sandboxpool.e2b;

import dev.sandboxpool.http.forward.LeaseRoutes;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code /e2b} calls that must reach the replica holding the sandbox's lease: every sandbox-plane call (its
 * commands and contexts live in that replica's runner), and the control-plane calls about one sandbox (its metadata,
 * create-time envs and default context live in that replica's memory, see {@link E2bSandboxes}). A sandbox id is its
 * lease id.
 */
@Singleton
public class E2bLeaseRoutes implements LeaseRoutes {
    private static final Pattern ONE_SANDBOX = Pattern.compile("/e2b(/v2)?/sandboxes/([^/]+)(/.*)?");

    @Override
    public Optional<String> leaseOf(HttpRequest<?> request) {
        String sandboxId = request.getHeaders().get(E2bAuthFilter.SANDBOX_ID);
        if (sandboxId != null) {
            return Optional.of(sandboxId);
        }
        Matcher m = ONE_SANDBOX.matcher(request.getPath());
        return m.matches() ? Optional.of(m.group(2)) : Optional.empty();
    }
}
