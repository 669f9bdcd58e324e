"""Helpers for the web tests (tests/web/ and tests/browser): log in as a demo account, fill a report form."""
import re

from django.test import Client

from accounts.models import User
from plans.models import Period
from rounds.services import open_round
from tests.helpers.workflow import reviewer_for
from workflows.models import Document, Kind


def client_for(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def opened_report(unit_code="tramyte", period_code="2026-H1"):
    """Open the round (as Phòng VH-XH would) and return the unit's draft report."""
    period = Period.objects.get(code=period_code)
    open_round(period, User.objects.get(username="vhxh"))
    return Document.objects.get(kind=Kind.UNIT_REPORT, period=period, unit__code=unit_code)


def form_data(html):
    """What the browser would post back for the report form as rendered (inputs, textareas, selects, checked radios)."""
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        data[name] = value
    for tag in re.findall(r"<input [^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="file"' in tag or 'type="hidden"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="radio"' in tag:
            if " checked" in tag:
                data[name.group(1)] = value.group(1) if value else ""
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for name, text in re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = _unescape(text)
    for name, body in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body) or re.search(r'<option value="([^"]*)"', body)
        data[name] = chosen.group(1) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    return {k: _unescape(v) for k, v in data.items()}


def _unescape(text):
    import html

    return html.unescape(text)


def filled_report(client, document, **overrides):
    """Post the report form with a valid value for every target, as the unit would."""
    html = client.get(f"/van-ban/{document.pk}/sua/").content.decode()
    data = form_data(html)
    for target in document.plan.targets.filter(reporting_units=document.unit):
        data[f"value-{target.code}"] = {"percent": "96,5", "count": "2", "boolean": "true", "text": "Đạt yêu cầu"}[target.input_kind]
    data["section-results"] = "Đơn vị đã triển khai chuyển đổi số trong khám chữa bệnh."
    data.update(overrides)
    return data


def approved_reports(period_code, unit_codes, percent="96.5", seed=0):
    """Fill, submit and approve the reports of some units through the services (demo figures)."""
    from plans.models import Target
    from workflows import services

    period = Period.objects.get(code=period_code)
    vhxh = User.objects.get(username="vhxh")
    open_round(period, vhxh)
    done = []
    for index, code in enumerate(unit_codes):
        drafter = User.objects.get(username=code)  # demo accounts: one drafter per unit, named by its code
        document = Document.objects.get(kind=Kind.UNIT_REPORT, period=period, unit__code=code)
        values = {}
        for target in Target.objects.filter(plan_id=document.plan_id, reporting_units=document.unit):
            values[target.code] = {
                "percent": str(min(100, float(percent) - (index + seed) % 7)),
                "count": (index + seed) % 3 + 1,
                "boolean": (index + seed) % 5 != 4,
                "text": "Đạt yêu cầu",
            }[target.input_kind]
        document = services.update_document(
            document.pk, drafter, version=document.version, values=values,
            sections={"results": f"Kết quả thực hiện của {document.unit.name}."},
        )
        services.perform_transition(document.pk, drafter, "submit")
        reviewer = reviewer_for(document)
        services.perform_transition(document.pk, reviewer, "start_review")
        done.append(services.perform_transition(document.pk, reviewer, "approve"))
    return done
