package dev.sandboxpool.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.backend.docker.DockerClients;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * What every *IT needs: the real Docker daemon and the real sandbox image. Neither is ever skipped: when one is
 * missing the tests fail with a message that says how to get it ({@code ./sandboxpool test} provides both).
 */
public final class DockerTestSupport {
    public static final String IMAGE = System.getProperty("sandboxpool.test.image", "sandboxpool/python:latest");
    private static DockerClient client;

    private DockerTestSupport() {
    }

    public static synchronized DockerClient docker() {
        if (client == null) {
            DockerClient c = DockerClients.connect();
            try {
                c.pingCmd().exec();
            } catch (RuntimeException e) {
                throw new AssertionError("The Docker daemon is not reachable (" + e.getMessage() + "). Integration "
                        + "tests need it and never skip: run them with ./sandboxpool test, which starts Docker.", e);
            }
            try {
                c.inspectImageCmd(IMAGE).exec();
            } catch (NotFoundException e) {
                throw new AssertionError("The sandbox image " + IMAGE + " is missing: build it with "
                        + "sandbox/build-offline.sh (./sandboxpool test does).", e);
            }
            client = c;
        }
        return client;
    }

    /** Settings of a small test pool named {@code name}, adjusted by {@code changes}. */
    public static PoolSettings settings(String name, Consumer<SandboxPoolSpec> changes) {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage(IMAGE);
        spec.setMinSize(1);
        spec.setMaxSize(2);
        spec.getHealthProbe().setPeriod("1s");
        changes.accept(spec);
        return PoolSpecValidator.validate(name, spec);
    }

    /**
     * An image made from the sandbox image by one shell command run as root (for images that break its contract),
     * built once per name with the docker CLI (a Dockerfile on stdin, no context: offline).
     */
    public static synchronized String derivedImage(String name, String rootCommand) throws IOException {
        String tag = "sandboxpool-test/" + name + ":latest";
        try {
            docker().inspectImageCmd(tag).exec();
            return tag;
        } catch (NotFoundException e) {
            // build it below
        }
        Process build = new ProcessBuilder("docker", "build", "-q", "-t", tag, "-").redirectErrorStream(true).start();
        build.getOutputStream().write(("FROM " + IMAGE + "\nUSER 0\nRUN " + rootCommand + "\nUSER 65534:65534\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        build.getOutputStream().close();
        String out = new String(build.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (build.waitFor() != 0) {
                throw new AssertionError("cannot build " + tag + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while building " + tag, e);
        }
        return tag;
    }
}
