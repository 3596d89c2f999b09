"""The Import screen in the admin: upload, dry run, run in the worker, progress, errors."""

from __future__ import annotations

import shutil

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.contrib.redirects.models import Redirect

from dateline.importers import runs
from dateline.importers.models import ImportedItem, ImportRun
from dateline.newsroom.models import ArticlePage, Photo
from tests.importers.conftest import EXPORT, FIXTURES, MAPPING

pytestmark = pytest.mark.django_db

URL = "/admin/import/"


@pytest.fixture(autouse=True)
def roots(settings, tmp_path):
    settings.IMPORT_UPLOAD_ROOT = tmp_path / "import-uploads"
    settings.IMPORT_MEDIA_ROOT = tmp_path  # the media fixture is tmp_path / "uploads"


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def dry_run(staff, capture, path=EXPORT, media="uploads", source="wordpress"):
    data = {
        "source": source,
        "export": upload(path),
        "mapping": upload(MAPPING),
        "media_dir": media,
    }
    with capture(execute=True):  # the task is queued when the request's transaction commits
        response = staff.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def test_the_dry_run_shows_the_report_and_writes_nothing(
    staff, home, media, django_capture_on_commit_callbacks
):
    page = dry_run(staff, django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    assert (run.source, run.dry_run, run.status) == ("wordpress", True, "done")
    assert page == f"{URL}{run.pk}/"
    # The upload is kept out of MEDIA_ROOT, for the real run to use.
    assert (runs.upload_root() / run.export_file).read_bytes() == EXPORT.read_bytes()
    html = staff.get(page).content.decode()
    assert "Nothing was written" in html
    assert "Run the import" in html
    assert "in Harbour" in html and "in Council" in html  # counts per section
    assert "Missing images" in html and "URL changes" in html
    assert run.report["dry_run"] is True and run.report["created"] == 4
    assert run.report["missing_images"], "the media fixture lacks two files"
    assert ArticlePage.objects.count() == 0
    assert not ImportedItem.objects.exists()
    assert not Redirect.objects.exists()
    assert not Photo.objects.exists()


def test_running_enqueues_the_task_which_imports_and_records_progress(
    staff, home, media, django_capture_on_commit_callbacks, settings
):
    from django_tasks import default_task_backend

    from dateline.importers.tasks import run_import_task

    dry_run(staff, django_capture_on_commit_callbacks)
    checked = ImportRun.objects.get()
    # First only queued, as under `make run`: nothing runs until the worker takes it.
    immediate = settings.TASKS
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"{URL}{checked.pk}/run/")
    run = ImportRun.objects.exclude(pk=checked.pk).get()
    assert response.status_code == 302 and response["Location"] == f"{URL}{run.pk}/"
    [queued] = default_task_backend.results
    assert (queued.task.name, queued.args) == ("run_import_task", [run.pk])
    assert (run.status, run.dry_run, run.checked_by) == ("queued", False, checked)
    assert ArticlePage.objects.count() == 0
    queued_page = staff.get(f"{URL}{run.pk}/").content.decode()
    assert "Waiting for the worker" in queued_page
    assert f'data-live="{URL}{run.pk}/progress/"' in queued_page
    assert "importers/admin-progress" in queued_page

    # Then the worker runs it (the test settings run tasks inline).
    settings.TASKS = immediate
    assert run_import_task.enqueue(run.pk).return_value == "done"
    run.refresh_from_db()
    assert run.status == "done" and run.started_at and run.finished_at
    assert (run.done, run.total) == (run.report["read"], run.report["read"])
    assert run.report["dry_run"] is False and run.report["created"] == 4
    assert run.report["photos_stored"] >= 1 and run.report["redirects"] >= 1
    assert ArticlePage.objects.count() == 4
    # The worker takes a task once: a second delivery of it does nothing.
    assert run_import_task.enqueue(run.pk).return_value == "gone"
    html = staff.get(f"{URL}{run.pk}/").content.decode()
    assert "Photos stored" in html and "Old URLs redirected" in html
    assert "data-live" not in html and "Run the import" not in html
    panel = staff.get(f"{URL}{run.pk}/progress/").content.decode()
    assert 'data-status="done"' in panel and "data-live" not in panel

    # Idempotent, as the command is: the same file again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"{URL}{checked.pk}/run/")
    again = ImportRun.objects.order_by("-pk").first()
    assert again.status == "done"
    assert again.report["created"] == 0 and again.report["unchanged"] == 4
    assert ArticlePage.objects.count() == 4


def test_progress_is_written_at_most_every_second(home, monkeypatch):
    run = ImportRun.objects.create(source="wordpress", export_file="x", export_name="x")
    clock = iter([100.0, 100.2, 100.5, 101.3, 101.4, 101.5])
    monkeypatch.setattr(runs.time, "monotonic", lambda: next(clock))
    writes = []
    real = ImportRun.objects.filter

    def spy(**kwargs):
        query = real(**kwargs)
        original = query.update
        query.update = lambda **values: writes.append(values) or original(**values)
        return query

    monkeypatch.setattr(ImportRun.objects, "filter", spy)
    advance = runs.throttled(run)
    for done in range(1, 7):
        advance(done, 6)
    # 1 (first), 4 (a second after), 6 (the last, always); the rest only counted.
    assert writes == [{"done": 1, "total": 6}, {"done": 4, "total": 6}, {"done": 6, "total": 6}]
    monkeypatch.undo()
    run.refresh_from_db()
    assert (run.done, run.total) == (6, 6)


def test_a_bad_file_shows_the_error_and_changes_nothing(
    staff, home, django_capture_on_commit_callbacks
):
    page = dry_run(
        staff, django_capture_on_commit_callbacks, path=FIXTURES / "malformed.xml", media=""
    )
    run = ImportRun.objects.get()
    assert run.status == "failed"
    assert "malformed.xml, line " in run.error and "not well-formed XML" in run.error
    assert str(runs.upload_root()) not in run.error  # the operator's name for the file
    html = staff.get(page).content.decode()
    assert "malformed.xml, line " in html
    assert "Run the import" not in html
    assert staff.post(f"{URL}{run.pk}/run/").status_code == 302
    assert ImportRun.objects.count() == 1  # a failed dry run cannot be run
    assert ArticlePage.objects.count() == 0 and not ImportedItem.objects.exists()


def test_the_media_folder_must_be_inside_the_allowed_root(staff, tmp_path, home):
    outside = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    outside.mkdir()
    try:
        for folder in (str(outside), "../" + outside.name, "missing"):
            response = staff.post(
                URL, {"source": "wordpress", "export": upload(EXPORT), "media_dir": folder}
            )
            assert response.status_code == 200
            html = response.content.decode()
            assert "must be inside" in html or "does not exist" in html
    finally:
        shutil.rmtree(outside)
    assert not ImportRun.objects.exists()
    page = staff.get(URL).content.decode()
    assert "Thousands of images cannot go through a web form" in page


def test_ghost_and_substack_go_the_same_way(staff, home, django_capture_on_commit_callbacks):
    dry_run(
        staff,
        django_capture_on_commit_callbacks,
        path=FIXTURES / "ghost-5.json",
        media="",
        source="ghost",
    )
    run = ImportRun.objects.get()
    assert run.status == "done" and run.report["source"] == "ghost" and run.report["read"] > 0
    assert ArticlePage.objects.count() == 0


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_user("ed", "ed@example.org", password=None)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    client.force_login(user)
    return user, client


def test_without_the_permission_the_screen_is_refused(editor, home):
    # Wagtail answers an admin user without the permission with a redirect to the
    # dashboard and a message, not a 403 page.
    user, client = editor
    run = ImportRun.objects.create(source="wordpress", export_file="x", export_name="x.xml")
    for response in (
        client.get(URL),
        client.post(URL, {"source": "wordpress", "export": upload(EXPORT)}),
        client.get(f"{URL}{run.pk}/"),
        client.get(f"{URL}{run.pk}/progress/"),
        client.post(f"{URL}{run.pk}/run/"),
    ):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert URL not in client.get("/admin/").content.decode()
    assert ImportRun.objects.count() == 1

    user.user_permissions.add(Permission.objects.get(codename="add_importrun"))
    assert client.get(URL).status_code == 200
    assert URL in client.get("/admin/").content.decode()


def test_without_admin_access_it_is_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_settings_menu_leads_to_the_screen(staff):
    assert URL in staff.get("/admin/").content.decode()
