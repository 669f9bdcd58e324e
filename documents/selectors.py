"""Read functions of the documents layer's screens, shared by the web pages, the API and the exports."""
from accounts.models import Role

from .models import RegisterEntry


def may_read_register(user):
    """The văn thư, the signers and administrators read the register of outgoing documents."""
    return bool(
        user.is_authenticated
        and (user.is_superuser or any(user.has_role(r) for r in (Role.CLERK, Role.ADMIN, Role.SIGNER)))
    )


def register_for(user, year=None):
    """Sổ văn bản đi as this user reads it: their commune's entries (and those of communes they
    supervise), of one year or all, in the
    order of the book (year, then number within its sequence). The page, its Excel/CSV export and
    GET /api/v1/register all list this."""
    qs = RegisterEntry.objects.select_related("document")
    communes = user.readable_commune_ids() if user.is_authenticated else frozenset()
    if communes is not None:  # None: a superuser reads every commune's book
        qs = qs.filter(commune_id__in=sorted(communes))
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("year", "sequence_key", "number", "id")
