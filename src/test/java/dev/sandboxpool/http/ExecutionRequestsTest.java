package dev.sandboxpool.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandboxpool.api.v1alpha1.ExecutionSpec;
import dev.sandboxpool.api.v1alpha1.SandboxPoolSpec;
import dev.sandboxpool.execution.ExecutionRequest;
import dev.sandboxpool.spec.PoolSettings;
import dev.sandboxpool.spec.PoolSpecValidator;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Execution bodies as the API reads them (JSON text in, request or 400 out): every request the sandbox cannot honour
 * is refused here, naming the field, before a pool is asked for a member.
 */
class ExecutionRequestsTest {
    private static final JsonBodies JSON = new JsonBodies(new ObjectMapper());
    private static final PoolSettings POOL = pool();
    /** The longest file key: "/workspace/" and the key must fit in Linux's PATH_MAX (4096 with the final NUL). */
    private static final int MAX_KEY_BYTES = 4096 - 1 - "/workspace/".length();

    private static PoolSettings pool() {
        SandboxPoolSpec spec = new SandboxPoolSpec();
        spec.setImage("sandboxpool/python:latest");
        ExecutionSpec execution = new ExecutionSpec();
        execution.setMaxTimeout("20s");
        spec.setExecution(execution);
        return PoolSpecValidator.validate("python", spec);
    }

    private static ExecutionRequest read(String body) {
        return ExecutionRequests.from(JSON.read(body, ExecutionBody.class), POOL, new ApiConfig());
    }

    /** The 400 a body gets; fails the test when it is accepted or fails otherwise. */
    private static ApiException refused(String body) {
        ApiException e = catchThrowableOfType(ApiException.class, () -> read(body));
        assertThat(e).as("the 400 of %s", body).isNotNull();
        assertThat(e.status().getCode()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("InvalidRequest");
        return e;
    }

    /** A body with these {@code files} keys, each given as JSON source text, each with the content "x". */
    private static String withFiles(String... jsonKeys) {
        StringBuilder files = new StringBuilder();
        for (String key : jsonKeys) {
            files.append(files.isEmpty() ? "" : ",").append('"').append(key).append("\":\"x\"");
        }
        return "{\"code\":\"1\",\"files\":{" + files + "}}";
    }

    static Stream<Arguments> badFileKeys() {
        String deep = "d".repeat(99) + "/";
        return Stream.of(
                bad("empty", withFiles(""), "files.: ", "empty"),
                bad("the work dir itself", withFiles("."), "files..: ", "the work dir itself"),
                bad("the work dir, twice", withFiles("./."), "files../.: ", "the work dir itself"),
                bad("a name and back up", withFiles("a/.."), "files.a/..: ", "\"..\""),
                bad("the parent", withFiles(".."), "files...: ", "\"..\""),
                bad("out of the work dir", withFiles("../etc/x"), "files.../etc/x: ", "\"..\""),
                bad("down and up again", withFiles("a/../b"), "files.a/../b: ", "\"..\""),
                bad("absolute", withFiles("/etc/x"), "files./etc/x: ", "relative"),
                bad("an empty component", withFiles("a//b"), "files.a//b: ", "empty component"),
                bad("a trailing slash", withFiles("a/"), "files.a/: ", "empty component"),
                bad("NUL", withFiles("a\\u0000b"), "files.a\\u0000b: ", "NUL"),
                bad("a name over 255 bytes", withFiles("x".repeat(256)), "files.xxxx", "255 bytes"),
                bad("a name over 255 bytes in UTF-8", withFiles("a/" + "\u00e9".repeat(128)), "files.a/\u00e9",
                        "255 bytes"),
                bad("a path over PATH_MAX", withFiles(deep.repeat(40) + "f".repeat(MAX_KEY_BYTES - 4000 + 1)),
                        "files.ddd", MAX_KEY_BYTES + " bytes"),
                bad("an unpaired high surrogate", withFiles("a\\ud800"), "files.a\\ud800: ", "unpaired"),
                bad("an unpaired low surrogate", withFiles("\\udc00b"), "files.\\udc00b: ", "unpaired"),
                bad("a file and a file inside it", withFiles("a", "a/b"), "files.a/b: ", "inside files.a,"),
                bad("a file inside a file given later", withFiles("a/b/c", "a/b"), "files.a/b/c: ",
                        "inside files.a/b,"),
                bad("the same file twice", withFiles("a", "./a"), "files../a: ", "same file as files.a"),
                bad("the same file twice, deeper", withFiles("a/b", "a/./b"), "files.a/./b: ", "same file"),
                bad("a file inside a file, spelt two ways", withFiles("./a", "a/b/c"), "files.a/b/c: ",
                        "inside files../a,"),
                bad("a file deep inside another", withFiles("a/b/c/d", "a/b-c", "a/b", "a/b.c"), "files.a/b/c/d: ",
                        "inside files.a/b,"));
    }

    static Stream<Arguments> badText() {
        return Stream.of(
                bad("code with an unpaired surrogate", "{\"code\":\"print(1)\\ud800\"}", "code: ", "unpaired"),
                bad("code with a NUL", "{\"code\":\"print(1)\\u0000\"}", "code: ", "NUL"),
                bad("stdin with an unpaired surrogate", "{\"code\":\"1\",\"stdin\":\"x\\udfff\"}", "stdin: ",
                        "unpaired"),
                bad("an env value with an unpaired surrogate", "{\"code\":\"1\",\"env\":{\"A\":\"\\ud83d\"}}",
                        "env.A: ", "unpaired"),
                bad("an env value with a NUL", "{\"code\":\"1\",\"env\":{\"A\":\"x\\u0000y\"}}", "env.A: ", "NUL"),
                bad("an env name with a NUL", "{\"code\":\"1\",\"env\":{\"A\\u0000\":\"x\"}}", "env.A\\u0000: ",
                        "not a valid environment variable name"),
                bad("an env name with an unpaired surrogate", "{\"code\":\"1\",\"env\":{\"\\udc00\":\"x\"}}",
                        "env.\\udc00: ", "not a valid"),
                bad("file content with an unpaired surrogate", "{\"code\":\"1\",\"files\":{\"a.txt\":\"\\ud800x\"}}",
                        "files.a.txt: ", "unpaired"));
    }

    static Stream<Arguments> badTimeouts() {
        return Stream.of(
                bad("zero", timeout("0"), "timeoutSeconds: ", "at least 0.001"),
                bad("negative", timeout("-1"), "timeoutSeconds: ", "at least 0.001"),
                bad("under a millisecond", timeout("0.0001"), "timeoutSeconds: ", "at least 0.001"),
                bad("a fraction over the maximum", timeout("20.0001"), "timeoutSeconds: ", "at most 20"),
                bad("2^63 milliseconds", timeout("9223372036854775.808"), "timeoutSeconds: ", "at most 20"),
                bad("2^64 milliseconds", timeout("18446744073709551.616"), "timeoutSeconds: ", "at most 20"),
                bad("5.2e16", timeout("5.2e16"), "timeoutSeconds: ", "at most 20"),
                bad("beyond a double", timeout("1e400"), "timeoutSeconds: ", "at most 20"),
                bad("a huge exponent", timeout("1e999999999"), "timeoutSeconds: ", "got 1E+999999999"),
                bad("a huge negative exponent", timeout("1e-999999999"), "timeoutSeconds: ", "got 1E-999999999"),
                bad("a huge negative number", timeout("-1e999999999"), "timeoutSeconds: ", "at least 0.001"),
                bad("a string", timeout("\"NaN\""), "timeoutSeconds", ""),
                bad("NaN", timeout("NaN"), "body: ", "malformed JSON"),
                bad("Infinity", timeout("Infinity"), "body: ", "malformed JSON"));
    }

    /** JSON null is no field's value: taken for an absent field, it would run with defaults the caller did not ask. */
    static Stream<Arguments> nulls() {
        return Stream.of(
                bad("null code", "{\"code\":null}", "code: ", "must be a string, not null"),
                bad("null stdin", "{\"code\":\"1\",\"stdin\":null}", "stdin: ", "must be a string, not null"),
                bad("null env", "{\"code\":\"1\",\"env\":null}", "env: ", "must be an object, not null"),
                bad("null files", "{\"code\":\"1\",\"files\":null}", "files: ", "must be an object, not null"),
                bad("null timeout", timeout("null"), "timeoutSeconds: ", "must be a number, not null"),
                bad("an env value null", "{\"code\":\"1\",\"env\":{\"A\":\"x\",\"B\":null}}", "env.B: ",
                        "must be a string, not null"),
                bad("a file's content null", "{\"code\":\"1\",\"files\":{\"a/b\\u0000\":null}}",
                        "files.a/b\\u0000: ", "must be a string, not null"),
                bad("an unknown field null", "{\"code\":\"1\",\"cmd\":null}", "cmd: ", "unknown field"));
    }

    private static String timeout(String json) {
        return "{\"code\":\"1\",\"timeoutSeconds\":" + json + "}";
    }

    private static Arguments bad(String what, String body, String messageStart, String reason) {
        return Arguments.of(Named.of(what, body), messageStart, reason);
    }

    @ParameterizedTest
    @MethodSource({"badFileKeys", "badText", "badTimeouts", "nulls"})
    @Timeout(5)
    void refusesNamingTheField(String body, String messageStart, String reason) {
        assertThat(refused(body).getMessage()).startsWith(messageStart).contains(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"helper.py", "pkg/__init__.py", "a.b/c..d", "...", ".hidden/..x", "\u00e9t\u00e9.txt",
            "a\\\\b", "\\ud83d\\ude00.txt"})
    void acceptsFileKeysInsideTheWorkDir(String jsonKey) {
        assertThatCode(() -> read(withFiles(jsonKey))).doesNotThrowAnyException();
    }

    @Test
    void acceptsNamesAndPathsUpToTheLinuxLimits() {
        String deep = "d".repeat(99) + "/";
        String longest = deep.repeat(40) + "f".repeat(MAX_KEY_BYTES - 4000);

        assertThat(read(withFiles("x".repeat(255), "a/" + "\u00e9".repeat(127), longest)).files())
                .containsKeys("x".repeat(255), longest);
    }

    @Test
    void acceptsSiblingsAndNamesThatOnlyShareAPrefix() {
        assertThat(read(withFiles("a/b", "a/c", "ab/c", "a.txt")).files()).containsOnlyKeys("a/b", "a/c", "ab/c",
                "a.txt");
    }

    @Test
    void sendsEachFileUnderItsNormalisedName() {
        assertThat(read(withFiles("./a", "b/./c")).files()).containsOnlyKeys("a", "b/c");
    }

    @Test
    void acceptsPairedSurrogatesEverywhereAndNulInStdinAndFiles() {
        ExecutionRequest r = read("{\"code\":\"print('\\ud83d\\ude00')\",\"stdin\":\"a\\u0000\\ud83d\\ude00\","
                + "\"env\":{\"E\":\"\\ud83d\\ude00\"},\"files\":{\"f\":\"\\u0000\\ud83d\\ude00\"}}");

        assertThat(r.code()).isEqualTo("print('\ud83d\ude00')");
        assertThat(r.stdin()).isEqualTo("a\u0000\ud83d\ude00");
        assertThat(r.env()).containsEntry("E", "\ud83d\ude00");
        assertThat(r.files()).containsEntry("f", "\u0000\ud83d\ude00");
    }

    @Test
    void readsTimeoutsToTheMillisecond() {
        assertThat(read(timeout("0.001")).timeout()).isEqualTo(Duration.ofMillis(1));
        assertThat(read(timeout("1.5")).timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(read(timeout("0.0019")).timeout()).isEqualTo(Duration.ofMillis(1));
        assertThat(read(timeout("20")).timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(read(timeout("2e1")).timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(read("{\"code\":\"1\"}").timeout()).isEqualTo(POOL.defaultTimeout());
    }
}
