import pytest

from dateline.wire.models import Provider
from tests.wire.helpers import ADD_PROVIDER, provider_form

pytestmark = pytest.mark.django_db


def test_a_provider_is_set_up_in_the_admin(staff):
    response = staff.post(ADD_PROVIDER, provider_form())
    assert response.status_code == 302
    provider = Provider.objects.get()
    assert provider.transport == "http" and provider.format == "rss"
    assert provider.status == "ok"


def test_an_http_provider_without_an_address_is_refused(staff):
    response = staff.post(ADD_PROVIDER, provider_form(url=""))
    assert response.status_code == 200
    assert "An HTTP provider needs the feed" in response.content.decode()
    assert not Provider.objects.exists()


def test_a_folder_provider_needs_its_folder(staff):
    response = staff.post(ADD_PROVIDER, provider_form(transport="folder", url="", folder=""))
    assert "A drop-folder provider needs a folder" in response.content.decode()
    assert not Provider.objects.exists()


def test_a_new_provider_has_no_health_to_show_or_edit(staff):
    page = staff.get(ADD_PROVIDER).content.decode()
    assert 'name="failures"' not in page and 'name="last_error"' not in page
    assert "Health" not in page


def test_a_providers_health_shows_read_only(staff):
    provider = Provider.objects.create(
        name="Northwind Press", url="https://x.example/feed", failures=4, last_error="HTTP 503"
    )
    page = staff.get(f"/admin/wire/providers/edit/{provider.pk}/").content.decode()
    assert "HTTP 503" in page
    assert 'name="failures"' not in page and 'name="last_error"' not in page
    # A forged post cannot reset them either.
    staff.post(
        f"/admin/wire/providers/edit/{provider.pk}/",
        provider_form(url="https://x.example/feed", failures="0", last_error=""),
    )
    provider.refresh_from_db()
    assert (provider.failures, provider.last_error) == (4, "HTTP 503")


def test_quote_check_policies_are_spelled_right(staff):
    page = staff.get("/admin/wire/quote-checks/").content.decode()
    assert "Quote check policies" in page and "policys" not in page
