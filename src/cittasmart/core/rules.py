import rules

from cittasmart.core.roles import is_administrator, is_staff_member

rules.add_perm("core.view_auditentry", is_administrator)
rules.add_perm("core.change_sitesettings", is_administrator)
rules.add_perm("core.view_sitesettings", is_administrator)
rules.add_perm("core.view_accessibilityfeedback", is_staff_member)
rules.add_perm("core.change_accessibilityfeedback", is_staff_member)
rules.add_perm("core.view_management", is_staff_member)
