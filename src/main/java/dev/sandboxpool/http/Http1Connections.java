package dev.sandboxpool.http;

import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import java.util.function.BiConsumer;

/**
 * Hands the pipeline of every HTTP/1.1 connection the server accepts, once Micronaut built it, to a handler of ours.
 * HTTP/2 connections have no HTTP/1.1 codec and are left alone.
 */
final class Http1Connections {
    private static final NettyServerCustomizer NOTHING = new NettyServerCustomizer() {
    };

    private Http1Connections() {
    }

    /** {@code built} gets each connection's channel and pipeline, on the connection's event loop. */
    static NettyServerCustomizer.Registry onEach(NettyServerCustomizer.Registry registry,
            BiConsumer<Channel, ChannelPipeline> built) {
        registry.register(new NettyServerCustomizer() {
            @Override
            public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
                // connections are specialised from the listener's customizer, which is this one
                return role == ChannelRole.CONNECTION ? connection(channel, built) : this;
            }
        });
        return registry;
    }

    private static NettyServerCustomizer connection(Channel channel, BiConsumer<Channel, ChannelPipeline> built) {
        return new NettyServerCustomizer() {
            @Override
            public NettyServerCustomizer specializeForChannel(Channel c, ChannelRole role) {
                return NOTHING; // the streams of a connection
            }

            @Override
            public void onStreamPipelineBuilt() {
                ChannelPipeline pipeline = channel.pipeline();
                if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null) {
                    built.accept(channel, pipeline);
                }
            }
        };
    }
}
