package dev.sandboxpool.e2b;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ConnectTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anEnvelopeIsAFlagsByteABigEndianLengthAndTheMessage() throws Exception {
        byte[] frame = Connect.envelope(JSON.readTree("{\"pid\":7}"));

        assertThat(frame[0]).isZero();
        assertThat(ByteBuffer.wrap(frame, 1, 4).getInt()).isEqualTo(frame.length - 5);
        assertThat(new String(frame, 5, frame.length - 5, StandardCharsets.UTF_8)).isEqualTo("{\"pid\":7}");
    }

    @Test
    void theEndOfAStreamIsFlaggedAndCarriesTheError() throws Exception {
        byte[] ok = Connect.endOfStream(null);
        byte[] failed = Connect.endOfStream(new Connect.RpcException(Connect.Code.NOT_FOUND, "no such pid"));

        assertThat(ok[0]).isEqualTo((byte) 0x02);
        assertThat(new String(ok, 5, ok.length - 5, StandardCharsets.UTF_8)).isEqualTo("{}");
        JsonNode end = JSON.readTree(Arrays.copyOfRange(failed, 5, failed.length));
        assertThat(end.path("error").path("code").asText()).isEqualTo("not_found");
        assertThat(end.path("error").path("message").asText()).isEqualTo("no such pid");
    }

    @Test
    void aRequestStreamIsReadBackMessageByMessageUpToItsEnd() throws Exception {
        byte[] one = Connect.envelope(JSON.readTree("{\"a\":1}"));
        byte[] two = Connect.envelope(JSON.readTree("{\"b\":2}"));
        byte[] end = Connect.endOfStream(null);
        byte[] body = ByteBuffer.allocate(one.length + two.length + end.length).put(one).put(two).put(end).array();

        assertThat(Connect.messages(body)).extracting(JsonNode::toString).containsExactly("{\"a\":1}", "{\"b\":2}");
        assertThatThrownBy(() -> Connect.singleMessage(body)).isInstanceOf(Connect.RpcException.class)
                .hasMessageContaining("exactly one");
    }

    @Test
    void truncatedCompressedAndOversizedEnvelopesAreInvalidArguments() {
        byte[] truncated = {0, 0, 0, 0, 9, '{', '}'};
        byte[] compressed = Connect.frame(Connect.COMPRESSED, "{}".getBytes(StandardCharsets.UTF_8));
        byte[] huge = {0, 0x7f, 0, 0, 0};

        for (byte[] body : new byte[][] {truncated, compressed, huge, {0, 0}}) {
            assertThatThrownBy(() -> Connect.messages(body)).isInstanceOfSatisfying(Connect.RpcException.class,
                    e -> assertThat(e.code()).isEqualTo(Connect.Code.INVALID_ARGUMENT));
        }
    }

    @Test
    void aUnaryMessageMustBeAJsonObjectAndMayBeEmpty() {
        assertThat(Connect.parse(new byte[0]).isObject()).isTrue();
        assertThatThrownBy(() -> Connect.parse("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(Connect.RpcException.class);
        assertThatThrownBy(() -> Connect.parse("{".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(Connect.RpcException.class);
    }

    @Test
    void errorCodesHaveConnectsWireNamesAndHttpStatuses() throws Exception {
        JsonNode error = JSON.readTree(Connect.errorJson(Connect.Code.UNAUTHENTICATED, "no token"));

        assertThat(error.path("code").asText()).isEqualTo("unauthenticated");
        assertThat(Connect.Code.UNAUTHENTICATED.httpStatus()).isEqualTo(401);
        assertThat(Connect.Code.NOT_FOUND.httpStatus()).isEqualTo(404);
        assertThat(Connect.Code.ALREADY_EXISTS.httpStatus()).isEqualTo(409);
        assertThat(Connect.Code.INVALID_ARGUMENT.httpStatus()).isEqualTo(400);
        assertThat(Connect.Code.UNIMPLEMENTED.httpStatus()).isEqualTo(501);
        assertThat(Connect.Code.RESOURCE_EXHAUSTED.httpStatus()).isEqualTo(429);
        assertThat(Connect.Code.DEADLINE_EXCEEDED.wire()).isEqualTo("deadline_exceeded");
    }
}
