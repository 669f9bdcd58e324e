"""A second commune beside the demo one, for the tenancy tests: Diễn Hoàng, loaded from the Diễn Châu
data file with every name of the commune changed (plans.loader, as `load_plan` does), and its own
accounts, prefixed "b-". Nothing of the commune Diễn Châu may ever reach them."""
import io
import zipfile
import json
import html
import unicodedata

from django.conf import settings
from django.contrib.auth.models import Permission

from accounts.models import Role, User
from plans.loader import load, parse, validate
from workflows.services import ensure_plan_document

OTHER_NAMES = (("Diễn Châu", "Diễn Hoàng"), ("DIỄN CHÂU", "DIỄN HOÀNG"), ("dien-chau", "dien-hoang"))

# username -> (unit code or None, roles)
B_ACCOUNTS = {
    "b-tramyte": ("tramyte", [Role.DRAFTER]),
    "b-vhxh": ("vhxh", [Role.DRAFTER, Role.REVIEWER]),
    "b-vanphong": ("vanphong", [Role.DRAFTER, Role.REVIEWER]),
    "b-pct": (None, [Role.SIGNER]),
    "b-vanthu": ("vanphong", [Role.CLERK]),
    "b-admin": (None, [Role.ADMIN]),
}


def second_commune():
    """Load Diễn Hoàng (its plan, units, targets, periods and plan document) and its accounts.
    Returns the Commune. `b-admin` is staff with every model permission but not a superuser; the
    province officer `b-tinh` supervises Diễn Hoàng only."""
    text = (settings.BASE_DIR / "data" / "dien-chau-2026-2030.yaml").read_text(encoding="utf-8")
    for old, new in OTHER_NAMES:
        text = text.replace(old, new)
    plan = load(validate(parse(text)))
    ensure_plan_document(plan)
    commune = plan.commune
    units = {u.code: u for u in commune.units.all()}
    for username, (unit_code, roles) in B_ACCOUNTS.items():
        User.objects.create_user(
            username=username, password="x-Mật-khẩu-2026", unit=units.get(unit_code) if unit_code else None,
            commune=commune, roles=[str(r) for r in roles], is_staff=username == "b-admin",
        )
    User.objects.get(username="b-admin").user_permissions.set(Permission.objects.all())
    officer = User.objects.create_user(username="b-tinh", password="x-Mật-khẩu-2026", roles=[], commune=None)
    officer.supervised_communes.add(commune)
    return commune


def readable_text(response):
    """The text a response carries, whatever its form: HTML/JSON (unescaped), or the parts of a
    Word/Excel file (zip); NFC, so that a search for a name finds it."""
    data = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"".join(archive.read(name) for name in archive.namelist())
    text = data.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return unicodedata.normalize("NFC", html.unescape(text))


MARKER = "Diễn Châu"  # the name of commune A: in its documents, never in anything commune B's users get


def commune_a_objects():
    """Commune A (the demo Diễn Châu) with something behind every kind of address: a unit report
    submitted with an evidence file, a summary report approved (waiting for the signer), the plan
    issued (register entry, stored Word file), a delivery to a unit, a notification, an API token,
    its periods. Returns {name: object}."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import ApiToken
    from distribution.models import Delivery
    from rounds.models import Notification
    from tests.helpers.workflow import (
        COMMUNE_STEPS,
        demo,
        fill_unit_report,
        issued_plan,
        new_summary_report,
        new_unit_report,
        period,
        run,
    )
    from workflows.attachments import add_attachment

    report = fill_unit_report(new_unit_report(), results=f"Kết quả của Trạm Y tế xã {MARKER} trong kỳ.")
    evidence = add_attachment(report.pk, demo("tramyte"), SimpleUploadedFile("minh-chung.pdf", b"%PDF-1.4 minh chung", "application/pdf"))
    report = run(report, ("tramyte", "submit"))
    summary = run(new_summary_report(), *COMMUNE_STEPS["approved"])
    plan = issued_plan()
    delivery, _ = Delivery.objects.get_or_create(document=plan, unit=demo("tramyte").unit, defaults={"channel": Delivery.Channel.INTERNAL})
    notification = Notification.objects.create(user=demo("tramyte"), document=report, kind="returned", message=f"Văn bản của xã {MARKER}")
    token = ApiToken.objects.create(user=demo("vhxh"), key_hash="a" * 64)
    # Rows of the admin that the lifecycle above makes only with real keys or a reminder run.
    from django.core.files.base import ContentFile

    from rounds.models import ReminderLog
    from signatures.models import SignedPdf, SigningKey

    SigningKey.objects.create(commune=plan.commune, pin_name="DEMO", key_label="con-dau")
    ReminderLog.objects.create(document=report, kind="overdue", offset=0, subject=f"Báo cáo của xã {MARKER}", body="Quá hạn")
    signed = SignedPdf(document=summary, stage="signed", version=summary.version, filename="ban-ky.pdf", sha256="0" * 64,
                       signed_by=demo("pct"), certificate_subject=f"Phó Chủ tịch xã {MARKER}")
    signed.file.save("ban-ky.pdf", ContentFile(b"%PDF-1.4"), save=False)
    signed.save()
    # Phối hợp: an unanswered request to another unit of A, with a file on an answered one.
    from workflows.models import Consultation

    consultation = Consultation.objects.create(
        document=report, unit=demo("kinhte").unit, question=f"Xin ý kiến của xã {MARKER}", deadline=period("2026-H1").deadline,
        requested_by=demo("vhxh"),
    )
    consultation.file.save("tra-loi.pdf", ContentFile(b"%PDF-1.4 tra loi"), save=False)
    consultation.file_name, consultation.file_type = "tra-loi.pdf", "application/pdf"
    consultation.save()
    return {
        "documents": [report, summary, plan],
        "consultation": consultation,
        "report": report,
        "summary": summary,
        "plan": plan,
        "attachment": evidence,
        "delivery": delivery,
        "notification": notification,
        "token": token,
        "period": period("2026-H1"),
    }


def snapshot(objects):
    """What must not change when commune B's users knock at commune A's addresses."""
    from accounts.models import ApiToken
    from distribution.models import Delivery
    from plans.models import Period
    from rounds.models import Notification
    from workflows.models import Attachment, AuditEntry, Consultation, Document

    return {
        "documents": list(Document.objects.filter(pk__in=[d.pk for d in objects["documents"]]).order_by("pk").values_list("pk", "state", "version", "title")),
        "attachments": Attachment.objects.filter(document__commune=objects["plan"].commune).count(),
        "delivery": Delivery.objects.filter(pk=objects["delivery"].pk).values_list("opened_at", flat=True).first(),
        "notification": Notification.objects.filter(pk=objects["notification"].pk).values_list("read_at", flat=True).first(),
        "token": ApiToken.objects.filter(pk=objects["token"].pk).exists(),
        "period": Period.objects.filter(pk=objects["period"].pk).values_list("opened_at", flat=True).first(),
        "summaries": Document.objects.filter(commune=objects["plan"].commune, kind="summary_report").count(),
        "consultation": Consultation.objects.filter(pk=objects["consultation"].pk).values_list("answer", "answered_at").first(),
        "assignees": list(Document.objects.filter(commune=objects["plan"].commune).exclude(assignee=None).values_list("pk", "assignee_id")),
        "audit": AuditEntry.objects.filter(document__commune=objects["plan"].commune).count(),
    }


def url_patterns():
    """Every URL pattern of the project as (route, name, parameter names), from the resolver, so a new
    route is walked without anyone adding it here."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            else:
                params = tuple(pattern.pattern.regex.groupindex)
                yield prefix + str(pattern.pattern), namespace + (pattern.name or ""), params

    return list(walk(get_resolver().url_patterns, "", ""))


def fill_route(route, values):
    """The address of `route` with its parameters replaced by `values` ({name: value})."""
    import re

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


# What each parameter of an address means. `pk`/`id` is a document of commune A unless the route says
# otherwise below; a parameter nobody declared makes the walk fail, so a new kind of address is
# never skipped silently.
A_OBJECT_PARAMS = {
    "van-ban:incoming_open": {"pk": "delivery"},
    "van-ban:incoming_file": {"pk": "delivery"},
    "van-ban:mark_read": {"pk": "notification"},
    "van-ban:attachment": {"pk": "report", "attachment_id": "attachment"},
    "theo-doi:open_round": {"pk": "period"},
    "theo-doi:compile": {"pk": "period"},
    "accounts:revoke_token": {"pk": "token"},
    "api:delete_token": {"id": "token"},
    "api:answer_consultation": {"cid": "consultation"},
    "api:consultation_file": {"cid": "consultation"},
    "van-ban:consult_answer": {"consultation_id": "consultation"},
    "van-ban:consult_file": {"consultation_id": "consultation"},
}
DEFAULT_OBJECT_PARAMS = {"pk": "documents", "id": "documents"}
# Parameters that name no object of commune A: the caller's own data by code or year.
PLAIN_PARAMS = {"n": [1], "year": [2026], "code": ["2026-H1"], "tab": ["cho-xu-ly", "da-xu-ly", "da-trinh", "theo-doi"]}
# Addresses not walked, and why.
NOT_WALKED = {
    "logout": "ends the session of the walker itself",
    "api:revoke_token": "revokes the walker's own token (DELETE /auth/token); it names no object",
    "api-docs-asset": "the API page's static files, no data",
}


def addresses(objects):
    """[(name, route, url, names_an_object_of_A)] for every pattern but the admin's and NOT_WALKED."""
    from workflows.policy import TRANSITIONS

    found = []
    for route, name, params in url_patterns():
        if route.startswith("admin/") or name in NOT_WALKED:
            continue
        meaning = {**{p: DEFAULT_OBJECT_PARAMS[p] for p in params if p in DEFAULT_OBJECT_PARAMS}, **A_OBJECT_PARAMS.get(name, {})}
        choices = {}
        for param in params:
            if param in meaning:
                value = objects[meaning[param]]
                choices[param] = [v.pk for v in value] if isinstance(value, list) else [value.pk]
            elif param in PLAIN_PARAMS:
                choices[param] = PLAIN_PARAMS[param]
            elif param == "name" and name == "api:transition":
                choices[param] = list(TRANSITIONS)
            else:
                raise AssertionError(f"Route {route} ({name}): say what «{param}» names in tests/helpers/tenants.py")
        combos = [{}]
        for param, values in choices.items():
            combos = [{**combo, param: value} for combo in combos for value in values]
        for combo in combos:
            found.append((name, route, fill_route(route, combo), bool(set(params) & set(meaning))))
    return found
