package dev.sandboxpool.sandbox;

/** A sandbox operation that failed because of what was asked (not because the sandbox failed). */
public final class SandboxOpException extends RuntimeException {
    public enum Kind {
        /** The path, command or context does not exist. */
        NOT_FOUND,
        /** Something is already there. */
        ALREADY_EXISTS,
        /** The request cannot be honoured as asked: a path outside the writable dirs, a directory where a file is. */
        INVALID,
        /** More than the pool allows (a file to read, an upload). */
        TOO_LARGE,
        /** The sandbox could not do it (its runner failed); the member is replaced. */
        SANDBOX_FAILED,
        /** This pool cannot do it at all (a mode or backend without it). */
        UNSUPPORTED
    }

    private final Kind kind;
    private final String field;

    public SandboxOpException(Kind kind, String field, String message) {
        super(message);
        this.kind = kind;
        this.field = field;
    }

    public Kind kind() {
        return kind;
    }

    /** What was wrong ({@code path}, {@code pid}, {@code contextId}, ...). */
    public String field() {
        return field;
    }
}
