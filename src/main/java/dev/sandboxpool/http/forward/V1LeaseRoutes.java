package dev.sandboxpool.http.forward;

import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code /v1} routes that work in a lease's sandbox state: its files, commands and contexts. Executions,
 * renewals and releases are not among them: any replica serves those from the lease on its pod.
 */
@Singleton
public class V1LeaseRoutes implements LeaseRoutes {
    private static final Pattern SANDBOX_STATE = Pattern.compile("/v1/leases/([^/]+)/(files|commands|contexts)(/.*)?");

    @Override
    public Optional<String> leaseOf(HttpRequest<?> request) {
        Matcher m = SANDBOX_STATE.matcher(request.getPath());
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
