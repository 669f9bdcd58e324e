"""A person's API tokens die with the password they were issued under, and with the account.

Covers every way a password is set through the model (set_password: the password change page, the
admin's password form, `changepassword`) and deactivation by saving the person (the admin's form).
A hasher upgrade on login re-hashes the same password without set_password's marker, so it does not
revoke anything. Bulk `.update(is_active=False)` skips signals; such tokens are refused anyway
because the API only accepts tokens of active accounts."""
from django.contrib.auth.hashers import is_password_usable
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .models import ApiToken, User


@receiver(pre_save, sender=User)
def note_credential_change(sender, instance, update_fields=None, raw=False, **kwargs):
    instance._revoke_api_tokens = False
    if raw or instance.pk is None:
        return
    fields = set(update_fields) if update_fields is not None else None
    if getattr(instance, "_password", None) is not None and (fields is None or "password" in fields):
        instance._revoke_api_tokens = True  # set_password() was called
        return
    if fields is not None and not fields & {"is_active", "password"}:
        return
    before = User.objects.filter(pk=instance.pk).values_list("is_active", "password").first()
    if before is None:
        return
    was_active, old_password = before
    deactivated = was_active and not instance.is_active
    made_unusable = old_password != instance.password and not is_password_usable(instance.password)
    instance._revoke_api_tokens = deactivated or made_unusable


@receiver(post_save, sender=User)
def revoke_api_tokens(sender, instance, created=False, raw=False, **kwargs):
    if getattr(instance, "_revoke_api_tokens", False) and not created:
        ApiToken.objects.filter(user=instance).delete()
    instance._revoke_api_tokens = False
