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
    """Sổ văn bản đi as this user reads it: their commune's entries, of one year or all, in the
    order of the book (year, then number within its sequence). The page, its Excel/CSV export and
    GET /api/v1/register all list this."""
    qs = RegisterEntry.objects.select_related("document")
    commune_id = user.home_commune_id
    if commune_id:
        qs = qs.filter(commune_id=commune_id)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("year", "sequence_key", "number")
