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
    RuleDefault('deactivate', ADMIN, 'Deactivate an image.'),
    RuleDefault('reactivate', ADMIN, 'Reactivate an image.'),
    RuleDefault('stage_image', OWNER_MEMBER, 'Stage image data for import.'),
    RuleDefault('import_image', OWNER_MEMBER, 'Import staged data (glance-direct).'),
    RuleDefault('copy_image', ADMIN, 'Copy an active image\'s data to other stores.'),
    RuleDefault('get_image_location', ADMIN, 'See where an image\'s data is stored.'),
    RuleDefault('get_members', READER, 'List the members of an image.'),
    RuleDefault('get_member', READER, 'Show one member of an image.'),
    RuleDefault('add_member', OWNER_MEMBER, 'Share an image with a project.'),
    RuleDefault('delete_member', OWNER_MEMBER, 'Stop sharing an image with a project.'),
    RuleDefault('modify_member', 'role:admin or ((role:member or role:reader) and '
                                 'project_id:%(member_id)s)',
                'Accept or reject an image shared with one\'s project.'),
    RuleDefault('get_info', READER, 'Discover import methods and stores.'),
]
