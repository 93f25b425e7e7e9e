package dev.sandboxpool.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandboxpool.backend.ExecCall;
import dev.sandboxpool.backend.ExecOutput;
import dev.sandboxpool.backend.SandboxRef;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.testing.DockerTestSupport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DockerBackendIT {
    private final DockerBackend backend = new DockerBackend(DockerTestSupport.docker());
    private final PoolSettings settings = DockerTestSupport.settings("backend-it", spec -> {
    });

    @AfterEach
    void removeMembers() {
        backend.list(settings.name()).forEach(ref -> backend.destroy(ref.id()));
    }

    @Test
    void createdMemberIsListedWithItsPoolAndSpecHash() {
        SandboxRef ref = backend.create(settings);

        assertThat(backend.list(settings.name()))
                .singleElement()
                .satisfies(found -> {
                    assertThat(found.id()).isEqualTo(ref.id());
                    assertThat(found.specHash()).isEqualTo(settings.specHash());
                    assertThat(found.running()).isTrue();
                });
    }

    @Test
    void execFeedsStdinAndReturnsOutputAndExitCode() {
        SandboxRef ref = backend.create(settings);

        ExecOutput out = backend.exec(ref.id(), new ExecCall(
                List.of("python3", "-c", "import sys; d=sys.stdin.read(5); print(d.upper()); "
                        + "print('err', file=sys.stderr); sys.exit(3)"),
                "hello".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10), 1 << 20));

        assertThat(out.stdoutText()).isEqualTo("HELLO\n");
        assertThat(out.stderrText()).isEqualTo("err\n");
        assertThat(out.exitCode()).isEqualTo(3);
    }

    @Test
    void memberIsHardened() {
        SandboxRef ref = backend.create(settings);

        String probe = String.join(";",
                "import os, socket",
                "print('uid', os.getuid())",
                "print('caps', [l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')][0])",
                "print('nnp', [l.split()[1] for l in open('/proc/self/status') if l.startswith('NoNewPrivs')][0])",
                "print('ifaces', sorted(n for _, n in socket.if_nameindex()))",
                "w = lambda p: os.access(p, os.W_OK)",
                "print('writable', w('/'), w('/usr'), w('/workspace'), w('/tmp'))");
        ExecOutput out = backend.exec(ref.id(), ExecCall.of(Duration.ofSeconds(10), "python3", "-c", probe));

        assertThat(out.stdoutText()).contains("uid 65534", "caps 0000000000000000", "nnp 1", "ifaces ['lo']",
                "writable False False True True");
    }

    @Test
    void destroyRemovesTheContainerAndToleratesOneAlreadyGone() {
        SandboxRef ref = backend.create(settings);

        backend.destroy(ref.id());
        backend.destroy(ref.id());

        assertThat(backend.list(settings.name())).isEmpty();
    }
}
