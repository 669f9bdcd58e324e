"""Documents and their lifecycle.

A document's state lives in one field, `state`, driven by django-fsm-2 transitions. Who may fire
each transition is decided in `workflows.policy`; the services in `workflows.services` own the
transactions and write the audit trail.
"""
from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from . import content as doc_content
from . import policy, search


class Kind(models.TextChoices):
    PLAN = "plan", "Kế hoạch"
    UNIT_REPORT = "unit_report", "Báo cáo của đơn vị"
    SUMMARY_REPORT = "summary_report", "Báo cáo tổng hợp"


class State(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    SUBMITTED = "submitted", "Đã trình"
    UNDER_REVIEW = "under_review", "Đang thẩm định"
    RETURNED = "returned", "Bị trả lại"
    APPROVED = "approved", "Đã duyệt"
    SIGNED = "signed", "Đã ký"
    ISSUED = "issued", "Đã ban hành"


EDITABLE_STATES = (State.DRAFT, State.RETURNED)


class DocumentIsFrozen(Exception):
    """Raised when something tries to change an issued document."""


class DocumentQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # bulk_create bypasses save(): fold the search text here too, so that no way of writing a
        # document leaves it unsearchable.
        objs = list(objs)
        for document in objs:
            document.search_text = search.searchable_text(document)
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        # Bulk updates bypass save(); never let them touch issued documents.
        return super(DocumentQuerySet, self.exclude(state=State.ISSUED)).update(**kwargs)

    def delete(self):
        if self.filter(state=State.ISSUED).exists():
            raise DocumentIsFrozen("Văn bản đã ban hành không thể xóa.")
        return super().delete()


class AppendOnlyQuerySet(models.QuerySet):
    """History (versions, audit entries) is written once; bulk edits and deletes are refused too."""

    def update(self, **kwargs):
        raise DocumentIsFrozen("Lịch sử văn bản không thể sửa.")

    def delete(self):
        raise DocumentIsFrozen("Lịch sử văn bản không thể xóa.")


class Document(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    kind = models.CharField("loại văn bản", max_length=20, choices=Kind.choices)
    commune = models.ForeignKey("organizations.Commune", on_delete=models.PROTECT, related_name="documents", verbose_name="cơ quan")
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="documents", verbose_name="kế hoạch")
    period = models.ForeignKey(
        "plans.Period", on_delete=models.PROTECT, null=True, blank=True, related_name="documents", verbose_name="kỳ báo cáo"
    )
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="documents", verbose_name="đơn vị soạn thảo")
    state = FSMField("trạng thái", default=State.DRAFT, choices=State.choices, protected=True)
    version = models.PositiveIntegerField("phiên bản", default=1)
    title = models.TextField("trích yếu")
    # The JSON of the kind's content model (workflows.content): read it through `typed_content`.
    content = models.JSONField("nội dung", default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người tạo"
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người thẩm định"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người ký"
    )
    submitted_at = models.DateTimeField("trình lúc", null=True, blank=True)
    # Number and date: for plan/summary set by the register on `issue`; a unit may enter its own.
    number = models.PositiveIntegerField("số", null=True, blank=True)
    number_label = models.CharField("số, ký hiệu", max_length=60, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    # Chuyển xử lý: who holds the waiting step now, when someone handed it to them, and the role
    # of that step (policy.STEP_ACTOR). While set, only the assignee may act in that role.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người đang xử lý"
    )
    assignee_role = models.CharField("vai trò của bước được chuyển", max_length=20, blank=True)
    assigned_at = models.DateTimeField("chuyển xử lý lúc", null=True, blank=True)
    # Title, number, unit and text folded for search (workflows.search), written by save().
    search_text = models.TextField("nội dung tra cứu", default="", blank=True, editable=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "văn bản"
        verbose_name_plural = "văn bản"
        ordering = ["-updated_at", "-id"]
        # Lists are read per tenant, newest change first (Tra cứu, GET /api/v1/documents), or oldest
        # submission first in the review queue; each order is an index walk of one commune (or one
        # unit, for unit staff), narrowed by state, so a page reads its rows and never sorts a commune's
        # documents (let alone a province's) on disk. The trigram index on search_text is
        # PostgreSQL-only: a migration creates it.
        indexes = [
            models.Index(fields=["commune", "-updated_at", "-id"], name="document_commune_updated"),
            models.Index(fields=["commune", "state", "-updated_at", "-id"], name="document_commune_state_upd"),
            models.Index(fields=["unit", "state", "-updated_at", "-id"], name="document_unit_state_upd"),
            models.Index(fields=["commune", "state", "submitted_at", "id"], name="document_review_queue"),
            models.Index(fields=["state"], name="document_state"),
            models.Index(fields=["kind"], name="document_kind"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "unit", "period"],
                condition=models.Q(kind="unit_report"),
                name="one_unit_report_per_unit_and_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "period"],
                condition=models.Q(kind="summary_report"),
                name="one_summary_report_per_period",
            ),
            models.UniqueConstraint(
                fields=["kind", "plan"],
                condition=models.Q(kind="plan"),
                name="one_plan_document_per_plan",
            ),
        ]
        permissions = [("view_all_documents", "Xem mọi văn bản")]

    def __str__(self):
        return self.title

    # --- invariants --------------------------------------------------------------------
    def save(self, *args, **kwargs):
        if self.pk and type(self).objects.filter(pk=self.pk, state=State.ISSUED).exists():
            raise DocumentIsFrozen("Văn bản đã ban hành, không thể thay đổi.")
        self.search_text = search.searchable_text(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and search.SOURCE_FIELDS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.state == State.ISSUED:
            raise DocumentIsFrozen("Văn bản đã ban hành không thể xóa.")
        return super().delete(*args, **kwargs)

    @property
    def typed_content(self):
        """The content as the kind's model (workflows.content); assign a model to store it."""
        return doc_content.load(self.kind, self.content)

    @typed_content.setter
    def typed_content(self, value):
        if value.kind != self.kind:
            raise ValueError(f"{value.kind} content given to a {self.kind} document")
        self.content = value.dump()

    @property
    def is_editable(self):
        return self.state in EDITABLE_STATES

    @property
    def needs_signature(self):
        return self.kind in policy.SIGNED_KINDS

    # --- lifecycle (names are the public API; see policy.TRANSITIONS) ---------------------
    @transition(field=state, source=[State.DRAFT, State.RETURNED], target=State.SUBMITTED, permission=policy.can("submit"))
    def submit(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.DRAFT, permission=policy.can("withdraw"))
    def withdraw(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.UNDER_REVIEW, permission=policy.can("start_review"))
    def start_review(self):
        pass

    @transition(field=state, source=State.UNDER_REVIEW, target=State.RETURNED, permission=policy.can("return"))
    def return_(self):
        pass

    @transition(field=state, source=State.UNDER_REVIEW, target=State.APPROVED, permission=policy.can("approve"))
    def approve(self):
        pass

    @transition(
        field=state,
        source=State.APPROVED,
        target=State.SIGNED,
        permission=policy.can("sign"),
        conditions=[policy.needs_signature],
    )
    def sign(self):
        pass

    @transition(
        field=state,
        source=[State.APPROVED, State.SIGNED],
        target=State.RETURNED,
        permission=policy.can("send_back"),
        conditions=[policy.needs_signature, policy.may_go_back_from],
    )
    def send_back(self):
        pass

    @transition(field=state, source=State.SIGNED, target=State.ISSUED, permission=policy.can("issue"))
    def issue(self):
        pass


class DocumentVersion(models.Model):
    """A snapshot of a document's content each time it is saved. Never edited."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions", verbose_name="văn bản")
    number = models.PositiveIntegerField("phiên bản")
    title = models.TextField("trích yếu")
    content = models.JSONField("nội dung")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người lưu"
    )
    created_at = models.DateTimeField("lưu lúc", auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    @property
    def typed_content(self):
        return doc_content.load(self.document.kind, self.content)

    class Meta:
        verbose_name = "phiên bản văn bản"
        verbose_name_plural = "phiên bản văn bản"
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="unique_version_number")]

    def save(self, *args, **kwargs):
        if self.pk:
            raise DocumentIsFrozen("Phiên bản đã lưu không thể sửa.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DocumentIsFrozen("Phiên bản đã lưu không thể xóa.")


class AuditEntry(models.Model):
    """One state change: who, when, from, to, why, at which version. Append-only."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="audit_entries", verbose_name="văn bản")
    transition = models.CharField("thao tác", max_length=20)
    source = models.CharField("từ trạng thái", max_length=20, choices=State.choices)
    target = models.CharField("sang trạng thái", max_length=20, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="người thực hiện")
    at = models.DateTimeField("thời điểm", auto_now_add=True)
    comment = models.TextField("ý kiến", blank=True)
    version = models.PositiveIntegerField("phiên bản")
    # Office events that change no state (policy.OFFICE_EVENTS): to whom a document was handed,
    # which unit was asked for an opinion.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="chuyển cho"
    )
    recipient_unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="đơn vị được hỏi ý kiến"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "nhật ký xử lý"
        verbose_name_plural = "nhật ký xử lý"
        ordering = ["document", "at", "id"]

    def save(self, *args, **kwargs):
        if self.pk:
            raise DocumentIsFrozen("Nhật ký xử lý không thể sửa.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DocumentIsFrozen("Nhật ký xử lý không thể xóa.")

    @property
    def transition_label(self):
        return policy.TRANSITION_LABELS.get(self.transition, self.transition)

    @property
    def changes_state(self):
        return self.transition not in policy.OFFICE_EVENTS


def attachment_path(instance, filename):
    return f"evidence/{instance.document_id}/{filename}"


class Attachment(models.Model):
    """Evidence attached to a report (minh chứng): PDF, images, Office files; type and size checked."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="attachments", verbose_name="văn bản")
    target_code = models.CharField("chỉ tiêu", max_length=10, blank=True, help_text="Để trống nếu là minh chứng chung")
    file = models.FileField("tệp", upload_to=attachment_path)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    content_type = models.CharField("loại tệp", max_length=100)
    size = models.PositiveIntegerField("dung lượng (byte)")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="người tải lên")
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)

    class Meta:
        verbose_name = "minh chứng"
        verbose_name_plural = "minh chứng"
        ordering = ["document", "uploaded_at"]


def consultation_path(instance, filename):
    return f"consultations/{instance.document_id}/{filename}"


class Consultation(models.Model):
    """Phối hợp: a reviewer asks another unit for its opinion on a document by a deadline. The
    document's state does not change; the asked unit's staff answer once, in text and optionally a
    file (checked like evidence, workflows.attachments.check_upload)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="consultations", verbose_name="văn bản")
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="consultations", verbose_name="đơn vị được hỏi")
    question = models.TextField("nội dung xin ý kiến")
    deadline = models.DateField("hạn trả lời")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="người hỏi")
    requested_at = models.DateTimeField("hỏi lúc", auto_now_add=True)
    answer = models.TextField("ý kiến trả lời", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người trả lời"
    )
    answered_at = models.DateTimeField("trả lời lúc", null=True, blank=True)
    file = models.FileField("tệp kèm theo", upload_to=consultation_path, blank=True)
    file_name = models.CharField("tên tệp", max_length=255, blank=True)
    file_type = models.CharField("loại tệp", max_length=100, blank=True)
    file_size = models.PositiveIntegerField("dung lượng (byte)", null=True, blank=True)

    class Meta:
        verbose_name = "xin ý kiến phối hợp"
        verbose_name_plural = "xin ý kiến phối hợp"
        ordering = ["document", "requested_at", "id"]
        indexes = [models.Index(fields=["unit", "answered_at"])]

    def __str__(self):
        return f"{self.unit} – {self.document}"

    @property
    def answered(self):
        return self.answered_at is not None

    def is_overdue(self, today):
        return not self.answered and self.deadline < today
