package dev.sandboxpool.e2b;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.pool.LeaseExpiredException;
import dev.sandboxpool.pool.LeaseNotActiveException;
import dev.sandboxpool.sandbox.SandboxOpException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** How E2B's requests and our failures translate, both ways. */
class E2bMappingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void e2bsHomeIsTheWorkDirBothWays() {
        assertThat(SandboxPlane.toSandbox("/home/user/a.txt")).isEqualTo("/workspace/a.txt");
        assertThat(SandboxPlane.toSandbox("/home/user")).isEqualTo("/workspace");
        assertThat(SandboxPlane.toSandbox("~/x")).isEqualTo("/workspace/x");
        assertThat(SandboxPlane.toSandbox("/home/username")).isEqualTo("/home/username");
        assertThat(SandboxPlane.toSandbox("/tmp/a")).isEqualTo("/tmp/a");
        assertThat(SandboxPlane.toE2b("/workspace/a.txt")).isEqualTo("/home/user/a.txt");
        assertThat(SandboxPlane.toE2b("/workspaces")).isEqualTo("/workspaces");
    }

    @Test
    void sandboxOperationFailuresAreTheirConnectCodes() {
        assertThat(code(new SandboxOpException(SandboxOpException.Kind.NOT_FOUND, "path", "gone")))
                .isEqualTo(Connect.Code.NOT_FOUND);
        assertThat(code(new SandboxOpException(SandboxOpException.Kind.ALREADY_EXISTS, "path", "there")))
                .isEqualTo(Connect.Code.ALREADY_EXISTS);
        assertThat(code(new SandboxOpException(SandboxOpException.Kind.INVALID, "path", "outside")))
                .isEqualTo(Connect.Code.INVALID_ARGUMENT);
        assertThat(code(new SandboxOpException(SandboxOpException.Kind.TOO_LARGE, "path", "big")))
                .isEqualTo(Connect.Code.RESOURCE_EXHAUSTED);
        assertThat(code(new CompletionException(new LeaseNotActiveException("python.x"))))
                .isEqualTo(Connect.Code.NOT_FOUND);
    }

    private static Connect.Code code(Throwable t) {
        return ((Connect.RpcException) SandboxPlane.rpc(t, "python.x")).code();
    }

    @Test
    void anEndedLeaseIsAnE2bNotFound() {
        assertThat(((E2bException) E2bException.of(new LeaseExpiredException("python.x", "expired"), "python.x"))
                .status()).isEqualTo(404);
        assertThat(((E2bException) E2bException.of(new LeaseNotActiveException("python.x"), "python.x")).status())
                .isEqualTo(404);
    }

    @Test
    void whatALeaseCannotDoIsRefusedNotIgnored() {
        for (String body : List.of("{\"templateID\":\"python\",\"autoPause\":true}",
                "{\"templateID\":\"python\",\"volumeMounts\":[{\"name\":\"v\",\"path\":\"/data\"}]}",
                "{\"templateID\":\"python\",\"mcp\":{\"x\":{}}}",
                "{\"templateID\":\"python\",\"network\":{\"allowOut\":[\"1.1.1.1\"]}}")) {
            assertThatThrownBy(() -> NewSandbox.of(JSON.readTree(body))).isInstanceOfSatisfying(E2bException.class,
                    e -> {
                        assertThat(e.status()).isEqualTo(501);
                        assertThat(e.getMessage()).contains("not supported by sandbox-pool");
                    });
        }
    }

    @Test
    void aCreateBodyGivesTemplateTimeoutMetadataAndEnvs() throws Exception {
        NewSandbox s = NewSandbox.of(JSON.readTree("{\"templateID\":\"python\",\"timeout\":42,\"autoPause\":false,"
                + "\"metadata\":{\"k\":\"v\"},\"envVars\":{\"A\":\"1\"},\"secure\":true}"));

        assertThat(s.template()).isEqualTo("python");
        assertThat(s.timeout()).isEqualTo(42L);
        assertThat(s.metadata()).containsEntry("k", "v");
        assertThat(s.envs()).containsEntry("A", "1");
        assertThatThrownBy(() -> NewSandbox.of(JSON.readTree("{\"timeout\":1}"))).isInstanceOf(E2bException.class);
        assertThatThrownBy(() -> NewSandbox.of(JSON.readTree("{\"templateID\":\"p\",\"envVars\":{\"A\":1}}")))
                .isInstanceOf(E2bException.class);
    }

    /** The query value as it arrives, decoded once: the SDK encodes the pairs, then the parameter. */
    @Test
    void listFiltersByMetadataPairs() {
        assertThat(ControlPlaneController.metadataQuery(null)).isEmpty();
        assertThat(ControlPlaneController.metadataQuery("user=ann&env=d%20v"))
                .containsEntry("user", "ann").containsEntry("env", "d v");
    }

    @Test
    void accessTokensAreTheSandboxsOwnAndStableForOneKey() {
        AccessTokens tokens = new AccessTokens("api-token");
        String a = tokens.of("python.aaaa");

        assertThat(tokens.valid("python.aaaa", a)).isTrue();
        assertThat(tokens.valid("python.bbbb", a)).isFalse();
        assertThat(tokens.valid("python.aaaa", null)).isFalse();
        assertThat(new AccessTokens("api-token").of("python.aaaa")).isEqualTo(a);
        assertThat(new AccessTokens("other").of("python.aaaa")).isNotEqualTo(a);
        assertThat(new AccessTokens((String) null).of("python.aaaa")).isNotEqualTo(new AccessTokens((String) null)
                .of("python.aaaa"));
    }

    @Test
    void multipartPartsCarryTheirFileNamesAndBytes() {
        String body = "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"/home/user/a\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n\u0000\u0001\r\n--xyz\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"b\"\r\n\r\nB\r\n--xyz--\r\n";

        List<Multipart.Part> parts = Multipart.parse(body.getBytes(StandardCharsets.ISO_8859_1),
                Multipart.boundary("multipart/form-data; boundary=\"xyz\""));

        assertThat(parts).extracting(Multipart.Part::filename).containsExactly("/home/user/a", "b");
        assertThat(parts.get(0).content()).containsExactly(0, 1);
        assertThatThrownBy(() -> Multipart.boundary("multipart/form-data")).isInstanceOf(
                IllegalArgumentException.class);
    }
}
