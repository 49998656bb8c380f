import rules

from cittasmart.core.roles import is_administrator

rules.add_perm("accounts.view_user", is_administrator)
rules.add_perm("accounts.change_user", is_administrator)
rules.add_perm("auth.view_group", is_administrator)
rules.add_perm("auth.change_group", is_administrator)
rules.add_perm("accounts.manage_roles", is_administrator)
