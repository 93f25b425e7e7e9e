package dev.sandboxpool.http.forward;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.client.DefaultHttpClientConfiguration;
import io.micronaut.http.client.ProxyHttpClient;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.reactivestreams.Publisher;

/**
 * The HTTP client one lease API replica forwards requests to another with. Its own, not the application's default:
 * a forwarded call may be a code run or a stream that lasts as long as the pool's longest execution, so it waits for
 * the peer's answer far longer than a client's default 10 s, and streams the answer as it comes.
 */
@Singleton
@Requires(beans = dev.sandboxpool.pool.PoolRegistry.class)
public class PeerClient {
    /** Longer than any execution a pool sensibly allows; a forwarded call of a pool with a longer maxTimeout is cut. */
    static final Duration READ_TIMEOUT = Duration.ofMinutes(65);

    private final ProxyHttpClient client;

    public PeerClient() {
        DefaultHttpClientConfiguration config = new DefaultHttpClientConfiguration();
        config.setReadTimeout(READ_TIMEOUT);
        config.setReadIdleTimeout(READ_TIMEOUT);
        config.setConnectTimeout(Duration.ofSeconds(5));
        config.setFollowRedirects(false);
        this.client = ProxyHttpClient.create(null, config);
    }

    /** The request as sent by the client, to {@code address} ({@code ip:port}), marked with {@code header}. */
    Publisher<MutableHttpResponse<?>> forward(HttpRequest<?> request, String address, String header) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon);
        int port = Integer.parseInt(address.substring(colon + 1));
        return client.proxy(request.mutate()
                .uri(b -> b.scheme("http").host(host).port(port))
                .header(header, "1"));
    }

    @PreDestroy
    void close() throws Exception {
        if (client instanceof AutoCloseable c) {
            c.close();
        }
    }
}
