package dev.sandboxpool.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The attack programs of the isolation tests (src/test/resources/attacks), run as user code in a sandbox. */
public final class Attacks {
    private Attacks() {
    }

    public static String source(String name) {
        try (InputStream in = Attacks.class.getResourceAsStream("/attacks/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no attack named " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
