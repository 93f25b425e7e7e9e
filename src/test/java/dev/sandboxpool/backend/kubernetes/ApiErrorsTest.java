package dev.sandboxpool.backend.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

class ApiErrorsTest {
    /** Issue 11 item 8: the condition carried the client's whole exception text, with the Status object dumped. */
    @Test
    void theApiServersOwnMessageNotTheClientsDump() {
        var status = new StatusBuilder().withCode(403).withReason("Forbidden")
                .withMessage("pods \"python-1a2b\" is forbidden: pod rejected: RuntimeClass \"gvisor\" not found")
                .build();
        var e = new KubernetesClientException("Failure executing: POST at: https://10.96.0.1/api/v1/namespaces/"
                + "default/pods. Message: ... Received status: " + status + ".", 403, status);

        assertThat(ApiErrors.reason(e))
                .isEqualTo("pods \"python-1a2b\" is forbidden: pod rejected: RuntimeClass \"gvisor\" not found");
    }

    @Test
    void withoutAStatusTheFirstLineOfTheMessage() {
        assertThat(ApiErrors.reason(new KubernetesClientException("connection refused\n\tat somewhere")))
                .isEqualTo("connection refused");
    }
}
