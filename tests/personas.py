"""The fixed personas every test suite uses, in one small world around Velsen.

| persona            | organisation                      | role      |
| ------------------ | --------------------------------- | --------- |
| corp_editor        | corporatie (Woningcorporatie)     | bewerker  |
| org_admin          | corporatie                        | beheerder |
| gemeente_reviewer  | gemeente (Gemeente Velsen)        | bewerker  |
| tenant_rep         | huurders (Huurdersvereniging)     | bewerker  |
| partner_reader     | partner (Welzijn)                 | lezer     |
| outsider           | other_gemeente (Gemeente Haarlem) | beheerder |
| platform_admin     | —                                 | platform  |

The platform admin and the beheerders have an authenticator app (``tests.two_factor``), as
they must in production.
"""

from dataclasses import dataclass, field

from organisations.models import Organisation, Role
from tests import factories
from tests.two_factor import give_app

PERSONAS = (
    "anonymous",
    "corp_editor",
    "org_admin",
    "gemeente_reviewer",
    "tenant_rep",
    "partner_reader",
    "outsider",
    "platform_admin",
)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    orgs: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        for store in ("users", "orgs", "objects"):
            values = self.__dict__.get(store, {})
            if name in values:
                return values[name]
        raise AttributeError(name)


def build_world() -> World:
    world = World()
    admin = factories.platform_admin(email="platform@example.nl", full_name="Paula Platform")
    world.users["platform_admin"] = admin
    kinds = Organisation.Kind
    for key, name, kind, code in [
        ("corporatie", "Woningcorporatie Velserduin", kinds.CORPORATIE, "GM0453"),
        ("gemeente", "Gemeente Velsen", kinds.GEMEENTE, "GM0453"),
        ("huurders", "Huurdersvereniging Velsen", kinds.HUURDERSORGANISATIE, "GM0453"),
        ("partner", "Stichting Welzijn IJmond", kinds.PARTNER, "GM0453"),
        ("other_gemeente", "Gemeente Haarlem", kinds.GEMEENTE, "GM0392"),
    ]:
        world.orgs[key] = factories.organisation(actor=admin, name=name, kind=kind, gemeente_code=code)
    for persona, org, role in [
        ("corp_editor", "corporatie", Role.BEWERKER),
        ("org_admin", "corporatie", Role.BEHEERDER),
        ("gemeente_reviewer", "gemeente", Role.BEWERKER),
        ("tenant_rep", "huurders", Role.BEWERKER),
        ("partner_reader", "partner", Role.LEZER),
        ("outsider", "other_gemeente", Role.BEHEERDER),
    ]:
        world.users[persona] = factories.member(
            world.orgs[org], role=role, email=f"{persona.replace('_', '.')}@example.nl"
        )
    for persona in ("platform_admin", "org_admin", "outsider"):
        give_app(world.users[persona])
    return world
