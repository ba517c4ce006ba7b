"""After `seed_demo` on SQLite: every demo login signs in and sees its home page; the
scores cover several years with a "both rising" signal somewhere, and the licensed
Aedes map is the corporation's, not the tenants'."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.test import Client  # noqa: E402

from core.two_factor import DEMO_TOTP_SECRET, current_code  # noqa: E402
from organisations.demo import DEMO_PASSWORD, PERSONAS, PLATFORM_ADMIN  # noqa: E402


def main():
    emails = [PLATFORM_ADMIN[0]] + [p[0] for p in PERSONAS]
    for email in emails:
        client = Client()
        response = client.post(
            "/account/inloggen/", {"username": email, "password": DEMO_PASSWORD}, follow=True
        )
        second_step = response.redirect_chain[-1][0].startswith("/account/tweede-stap/")
        must = email in (PLATFORM_ADMIN[0], "beheerder@demo.wijkkoers.nl")
        assert second_step == must, f"{email}: second step {'missing' if must else 'asked'}"
        if second_step:
            # The demo's platform admin and beheerder: the code from the published secret.
            response = client.post(
                response.redirect_chain[-1][0], {"code": current_code(DEMO_TOTP_SECRET)}, follow=True
            )
        assert response.status_code == 200, f"sign-in for {email}: {response.status_code}"
        assert response.wsgi_request.user.is_authenticated, f"demo login failed: {email}"
        assert response.redirect_chain[-1][0] == "/", f"{email} did not land on the home page"
    print(f"demo smoke: {len(emails)} logins sign in on SQLite")
    check_scores()
    check_year_report()


def check_scores():
    from django.contrib.auth import get_user_model

    from scores import demo as scores_demo
    from scores.models import Score, ScoreModel

    years = set(
        Score.objects.filter(model__key="wijkkoers-veerkracht", value__isnull=False).values_list(
            "year", flat=True
        )
    )
    assert len(years) >= 3, f"veerkracht scores for only {sorted(years)}"
    signals = Score.objects.filter(model__key="signalen", score_class=9)
    assert signals.exists(), "no buurt where vulnerability and overlast both rise"
    aedes = ScoreModel.objects.get(source__name=scores_demo.AEDES_SOURCE_NAME)
    users = get_user_model().objects
    corporation = users.get(email="corporatie@demo.wijkkoers.nl")
    tenants = users.get(email="huurders@demo.wijkkoers.nl")
    assert ScoreModel.objects.restrict(corporation, "view").filter(pk=aedes.pk).exists(), (
        "corporation misses Aedes"
    )
    assert Score.objects.restrict(corporation, "view").filter(model=aedes).exists(), (
        "corporation misses Aedes scores"
    )
    assert not ScoreModel.objects.restrict(tenants, "view").filter(pk=aedes.pk).exists(), "tenants see Aedes"
    assert not Score.objects.restrict(tenants, "view").filter(model=aedes).exists(), (
        "tenants see Aedes scores"
    )
    print(
        f"demo smoke: scores for {min(years)}–{max(years)}, {signals.count()} × both rising, "
        "Aedes for the corporation only"
    )


def check_year_report():
    """The year report of Velsen 2025 against 2024, and of each demo wijk with a team, is
    complete; the corporation's has its licensed Aedes veerkracht, the tenants' does not."""
    from interventions.demo import TEAMS
    from scores import demo as scores_demo

    aedes = scores_demo.AEDES_SOURCE_NAME
    for email, sees_aedes in (("corporatie@demo.wijkkoers.nl", True), ("huurders@demo.wijkkoers.nl", False)):
        client = Client()
        client.post("/account/inloggen/", {"username": email, "password": DEMO_PASSWORD})
        for code in ("GM0453", *TEAMS):
            response = client.get(
                f"/jaarbeeld/{code}/2025/", {"vergelijk": "2024"} if code == "GM0453" else {}
            )
            assert response.status_code == 200, f"year report {code} for {email}: {response.status_code}"
            html = response.content.decode()
            for empty in (
                "In dit jaar is geen interventie gestart, gelopen",
                "Er is voor dit jaar geen urgentie",
                "Er zijn voor dit jaar geen prestatieafspraken",
            ):
                assert empty not in html, f"year report {code} for {email}: '{empty}'"
            assert "Wijkgesprek van" in html, f"year report {code} for {email}: no wijkgesprek of 2025"
            assert (aedes in html) is sees_aedes, (
                f"year report {code} for {email}: Aedes shown {not sees_aedes}"
            )
            assert ("laat delen weg" in html) is not sees_aedes, f"{code} for {email}: hidden-parts note"
    print(f"demo smoke: year reports 2025 of Velsen and {len(TEAMS)} wijken, Aedes for the corporation only")


if __name__ == "__main__":
    main()
