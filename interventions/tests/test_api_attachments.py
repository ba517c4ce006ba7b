"""Adding attachments to a progress update through the API, with the file checks of
the page: type by extension and content, size, at most five per update, all or nothing."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interventions import services
from interventions.models import Attachment
from interventions.tests.helpers import build_intervention, build_team, velsen

PDF = b"%PDF-1.7\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def update(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    team = build_team(world, velsen()["wijk"])
    intervention = build_intervention(world, team)
    return services.progress_add(
        actor=world.corp_editor,
        intervention=intervention,
        date=datetime.date(2025, 4, 1),
        text="Eerste ronde.",
        files=[SimpleUploadedFile("verslag.pdf", PDF)],
    )


def _url(update):
    return reverse("progress-update-add-attachments", args=[update.pk])


def _names(update):
    return sorted(Attachment.objects.filter(update=update).values_list("original_name", flat=True))


def test_an_editor_adds_attachments(client, world, update):
    client.force_login(world.gemeente_reviewer)
    files = [SimpleUploadedFile("foto.png", PNG), SimpleUploadedFile("plan.docx", _docx())]

    response = client.post(_url(update), {"files": files})

    assert response.status_code == 201, response.content
    body = response.json()
    assert sorted(a["original_name"] for a in body["attachments"]) == ["foto.png", "plan.docx", "verslag.pdf"]
    assert _names(update) == ["foto.png", "plan.docx", "verslag.pdf"]
    added = Attachment.objects.get(update=update, original_name="foto.png")
    assert (added.content_type, added.size, added.uploaded_by) == (
        "image/png",
        len(PNG),
        world.gemeente_reviewer,
    )


@pytest.mark.parametrize(
    "files, message",
    [
        ([("script.exe", b"MZ")], "dit bestandstype is niet toegestaan"),
        ([("nep.pdf", b"geen pdf")], "de inhoud past niet bij een .pdf-bestand"),
        ([("leeg.png", b"")], "is leeg"),
        ([("goed.png", PNG), ("nep.png", b"GIF89a")], "nep.png"),
        ([], "Kies minstens één bestand"),
    ],
    ids=["type", "content", "empty", "one bad of two", "none"],
)
def test_bad_files_are_a_400_and_nothing_is_added(client, world, update, files, message):
    client.force_login(world.corp_editor)

    response = client.post(_url(update), {"files": [SimpleUploadedFile(n, c) for n, c in files]})

    assert response.status_code == 400
    assert message in " ".join(response.json()["files"])
    assert _names(update) == ["verslag.pdf"]


def test_at_most_five_per_update(client, world, update, settings):
    client.force_login(world.corp_editor)
    four = [SimpleUploadedFile(f"foto{i}.png", PNG) for i in range(4)]
    assert client.post(_url(update), {"files": four}).status_code == 201  # 1 + 4 = 5

    response = client.post(_url(update), {"files": [SimpleUploadedFile("zesde.png", PNG)]})

    assert response.status_code == 400 and "al 5" in response.json()["files"][0]
    assert len(_names(update)) == 5


def test_too_large_is_refused(client, world, update, settings):
    settings.INTERVENTION_ATTACHMENT_MAX_MB = 1
    client.force_login(world.corp_editor)

    big = SimpleUploadedFile("groot.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024))
    response = client.post(_url(update), {"files": [big]})

    assert response.status_code == 400 and "groter dan 1 MB" in response.json()["files"][0]


def test_readers_may_not_and_strangers_do_not_see(client, world, update):
    client.force_login(world.tenant_rep)  # meelezer of the team
    assert client.post(_url(update), {"files": [SimpleUploadedFile("f.png", PNG)]}).status_code == 403
    client.force_login(world.outsider)
    assert client.post(_url(update), {"files": [SimpleUploadedFile("f.png", PNG)]}).status_code == 404
    assert reverse("progress-update-add-attachments", args=[999999]).endswith("/999999/attachments/")
    assert client.post(reverse("progress-update-add-attachments", args=[999999])).status_code == 404
    assert _names(update) == ["verslag.pdf"]
