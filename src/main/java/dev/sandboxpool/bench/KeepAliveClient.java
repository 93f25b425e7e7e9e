package dev.sandboxpool.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's HTTP/1.1 client: one kept-alive connection per calling thread, blocking reads, nothing else. An
 * application calls the API through a pooled keep-alive client much like this one; the JDK's HttpClient adds its own
 * thread hand-offs (about 0.5 ms per request on these machines), which would be measured as the product's time.
 */
final class KeepAliveClient {
    private final InetSocketAddress address;
    private final String host;
    private final ThreadLocal<Connection> connections = new ThreadLocal<>();

    KeepAliveClient(URI base) {
        this.address = new InetSocketAddress(base.getHost(), base.getPort());
        this.host = base.getHost() + ":" + base.getPort();
    }

    record Response(int status, String body) {
    }

    Response send(String method, String path, String body) {
        return send(method, path, body, Map.of());
    }

    /** With {@code headers} added to the request (the E2B sandbox plane's sandbox id, port and access token). */
    Response send(String method, String path, String body, Map<String, String> headers) {
        Connection c = connections.get();
        try {
            if (c == null) {
                c = new Connection(address);
                connections.set(c);
            }
            return c.exchange(method, path, host, body, headers);
        } catch (IOException e) {
            connections.remove();
            if (c != null) {
                c.close();
            }
            throw new UncheckedIOException(method + " " + path + ": " + e.getMessage(), e);
        }
    }

    private static final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(InetSocketAddress address) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 5_000);
            socket.setSoTimeout(120_000);
            in = new BufferedInputStream(socket.getInputStream(), 65_536);
            out = socket.getOutputStream();
        }

        Response exchange(String method, String path, String host, String body, Map<String, String> headers)
                throws IOException {
            byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(160).append(method).append(' ').append(path)
                    .append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            if (body != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length)
                        .append("\r\n");
            }
            head.append("\r\n");
            byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
            byte[] request = new byte[headBytes.length + payload.length];
            System.arraycopy(headBytes, 0, request, 0, headBytes.length);
            System.arraycopy(payload, 0, request, headBytes.length, payload.length);
            out.write(request);
            out.flush();
            return read();
        }

        private Response read() throws IOException {
            String status = line();
            if (!status.startsWith("HTTP/1.1 ")) {
                throw new IOException("not an HTTP/1.1 response: " + status);
            }
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String h = header.toLowerCase(Locale.ROOT);
                if (h.startsWith("content-length:")) {
                    length = Long.parseLong(h.substring(15).trim());
                } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                    chunked = true;
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                        size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                    body.write(in.readNBytes(size));
                    line();
                }
                line();
            } else if (length > 0) {
                body.write(in.readNBytes((int) length));
            }
            return new Response(code, body.toString(StandardCharsets.UTF_8));
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed by the server");
                }
                if (b != '\r') {
                    s.append((char) b);
                }
            }
            return s.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already broken: that is why it is being closed
            }
        }
    }
}
