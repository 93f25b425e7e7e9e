"""The E2B Python SDKs, unchanged, against sandbox-pool.

Written against E2B's public documentation only (e2b.dev/docs: Sandbox.create, commands.run, files, run_code,
contexts, kill). E2bSdkIT runs it with E2B_API_URL, E2B_SANDBOX_URL and E2B_API_KEY pointing at a server in local
mode, and SANDBOXPOOL_IMAGE_HAS_MATPLOTLIB saying what the sandbox image has ("true" or "false").
"""
import os

import pytest
from e2b import CommandExitException, Sandbox as CoreSandbox
from e2b_code_interpreter import Sandbox

TEMPLATE = "python"


@pytest.fixture
def sandbox():
    sbx = Sandbox.create(template=TEMPLATE, timeout=120, envs={"GREETING": "hello"}, metadata={"suite": "pytest"})
    yield sbx
    try:
        sbx.kill()
    except Exception:
        pass


def test_create_info_list_connect_and_timeout(sandbox):
    info = sandbox.get_info()
    assert info.sandbox_id == sandbox.sandbox_id
    assert info.metadata == {"suite": "pytest"}
    assert sandbox.sandbox_id in [s.sandbox_id for s in CoreSandbox.list().next_items()]
    sandbox.set_timeout(90)
    again = CoreSandbox.connect(sandbox.sandbox_id)
    assert again.commands.run("echo connected").stdout == "connected\n"


def test_command_output_streams_to_callbacks(sandbox):
    seen_out, seen_err = [], []
    result = sandbox.commands.run(
        "echo one; echo two >&2; echo $GREETING",
        on_stdout=seen_out.append,
        on_stderr=seen_err.append,
    )
    assert result.exit_code == 0
    assert result.stdout == "one\nhello\n"
    assert result.stderr == "two\n"
    assert "".join(seen_out) == "one\nhello\n"
    assert "".join(seen_err) == "two\n"


def test_a_failing_command_raises_with_its_exit_code(sandbox):
    with pytest.raises(CommandExitException) as failed:
        sandbox.commands.run("echo nope >&2; exit 3")
    assert failed.value.exit_code == 3
    assert failed.value.stderr == "nope\n"


def test_background_command_is_listed_and_killed(sandbox):
    handle = sandbox.commands.run("sleep 30", background=True)
    assert handle.pid in [p.pid for p in sandbox.commands.list()]
    assert sandbox.commands.kill(handle.pid)
    with pytest.raises(CommandExitException):
        handle.wait()


def test_binary_file_round_trip(sandbox):
    data = bytes(range(256)) * 4
    sandbox.files.write("/home/user/data.bin", data)
    assert sandbox.files.read("/home/user/data.bin", format="bytes") == bytes(data)
    assert sandbox.files.exists("/home/user/data.bin")
    assert "data.bin" in [e.name for e in sandbox.files.list("/home/user")]


def test_text_files_dirs_and_removal(sandbox):
    assert sandbox.files.make_dir("/home/user/notes")
    sandbox.files.write("/home/user/notes/a.txt", "héllo")
    assert sandbox.files.read("/home/user/notes/a.txt") == "héllo"
    sandbox.files.remove("/home/user/notes")
    assert not sandbox.files.exists("/home/user/notes/a.txt")


def test_run_code_keeps_state_between_calls(sandbox):
    sandbox.run_code("x = 41")
    execution = sandbox.run_code("x + 1")
    assert execution.error is None
    assert execution.results[0].text == "42"


def test_run_code_streams_stdout_and_reports_errors_with_traceback(sandbox):
    seen = []
    execution = sandbox.run_code("print('streamed')\n1/0", on_stdout=lambda m: seen.append(m.line))
    assert "streamed\n" in "".join(seen) or "streamed" in "".join(seen)
    assert execution.logs.stdout == ["streamed\n"]
    assert execution.error.name == "ZeroDivisionError"
    assert "division by zero" in execution.error.value
    assert "ZeroDivisionError" in execution.error.traceback


def test_contexts_are_isolated(sandbox):
    first = sandbox.create_code_context()
    second = sandbox.create_code_context()
    sandbox.run_code("y = 'first'", context=first)
    assert sandbox.run_code("y", context=first).results[0].text == "'first'"
    assert sandbox.run_code("y", context=second).error.name == "NameError"


def test_matplotlib_figure_is_a_png_where_the_image_has_matplotlib(sandbox):
    has_it = os.environ["SANDBOXPOOL_IMAGE_HAS_MATPLOTLIB"] == "true"
    execution = sandbox.run_code(
        "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()"
    )
    if has_it:
        assert execution.error is None
        assert any(r.png for r in execution.results)
    else:
        assert execution.error.name == "ModuleNotFoundError"


def test_kill_ends_the_sandbox():
    sbx = Sandbox.create(template=TEMPLATE, timeout=60)
    sbx.kill()
    assert sbx.sandbox_id not in [s.sandbox_id for s in CoreSandbox.list().next_items()]
    with pytest.raises(Exception):
        sbx.commands.run("echo still here")


def test_a_template_naming_no_pool_is_not_found():
    with pytest.raises(Exception) as failed:
        Sandbox.create(template="no-such-pool")
    assert "not found" in str(failed.value)
