"""After `seed_demo` on SQLite: every demo login signs in and sees its home page; the
scores cover several years with a "both rising" signal somewhere, and the licensed
Aedes map is the corporation's, not the tenants'."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.test import Client  # noqa: E402

from organisations.demo import DEMO_PASSWORD, PERSONAS, PLATFORM_ADMIN  # noqa: E402


def main():
    emails = [PLATFORM_ADMIN[0]] + [p[0] for p in PERSONAS]
    for email in emails:
        client = Client()
        response = client.post(
            "/account/inloggen/", {"username": email, "password": DEMO_PASSWORD}, follow=True
        )
        assert response.status_code == 200, f"sign-in for {email}: {response.status_code}"
        assert response.wsgi_request.user.is_authenticated, f"demo login failed: {email}"
        assert response.redirect_chain[-1][0] == "/", f"{email} did not land on the home page"
    print(f"demo smoke: {len(emails)} logins sign in on SQLite")
    check_scores()


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


if __name__ == "__main__":
    main()
