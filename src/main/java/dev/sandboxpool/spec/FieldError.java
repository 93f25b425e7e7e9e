package dev.sandboxpool.spec;

/** One reason a spec is invalid: the field's path ({@code spec.maxAge}) and what is wrong with it. */
public record FieldError(String field, String reason) {
    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
