package dev.sandboxpool.http.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Utf8TextTest {
    private static final byte[] TEXT = "aé€😀".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 bytes

    @Test
    void aChunkEndingInsideACharacterStopsBeforeIt() {
        assertThat(Utf8Text.complete(Arrays.copyOf(TEXT, 2))).isEqualTo(1);
        assertThat(Utf8Text.complete(Arrays.copyOf(TEXT, 3))).isEqualTo(3);
        assertThat(Utf8Text.complete(Arrays.copyOf(TEXT, 5))).isEqualTo(3);
        assertThat(Utf8Text.complete(Arrays.copyOf(TEXT, 9))).isEqualTo(6);
        assertThat(Utf8Text.complete(TEXT)).isEqualTo(10);
    }

    @Test
    void bytesThatAreNotUtf8AreNotHeldBack() {
        assertThat(Utf8Text.complete(new byte[] {'a', (byte) 0x80, (byte) 0x80, (byte) 0x80})).isEqualTo(4);
        assertThat(Utf8Text.complete(new byte[] {(byte) 0xff})).isEqualTo(1);
    }

    @Test
    void aDecoderFedByteByByteGivesTheTextWhole() {
        Utf8Text.Decoder decoder = new Utf8Text.Decoder();
        StringBuilder out = new StringBuilder();
        for (byte b : TEXT) {
            out.append(decoder.next(new byte[] {b}));
        }
        assertThat(out.append(decoder.rest()).toString()).isEqualTo("aé€😀");
    }
}
