import pytest


@pytest.fixture(autouse=True)
def _journal_dir(settings, tmp_path):
    """Each test's runs journal into their own folder (a real one: the engine locks files)."""
    settings.DIGEST_JOURNAL_DIR = tmp_path / "journals"


@pytest.fixture(autouse=True)
def _no_pooled_connections():
    """SMTP connections the engine pooled die with the test's server."""
    from dateline.digests import engine

    yield
    engine.POOL.close_all()
