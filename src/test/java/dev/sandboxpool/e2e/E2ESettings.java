package dev.sandboxpool.e2e;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the e2e tier runs against, from system properties the Maven profile {@code e2e} sets (./sandboxpool e2e
 * passes the images it built and loaded). A missing tool or cluster fails the tests: an e2e tier that skips itself
 * would report green without having tested anything.
 */
record E2ESettings(String operatorImage, String sandboxImage, String pullPolicy, Path chart, Path logs) {
    private static volatile E2ESettings checked;

    static E2ESettings get() {
        E2ESettings s = checked;
        if (s == null) {
            s = new E2ESettings(property("sandboxpool.e2e.operatorImage"), property("sandboxpool.e2e.sandboxImage"),
                    property("sandboxpool.e2e.pullPolicy"), Path.of(property("sandboxpool.e2e.chart")),
                    Path.of(property("sandboxpool.e2e.logs")));
            s.checkTools();
            checked = s;
        }
        return s;
    }

    /** The repository part of the operator image (what the chart calls image.repository). */
    String operatorRepository() {
        return operatorImage.substring(0, tagSeparator());
    }

    String operatorTag() {
        int i = tagSeparator();
        return i == operatorImage.length() ? "latest" : operatorImage.substring(i + 1);
    }

    private int tagSeparator() {
        int colon = operatorImage.lastIndexOf(':');
        return colon > operatorImage.lastIndexOf('/') ? colon : operatorImage.length();
    }

    private void checkTools() {
        if (!Files.isDirectory(chart)) {
            fail("the chart %s is missing", chart);
        }
        for (String tool : List.of("kubectl", "helm")) {
            try {
                CommandLine.run(Duration.ofSeconds(30), List.of(tool, "version"));
            } catch (RuntimeException e) {
                fail("%s is needed on PATH for the e2e tests (realk8s: ~/.cache/realk8s/bin): %s", tool, e.getMessage());
            }
        }
        CommandLine.Result version = CommandLine.run(Duration.ofSeconds(30),
                List.of("kubectl", "version", "--request-timeout=20s"));
        if (version.exitCode() != 0) {
            fail("no cluster answers at KUBECONFIG=%s: %s", System.getenv("KUBECONFIG"), version.output());
        }
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            fail("system property %s is not set: run the e2e tier with ./sandboxpool e2e (or mvn verify -Pe2e)", name);
        }
        return value;
    }
}
