"""The people of the load test (``bench.load``), for locust.

``bench.load`` writes a plan (JSON, its path in ``BENCH_LOAD_PLAN``): the servers, the
people with their session cookie or password, and the pages and objects to use. Each
simulated person takes the next server in turn, so every server serves every kind of
person, and nothing ties a session to one server.

Every write that the server accepted (2xx) is appended to ``BENCH_LOAD_EDITS`` (one JSON
object per line) and every failed request to ``BENCH_LOAD_FAILURES`` with its time, so
``bench.load`` can check afterwards that each accepted write is in the database and count
the failures inside and outside an outage.
"""

import itertools
import json
import os
import random
import threading
import time
import uuid
from pathlib import Path

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text(encoding="utf-8"))
_servers = itertools.cycle(PLAN["hosts"])
_lock = threading.Lock()
_edits = Path(os.environ["BENCH_LOAD_EDITS"])
_failures = Path(os.environ["BENCH_LOAD_FAILURES"])
_people = {role: itertools.cycle(people) for role, people in PLAN["people"].items()}
# The pause of a person between two requests, as ``bench.load`` sets it.
WAIT = (float(os.environ["BENCH_LOAD_WAIT_MIN"]), float(os.environ["BENCH_LOAD_WAIT_MAX"]))


def _write(path: Path, record: dict) -> None:
    with _lock, path.open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(record) + "\n")


@events.request.add_listener
def _on_request(request_type, name, response_time, response_length, response=None, exception=None, **kwargs):
    if exception is not None:
        status = getattr(response, "status_code", 0) if response is not None else 0
        _write(_failures, {"t": time.time(), "name": name, "status": status, "error": str(exception)[:200]})


class Person(FastHttpUser):
    """Someone working in Wijkkoers: signs in once, then reads and (by role) writes."""

    abstract = True
    role = ""
    wait_time = between(*WAIT)

    def __init__(self, environment):
        self.host = next(_servers)
        super().__init__(environment)
        self.person = next(_people[self.role])

    def on_start(self):
        if self.person.get("session"):
            self.client.cookiejar.set_cookie(_cookie("sessionid", self.person["session"]))
            self.client.get("/", name="start page")
        else:
            self._sign_in()
        self.csrf = _cookie_value(self.client.cookiejar, "csrftoken")

    def _sign_in(self):
        login = PLAN["urls"]["login"]
        self.client.get(login, name="sign-in form")
        token = _cookie_value(self.client.cookiejar, "csrftoken")
        with self.client.post(
            login,
            data={
                "username": self.person["email"],
                "password": self.person["password"],
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": f"{self.host}{login}"},
            name="sign-in",
            catch_response=True,
        ) as response:
            if "sessionid" not in {c.name for c in self.client.cookiejar}:
                response.failure("sign-in did not start a session")

    def read(self, key: str) -> None:
        url = PLAN["urls"][key]
        if isinstance(url, list):
            url = random.choice(url)
        self.client.get(url.replace("{sig}", self.person.get("sig", "")), name=key)

    def api(self, method: str, url: str, name: str, payload: dict):
        """A JSON API write with the session and its CSRF token; returns the response."""
        return self.client.request(
            method,
            url,
            json=payload,
            name=name,
            headers={"X-CSRFToken": self.csrf or "", "Referer": f"{self.host}/"},
            catch_response=True,
        )


class Editor(Person):
    """A bewerker of a corporation: reads the intervention pages and logs progress and
    changes of the interventions it leads."""

    role = "editor"
    weight = 2

    @task(3)
    def interventions(self):
        self.read("interventions.list")

    @task(3)
    def intervention(self):
        self.read("interventions.detail")

    @task(2)
    def api_list(self):
        self.read("interventions.api")

    @task(2)
    def wijk(self):
        self.read("areas.wijk")

    @task(2)
    def progress(self):
        pk = random.choice(PLAN["editable_interventions"])
        token = f"load-{uuid.uuid4().hex[:12]}"
        payload = {"intervention": pk, "date": time.strftime("%Y-%m-%d"), "text": token, "progress": 50}
        with self.api("POST", PLAN["urls"]["progress_updates"], "edit: progress update", payload) as response:
            if response.status_code == 201:
                _write(
                    _edits, {"kind": "progress", "id": response.json()["id"], "text": token, "t": time.time()}
                )
                response.success()
            else:
                response.failure(f"{response.status_code}")

    @task(2)
    def change(self):
        pk = random.choice(PLAN["editable_interventions"])
        url = f"/api/v1/interventions/{pk}/"
        current = self.client.get(url, name="edit: read intervention")
        if current.status_code != 200:
            return
        token = f"load-{uuid.uuid4().hex[:12]}"
        payload = {"funder": token, "version": current.json()["version"]}
        with self.api("PATCH", url, "edit: change intervention", payload) as response:
            if response.status_code == 200:
                body = response.json()
                _write(
                    _edits,
                    {
                        "kind": "intervention",
                        "id": pk,
                        "funder": token,
                        "version": body["version"],
                        "t": time.time(),
                    },
                )
                response.success()
            elif response.status_code == 409:
                # Someone changed it in between: the stale edit is refused, as it should be.
                response.success()
                _write(_edits, {"kind": "conflict", "id": pk, "t": time.time()})
            else:
                response.failure(f"{response.status_code}")


class Reviewer(Person):
    """A bewerker of the gemeente: the review queue, the agreements and the year report."""

    role = "reviewer"
    weight = 1

    @task(3)
    def queue(self):
        self.read("agreements.review")

    @task(2)
    def agreements(self):
        self.read("agreements.list")

    @task(3)
    def agreement(self):
        self.read("agreements.detail")

    @task(2)
    def gemeente(self):
        self.read("areas.gemeente")

    @task(1)
    def report(self):
        if PLAN["urls"].get("reports.report"):
            self.read("reports.report")


class Reader(Person):
    """A lezer of the tenants or a welfare partner: maps, scores and pages, and now and
    then a comment on a monitoring report."""

    role = "reader"
    weight = 4

    @task(3)
    def gemeente(self):
        self.read("areas.gemeente")

    @task(2)
    def wijk(self):
        self.read("areas.wijk")

    @task(3)
    def scores(self):
        self.read("scores.map")

    @task(3)
    def geojson(self):
        self.read("areas.geojson")

    @task(2)
    def interventions(self):
        self.read("interventions.list")

    @task(2)
    def intervention(self):
        self.read("interventions.detail")

    @task(1)
    def agreement(self):
        self.read("agreements.detail")

    @task(1)
    def comment(self):
        pk = random.choice(PLAN["commentable_reports"])
        token = f"load-{uuid.uuid4().hex[:12]}"
        url = f"/api/v1/monitoring-reports/{pk}/comments/"
        with self.api("POST", url, "edit: monitoring comment", {"text": token}) as response:
            if response.status_code == 201:
                _write(
                    _edits, {"kind": "comment", "id": response.json()["id"], "text": token, "t": time.time()}
                )
                response.success()
            else:
                response.failure(f"{response.status_code}")


def _cookie(name: str, value: str):
    from http.cookiejar import Cookie

    return Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False, None, None, {}
    )


def _cookie_value(jar, name: str) -> str:
    return next((c.value for c in jar if c.name == name), "")
