"""Sign-in and one's own API tokens, the caller, the plan's periods and targets, and the register of outgoing documents."""
from typing import Optional

from django.db.models import Prefetch
from ninja import Path, Query, Router
from ninja.responses import Status

from accounts.models import Role
from documents.selectors import may_read_register, register_for
from organizations.models import Unit
from organizations.ordering import UNIT_ORDER
from plans.models import Period, Target
from workflows.errors import Forbidden

from . import auth, presenters
from .pagination import PageIn, page_of, paginate
from .schemas import (
    CODE_PATTERN,
    MAX_ID,
    ErrorOut,
    MeOut,
    PeriodOut,
    RegisterEntryOut,
    TargetOut,
    TokenIn,
    TokenInfoOut,
    TokenOut,
)

public = Router(tags=["Xác thực"])
router = Router(tags=["Danh mục"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut}
TokenPageOut = page_of(TokenInfoOut, "TokenPageOut")
PeriodPageOut = page_of(PeriodOut, "PeriodPageOut")
TargetPageOut = page_of(TargetOut, "TargetPageOut")
RegisterPageOut = page_of(RegisterEntryOut, "RegisterPageOut")


@public.post(
    "/auth/token",
    auth=None,
    response={201: TokenOut, 400: ErrorOut, 401: ErrorOut, 429: ErrorOut},
    summary="Lấy khóa truy cập (Bearer token)",
)
def create_token(request, payload: TokenIn):
    """Đổi tên đăng nhập và mật khẩu lấy một khóa truy cập, có hạn dùng (`expires_at`). Sai mật khẩu
    quá nhiều lần thì cặp tên đăng nhập và địa chỉ bị tạm khóa (429, kèm giờ được thử lại)."""
    token = auth.issue_token(request, payload.username, payload.password)
    return Status(201, {"token": token.secret, "id": token.pk, "expires_at": token.expires_at})


@public.delete(
    "/auth/token",
    auth=auth.api_auth,
    response={204: None, 400: ErrorOut, 401: ErrorOut},
    summary="Thu hồi khóa truy cập đang dùng",
)
def revoke_token(request):
    """Khóa gửi trong tiêu đề Authorization của chính yêu cầu này hết hiệu lực ngay."""
    auth.revoke_token(request)
    return Status(204, None)


@public.get(
    "/auth/tokens",
    auth=auth.api_auth,
    response={200: TokenPageOut, 400: ErrorOut, 401: ErrorOut},
    summary="Các khóa truy cập của tôi",
)
def list_tokens(request, pager: PageIn = Query(...)):
    """Các khóa còn hiệu lực của người đang gọi, mới nhất trước, theo trang. Không bao giờ trả lại chính khóa."""
    current = getattr(getattr(request, "api_token", None), "pk", None)
    return paginate(
        auth.tokens_of(request.auth),
        pager,
        lambda t: {"id": t.pk, "created_at": t.created_at, "last_used_at": t.last_used_at, "expires_at": t.expires_at, "current": t.pk == current},
    )


@public.delete(
    "/auth/tokens/{id}",
    auth=auth.api_auth,
    response={204: None, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Thu hồi một khóa truy cập của tôi",
)
def delete_token(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """Khóa có số hiệu này (của chính người gọi) hết hiệu lực ngay. Khóa của người khác: 404."""
    auth.revoke_own_token(request.auth, id)
    return Status(204, None)


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="Người đang gọi")
def me(request):
    user = request.auth
    unit = user.unit
    commune = user.home_commune
    return {
        "username": user.username,
        "full_name": user.full_name or user.get_full_name() or user.username,
        "position": user.position,
        "email": user.email,
        "unit": unit,
        "commune": commune.name if commune else None,
        "roles": list(user.roles or []),
        "role_labels": user.role_labels,
        "is_admin": bool(user.is_superuser or user.has_role(Role.ADMIN)),
    }


def _scoped(qs, user, field):
    """Rows of the communes the user may read (their own, those they supervise; all for a superuser)."""
    communes = user.readable_commune_ids()
    return qs if communes is None else qs.filter(**{f"{field}__in": sorted(communes)})


@router.get("/periods", response={200: PeriodPageOut, **READ_ERRORS}, summary="Các kỳ báo cáo")
def periods(request, year: Optional[int] = Query(None, ge=2000, le=2100), pager: PageIn = Query(...)):
    qs = _scoped(Period.objects.select_related("plan"), request.auth, "plan__commune_id")
    if year:
        qs = qs.filter(year=year)
    return paginate(qs.order_by("plan_id", "data_end", "kind", "id"), pager, lambda p: {
            "code": p.code,
            "kind": p.kind,
            "year": p.year,
            "name": p.name,
            "plan": p.plan.code,
            "data_start": p.data_start,
            "data_end": p.data_end,
            "deadline": p.deadline,
            "is_open": p.is_open,
            "opened_at": p.opened_at,
        })


@router.get("/targets", response={200: TargetPageOut, **READ_ERRORS}, summary="Các chỉ tiêu của kế hoạch")
def targets(
    request,
    unit: Optional[str] = Query(None, pattern=CODE_PATTERN, description="Chỉ các chỉ tiêu đơn vị này báo cáo"),
    pager: PageIn = Query(...),
):
    qs = _scoped(Target.objects.select_related("area", "plan"), request.auth, "plan__commune_id")
    if unit:
        qs = qs.filter(reporting_units__code=unit)
    qs = qs.prefetch_related(Prefetch("reporting_units", queryset=Unit.objects.order_by(*UNIT_ORDER).only("id", "code", "order", "name")))
    return paginate(qs.order_by("plan_id", "order", "id").distinct(), pager, lambda t: {
            "code": t.code,
            "text": t.text,
            "area": t.area.number,
            "input_kind": t.input_kind,
            "comparison": t.comparison,
            "target_value": float(t.target_value) if t.target_value is not None else None,
            "measure_unit": t.measure_unit,
            "aggregation": t.aggregation,
            "reporting_units": [u.code for u in t.reporting_units.all()],
        })


@router.get(
    "/register",
    response={200: RegisterPageOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Sổ văn bản đi",
)
def register(
    request,
    year: Optional[int] = Query(None, ge=2000, le=2100, description="Năm; bỏ trống để xem mọi năm"),
    pager: PageIn = Query(...),
):
    """Số, ký hiệu, ngày, trích yếu, người ký, nơi nhận, theo thứ tự của sổ, theo trang. Dành cho văn thư,
    lãnh đạo ký văn bản và quản trị viên."""
    user = request.auth
    if not may_read_register(user):
        raise Forbidden("Chỉ văn thư, lãnh đạo ký văn bản và quản trị viên mới được xem sổ văn bản đi.")
    return paginate(register_for(user, year), pager, lambda e: {
            "number": e.number,
            "symbol": e.symbol,
            "type": e.type_abbreviation,
            "issued_on": e.issued_on,
            "issued_on_display": presenters.date_vn(e.issued_on),
            "excerpt": e.excerpt,
            "signer": e.signer_name,
            "recipients": [str(r) for r in e.recipients or []],
            "document_id": e.document_id,
        })
