"""The version an API change starts from: required, a whole number, taken out of the data."""

import pytest
from rest_framework.exceptions import ValidationError

from core.api.views import pop_version, require_version


def test_pop_version_takes_the_version_out_of_the_data():
    data = {"version": "3", "name": "Noord"}
    assert pop_version(data) == 3
    assert data == {"name": "Noord"}


@pytest.mark.parametrize("data", [{}, {"version": None}, {"version": ""}, {"version": "drie"}])
def test_a_missing_or_unreadable_version_is_a_dutch_400(data):
    with pytest.raises(ValidationError) as excinfo:
        pop_version(dict(data))
    assert excinfo.value.detail == {"version": "Geef de versie mee waarvan uw wijziging uitgaat."}


def test_require_version_leaves_the_request_data_alone():
    data = {"version": 7}
    assert require_version(data) == 7
    assert data == {"version": 7}


def test_require_version_reads_a_form_as_well():
    from django.http import QueryDict

    assert require_version(QueryDict("role=meelezer&version=3")) == 3
    with pytest.raises(ValidationError):
        require_version(QueryDict("role=meelezer"))
    with pytest.raises(ValidationError):
        require_version(["geen", "object"])
