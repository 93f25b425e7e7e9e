package dev.sandboxpool.http;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import jakarta.inject.Singleton;

/**
 * A connection whose request the server is still answering is not idle. Micronaut closes an HTTP/1.1 connection
 * after {@code micronaut.server.idle-timeout} (5 min) without a byte either way, even while the answer is being
 * worked out, and an execution says nothing until it ends: one that ran longer than the idle timeout lost its
 * answer (the connection closed under the caller, the code ran on). Here the idle event is not passed on while a
 * request has been received whole and its response is not yet written whole. A request whose head or body is still
 * coming stays under the idle timeout (and the head under {@link RequestHeadLimits}), so a slow client gains
 * nothing; the server's own work is bounded by the execution limits.
 */
@Singleton
public class AnswerPendingNotIdle implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        // HTTP/2 streams are not closed by the idle handler's close of an HTTP/1.1 connection
        return Http1Connections.onEach(event.getBean(), (channel, pipeline) -> pipeline.addAfter(
                ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, "sandboxpool-answer-pending", new Guard()));
    }

    /**
     * On the connection's event loop. HTTP/1.1 answers in request order, so the server works on an answer exactly
     * while more requests were received whole than responses written whole. A response written before its request
     * was received whole (an early 401 or 413) counts as one, so that request's body, when it ends, leaves nothing
     * pending: a client cannot keep its connection from idling out by sending its body after an early answer.
     */
    static final class Guard extends ChannelDuplexHandler {
        private long received;
        private long answered;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof LastHttpContent) {
                received++;
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof LastHttpContent) {
                answered++;
            }
            ctx.write(msg, promise);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent && received > answered) {
                return; // the server is working on an answer: the caller is waiting, not gone
            }
            super.userEventTriggered(ctx, evt);
        }
    }
}
