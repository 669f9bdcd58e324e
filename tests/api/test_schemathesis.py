"""Property-based fuzzing of API v1 against its own OpenAPI document (schemathesis).

The schema is loaded from the running WSGI application, so the document under test is exactly
what clients download. Every operation is called with generated valid and invalid input as a
unit drafter (tramyte) and as the reviewer (vhxh), alternately; every default check must pass: no server
error, documented status codes, content types and headers, responses matching their schemas,
invalid data rejected and valid data accepted. Seeded and bounded: it runs in well under two
minutes and finds the same things on every run.

The document must also be as strict as the server: schemathesis 4 reports "validation mismatch"
only as a CLI warning, so `_refused_although_documented` fails the test whenever data valid by
the schema is refused (400) for a reason the schema could have stated (an unknown section key, a
text over its length limit, a malformed field).
"""
import itertools
import secrets

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from api.auth import hash_token
from accounts.models import ApiToken, User
from config.wsgi import application
from plans.models import Period
from workflows import services
from workflows.content import SECTIONS
from workflows.models import Document

MAX_EXAMPLES = 20

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20262030,
        "generation": {
            "mode": "all",
            "deterministic": True,
            "max-examples": MAX_EXAMPLES,
            "database": "none",
            # The Authorization header is ours (a real token); do not generate it.
            "with-security-parameters": False,
        },
        "checks": {
            # Valid by the schema but refused by a rule the schema cannot express is a 400 naming the
            # field: a section key of another kind of document, a target the unit does not report, a
            # period code that does not exist, an empty title, a text over its limit once NFC-normalised
            # (schema limits are looser on purpose, for decomposed input), a comment missing on return.
            "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429", "503"]},
        },
    }
)


@pytest.fixture
def fuzz_documents(db):
    """Real documents, so generated ids also reach existing objects, not only 404."""
    period = Period.objects.get(code="2026-H1")
    tramyte = User.objects.get(username="tramyte")
    report = services.create_document(tramyte, "unit_report", plan=period.plan, period=period)
    services.update_document(
        report.pk,
        tramyte,
        version=1,
        sections={"results": "Kết quả"},
        values={"3.2": {"value": True}, "4.1": {"value": False, "note": "Đang triển khai"}},
    )
    ids = [report.pk, *Document.objects.filter(kind="plan").values_list("pk", flat=True)]
    return ids


@pytest.fixture(autouse=True)
def keep_test_connection():
    # Django's test client detaches these too: closing the connection mid-test would end the test transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, request):
    """The OpenAPI document as the running application serves it."""
    # schemathesis 4.32's lazy runner names each operation's subtest through `node._nodeid`, which
    # pytest 9 no longer has; give it the attribute to read and write (pytest reports by `nodeid`).
    request.node._nodeid = request.node.nodeid
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


# Loaded when the test runs, not at collection: building the operations' tests costs seconds, which
# every worker of `make test` would otherwise pay for a module only one of them runs.
schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def fuzz_tokens(db):
    """A fresh token for every call (DELETE /auth/token revokes the one it is sent with)."""
    users = itertools.cycle([User.objects.get(username="tramyte"), User.objects.get(username="vhxh")])

    def tokens():
        while True:
            token = secrets.token_urlsafe(24)
            ApiToken.objects.create(user=next(users), key_hash=hash_token(token))
            yield token

    return tokens()


# LibreOffice takes about half a second per PDF; tests/test_api_files.py covers real PDFs.
SLOW_PATHS = ("/pdf",)


SECTION_KEYS = {key for items in SECTIONS.values() for key, _, _ in items}
# Refusals of schema-valid data that the schema could have expressed: length limits (the schema
# counts after NFC like the server), pydantic's own format and unknown-field errors.
SCHEMA_EXPRESSIBLE = ("vượt quá giới hạn", "Tối đa", "Không đúng định dạng", "không được hỗ trợ", "Phải là")


def _refused_although_documented(case, response):
    """Messages of a 400 answer to schema-valid data that the OpenAPI document should have prevented.

    Refusals that depend on stored data or on the document stay allowed: a period or plan that
    does not exist, a section of another kind of document, a target the unit does not report, a
    text that is empty once cleaned, a comment required for this transition."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE or response.status_code != 400:
        return []
    try:
        errors = response.json().get("errors") or {}
    except ValueError:
        return [response.text[:200]]
    problems = []
    for field, messages in errors.items():
        for message in messages:
            unknown_section = field.startswith("sections.") and field.split(".", 1)[1] not in SECTION_KEYS
            if unknown_section or any(marker in message for marker in SCHEMA_EXPRESSIBLE):
                problems.append(f"{field}: {message}")
    return problems


def _call(case, tokens, document_ids):
    # Point a share of valid generated ids at real documents so deeper code paths run too.
    positive = case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE
    if (
        positive
        and not case.path.endswith(SLOW_PATHS)
        and case.path_parameters
        and isinstance(case.path_parameters.get("id"), int)
    ):
        generated = case.path_parameters["id"]
        if generated % 3:
            case.path_parameters["id"] = document_ids[generated % len(document_ids)]
    response = case.call_and_validate(headers={"Authorization": f"Bearer {next(tokens)}"})
    problems = _refused_although_documented(case, response)
    assert not problems, (
        f"{case.method} {case.formatted_path}: the server refused data its OpenAPI document allows: {problems}\n"
        f"body: {case.body!r}"
    )


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case, fuzz_tokens, fuzz_documents):
    """Calls alternate between the Trạm Y tế drafter (tramyte) and the Phòng VH-XH reviewer (vhxh)."""
    _call(case, fuzz_tokens, fuzz_documents)
