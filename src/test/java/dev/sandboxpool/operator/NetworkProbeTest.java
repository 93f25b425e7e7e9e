package dev.sandboxpool.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.backend.ExecOutput;
import dev.sandboxpool.operator.NetworkProbe.Target;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkProbeTest {
    private static final Target API = new Target("API server", "10.96.0.1", 443);
    private static final Target KUBELET = new Target("kubelet", "172.18.0.2", 10250);

    private static ExecOutput out(int exit, String stdout) {
        return new ExecOutput(exit, stdout.getBytes(StandardCharsets.UTF_8), new byte[0], false, false);
    }

    @Test
    void theApiServerIsWhereTheOperatorsClientGoes() {
        assertThat(NetworkProbe.apiServer("https://10.96.0.1:443/")).contains(API);
        assertThat(NetworkProbe.apiServer("https://kubernetes.default.svc")).hasValueSatisfying(t ->
                assertThat(t.port()).isEqualTo(443));
        assertThat(NetworkProbe.apiServer("https://[fd00::1]:6443")).hasValueSatisfying(t -> {
            assertThat(t.host()).isEqualTo("fd00::1");
            assertThat(t.address()).isEqualTo("[fd00::1]:6443");
        });
    }

    @Test
    void onlyACompletedConnectionCountsAsReached() {
        var f = NetworkProbe.read(List.of(API, KUBELET), out(0, """
                blocked 10.96.0.1 443 TimeoutError
                reached 172.18.0.2 10250
                blocked 10.96.0.1 443 ConnectionRefusedError
                """)).orElseThrow();

        assertThat(f.reached()).containsExactly(KUBELET);
        assertThat(f.blocked()).containsExactly(API);
    }

    @Test
    void thePodsOwnServiceAddressIsNamedAsSuch() {
        var f = NetworkProbe.read(List.of(API), out(0, "blocked 10.96.0.1 443 OSError\nreached 10.0.0.1 443\n"))
                .orElseThrow();

        assertThat(f.reached()).singleElement().satisfies(t ->
                assertThat(t.what()).isEqualTo(NetworkProbe.SERVICE_ENV_TARGET));
    }

    @Test
    void aProbeThatDidNotFinishTellsNothing() {
        assertThat(NetworkProbe.read(List.of(API), out(1, "Traceback ..."))).isEmpty();
        assertThat(NetworkProbe.read(List.of(API, KUBELET), out(0, "blocked 10.96.0.1 443 OSError\n"))).isEmpty();
        assertThat(NetworkProbe.read(List.of(API), new ExecOutput(null, new byte[0], new byte[0], true, false)))
                .isEmpty();
    }

    @Test
    void theProgramFitsInTheExecUrl() {
        assertThat(NetworkProbe.call(List.of(API, KUBELET)).command().stream().mapToInt(String::length).sum())
                .isLessThan(1024);
    }
}
