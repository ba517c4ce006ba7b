"""After `seed_demo` on SQLite: every demo login signs in and sees its home page."""

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


if __name__ == "__main__":
    main()
