"""Identity's default policy rules; etc/identity/policy.yaml may override any of them."""
from common.policy import RuleDefault

ADMIN = 'rule:admin_required'
READER = 'rule:admin_or_system_reader'

_BASE = [
    RuleDefault('admin_required', 'role:admin', 'Cloud administrator.'),
    RuleDefault('service_role', 'role:service', 'A service user.'),
    RuleDefault('service_or_admin', 'rule:admin_required or rule:service_role',
                'A service user or an administrator.'),
    RuleDefault('system_reader', 'role:reader and system_scope:all',
                'A reader with a system-scoped token.'),
    RuleDefault('admin_or_system_reader', 'rule:admin_required or rule:system_reader',
                'Who may read every identity resource.'),
    RuleDefault('token_subject', 'user_id:%(target.token.user_id)s',
                'The user a token was issued to.'),
    RuleDefault('service_admin_or_token_subject', 'rule:service_or_admin or rule:token_subject',
                'Who may validate or revoke a token.'),
]


def _crud(resource, read=READER, write=ADMIN, extra_read=''):
    rules = []
    for verb in ('get', 'list'):
        rules.append(RuleDefault('identity:%s_%s' % (verb, resource + ('s' if verb == 'list'
                                                                        else '')),
                                 read + extra_read, '%s %s' % (verb, resource)))
    for verb in ('create', 'update', 'delete'):
        rules.append(RuleDefault('identity:%s_%s' % (verb, resource), write,
                                 '%s %s' % (verb, resource)))
    return rules


DEFAULTS = _BASE + \
    _crud('domain', extra_read=' or domain_id:%(target.domain.id)s'
                               ' or project_domain_id:%(target.domain.id)s') + \
    _crud('project', extra_read=' or project_id:%(target.project.id)s') + \
    _crud('user', extra_read=' or user_id:%(target.user.id)s') + \
    _crud('group') + _crud('role') + _crud('region', read='') + _crud('service') + \
    _crud('endpoint') + _crud('endpoint_group') + _crud('consumer') + \
    _crud('credential', read=READER + ' or user_id:%(target.credential.user_id)s',
          write=ADMIN + ' or user_id:%(target.credential.user_id)s') + [
        RuleDefault('identity:add_endpoint_group_to_project', ADMIN,
                    'Associate an endpoint group with a project.'),
        RuleDefault('identity:get_endpoint_group_in_project', READER,
                    'Check an endpoint group association.'),
        RuleDefault('identity:remove_endpoint_group_from_project', ADMIN,
                    'Remove an endpoint group association.'),
        RuleDefault('identity:list_projects_associated_with_endpoint_group', READER,
                    'Projects of an endpoint group.'),
        RuleDefault('identity:list_endpoints_associated_with_endpoint_group', READER,
                    'Endpoints an endpoint group selects.'),
        RuleDefault('identity:list_endpoint_groups_for_project', READER,
                    'Endpoint groups of a project.'),
        RuleDefault('identity:list_access_tokens', ADMIN + ' or user_id:%(target.user.id)s',
                    'A user\'s OAuth1 access tokens.'),
        RuleDefault('identity:get_access_token', ADMIN + ' or user_id:%(target.user.id)s',
                    'Show an OAuth1 access token.'),
        RuleDefault('identity:delete_access_token', ADMIN + ' or user_id:%(target.user.id)s',
                    'Revoke an OAuth1 access token.'),
        RuleDefault('identity:list_access_token_roles',
                    ADMIN + ' or user_id:%(target.user.id)s',
                    'Roles an OAuth1 access token delegates.'),
        RuleDefault('identity:get_access_token_role', ADMIN + ' or user_id:%(target.user.id)s',
                    'One role an OAuth1 access token delegates.'),
        RuleDefault('identity:get_domain_config', READER, 'Show a domain configuration.'),
        RuleDefault('identity:create_domain_config', ADMIN, 'Set a domain configuration.'),
        RuleDefault('identity:update_domain_config', ADMIN, 'Change a domain configuration.'),
        RuleDefault('identity:delete_domain_config', ADMIN, 'Delete a domain configuration.'),
        RuleDefault('identity:get_domain_config_default', READER,
                    'The default domain configuration.'),
        RuleDefault('identity:get_policy', READER, 'Show a policy blob.'),
        RuleDefault('identity:list_policies', READER, 'List policy blobs.'),
        RuleDefault('identity:create_policy', ADMIN, 'Store a policy blob.'),
        RuleDefault('identity:update_policy', ADMIN, 'Change a policy blob.'),
        RuleDefault('identity:delete_policy', ADMIN, 'Delete a policy blob.'),
        RuleDefault('identity:list_project_tags', READER + ' or project_id:%(target.project.id)s',
                    'Tags of a project.'),
        RuleDefault('identity:get_project_tag', READER + ' or project_id:%(target.project.id)s',
                    'Whether a project has a tag.'),
        RuleDefault('identity:update_project_tags', ADMIN, 'Replace the tags of a project.'),
        RuleDefault('identity:create_project_tag', ADMIN, 'Add a tag to a project.'),
        RuleDefault('identity:delete_project_tag', ADMIN, 'Remove a tag from a project.'),
        RuleDefault('identity:delete_project_tags', ADMIN, 'Remove every tag of a project.'),
        RuleDefault('identity:list_user_projects', READER + ' or user_id:%(target.user.id)s',
                    'Projects a user has roles on.'),
        RuleDefault('identity:list_groups_for_user', READER + ' or user_id:%(target.user.id)s',
                    'Groups a user is in.'),
        RuleDefault('identity:list_users_in_group', READER, 'Members of a group.'),
        RuleDefault('identity:check_user_in_group', READER, 'Check membership.'),
        RuleDefault('identity:add_user_to_group', ADMIN, 'Add a group member.'),
        RuleDefault('identity:remove_user_from_group', ADMIN, 'Remove a group member.'),
        RuleDefault('identity:list_implied_roles', READER, 'Roles a role implies.'),
        RuleDefault('identity:get_implied_role', READER, 'One implication rule.'),
        RuleDefault('identity:check_implied_role', READER, 'Whether a role implies another.'),
        RuleDefault('identity:create_implied_role', ADMIN, 'Make a role imply another.'),
        RuleDefault('identity:delete_implied_role', ADMIN, 'Remove an implication.'),
        RuleDefault('identity:list_role_inference_rules', READER, 'Every implication rule.'),
        RuleDefault('identity:check_grant', READER, 'Check a role assignment.'),
        RuleDefault('identity:list_grants', READER, 'Roles of an actor on a target.'),
        RuleDefault('identity:create_grant', ADMIN, 'Assign a role.'),
        RuleDefault('identity:revoke_grant', ADMIN, 'Remove a role assignment.'),
        RuleDefault('identity:list_role_assignments', READER, 'List role assignments.'),
        RuleDefault('identity:list_system_grants', READER, 'System role assignments.'),
        RuleDefault('identity:ec2_get_credential', ADMIN + ' or user_id:%(target.user.id)s',
                    'Show an EC2 credential.'),
        RuleDefault('identity:ec2_list_credentials', ADMIN + ' or user_id:%(target.user.id)s',
                    'List EC2 credentials.'),
        RuleDefault('identity:ec2_create_credential', ADMIN + ' or user_id:%(target.user.id)s',
                    'Create an EC2 credential.'),
        RuleDefault('identity:ec2_delete_credential', ADMIN + ' or user_id:%(target.user.id)s',
                    'Delete an EC2 credential.'),
        RuleDefault('identity:get_application_credential',
                    ADMIN + ' or user_id:%(target.user.id)s', 'Show an app credential.'),
        RuleDefault('identity:list_application_credentials',
                    ADMIN + ' or user_id:%(target.user.id)s', 'List app credentials.'),
        RuleDefault('identity:create_application_credential', 'user_id:%(target.user.id)s',
                    'Only users make their own application credentials.'),
        RuleDefault('identity:delete_application_credential',
                    ADMIN + ' or user_id:%(target.user.id)s', 'Delete an app credential.'),
        RuleDefault('identity:validate_token', 'rule:service_admin_or_token_subject',
                    'Validate a token.'),
        RuleDefault('identity:check_token', 'rule:service_admin_or_token_subject',
                    'Check a token.'),
        RuleDefault('identity:revoke_token', 'rule:service_admin_or_token_subject',
                    'Revoke a token.'),
        RuleDefault('identity:list_revoke_events', 'rule:service_or_admin',
                    'Read revocation events.'),
    ]
