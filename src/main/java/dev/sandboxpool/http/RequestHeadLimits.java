package dev.sandboxpool.http;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Limits on a request's head (its line and headers) that Micronaut's server lacks, on HTTP/1.1 connections.
 *
 * <p>Time: a connection whose client has not sent a request's head within {@code sandboxpool.api.header-timeout} of
 * the request's first byte (of the connection's opening, for the first request) is closed. Netty's idle handler, the
 * only timeout Micronaut's server has, restarts at every byte read, so a client that sent one header byte a second
 * held its connection for ever, and many such clients hold the server's sockets. Kept-alive connections between
 * requests, and requests whose head is in, are left to {@code micronaut.server.idle-timeout}.
 *
 * <p>Size: a request line or header section over Netty's limits
 * ({@code micronaut.server.netty.max-initial-line-length}, {@code max-header-size}) gets 414 or 431 with the API's
 * error body; Micronaut would answer 413 "Request Entity Too Large", which names the body.
 *
 * <p>Two handlers share one deadline: one in front of the HTTP decoder sees the first bytes of a request, one behind
 * it sees the decoded head and the end of the request. Both run on the connection's event loop, as does the timer.
 */
@Singleton
public class RequestHeadLimits implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    private final Duration timeout;

    public RequestHeadLimits(ApiConfig config) {
        this.timeout = config.getHeaderTimeout();
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        // HTTP/2 streams get their headers in frames Netty reads whole: only HTTP/1.1 connections need this
        return Http1Connections.onEach(event.getBean(), (channel, pipeline) -> {
            Deadline deadline = new Deadline(timeout.toNanos());
            pipeline.addBefore(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, "sandboxpool-header-start",
                    deadline.bytes);
            pipeline.addAfter(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, "sandboxpool-header-end",
                    deadline.messages);
            deadline.start(channel);
        });
    }

    /** The deadline of one connection's current request head; null timer when no head is being read. */
    private static final class Deadline {
        private final long nanos;
        private ScheduledFuture<?> timer;
        private boolean inRequest;

        final ChannelInboundHandlerAdapter bytes = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!inRequest && timer == null && msg instanceof ByteBuf b && b.isReadable()) {
                    start(ctx.channel());
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                cancel();
                ctx.fireChannelInactive();
            }
        };

        final ChannelInboundHandlerAdapter messages = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest request
                        && request.decoderResult().cause() instanceof TooLongFrameException e) {
                    cancel();
                    ReferenceCountUtil.release(msg);
                    refuse(ctx, e instanceof TooLongHttpLineException);
                    return;
                }
                if (msg instanceof HttpRequest) {
                    cancel();
                    inRequest = true;
                }
                if (msg instanceof LastHttpContent) {
                    inRequest = false;
                }
                ctx.fireChannelRead(msg);
            }
        };

        /** Answers and closes: the decoder reads nothing more on this connection after a head it could not take. */
        private static void refuse(ChannelHandlerContext ctx, boolean line) {
            HttpResponseStatus status = line ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            String body = line
                    ? "{\"error\":\"UriTooLong\",\"message\":\"the request line is longer than the server accepts\"}"
                    : "{\"error\":\"HeadersTooLarge\",\"message\":\"the request headers are larger than the server "
                            + "accepts\"}";
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        Deadline(long nanos) {
            this.nanos = nanos;
        }

        void start(Channel channel) {
            timer = channel.eventLoop().schedule(() -> {
                timer = null;
                channel.close();
            }, nanos, TimeUnit.NANOSECONDS);
        }

        void cancel() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }
}
