package dev.sandboxpool.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class E2bHttpSandboxTest {

    @Test
    void readsTheResultTextsOfAnExecuteAnswer() {
        String ndjson = """
                {"type":"stdout","text":"hi\\n"}
                {"type":"result","text":"2","is_main_result":true}
                {"type":"number_of_executions","execution_count":4}
                """;

        assertThat(E2bHttpSandbox.resultTexts(ndjson)).isEqualTo(List.of("2"));
        assertThat(E2bHttpSandbox.resultTexts("")).isEmpty();
    }

    @Test
    void anErrorEventFailsTheCall() {
        assertThatThrownBy(() -> E2bHttpSandbox.resultTexts("""
                {"type":"error","name":"NameError","value":"name 'x' is not defined","traceback":""}
                {"type":"number_of_executions","execution_count":1}
                """)).hasMessage("run_code failed: NameError: name 'x' is not defined");
    }
}
