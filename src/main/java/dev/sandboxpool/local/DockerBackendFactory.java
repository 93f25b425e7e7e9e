package dev.sandboxpool.local;

import com.github.dockerjava.api.DockerClient;
import dev.sandboxpool.backend.docker.DockerBackend;
import dev.sandboxpool.backend.docker.DockerClients;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/** Local mode's backend: the Docker daemon found the standard way. */
@Factory
@Requires(property = "sandboxpool.mode", value = "local", defaultValue = "local")
public class DockerBackendFactory {

    @Singleton
    @Bean(preDestroy = "close")
    DockerClient dockerClient() {
        return DockerClients.connect();
    }

    /** Closed after the pools that use it stopped: only then may another instance remove what is left. */
    @Singleton
    @Bean(preDestroy = "close")
    DockerBackend dockerBackend(DockerClient docker) {
        return new DockerBackend(docker);
    }

}
