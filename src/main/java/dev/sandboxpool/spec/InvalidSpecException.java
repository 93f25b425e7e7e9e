package dev.sandboxpool.spec;

import java.util.List;
import java.util.stream.Collectors;

/** A pool spec that cannot be used, with every field that is wrong and why. */
public class InvalidSpecException extends RuntimeException {
    private final String pool;
    private final List<FieldError> errors;

    public InvalidSpecException(String pool, List<FieldError> errors) {
        super("SandboxPool " + pool + " is invalid: "
                + errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        this.pool = pool;
        this.errors = List.copyOf(errors);
    }

    public String pool() {
        return pool;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
