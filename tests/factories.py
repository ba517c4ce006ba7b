"""factory_boy factories. Organisations are made through the service so their sharing
groups exist, exactly as in production."""

import factory
from django.contrib.auth import get_user_model

from organisations import services
from organisations.models import Membership, Organisation, Role

PASSWORD = "geheim-wachtwoord-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.nl")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def platform_admin(**kwargs):
    return UserFactory(is_platform_admin=True, **kwargs)


_counter = iter(range(1, 10**9))


def organisation(
    *, actor=None, kind=Organisation.Kind.CORPORATIE, name=None, gemeente_code="GM0453", **kwargs
):
    actor = actor or platform_admin()
    name = name or f"Organisatie {next(_counter)}"
    return services.organisation_create(
        actor=actor, name=name, kind=kind, gemeente_code=gemeente_code, **kwargs
    )


def member(organisation, role=Role.LEZER, user=None, **user_kwargs):
    """A person in ``organisation`` with ``role``, made through the service."""
    user = user or UserFactory(**user_kwargs)
    admin = get_user_model().objects.filter(is_platform_admin=True).first() or platform_admin()
    services.membership_add(actor=admin, organisation=organisation, user=user, role=role)
    return user


def membership_of(user, organisation):
    return Membership.objects.get(user=user, organisation=organisation)
