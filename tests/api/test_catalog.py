"""API v1 /me, /periods, /targets and /register (sổ văn bản đi)."""
import pytest

from tests.helpers.api import ApiClient, assert_error, login

pytestmark = pytest.mark.django_db


def test_me_describes_the_user_their_unit_and_roles():
    body = login("vhxh").get("/me").json()
    assert body["username"] == "vhxh"
    assert body["unit"]["code"] == "vhxh"
    assert body["unit"]["function"] == "coordinator"
    assert set(body["roles"]) == {"drafter", "reviewer"}
    assert set(body["role_labels"]) == {"Soạn thảo", "Thẩm định"}
    assert body["commune"] == "Ủy ban nhân dân xã Diễn Châu"
    assert body["is_admin"] is False
    assert login("admin").get("/me").json()["is_admin"] is True
    assert_error(ApiClient().get("/me"), 401)


def test_periods_in_order_with_windows_and_deadlines():
    api = login("tramyte")
    periods = api.get("/periods").json()["items"]
    assert len(periods) == 12
    first = periods[0]
    assert first["code"] == "2026-H1"
    assert first["name"] == "6 tháng đầu năm 2026"
    assert (first["data_start"], first["data_end"]) == ("2025-12-15", "2026-06-14")
    assert first["deadline"] > first["data_end"]
    assert first["plan"] == "2026-2030"
    assert [p["code"] for p in api.get("/periods", year=2026).json()["items"]] == ["2026-H1", "2026-Y"]
    assert_error(api.get("/periods", year=1990), 400, "year")
    assert_error(api.get("/periods", year="hai nghìn"), 400, "year")
    assert_error(ApiClient().get("/periods"), 401)


def test_targets_with_measure_value_and_reporting_units(django_assert_max_num_queries):
    api = login("tramyte")
    api.get("/me")
    with django_assert_max_num_queries(5):  # the token and its user, the user's communes, the total, the page, its units
        targets = api.get("/targets").json()["items"]
    assert len(targets) == 13
    assert [t["code"] for t in targets][:3] == ["1.1", "1.2", "1.3"]
    by_code = {t["code"]: t for t in targets}
    assert by_code["3.2"]["input_kind"] == "boolean"
    assert by_code["3.2"]["target_value"] == 100.0
    assert "tramyte" in by_code["3.2"]["reporting_units"]
    assert [t["code"] for t in api.get("/targets", unit="tramyte").json()["items"]] == ["3.2", "4.1"]
    assert api.get("/targets", unit="khong-co").json()["items"] == []
    assert_error(api.get("/targets", unit="trạm y tế"), 400, "unit")


def test_register_is_for_the_clerk_signer_and_admin_only():
    for username in ("vanthu", "pct", "admin"):
        response = login(username).get("/register")
        assert response.status_code == 200, (username, response.content)
        assert response.json() == {"items": [], "total": 0, "page": 1, "limit": 50, "pages": 0}
    body = assert_error(login("tramyte").get("/register"), 403)
    assert "văn thư" in body["detail"]
    assert_error(login("vhxh").get("/register"), 403)
    assert_error(login("vanthu").get("/register", year=3000), 400, "year")
    assert_error(ApiClient().get("/register"), 401)
