//! Roles on a project (DESIGN §1) and what each may do. The one place these rules live:
//! server functions and the JSON API ask `Role::allows`, and pages ask it to hide what the
//! server would refuse anyway.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Ordered from the most to the least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Role {
    Owner,
    ScrumMaster,
    Member,
    Viewer,
}

/// Things a caller may want to do inside a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See the project, its items, settings and members.
    Read,
    /// Create, edit, move and estimate items; vote; reflect; raise topics.
    Contribute,
    /// Sprints, increments, planning, closing.
    Plan,
    /// Effort chart, working days, holidays, velocity window.
    EditSettings,
    /// Add and remove members, change roles, rename, archive, delete.
    Administer,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a role: use owner, scrum_master, member or viewer", crate::domain::Quoted(.0))]
pub struct RoleError(pub String);

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::ScrumMaster, Role::Member, Role::Viewer];

    pub fn parse(raw: &str) -> Result<Role, RoleError> {
        match raw.trim() {
            "owner" => Ok(Role::Owner),
            "scrum_master" => Ok(Role::ScrumMaster),
            "member" => Ok(Role::Member),
            "viewer" => Ok(Role::Viewer),
            other => Err(RoleError(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::ScrumMaster => "scrum_master",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    /// For people: "Scrum master".
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::ScrumMaster => "Scrum master",
            Role::Member => "Member",
            Role::Viewer => "Viewer",
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => true,
            Permission::Contribute => self <= Role::Member,
            Permission::Plan | Permission::EditSettings => self <= Role::ScrumMaster,
            Permission::Administer => self == Role::Owner,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_their_wire_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("admin").is_err());
        assert!(Role::parse("Owner").is_err());
    }

    #[test]
    fn refusals_quote_the_value_as_debug_would_without_using_it() {
        // The browser half prints nothing for `{:?}` (-Zfmt-debug=none): messages quote
        // through domain::Quoted, which must read the same as Debug did.
        for odd in ["admin", "say \"hi\"", "tab\there", "back\\slash", "é"] {
            let message = Role::parse(odd).unwrap_err().to_string();
            assert_eq!(
                message,
                format!("{odd:?} is not a role: use owner, scrum_master, member or viewer")
            );
        }
    }

    #[test]
    fn each_role_may_do_what_the_design_says() {
        use Permission::*;
        let table = [
            (Role::Owner, [true, true, true, true, true]),
            (Role::ScrumMaster, [true, true, true, true, false]),
            (Role::Member, [true, true, false, false, false]),
            (Role::Viewer, [true, false, false, false, false]),
        ];
        for (role, expected) in table {
            let got = [Read, Contribute, Plan, EditSettings, Administer].map(|a| role.allows(a));
            assert_eq!(got, expected, "{role:?}");
        }
    }
}
