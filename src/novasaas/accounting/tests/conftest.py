import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Action-level assertions match the English messages (pages choose their language per request)."""
    with translation.override("en"):
        yield
