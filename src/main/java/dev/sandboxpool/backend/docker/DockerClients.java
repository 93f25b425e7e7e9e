package dev.sandboxpool.backend.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Finds the Docker daemon the way the docker CLI does: {@code DOCKER_HOST} (and {@code DOCKER_TLS_VERIFY},
 * {@code DOCKER_CERT_PATH}) first, then the default socket, then Docker Desktop's per-user socket on macOS, or the
 * named pipe on Windows.
 */
public final class DockerClients {
    private DockerClients() {
    }

    public static DockerClient connect() {
        DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder();
        if (System.getenv("DOCKER_HOST") == null && System.getProperty("DOCKER_HOST") == null) {
            builder.withDockerHost(defaultHost());
        }
        return connect(builder.build());
    }

    /** The daemon at {@code dockerHost} ({@code unix:///path}, {@code tcp://host:port}). */
    public static DockerClient connect(String dockerHost) {
        return connect(DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build());
    }

    private static DockerClient connect(DockerClientConfig config) {
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                // executions hold a connection each while they run: allow as many as a busy host has
                .maxConnections(256)
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    static String defaultHost() {
        if (System.getProperty("os.name", "").toLowerCase().startsWith("windows")) {
            return "npipe:////./pipe/docker_engine";
        }
        Path desktop = Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock");
        if (!Files.exists(Path.of("/var/run/docker.sock")) && Files.exists(desktop)) {
            return "unix://" + desktop;
        }
        return "unix:///var/run/docker.sock";
    }
}
