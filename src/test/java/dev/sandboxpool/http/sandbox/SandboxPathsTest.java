package dev.sandboxpool.http.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandboxpool.http.ApiException;
import org.junit.jupiter.api.Test;

class SandboxPathsTest {
    @Test
    void pathsInsideTheWritableDirsPassAsGiven() {
        assertThat(SandboxPaths.check("path", "data/a.txt")).isEqualTo("data/a.txt");
        assertThat(SandboxPaths.check("path", "/tmp/./x")).isEqualTo("/tmp/./x");
        assertThat(SandboxPaths.check("path", "/dev/shm")).isEqualTo("/dev/shm");
        assertThat(SandboxPaths.check("path", ".")).isEqualTo(".");
    }

    @Test
    void traversalAndOtherDirsAre400sNamingTheField() {
        for (String path : new String[] {"../etc/passwd", "/workspace/../etc", "/etc/passwd", "/", "/tmpx",
                "/dev/shm/../../etc", "a/../../b"}) {
            assertThatThrownBy(() -> SandboxPaths.check("to", path)).as(path)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status().getCode()).isEqualTo(400);
                        assertThat(e.getMessage()).startsWith("to: ");
                    });
        }
    }

    @Test
    void anEntryIsNotAWritableDirItself() {
        assertThat(SandboxPaths.entry("path", "a/.")).isEqualTo("a/.");
        for (String root : new String[] {".", "./", "/workspace", "/tmp/.", "/dev/shm/"}) {
            assertThatThrownBy(() -> SandboxPaths.entry("path", root)).as(root)
                    .hasMessage("path: is a writable dir itself, not an entry in it");
        }
    }

    @Test
    void nothingIsMadeInTheMessageQueueDir() {
        assertThat(SandboxPaths.creatable("to", "/dev/shm/a")).isEqualTo("/dev/shm/a");
        assertThat(SandboxPaths.entry("path", "/dev/mqueue/q")).isEqualTo("/dev/mqueue/q");
        assertThatThrownBy(() -> SandboxPaths.creatable("to", "/dev/mqueue/a")).hasMessageStartingWith("to: is in");
    }

    @Test
    void aQueryPathFitsInTheRequestLine() {
        assertThat(SandboxPaths.query("path", "a".repeat(256))).hasSize(256);
        assertThatThrownBy(() -> SandboxPaths.query("path", "a".repeat(257))).hasMessageContaining("256");
    }

    @Test
    void emptyNulAndOverlongPathsAre400s() {
        assertThatThrownBy(() -> SandboxPaths.check("path", "")).hasMessageStartingWith("path: is required");
        assertThatThrownBy(() -> SandboxPaths.check("path", null)).hasMessageStartingWith("path: is required");
        assertThatThrownBy(() -> SandboxPaths.check("path", "a\0b")).hasMessageContaining("NUL");
        assertThatThrownBy(() -> SandboxPaths.check("path", "a".repeat(4097))).hasMessageContaining("4096");
        assertThatThrownBy(() -> SandboxPaths.check("path", "a\ud800")).hasMessageContaining("surrogate");
    }
}
