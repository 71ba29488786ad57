"""Schemathesis hooks for riskgate's contract fuzzing (test/system/fuzz/fuzz-api.sh).

Loaded through SCHEMATHESIS_HOOKS. Adds the project's own rule on top of Schemathesis' checks:
every 4xx answer is the one error shape, `{"error": {"code", "message", "field"}}`, and names the
field at fault (a JSON pointer into the body, or a parameter or header name). The only 4xx without
a field is `not_found` for a route that does not exist: there is no field to name.

With RISKGATE_FUZZ_STATUS_LOG set, every response's status is appended to that file, one per line,
so the run can report how many requests it sent and how many server errors it saw.
"""

import os

import schemathesis

_STATUS_LOG = os.environ.get("RISKGATE_FUZZ_STATUS_LOG")


@schemathesis.check
def error_names_the_field(ctx, response, case):
    if _STATUS_LOG:
        with open(_STATUS_LOG, "a", encoding="utf-8") as log:
            log.write(f"{response.status_code} {case.method} {case.path}\n")
    if not 400 <= response.status_code < 500:
        return None
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError) as exc:
        raise AssertionError(f"a {response.status_code} without the error shape: {response.text[:200]}") from exc
    code = error.get("code")
    if not isinstance(code, str) or not isinstance(error.get("message"), str):
        raise AssertionError(f"a {response.status_code} without code and message: {error}")
    if code != "not_found" and not error.get("field"):
        raise AssertionError(f"a {response.status_code} ({code}) that names no field: {error}")
    return None
