import pytest


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Files of the documents tests go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
