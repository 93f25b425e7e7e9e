"""SchemathesisIT's hook: what the API description cannot say about the test's pool.

The document says that a timeoutSeconds above the pool's execution.maxTimeout is a 400, but it cannot give the
number: each pool has its own. Valid (positive) cases keep to the test pool's (schemathesis-it-pools.yaml: 2s), so
that positive_data_acceptance checks everything else; invalid (negative) cases are sent as generated.
"""
import schemathesis

MAX_TIMEOUT_SECONDS = 2


@schemathesis.hook
def map_case(context, case):
    body = case.body
    if case.meta is not None and case.meta.generation.mode.is_positive and isinstance(body, dict):
        timeout = body.get("timeoutSeconds")
        if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout > MAX_TIMEOUT_SECONDS:
            body["timeoutSeconds"] = MAX_TIMEOUT_SECONDS
    return case
