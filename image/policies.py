"""Default policy rules of the image API; etc/image/policy.yaml overrides them.

Which images a caller can see at all (owner, public, community, membership) is decided by
the queries; these rules decide what a caller may do with an image it can see.  Targets
carry ``owner`` (the image's project) and, for member calls, ``member_id``.
"""
from common.policy import RuleDefault

ADMIN = 'role:admin'
READER = 'role:admin or role:member or role:reader'
OWNER_MEMBER = 'role:admin or (role:member and project_id:%(owner)s)'

RULES = [
    RuleDefault('context_is_admin', ADMIN, 'Who counts as a cloud administrator.'),
    RuleDefault('default', ADMIN, 'Rule used for anything not listed.'),
    RuleDefault('get_image', READER, 'Show an image.'),
    RuleDefault('get_images', READER, 'List images.'),
    RuleDefault('add_image', OWNER_MEMBER, 'Create an image (owner: the project set on it).'),
    RuleDefault('modify_image', OWNER_MEMBER, 'Update an image, its tags or properties.'),
    RuleDefault('delete_image', OWNER_MEMBER, 'Delete an image.'),
    RuleDefault('publicize_image', ADMIN, 'Make an image public.'),
    RuleDefault('communitize_image', OWNER_MEMBER, 'Make an image a community image.'),
    RuleDefault('set_image_owner', ADMIN, 'Give an image to another project.'),
    RuleDefault('upload_image', OWNER_MEMBER, 'Upload image data.'),
    RuleDefault('download_image', READER, 'Download image data.'),
    RuleDefault('deactivate', OWNER_MEMBER, 'Deactivate an image (its owner or admin).'),
    RuleDefault('reactivate', OWNER_MEMBER, 'Reactivate an image (its owner or admin).'),
    RuleDefault('stage_image', OWNER_MEMBER, 'Stage image data for import.'),
    RuleDefault('import_image', OWNER_MEMBER, 'Import staged data (glance-direct).'),
    RuleDefault('copy_image', ADMIN, 'Copy an active image\'s data to other stores.'),
    RuleDefault('get_image_location', ADMIN, 'See where an image\'s data is stored.'),
    RuleDefault('delete_image_location', ADMIN, 'Remove one store\'s copy of an image.'),
    RuleDefault('get_members', READER, 'List the members of an image.'),
    RuleDefault('get_member', READER, 'Show one member of an image.'),
    RuleDefault('add_member', OWNER_MEMBER, 'Share an image with a project.'),
    RuleDefault('delete_member', OWNER_MEMBER, 'Stop sharing an image with a project.'),
    RuleDefault('modify_member', 'role:admin or ((role:member or role:reader) and '
                                 'project_id:%(member_id)s)',
                'Accept or reject an image shared with one\'s project.'),
    RuleDefault('get_info', READER, 'Discover import methods and stores.'),
    # Metadata definitions: anyone reads what is visible to them (public namespaces, their
    # own project's private ones); only administrators change the catalog.
    # Tasks (Glance keeps its task API to administrators); an image's own tasks are read
    # with get_image.
    RuleDefault('tasks_api_access', ADMIN, 'Who may use /v2/tasks.'),
    RuleDefault('get_task', 'rule:tasks_api_access', 'Show a task.'),
    RuleDefault('get_tasks', 'rule:tasks_api_access', 'List tasks.'),
    RuleDefault('add_task', 'rule:tasks_api_access', 'Create a task (import from a URL).'),
    RuleDefault('metadef_default', '', 'Base rule of metadef reads.'),
    RuleDefault('metadef_admin', ADMIN, 'Base rule of metadef changes.'),
]
for _action, _rule in (
        ('get_metadef_namespace', 'metadef_default'),
        ('get_metadef_namespaces', 'metadef_default'),
        ('add_metadef_namespace', 'metadef_admin'),
        ('modify_metadef_namespace', 'metadef_admin'),
        ('delete_metadef_namespace', 'metadef_admin'),
        ('get_metadef_object', 'metadef_default'),
        ('get_metadef_objects', 'metadef_default'),
        ('add_metadef_object', 'metadef_admin'),
        ('modify_metadef_object', 'metadef_admin'),
        ('delete_metadef_object', 'metadef_admin'),
        ('list_metadef_resource_types', 'metadef_default'),
        ('get_metadef_resource_type', 'metadef_default'),
        ('add_metadef_resource_type_association', 'metadef_admin'),
        ('remove_metadef_resource_type_association', 'metadef_admin'),
        ('get_metadef_property', 'metadef_default'),
        ('get_metadef_properties', 'metadef_default'),
        ('add_metadef_property', 'metadef_admin'),
        ('modify_metadef_property', 'metadef_admin'),
        ('remove_metadef_property', 'metadef_admin'),
        ('get_metadef_tag', 'metadef_default'),
        ('get_metadef_tags', 'metadef_default'),
        ('add_metadef_tag', 'metadef_admin'),
        ('add_metadef_tags', 'metadef_admin'),
        ('modify_metadef_tag', 'metadef_admin'),
        ('delete_metadef_tag', 'metadef_admin'),
        ('delete_metadef_tags', 'metadef_admin')):
    RULES.append(RuleDefault(_action, 'rule:%s' % _rule,
                             'Metadefs: %s.' % _action.replace('_', ' ')))
