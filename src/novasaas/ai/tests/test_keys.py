"""BYOK keys: validated before saving, sealed (envelope AES-256-GCM), bound to tenant/row/provider, revoked."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from novasaas.ai import crypto, keys
from novasaas.ai.models import KeyStatus, ProviderKey, TenantDataKey
from novasaas.ai.tests.conftest import VALID
from novasaas.ai.tests.helpers import principal
from novasaas.identity.catalogue import MANAGER
from novasaas.platform.models import AuditLog, Notification
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import create_user


def _add(tenant, secret=VALID, provider="openai"):
    with transaction.atomic(), tenant_context(tenant):  # a refusal leaves the test's transaction usable
        return keys.add_key(principal(tenant), provider=provider, secret=secret, label="main")


def test_a_valid_key_is_stored_sealed_and_only_its_last_4_characters_are_kept(tenant_a, fake):
    key = _add(tenant_a)
    with tenant_context(tenant_a):
        stored = ProviderKey.objects.get(pk=key.pk)
        assert stored.last4 == VALID[-4:]
        assert VALID.encode() not in bytes(stored.sealed)
        assert keys.open_secret(stored) == VALID
        assert TenantDataKey.objects.count() == 1
    with platform_context():
        entry = AuditLog.objects.get(tenant=tenant_a, action="key_created")
    assert VALID not in str(entry.after) and VALID not in entry.message
    assert fake.counters.requests == 0  # validation is GET /models: not a chat request


def test_a_key_the_provider_refuses_is_not_stored(tenant_a, fake):
    with pytest.raises(ValidationError, match="từ chối"):
        _add(tenant_a, secret="sk-wrong-key-9999")
    with tenant_context(tenant_a):
        assert not ProviderKey.objects.exists()


def test_an_unreachable_provider_is_a_clear_refusal(tenant_a, fake, settings):
    settings.AI_BASE_URLS = {**settings.AI_BASE_URLS, "openai": "http://127.0.0.1:9/v1"}
    with pytest.raises(ValidationError, match="Không kết nối"):
        _add(tenant_a)


def test_only_a_tenant_admin_manages_keys(tenant_a, fake):
    manager = create_user(tenant_a, MANAGER)
    with tenant_context(tenant_a), pytest.raises(PermissionDenied):
        keys.add_key(principal(tenant_a, manager), provider="openai", secret=VALID)


def test_a_sealed_key_copied_to_another_row_or_tenant_or_provider_does_not_open(tenant_a, tenant_b, fake):
    key_a = _add(tenant_a)
    fake.behaviour.valid_keys.add("sk-other-key-0002")
    key_a2 = _add(tenant_a, secret="sk-other-key-0002")
    key_b = _add(tenant_b)
    with tenant_context(tenant_a):
        sealed = bytes(ProviderKey.objects.get(pk=key_a.pk).sealed)
        other = ProviderKey.objects.get(pk=key_a2.pk)
        with pytest.raises(crypto.SealError):
            crypto.unseal(tenant_a, other.pk, other.provider, sealed)  # another row of the same tenant
        with pytest.raises(crypto.SealError):
            crypto.unseal(tenant_a, key_a.pk, "anthropic", sealed)  # relabelled as another provider
    with tenant_context(tenant_b), pytest.raises(crypto.SealError):
        crypto.unseal(tenant_b, key_b.pk, "openai", sealed)  # copied into tenant B's row
    tampered = bytearray(sealed)
    tampered[-1] ^= 1
    with tenant_context(tenant_a), pytest.raises(crypto.SealError):
        crypto.unseal(tenant_a, key_a.pk, "openai", bytes(tampered))


def test_a_data_key_swapped_between_tenants_does_not_open(tenant_a, tenant_b, fake):
    key_a = _add(tenant_a)
    _add(tenant_b)
    with platform_context():
        dk_a = TenantDataKey.objects.get(tenant=tenant_a)
        dk_b = TenantDataKey.objects.get(tenant=tenant_b)
        TenantDataKey.objects.filter(pk=dk_a.pk).update(wrapped=bytes(dk_b.wrapped))
    with tenant_context(tenant_a), pytest.raises(crypto.SealError):
        keys.open_secret(ProviderKey.objects.get(pk=key_a.pk))


def test_rotation_rewraps_every_data_key_and_keys_still_open(tenant_a, tenant_b, fake, settings):
    key_a = _add(tenant_a)
    key_b = _add(tenant_b)
    old = settings.AI_MASTER_KEY
    new = base64.b64encode(b"n" * 32).decode()
    settings.AI_MASTER_KEY, settings.AI_PREVIOUS_MASTER_KEYS = new, [old]
    from django.core.management import call_command

    call_command("ai_rewrap_keys")
    with platform_context():
        assert set(TenantDataKey.objects.values_list("master_key_id", flat=True)) == {crypto.key_id(b"n" * 32)}
    settings.AI_PREVIOUS_MASTER_KEYS = []  # the old master key is gone: everything opens with the new one
    for tenant, key in ((tenant_a, key_a), (tenant_b, key_b)):
        with tenant_context(tenant):
            assert keys.open_secret(ProviderKey.objects.get(pk=key.pk)) == VALID


def test_revoke_erases_the_secret_at_once_and_is_audited(tenant_a, fake):
    key = _add(tenant_a)
    with tenant_context(tenant_a):
        keys.revoke_key(principal(tenant_a), key.pk)
        stored = ProviderKey.objects.get(pk=key.pk)
        assert stored.status == KeyStatus.REVOKED and bytes(stored.sealed) == b""
        with pytest.raises(ValidationError):
            keys.revoke_key(principal(tenant_a), key.pk)
        assert Notification.objects.filter(title__contains="thu hồi").exists()
    with platform_context():
        assert AuditLog.objects.filter(tenant=tenant_a, action="key_revoked").count() == 1


def test_a_key_of_another_tenant_cannot_be_revoked(tenant_a, tenant_b, fake):
    key_b = _add(tenant_b)
    with tenant_context(tenant_a), pytest.raises(ProviderKey.DoesNotExist):
        keys.revoke_key(principal(tenant_a), key_b.pk)
