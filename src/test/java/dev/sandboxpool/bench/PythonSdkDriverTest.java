package dev.sandboxpool.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PythonSdkDriverTest {

    @Test
    void readsTheScriptsSamplesAsTheBenchsStatistics() {
        String json = """
                {"versions": {"e2b": "2.63.0", "e2b-code-interpreter": "2.11.5"},
                 "runCode": {"nanos": [3000000, 1000000, 2000000, 4000000], "seconds": 0.5, "errors": 0,
                             "firstError": null},
                 "createRunKill": {"nanos": [40000000], "seconds": 2.0, "errors": 2,
                                   "phases": {"create": [5000000], "firstRunCode": [30000000], "kill": [5000000]},
                                   "firstError": "SandboxException: 429"}}
                """;

        PythonSdkDriver.Result r = PythonSdkDriver.parse(json);

        assertThat(r.versions()).isEqualTo(PythonSdkDriver.PINNED);
        // nearest rank over the sorted samples, in milliseconds, as Load gives them
        assertThat(r.runCode().p50()).isEqualTo(2.0);
        assertThat(r.runCode().p99()).isEqualTo(4.0);
        assertThat(r.runCode().perSecond()).isEqualTo(8.0);
        assertThat(r.runCode().count()).isEqualTo(4);
        assertThat(r.runCode().firstError()).isNull();
        assertThat(r.createRunKill().p50()).isEqualTo(40.0);
        assertThat(r.createRunKill().errors()).isEqualTo(2);
        assertThat(r.createRunKill().firstError()).isEqualTo("SandboxException: 429");
        assertThat(r.createRunKillPartsP50()).containsExactly(Map.entry("create", 5.0),
                Map.entry("firstRunCode", 30.0), Map.entry("kill", 5.0));
    }

    @Test
    void outputWithoutAScenariosSamplesFailsRatherThanGivingAnEmptyRow() {
        assertThatThrownBy(() -> PythonSdkDriver.parse("{\"versions\": {}, \"runCode\": {\"nanos\": [],"
                + " \"seconds\": 0.1}}"))
                .hasMessageContaining("no samples for createRunKill");
        assertThatThrownBy(() -> PythonSdkDriver.parse("Traceback (most recent call last):"))
                .hasMessageContaining("printed no JSON");
    }

    @Test
    void readsTheVersions() {
        assertThat(PythonSdkDriver.parseVersions("{\"e2b\": \"2.63.0\", \"e2b-code-interpreter\": \"2.11.5\"}"))
                .isEqualTo(Map.of("e2b", "2.63.0", "e2b-code-interpreter", "2.11.5"));
    }
}
