"""A person's survey answers are in their export; erasure clears their comments."""

from __future__ import annotations

import io
import json
import zipfile

from tuki.conftest import Desk
from tuki.privacy import export
from tuki.privacy.services import erase_person
from tuki.surveys import services
from tuki.surveys.models import SurveyResponse


def test_the_export_holds_the_persons_answers(desk: Desk, survey: SurveyResponse) -> None:
    services.answer(survey, 3, "Fine, a bit slow")
    archive = zipfile.ZipFile(io.BytesIO(export.export_zip(desk.requester)))
    rows = json.loads(archive.read("records/surveys.surveyresponse.json"))
    assert [(r["score"], r["comment"]) for r in rows] == [(3, "Fine, a bit slow")]


def test_erasure_clears_comments_and_keeps_scores(desk: Desk, survey: SurveyResponse) -> None:
    services.answer(survey, 1, "Maija here, call me on +358 40 555 1234")
    erasure = erase_person(desk.admin, desk.requester, confirm=desk.requester.email)
    survey.refresh_from_db()
    assert (survey.score, survey.comment) == (1, "")
    assert erasure.counts["survey_comments"] == 1
