"""The web app on viewflow's frontend: one Site, one Application per kind of work, each page a
menu entry (AppMenuMixin). Who may open an application is decided from the user's roles; what
they may do with a document is decided by the services (workflows.services / policy)."""
from django.urls import path
from viewflow.urls import AppMenuMixin, Application, Site, Viewset, route

from accounts.models import Role
from rounds.access import may_see_any_round
from workflows import policy

from .views import account, dashboard, documents, handling, incoming, notifications, queues, signatures


def _has_role(*roles):
    def check(user):
        return bool(user.is_authenticated and (user.is_superuser or any(user.has_role(r) for r in roles)))

    return check


class Page(AppMenuMixin, Viewset):
    """One page of an application, listed in its menu."""

    view_class = None
    visible = None

    @property
    def index_path(self):
        return path("", self.view_class.as_view(), name="index")

    def has_view_permission(self, user, obj=None):
        return self.visible is None or bool(self.visible(user))


class WebApplication(Application):
    denied_reason = ""
    allowed = None

    def has_view_permission(self, user, obj=None):
        if not user.is_authenticated:
            return False
        return self.allowed is None or bool(self.allowed(user))


class DocumentsApp(WebApplication):
    app_name = "van-ban"
    title = "Văn bản"
    icon = "description"
    allowed = None

    inbox_path = route("", Page(app_name="viec", title="Việc cần xử lý", icon="inbox", view_class=documents.HomeView))
    search_path = route("tra-cuu/", Page(app_name="tra-cuu", title="Tra cứu văn bản", icon="search", view_class=documents.SearchView))
    notifications_path = route(
        "thong-bao/", Page(app_name="thong-bao", title="Thông báo", icon="notifications", view_class=notifications.NotificationsView)
    )
    incoming_path = route(
        "van-ban-den/", Page(app_name="van-ban-den", title="Văn bản đến", icon="move_to_inbox", view_class=incoming.IncomingView)
    )
    incoming_open_path = path("van-ban-den/<int:pk>/", incoming.IncomingOpenView.as_view(), name="incoming_open")
    incoming_file_path = path("van-ban-den/<int:pk>/tep/", incoming.IncomingFileView.as_view(), name="incoming_file")
    deliveries_path = path("<int:pk>/phat-hanh/", incoming.DeliveriesView.as_view(), name="deliveries")
    mark_all_path = path("thong-bao/da-doc-het/", notifications.MarkReadView.as_view(), name="mark_all_read")
    mark_read_path = path("thong-bao/<int:pk>/da-doc/", notifications.MarkReadView.as_view(), name="mark_read")
    create_path = path("tao-bao-cao/", documents.CreateReportView.as_view(), name="create")
    detail_path = path("<int:pk>/", documents.DocumentView.as_view(), name="detail")
    edit_path = path("<int:pk>/sua/", documents.EditView.as_view(), name="edit")
    transition_path = path("<int:pk>/thao-tac/", documents.TransitionView.as_view(), name="transition")
    word_path = path("<int:pk>/tai-ve/word/", documents.WordView.as_view(), name="word")
    pdf_path = path("<int:pk>/tai-ve/pdf/", documents.PdfView.as_view(), name="pdf")
    pdf_status_path = path("<int:pk>/tai-ve/pdf/tinh-trang/", documents.PdfStatusView.as_view(), name="pdf_status")
    attachment_path = path("<int:pk>/minh-chung/<int:attachment_id>/", documents.AttachmentView.as_view(), name="attachment")
    hand_over_path = path("<int:pk>/chuyen-xu-ly/", handling.HandOverView.as_view(), name="hand_over")
    consult_path = path("<int:pk>/phoi-hop/", handling.ConsultView.as_view(), name="consult")
    answer_path = path("<int:pk>/phoi-hop/<int:consultation_id>/tra-loi/", handling.AnswerView.as_view(), name="consult_answer")
    consult_file_path = path("<int:pk>/phoi-hop/<int:consultation_id>/tep/", handling.ConsultationFileView.as_view(), name="consult_file")
    instruct_path = path("<int:pk>/chi-dao/", handling.InstructView.as_view(), name="instruct")
    signatures_path = path("<int:pk>/chu-ky-so/", signatures.SignaturesView.as_view(), name="signatures")
    pdf_to_sign_path = path("<int:pk>/chu-ky-so/ky-noi-khac/", signatures.PdfToSignView.as_view(), name="pdf_to_sign")
    signing_preview_path = path("<int:pk>/chu-ky-so/ban-se-ky/", signatures.SigningPreviewView.as_view(), name="signing_preview")


class ReviewApp(WebApplication):
    app_name = "tham-dinh"
    title = "Thẩm định"
    icon = "rate_review"
    allowed = staticmethod(_has_role(Role.REVIEWER))
    denied_reason = "Trang «Thẩm định» chỉ dành cho cán bộ thẩm định (Phòng Văn hóa - Xã hội, Văn phòng HĐND-UBND)."

    queue_path = route("", Page(app_name="hang-cho", title="Văn bản chờ thẩm định", icon="assignment", view_class=queues.ReviewQueueView))
    review_path = path("<int:pk>/", queues.ReviewView.as_view(), name="review")


class SignApp(WebApplication):
    app_name = "ky-duyet"
    title = "Ký duyệt"
    icon = "gesture"
    allowed = staticmethod(_has_role(Role.SIGNER))
    denied_reason = "Trang «Ký duyệt» chỉ dành cho lãnh đạo UBND xã (Chủ tịch, Phó Chủ tịch)."

    queue_path = route("", Page(app_name="cho-ky", title="Văn bản chờ ký", icon="assignment_turned_in", view_class=queues.SignQueueView))
    sign_path = path("<int:pk>/", queues.SignView.as_view(), name="sign")


class ClerkApp(WebApplication):
    app_name = "van-thu"
    title = "Văn thư"
    icon = "local_post_office"
    allowed = staticmethod(_has_role(Role.CLERK))
    denied_reason = "Trang «Văn thư» chỉ dành cho văn thư của UBND xã."

    queue_path = route("", Page(app_name="cho-phat-hanh", title="Chờ cấp số, phát hành", icon="send", view_class=queues.ClerkQueueView))
    register_path = route(
        "so-van-ban-di/", Page(app_name="so-van-ban-di", title="Sổ văn bản đi", icon="book", view_class=queues.RegisterView)
    )
    export_path = path("so-van-ban-di/tai-ve/", queues.RegisterExportView.as_view(), name="register_export")


class DashboardApp(WebApplication):
    app_name = "theo-doi"
    title = "Theo dõi, tổng hợp"
    icon = "assessment"
    # The same rule as the rounds API (rounds.selectors.require_round_reader), for the user's commune or
    # one they supervise; each page checks the commune of the plan it shows again.
    allowed = staticmethod(may_see_any_round)
    denied_reason = (
        "Trang «Theo dõi, tổng hợp» dành cho cơ quan thường trực, cán bộ thẩm định, lãnh đạo UBND, văn thư và quản trị viên."
    )

    matrix_path = route("", Page(app_name="tinh-hinh", title="Tình hình nộp báo cáo", icon="grid_on", view_class=dashboard.DashboardView))
    targets_path = route("chi-tieu/", Page(app_name="chi-tieu", title="Tiến độ 13 chỉ tiêu", icon="insert_chart", view_class=dashboard.TargetsView))
    evaluation_path = route(
        "danh-gia/", Page(app_name="danh-gia", title="Đánh giá thi đua", icon="star", view_class=dashboard.EvaluationView)
    )
    export_path = path("tai-ve/", dashboard.StatusExportView.as_view(), name="status_export")
    rounds_path = route("ky-bao-cao/", Page(app_name="ky-bao-cao", title="Kỳ báo cáo", icon="event", view_class=dashboard.RoundsView))
    open_path = path("ky-bao-cao/<int:pk>/mo-ky/", dashboard.OpenRoundView.as_view(), name="open_round")
    compile_path = path("ky-bao-cao/<int:pk>/tong-hop/", dashboard.CompileView.as_view(), name="compile")
    urge_path = path("don-doc/<int:pk>/", dashboard.UrgeView.as_view(), name="urge")


class AccountApp(WebApplication):
    """The person's own account; also linked from the user menu (templates/web/base.html)."""

    app_name = "accounts"
    title = "Tài khoản"
    icon = "account_circle"
    allowed = None

    password_path = route(
        "password_change/", Page(app_name="doi-mat-khau", title="Đổi mật khẩu", icon="lock", view_class=account.PasswordChangeView)
    )
    email_path = route(
        "nhan-thong-bao/",
        Page(app_name="nhan-thong-bao", title="Nhận thông báo", icon="mark_email_unread", view_class=account.EmailPreferenceView),
    )
    tokens_path = route(
        "khoa-truy-cap/", Page(app_name="khoa-truy-cap", title="Khóa truy cập API", icon="vpn_key", view_class=account.TokensView)
    )
    revoke_path = path("khoa-truy-cap/<int:pk>/thu-hoi/", account.RevokeTokenView.as_view(), name="revoke_token")


class WebSite(Site):
    title = "Văn bản thi đua xã"
    icon = "account_balance"
    primary_color = "#b71c1c"
    secondary_color = "#f9a825"


site = WebSite(viewsets=[DocumentsApp(), ReviewApp(), SignApp(), ClerkApp(), DashboardApp(), AccountApp()])
