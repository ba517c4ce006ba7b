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
        assert client.login(username=email, password=DEMO_PASSWORD), f"demo login failed: {email}"
        response = client.get("/")
        assert response.status_code == 200, f"home page for {email}: {response.status_code}"
    print(f"demo smoke: {len(emails)} logins sign in on SQLite")


if __name__ == "__main__":
    main()
