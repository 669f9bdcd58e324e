"""Each commune is its own tenant: commune B's people reach nothing of commune A, on any page, file,
API call or admin screen, whether they read or try to act; a province officer reads only the
communes given to them.

The walk takes every URL pattern from the resolver (tests/helpers/tenants.py), fills its
parameters with commune A's objects and knocks with each of commune B's accounts: an address that
names an object of A answers 404 (or 403 where the whole application is refused to that role, or
405); no response of any kind, list, export or error page, carries commune A's name."""
import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from accounts.models import ApiToken, User
from organizations.admin import tenant_q
from organizations.models import Commune
from tests.helpers.api import login
from tests.helpers.tenants import MARKER, addresses, commune_a_objects, readable_text, second_commune, snapshot
from tests.helpers.web import client_for
from workflows.models import Document

pytestmark = pytest.mark.django_db

B_USERS = ["b-tramyte", "b-vhxh", "b-vanphong", "b-pct", "b-vanthu", "b-admin", "b-tinh"]
REFUSED = {403, 404, 405}
# Addresses that answer the same whatever the id, so nothing is learnt from them: the action form's
# address redirects a GET to the document page (which is then 404); posting no file to the
# "sign elsewhere" address sends back to the signing page with the reason, before any lookup.
SAME_FOR_ANY_ID = {("van-ban:transition", "get"), ("ky-duyet:pdf_to_sign", "post"), ("van-ban:pdf_to_sign", "post")}


@pytest.fixture
def tenants():
    objects = commune_a_objects()  # first: the demo helpers look for "the" plan document
    second_commune()
    return objects


def _knock(client, method, name, url, names_a_object, api):
    data = {"transition": "approve", "comment": "thử"}
    if api:
        response = client.send(method, url.removeprefix("/api/v1"), {"comment": "thử", "version": 1, "title": "Đổi"}) if method != "get" else client.get(url.removeprefix("/api/v1"))
    else:
        response = client.get(url) if method == "get" else client.post(url, data)
    problems = []
    if response.status_code >= 500:
        problems.append(f"{method.upper()} {url} ({name}): {response.status_code}")
    if MARKER in readable_text(response):
        problems.append(f"{method.upper()} {url} ({name}): shows «{MARKER}»")
    allowed = REFUSED | ({400} if api and method != "get" else set())
    if names_a_object and response.status_code not in allowed and (name, method) not in SAME_FOR_ANY_ID:
        problems.append(f"{method.upper()} {url} ({name}): {response.status_code}, expected 404")
    return problems


@pytest.mark.parametrize("username", B_USERS)
def test_no_address_of_commune_a_is_reachable_by_commune_b(tenants, username):
    before = snapshot(tenants)
    web = client_for(username)
    api = login(username)
    problems = []
    walked = addresses(tenants)
    assert len(walked) > 60  # every route, once per document of A where it takes one
    for name, route, url, names_a_object in walked:
        is_api = route.startswith("api/")
        for method in (("get", "post", "patch", "delete") if is_api else ("get", "post")):
            if (url, method) == ("/api/v1/auth/token", "delete"):
                continue  # revokes the walker's own token (api:revoke_token shares the address)
            problems += _knock(api if is_api else web, method, name, url, names_a_object, is_api)
    assert not problems, "\n".join(problems)
    assert snapshot(tenants) == before


def test_the_walk_would_see_a_leak(tenants):
    """The same walk as commune A's own staff finds A's name: the check above can fail."""
    web = client_for("vanthu")
    report = tenants["report"]
    assert MARKER in readable_text(web.get(f"/van-ban/{report.pk}/"))
    assert MARKER in readable_text(web.get("/van-thu/so-van-ban-di/?nam=2026"))
    assert MARKER in readable_text(login("vhxh").get("/documents/" + str(report.pk)))


def test_a_route_whose_parameter_is_unknown_fails_the_walk(tenants, monkeypatch):
    import tests.helpers.tenants as helper

    patterns = helper.url_patterns()
    monkeypatch.setattr(helper, "url_patterns", lambda: [*patterns, ("van-ban/<int:ma_moi>/", "van-ban:moi", ("ma_moi",))])
    with pytest.raises(AssertionError, match="ma_moi"):
        helper.addresses(tenants)


def test_province_officer_reads_only_the_supervised_communes(tenants):
    """b-tinh supervises Diễn Hoàng: reads its documents, nothing of Diễn Châu until given it, and
    acts on none (supervision is reading only)."""
    officer = User.objects.get(username="b-tinh")
    b_plan = Document.objects.get(kind="plan", commune__code="dien-hoang")
    web = client_for("b-tinh")
    assert web.get(f"/van-ban/{b_plan.pk}/").status_code == 200
    assert web.get(f"/van-ban/{tenants['plan'].pk}/").status_code == 404
    officer.supervised_communes.add(Commune.objects.get(code="dien-chau"))
    web = client_for("b-tinh")
    assert web.get(f"/van-ban/{tenants['plan'].pk}/").status_code == 200
    listed = login("b-tinh").get("/documents", limit=100).json()
    assert {item["id"] for item in listed["items"]} >= {d.pk for d in tenants["documents"]} | {b_plan.pk}
    response = web.post(f"/van-ban/{tenants['summary'].pk}/thao-tac/", {"transition": "sign"})
    assert response.status_code == 403
    assert Document.objects.get(pk=tenants["summary"].pk).state == "approved"


def test_no_role_of_a_commune_is_province_wide_by_default(tenants):
    """Commune A's reviewer, signer and văn thư list only A's documents."""
    b_ids = set(Document.objects.filter(commune__code="dien-hoang").values_list("pk", flat=True))
    assert b_ids
    for username in ("vhxh", "vanphong", "pct", "vanthu"):
        items = login(username).get("/documents", limit=100).json()["items"]
        assert items and not {item["id"] for item in items} & b_ids, username


def _admin_models():
    return [(model._meta.app_label, model._meta.model_name) for model in admin.site._registry]


@pytest.mark.parametrize("app,model", _admin_models())
def test_admin_of_commune_b_sees_nothing_of_commune_a(tenants, app, model):
    """A staff account of commune B with every model permission, not a superuser: the lists show
    only B's rows and commune A's rows answer as missing (Django redirects to the index)."""
    client = client_for("b-admin")
    changelist = reverse(f"admin:{app}_{model}_changelist")
    response = client.get(changelist)
    assert response.status_code in (200, 403)
    assert MARKER not in readable_text(response)
    model_class = apps.get_model(app, model)
    model_admin = admin.site._registry[model_class]
    wanted = tenant_q(model_class, {Commune.objects.get(code="dien-chau").pk}, model_admin.tenant_paths) if hasattr(model_admin, "tenant_paths") else None
    if wanted is None:
        return  # rows of no commune (Word templates: superuser only; login lockouts by username)
    row = model_class._default_manager.filter(wanted).order_by("pk").first()
    assert row is not None, f"commune A has no {model} to knock at"
    response = client.get(reverse(f"admin:{app}_{model}_change", args=[row.pk]))
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")
    assert MARKER not in readable_text(client.get(reverse("admin:index")))


def test_commune_admin_cannot_widen_their_reach(tenants):
    client = client_for("b-admin")
    me = User.objects.get(username="b-admin")
    html = readable_text(client.get(reverse("admin:accounts_user_change", args=[me.pk])))
    assert 'name="supervised_communes"' not in html and 'name="is_superuser"' not in html
    assert not ApiToken.objects.filter(user__username="b-admin").exists()


def test_province_officer_switches_between_the_supervised_communes_on_the_dashboard(tenants):
    officer = User.objects.get(username="b-tinh")
    officer.supervised_communes.add(Commune.objects.get(code="dien-chau"))
    web = client_for("b-tinh")
    html = readable_text(web.get("/theo-doi/", {"xa": "dien-chau", "ky": "2026-H1"}))
    assert 'name="xa"' in html and "Trạm Y tế xã" in html and MARKER in html
    html = readable_text(web.get("/theo-doi/", {"xa": "dien-hoang", "ky": "2026-H1"}))
    assert "Diễn Hoàng" in html
    assert web.get("/theo-doi/", {"xa": "khong-co"}).status_code == 200
    # Commune A's own staff have one commune: no choice offered, and another commune's code is ignored.
    html = readable_text(client_for("vhxh").get("/theo-doi/", {"xa": "dien-hoang"}))
    assert 'name="xa"' not in html and "Diễn Hoàng" not in html


def test_commune_admin_picks_only_their_communes_rows(tenants):
    from organizations.models import Unit

    unit = Unit.objects.get(commune__code="dien-hoang", code="tramyte")
    html = readable_text(client_for("b-admin").get(reverse("admin:organizations_unit_change", args=[unit.pk])))
    assert "Diễn Hoàng" in html and MARKER not in html
