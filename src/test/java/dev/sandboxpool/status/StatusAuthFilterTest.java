package dev.sandboxpool.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class StatusAuthFilterTest {
    @Test
    void thePasswordIsEverythingAfterTheFirstColon() {
        assertThat(StatusAuthFilter.basicPassword(encode("viewer:to:ken"))).isEqualTo("to:ken");
        assertThat(StatusAuthFilter.basicPassword(encode(":token"))).isEqualTo("token");
    }

    @Test
    void malformedCredentialsHaveNoPassword() {
        assertThat(StatusAuthFilter.basicPassword("%%%")).isNull();
        assertThat(StatusAuthFilter.basicPassword(encode("no-colon"))).isNull();
    }

    private static String encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
