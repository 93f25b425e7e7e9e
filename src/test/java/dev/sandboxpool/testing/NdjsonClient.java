package dev.sandboxpool.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A streamed NDJSON answer read over a plain socket, line by line as the server sends them, so a test sees when
 * each line arrives and can hang up in the middle (closing the socket is what a client that goes away does).
 */
public final class NdjsonClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final String contentType;
    private final boolean chunked;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long chunkLeft;
    private boolean ended;

    private NdjsonClient(URI base, String path, String body, Map<String, String> headers) throws IOException {
        socket = RawHttp.connect(base);
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder extra = new StringBuilder();
        headers.forEach((name, value) -> extra.append(name).append(": ").append(value).append("\r\n"));
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort() + "\r\n" + extra
                + "Accept: application/x-ndjson\r\nContent-Type: application/json\r\nContent-Length: "
                + payload.length + "\r\n\r\n";
        socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().write(payload);
        socket.getOutputStream().flush();
        in = socket.getInputStream();
        String statusLine = headerLine();
        status = Integer.parseInt(statusLine.substring(9, 12));
        String type = null;
        boolean chunked = false;
        long length = -1;
        for (String h = headerLine(); !h.isEmpty(); h = headerLine()) {
            String name = h.substring(0, h.indexOf(':')).strip().toLowerCase(Locale.ROOT);
            String value = h.substring(h.indexOf(':') + 1).strip();
            if (name.equals("content-type")) {
                type = value;
            } else if (name.equals("transfer-encoding")) {
                chunked = value.equalsIgnoreCase("chunked");
            } else if (name.equals("content-length")) {
                length = Long.parseLong(value);
            }
        }
        contentType = type;
        chunkLeft = chunked ? 0 : length;
        this.chunked = chunked;
    }

    /** Sends the request and reads the status and headers of the answer. */
    public static NdjsonClient post(URI base, String path, String body) {
        return post(base, path, body, Map.of());
    }

    /** {@link #post(URI, String, String)} with more request headers. */
    public static NdjsonClient post(URI base, String path, String body, Map<String, String> headers) {
        try {
            return new NdjsonClient(base, path, body, headers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int status() {
        return status;
    }

    public String contentType() {
        return contentType;
    }

    /** The next line of the body as JSON, waiting for it; null at the end of the body. */
    public JsonNode next() {
        try {
            while (true) {
                int b = body();
                if (b < 0) {
                    return line.size() == 0 ? null : take();
                }
                if (b == '\n') {
                    return take();
                }
                line.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every remaining line. */
    public List<JsonNode> rest() {
        List<JsonNode> lines = new ArrayList<>();
        for (JsonNode l = next(); l != null; l = next()) {
            lines.add(l);
        }
        return lines;
    }

    private JsonNode take() throws IOException {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        return JSON.readTree(text);
    }

    /** One byte of the body, through the chunked framing; -1 at its end. */
    private int body() throws IOException {
        if (ended) {
            return -1;
        }
        if (!chunked) {
            if (chunkLeft == 0) {
                ended = true;
                return -1;
            }
            chunkLeft--;
            return in.read();
        }
        if (chunkLeft == 0) {
            String size = headerLine();
            if (size.isEmpty()) {
                size = headerLine(); // the CRLF after the previous chunk's data
            }
            chunkLeft = Long.parseLong(size.split(";")[0].strip(), 16);
            if (chunkLeft == 0) {
                ended = true;
                return -1;
            }
        }
        chunkLeft--;
        return in.read();
    }

    private String headerLine() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            if (b != '\r') {
                out.write(b);
            }
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Hangs up: the server sees the connection close. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
