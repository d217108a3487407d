"""Envelope encryption of BYOK provider keys (AES-256-GCM, ``cryptography``).

* A master key (``settings.AI_MASTER_KEY``, 32 bytes in base64) lives only in the environment.
* Each tenant has a data key (32 random bytes) stored wrapped by the master key: nonce ‖ AESGCM(master,
  nonce, data key, aad = "novasaas/ai/datakey/<tenant id>"). The wrap records the master key's id (first
  16 hex digits of its SHA-256) so a rotation can tell which master key opens it.
* A provider key is sealed with the tenant's data key: nonce ‖ AESGCM(data key, nonce, secret,
  aad = "novasaas/ai/key/<tenant id>/<key id>/<provider>"). A sealed value copied to another row, another
  tenant or relabelled as another provider fails authentication and does not open.
* Rotation (``novasaas ai_rewrap_keys``) unwraps every data key with the master key that wrapped it (the
  current or one of ``AI_PREVIOUS_MASTER_KEYS``) and wraps it under the current one; sealed provider keys
  are untouched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from novasaas.platform.models import Tenant

NONCE = 12


class SealError(Exception):
    """A sealed value does not open: tampered, copied to another row/tenant, or an unknown master key."""


def _decode(value: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured("AI master key is not valid base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("AI master key must be 32 bytes (base64 of 32 random bytes)")
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def master_keys() -> tuple[bytes, dict[str, bytes]]:
    """(current master key, every known master key by id)."""
    current_text = settings.AI_MASTER_KEY
    if not current_text:
        raise ImproperlyConfigured("AI_MASTER_KEY is not set: provider keys can be neither sealed nor opened.")
    current = _decode(current_text)
    known = {key_id(current): current}
    for text in settings.AI_PREVIOUS_MASTER_KEYS:
        k = _decode(text)
        known[key_id(k)] = k
    return current, known


def _datakey_aad(tenant_id: int) -> bytes:
    return f"novasaas/ai/datakey/{tenant_id}".encode()


def _secret_aad(tenant_id: int, row_id: int, provider: str) -> bytes:
    return f"novasaas/ai/key/{tenant_id}/{row_id}/{provider}".encode()


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    blob = bytes(blob)
    if len(blob) <= NONCE:
        raise SealError("sealed value too short")
    try:
        return AESGCM(key).decrypt(blob[:NONCE], blob[NONCE:], aad)
    except InvalidTag as exc:
        raise SealError("sealed value does not open here") from exc


def _data_key(tenant: Tenant, *, create: bool) -> bytes:
    from novasaas.ai.models import TenantDataKey

    current, known = master_keys()
    row = TenantDataKey.objects.filter(tenant=tenant).first()
    if row is None:
        if not create:
            raise SealError("the company has no data key")
        data_key = AESGCM.generate_key(bit_length=256)
        TenantDataKey.objects.create(
            tenant=tenant, wrapped=_encrypt(current, data_key, _datakey_aad(tenant.pk)), master_key_id=key_id(current)
        )
        return data_key
    master = known.get(row.master_key_id)
    if master is None:
        raise SealError("the data key is wrapped by an unknown master key")
    return _decrypt(master, row.wrapped, _datakey_aad(tenant.pk))


def seal(tenant: Tenant, row_id: int, provider: str, secret: str) -> bytes:
    return _encrypt(_data_key(tenant, create=True), secret.encode(), _secret_aad(tenant.pk, row_id, provider))


def unseal(tenant: Tenant, row_id: int, provider: str, sealed: bytes) -> str:
    return _decrypt(_data_key(tenant, create=False), sealed, _secret_aad(tenant.pk, row_id, provider)).decode()


def rewrap_all() -> int:
    """Re-wrap every data key not wrapped by the current master key; returns how many changed."""
    from novasaas.ai.models import TenantDataKey
    from novasaas.platform.tenancy import platform_context

    current, known = master_keys()
    current_id = key_id(current)
    changed = 0
    with platform_context():
        for row in TenantDataKey.objects.select_for_update().exclude(master_key_id=current_id):
            master = known.get(row.master_key_id)
            if master is None:
                raise SealError(f"data key of tenant {row.tenant_id} is wrapped by an unknown master key")
            data_key = _decrypt(master, row.wrapped, _datakey_aad(row.tenant_id))
            row.wrapped = _encrypt(current, data_key, _datakey_aad(row.tenant_id))
            row.master_key_id = current_id
            row.rewrapped_at = timezone.now()
            row.save(update_fields=["wrapped", "master_key_id", "rewrapped_at"])
            changed += 1
    return changed
