"""Writes for area teams, urgency assessments, interventions and their timeline.

Every write checks the actor's rights here, validates before saving (nothing is
half-saved), records who did it in the history, refuses stale edits and, for interventions,
tells the people of the team's organisations (in the product and by e-mail, as each
person prefers)."""

from interventions.services.common import (  # noqa: F401
    Status,
    attachment_max_mb,
    intervention_url,
)
from interventions.services.gesprekken import (  # noqa: F401
    gesprek_url,
    wijkgesprek_action_add,
    wijkgesprek_action_link,
    wijkgesprek_action_remove,
    wijkgesprek_create,
    wijkgesprek_delete,
    wijkgesprek_update,
)
from interventions.services.interventions import (  # noqa: F401
    allowed_area_ids,
    intervention_change_status,
    intervention_create,
    intervention_update,
    parse_budget,
)
from interventions.services.notifications import (  # noqa: F401
    digest_claim,
    digest_due_user_ids,
    notify_team,
    preference_set,
    team_people,
)
from interventions.services.progress import (  # noqa: F401
    attachments_add,
    intervention_delete,
    progress_add,
)
from interventions.services.teams import (  # noqa: F401
    team_create,
    team_member_add,
    team_member_change_role,
    team_member_remove,
    team_update,
)
from interventions.services.urgency import (  # noqa: F401
    urgency_record,
)
