"""Queueing after a write: a broker outage is reported, anything else is raised."""

import pytest
from kombu.exceptions import OperationalError

from core.queueing import queue


class Task:
    def __init__(self, error=None):
        self.error, self.calls = error, []

    def delay(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize("error", [OperationalError("redis weg"), ConnectionError("weg"), TimeoutError()])
def test_a_broker_outage_runs_the_fallback_and_is_not_raised(error):
    failed = []
    assert queue(Task(error), 1, what="test", on_failure=lambda: failed.append(1)) is False
    assert failed == [1]


def test_a_failing_task_is_raised_not_hidden():
    failed = []
    with pytest.raises(TypeError):
        queue(Task(TypeError("fout in de taak")), what="test", on_failure=lambda: failed.append(1))
    assert failed == []


def test_a_task_by_dotted_path_is_queued_and_a_wrong_path_is_an_error(monkeypatch):
    task = Task()
    monkeypatch.setattr("organisations.tasks.invitation_send", task)
    assert queue("organisations.tasks.invitation_send", 7, what="test") is True
    assert task.calls == [((7,), {})]
    with pytest.raises(ImportError):
        queue("organisations.tasks.bestaat_niet", what="test")
