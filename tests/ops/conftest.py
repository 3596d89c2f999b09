import pytest


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """The static files `dateline serve` needs, collected once for every test's processes."""
    from tests.ops.processes import collect_static

    var = tmp_path_factory.mktemp("static-var")
    collect_static(var)
    return var / "static"


@pytest.fixture
def site_var(tmp_path, collected_static):
    """A var/ folder for the test's processes, with the collected static files in it."""
    var = tmp_path / "var"
    var.mkdir()
    (var / "static").symlink_to(collected_static)
    return var
