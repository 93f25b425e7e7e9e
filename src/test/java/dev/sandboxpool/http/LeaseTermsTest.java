package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lease bodies as the API reads them: a TTL or wait beyond the pool's maximum is capped with a notice, never wrapped
 * into a negative or tiny duration; a TTL under a millisecond is refused.
 */
class LeaseTermsTest {
    private static final JsonBodies JSON = new JsonBodies(new ObjectMapper());
    /** Defaults: lease.defaultTtl 60s, lease.maxTtl 10m, lease.acquireTimeout 30s. */
    private static final PoolSettings POOL = pool();

    private static PoolSettings pool() {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage("sandboxpool/python:latest");
        return PoolSpecValidator.validate("python", spec);
    }

    private static LeaseTerms terms(String body) {
        return LeaseTerms.of(JSON.read(body, LeaseBody.class), POOL);
    }

    private static ApiException refused(String body) {
        ApiException e = catchThrowableOfType(ApiException.class, () -> terms(body));
        assertThat(e).as("the 400 of %s", body).isNotNull();
        assertThat(e.status().getCode()).isEqualTo(400);
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"5.2e16", "18446744073709551.616", "9223372036854775.808", "9223372036854775807",
            "1e400", "1e999999999", "600.0001"})
    @Timeout(5)
    void capsAHugeTtlToTheMaximumWithANotice(String ttl) {
        LeaseTerms t = terms("{\"ttlSeconds\":" + ttl + "}");

        assertThat(t.ttl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(t.notices()).singleElement().asString().startsWith("ttlSeconds ").contains("capped")
                .contains("lease.maxTtl (10m)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5.2e16", "18446744073709551.616", "9223372036854775.808", "1e999999999"})
    @Timeout(5)
    void capsAHugeWaitToTheAcquireTimeoutWithANotice(String wait) {
        LeaseTerms t = terms("{\"waitSeconds\":" + wait + "}");

        assertThat(t.maxWait()).isEqualTo(Duration.ofSeconds(30));
        assertThat(t.notices()).singleElement().asString().startsWith("waitSeconds ").contains("capped");
    }

    @Test
    void showsAHugeNumberInTheNoticeWithoutWritingItOut() {
        assertThat(terms("{\"ttlSeconds\":1e999999999}").notices().get(0)).startsWith("ttlSeconds 1E+999999999 ");
        assertThat(terms("{\"ttlSeconds\":5.2e16}").notices().get(0)).startsWith("ttlSeconds 52000000000000000 ");
    }

    @ParameterizedTest
    @CsvSource({
            "ttlSeconds, 0, at least 0.001",
            "ttlSeconds, 0.0001, at least 0.001",
            "ttlSeconds, 1e-999999999, at least 0.001",
            "ttlSeconds, -1, at least 0.001",
            "ttlSeconds, -5.2e16, at least 0.001",
            "ttlSeconds, -1e999999999, got -1E+999999999",
            "waitSeconds, -1, 0 or more",
            "waitSeconds, -0.0001, 0 or more",
            "ttlSeconds, '\"NaN\"', ''",
            "waitSeconds, '\"Infinity\"', ''",
            "ttlSeconds, null, must be a number, not null",
            "waitSeconds, null, must be a number, not null"})
    @Timeout(5)
    void refusesTooSmallNegativeOrNullNamingTheField(String field, String value, String reason) {
        assertThat(refused("{\"" + field + "\":" + value + "}").getMessage()).startsWith(field).contains(reason);
    }

    @Test
    @Timeout(5)
    void refusesAnExponentBeyondWhatADecimalHolds() {
        assertThat(refused("{\"ttlSeconds\":1e9999999999}").getMessage()).matches("(ttlSeconds|body): .*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NaN", "Infinity", "-Infinity"})
    void refusesNonNumbersAsMalformedJson(String value) {
        assertThat(refused("{\"ttlSeconds\":" + value + "}").getMessage()).startsWith("body: malformed JSON");
    }

    @Test
    void keepsSmallValuesToTheMillisecond() {
        LeaseTerms t = terms("{\"ttlSeconds\":0.001,\"waitSeconds\":0.0005}");

        assertThat(t.ttl()).isEqualTo(Duration.ofMillis(1));
        assertThat(t.maxWait()).isZero();
        assertThat(t.notices()).isEmpty();
        assertThat(terms("{\"ttlSeconds\":1.5,\"waitSeconds\":30}").ttl()).isEqualTo(Duration.ofMillis(1500));
        assertThat(terms("{\"ttlSeconds\":600}").notices()).isEmpty();
    }

    @Test
    void usesThePoolsDefaultsWhenAbsent() {
        LeaseTerms t = LeaseTerms.of(null, POOL);

        assertThat(t.ttl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(t.maxWait()).isEqualTo(Duration.ofSeconds(30));
    }
}
