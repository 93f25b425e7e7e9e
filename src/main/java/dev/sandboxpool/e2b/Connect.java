package dev.sandboxpool.e2b;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Connect RPC protocol with its JSON codec, as the E2B SDKs speak it to a sandbox's services: a unary call is a
 * JSON body answered by a JSON body ({@code application/json}); a server-streaming call sends one enveloped message
 * and gets enveloped messages back ({@code application/connect+json}). An envelope is one flags byte and a big-endian
 * 32-bit length, then the message; flag {@code 0x02} marks the end of the stream, whose JSON carries the error, if
 * any, and metadata. Errors are {@code {"code": "not_found", "message": "..."}}, with the HTTP status of the code for
 * unary calls (a stream has already answered 200, so its error goes in the end message).
 */
public final class Connect {
    public static final String UNARY_JSON = "application/json";
    public static final String STREAM_JSON = "application/connect+json";
    static final int END_STREAM = 0x02;
    static final int COMPRESSED = 0x01;
    /** Far above any request the SDKs send (a path, a command line): a larger envelope is refused unread. */
    static final int MAX_REQUEST_MESSAGE = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Connect() {
    }

    /** Connect's error codes with the HTTP status a unary error answers with. */
    public enum Code {
        CANCELED(499), UNKNOWN(500), INVALID_ARGUMENT(400), DEADLINE_EXCEEDED(504), NOT_FOUND(404),
        ALREADY_EXISTS(409), PERMISSION_DENIED(403), RESOURCE_EXHAUSTED(429), FAILED_PRECONDITION(400),
        ABORTED(409), OUT_OF_RANGE(400), UNIMPLEMENTED(501), INTERNAL(500), UNAVAILABLE(503), DATA_LOSS(500),
        UNAUTHENTICATED(401);

        private final int httpStatus;

        Code(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }

        /** The name on the wire: {@code not_found}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A failed call as Connect reports it. */
    public static final class RpcException extends RuntimeException {
        private final Code code;

        public RpcException(Code code, String message) {
            super(message);
            this.code = code;
        }

        public Code code() {
            return code;
        }
    }

    public static byte[] errorJson(Code code, String message) {
        ObjectNode error = JSON.createObjectNode();
        error.put("code", code.wire());
        error.put("message", message);
        return write(error);
    }

    /** One message of a stream. */
    public static byte[] envelope(JsonNode message) {
        return frame(0, write(message));
    }

    /** The last frame of a stream: success, or the error that ended it. */
    public static byte[] endOfStream(RpcException error) {
        ObjectNode end = JSON.createObjectNode();
        if (error != null) {
            ObjectNode e = end.putObject("error");
            e.put("code", error.code().wire());
            e.put("message", error.getMessage());
        }
        return frame(END_STREAM, write(end));
    }

    static byte[] frame(int flags, byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(5 + payload.length);
        out.put((byte) flags).putInt(payload.length).put(payload);
        return out.array();
    }

    /**
     * The messages of an enveloped request body. Compressed envelopes (no compression is negotiated), truncated
     * frames and oversized ones are refused as {@link Code#INVALID_ARGUMENT}.
     */
    public static List<JsonNode> messages(byte[] body) {
        List<JsonNode> out = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(body);
        while (in.hasRemaining()) {
            if (in.remaining() < 5) {
                throw invalid("truncated envelope: " + in.remaining() + " bytes where a 5-byte prefix belongs");
            }
            int flags = in.get() & 0xff;
            long length = in.getInt() & 0xffffffffL;
            if ((flags & COMPRESSED) != 0) {
                throw invalid("compressed messages are not accepted (no Connect-Content-Encoding is supported)");
            }
            if (length > MAX_REQUEST_MESSAGE || length > in.remaining()) {
                throw invalid("envelope of " + length + " bytes: " + (length > MAX_REQUEST_MESSAGE
                        ? "above the limit of " + MAX_REQUEST_MESSAGE : "only " + in.remaining() + " follow"));
            }
            byte[] payload = new byte[(int) length];
            in.get(payload);
            if ((flags & END_STREAM) == 0) {
                out.add(parse(payload));
            }
        }
        return out;
    }

    /** The single message a server-streaming call sends. */
    public static JsonNode singleMessage(byte[] body) {
        List<JsonNode> messages = messages(body);
        if (messages.size() != 1) {
            throw invalid("a server-streaming call sends exactly one message, got " + messages.size());
        }
        return messages.get(0);
    }

    /** A unary request body: a JSON object (an empty body is the empty message). */
    public static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw invalid("the message must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw invalid("the message is not JSON: " + e.getMessage());
        }
    }

    static RpcException invalid(String message) {
        return new RpcException(Code.INVALID_ARGUMENT, message);
    }

    static byte[] write(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static ObjectMapper mapper() {
        return JSON;
    }
}
