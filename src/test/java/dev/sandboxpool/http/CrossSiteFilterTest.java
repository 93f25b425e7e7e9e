package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which Host and Origin values local mode admits: loopback names, the bound address, and what is configured. */
class CrossSiteFilterTest {
    private static CrossSiteFilter filter(String bound, List<String> hosts, List<String> origins) {
        ApiConfig config = new ApiConfig();
        config.setAllowedHosts(hosts);
        config.setAllowedOrigins(origins);
        return new CrossSiteFilter(config, bound);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "localhost:8080", "LOCALHOST:1", "127.0.0.1", "127.0.0.1:8080", "[::1]",
            "[::1]:8080", " localhost:8080 "})
    void loopbackNamesAreAdmittedOnAnyPort(String host) {
        assertThat(filter("127.0.0.1", List.of(), List.of()).hostAllowed(host)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.evil.example",
            "localhost:8080@evil.example", "localhost:http", "::1", "[::1", "127.0.0.2", "0.0.0.0:8080", "",
            "localhost.", "localhost:8080:1"})
    void otherNamesAreNot(String host) {
        assertThat(filter("127.0.0.1", List.of(), List.of()).hostAllowed(host)).isFalse();
    }

    @Test
    void theBoundAddressIsAdmittedUnlessItIsAWildcard() {
        assertThat(filter("192.168.1.5", List.of(), List.of()).hostAllowed("192.168.1.5:8080")).isTrue();
        assertThat(filter("fe80::1", List.of(), List.of()).hostAllowed("[fe80::1]:8080")).isTrue();
        assertThat(filter("0.0.0.0", List.of(), List.of()).hostAllowed("0.0.0.0:8080")).isFalse();
        assertThat(filter("::", List.of(), List.of()).hostAllowed("[::]:8080")).isFalse();
        assertThat(filter("", List.of(), List.of()).hostAllowed("")).isFalse();
    }

    @Test
    void configuredHostsAreAdmittedOnAnyPort() {
        CrossSiteFilter f = filter("0.0.0.0", List.of("Sandbox.Example", " 10.0.0.7:9000", "fd00::7", ""), List.of());

        assertThat(f.hostAllowed("sandbox.example:8080")).isTrue();
        assertThat(f.hostAllowed("10.0.0.7")).isTrue();
        assertThat(f.hostAllowed("[fd00::7]:8080")).isTrue();
        assertThat(f.hostAllowed("other.example")).isFalse();
    }

    @Test
    void noOriginIsAdmittedUnlessConfigured() {
        CrossSiteFilter none = filter("127.0.0.1", List.of(), List.of());
        CrossSiteFilter one = filter("127.0.0.1", List.of(), List.of("http://App.Example:3000/"));

        assertThat(none.originAllowed("http://127.0.0.1:8080")).isFalse();
        assertThat(none.originAllowed("null")).isFalse();
        assertThat(one.originAllowed("http://app.example:3000")).isTrue();
        assertThat(one.originAllowed("https://app.example:3000")).isFalse();
        assertThat(one.originAllowed("http://app.example")).isFalse();
    }
}
