"""Step 2: policy defaults (etc/toy/policy.yaml may override them)."""
from common.policy import RuleDefault


def list_rules():
    return [
        RuleDefault('toy:get_widgets', 'role:reader and project_id:%(project_id)s'),
        RuleDefault('toy:create_widget', 'role:member and project_id:%(project_id)s'),
    ]
