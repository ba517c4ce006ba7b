""" "Scores in het kort" kept in the cache: built once for everyone who may see the same
models, never shown to someone who may not see a model in it, and built again after every
change of the scores (the data version) or of who may see a model."""

# The fixtures of the section's own tests, imported: their names are parameters here.
# ruff: noqa: F811

import pytest

from scores import versions
from scores.models import Score, Source
from scores.selectors import summary
from scores.tests.test_area_section import (  # noqa: F401 (fixtures)
    NO_AEDES,
    SEES_AEDES,
    WIJK,
    _clean_memory,
    _page,
    _section,
    section_world,
    world,
)


@pytest.fixture
def builds(monkeypatch):
    """How often the summary was built rather than taken from the cache."""
    counted = []
    real = summary.attach_class_moves
    monkeypatch.setattr(summary, "attach_class_moves", lambda **kw: counted.append(1) or real(**kw))
    return counted


def test_built_once_for_people_who_see_the_same_models(client, world, builds):
    for persona in SEES_AEDES:
        assert 'data-model="aedes-test"' in _section(_page(client, world.users[persona], WIJK))
    # The corporation and the gemeente both see the licensed model: one summary.
    assert len(builds) == 1


@pytest.mark.parametrize("persona", NO_AEDES)
def test_a_filled_cache_does_not_show_a_licensed_model(client, world, builds, persona):
    for seer in SEES_AEDES:
        _page(client, world.users[seer], WIJK)
    section = _section(_page(client, world.users[persona], WIJK))
    assert 'data-model="aedes-test"' not in section
    assert 'data-model="leefbaarometer"' in section
    assert len(builds) == 2  # a summary of its own for other models


def test_withdrawn_sharing_shows_at_once(client, world):
    reviewer = world.users["gemeente_reviewer"]
    assert 'data-model="aedes-test"' in _section(_page(client, reviewer, WIJK))
    # Without the data version changing: who sees which model is part of the key.
    Source.objects.get(name="Aedes veerkrachtkaart").shared_with.remove(world.gemeente)
    assert 'data-model="aedes-test"' not in _section(_page(client, reviewer, WIJK))


def test_changed_scores_show_after_the_data_version(client, world):
    editor = world.users["corp_editor"]
    assert 'data-model="aedes-test"' in _section(_page(client, editor, WIJK))
    Score.objects.filter(model__key="aedes-test", area__code=WIJK).delete()
    versions.data_changed()  # what every import and recomputation does
    assert 'data-model="aedes-test"' not in _section(_page(client, editor, WIJK))
