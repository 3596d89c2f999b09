import pytest
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db


def test_a_missing_page_gets_the_styled_404(client, home):
    response = client.get("/no/such/story/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'role="search"' in html


def broken_view(request):
    raise RuntimeError("the newsroom database fell over")


urlpatterns = [path("boom/", broken_view)]
handler500 = "dateline.newsroom.errors.server_error"


def test_a_crash_gets_the_styled_500_without_details(settings, home):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "fell over" not in html
