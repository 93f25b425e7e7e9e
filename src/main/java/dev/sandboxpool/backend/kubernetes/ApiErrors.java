package dev.sandboxpool.backend.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * What the API server said, for messages people read in a condition or a log: its Status message ("pods "x" is
 * forbidden: pod rejected: RuntimeClass "gvisor" not found") rather than the client's whole exception text, which
 * repeats the request URL and dumps the Status object.
 */
final class ApiErrors {
    private ApiErrors() {
    }

    static String reason(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null && !e.getStatus().getMessage().isBlank()) {
            return e.getStatus().getMessage().strip();
        }
        String message = String.valueOf(e.getMessage()).strip();
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
