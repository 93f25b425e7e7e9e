"""The bench's E2B SDK rows: the real Python SDK (e2b-code-interpreter on e2b) timed call by call.

Run by dev.sandboxpool.bench.PythonSdkDriver with E2B_API_URL, E2B_SANDBOX_URL and E2B_API_KEY pointing at the
application under test. It times in this process, around each SDK call, so the figures hold what a Python caller
waits for (the SDK's own HTTP client and parsing included) and nothing of the JVM that starts it.

    e2b_sdk_bench.py versions
        prints {"e2b": ..., "e2b-code-interpreter": ...}
    e2b_sdk_bench.py run TEMPLATE WARMUP RUN_CODE_ITERATIONS CREATE_ITERATIONS
        prints one JSON object: the versions, and for each scenario its samples in nanoseconds (and those of each
        part of an iteration, where it has parts), the seconds its timed loop took, its error count and first error

A failed iteration is counted and the loop goes on, as the bench's other rows do, so a row says how many failed
and why; anything failing outside an iteration (an import, the warm sandbox's create) ends the script non-zero.
"""
import importlib.metadata
import json
import sys
import time

EXPECTED = "2"  # what run_code("1+1") must give as its result's text


def versions():
    """The installed SDK versions, "missing" for one that is not: the bench names both in its failure."""
    found = {}
    for name in ("e2b", "e2b-code-interpreter"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


class Series:
    """The samples of one scenario."""

    def __init__(self):
        self.nanos = []
        self.phases = {}  # name -> nanoseconds of that part of each timed iteration, for calls that report parts
        self.errors = 0
        self.first_error = None
        self.seconds = 0.0

    def timed(self, iterations, call):
        started = time.perf_counter()
        for _ in range(iterations):
            t0 = time.perf_counter_ns()
            try:
                parts = call()
            except Exception as e:  # noqa: BLE001 - counted and reported, as the bench's Load does
                self.errors += 1
                if self.first_error is None:
                    self.first_error = f"{type(e).__name__}: {e}"
                continue
            self.nanos.append(time.perf_counter_ns() - t0)
            for name, nanos in (parts or {}).items():
                self.phases.setdefault(name, []).append(nanos)
        self.seconds = time.perf_counter() - started

    def as_json(self):
        return {"nanos": self.nanos, "phases": self.phases, "seconds": self.seconds, "errors": self.errors,
                "firstError": self.first_error}


def check(execution):
    if execution.error is not None:
        raise RuntimeError(f"run_code failed: {execution.error.name}: {execution.error.value}")
    texts = [r.text for r in execution.results]
    if texts != [EXPECTED]:
        raise RuntimeError(f"run_code('1+1') gave results {texts!r}, expected [{EXPECTED!r}]")


def run(template, warmup, run_code_iterations, create_iterations):
    from e2b_code_interpreter import Sandbox

    # run_code in a warm context: one sandbox, its default context made by the warm-up's first run
    warm = Series()
    sandbox = Sandbox.create(template=template, timeout=300)
    try:
        for _ in range(warmup):
            check(sandbox.run_code("1+1"))
        warm.timed(run_code_iterations, lambda: check(sandbox.run_code("1+1")))
    finally:
        sandbox.kill()

    # a sandbox's whole life as a caller lives it: create, first run_code (which makes its default context), kill;
    # each part timed too, to say where the time goes
    def create_run_kill():
        t0 = time.perf_counter_ns()
        sbx = Sandbox.create(template=template, timeout=60)
        t1 = time.perf_counter_ns()
        try:
            check(sbx.run_code("1+1"))
        finally:
            t2 = time.perf_counter_ns()
            sbx.kill()
        t3 = time.perf_counter_ns()
        return {"create": t1 - t0, "firstRunCode": t2 - t1, "kill": t3 - t2}

    lifecycle = Series()
    for _ in range(warmup):
        create_run_kill()
    lifecycle.timed(create_iterations, create_run_kill)

    return {"versions": versions(), "runCode": warm.as_json(), "createRunKill": lifecycle.as_json()}


def main(argv):
    if len(argv) == 2 and argv[1] == "versions":
        print(json.dumps(versions()))
        return 0
    if len(argv) == 6 and argv[1] == "run":
        print(json.dumps(run(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
