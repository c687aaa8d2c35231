//! The export directory: one file per aliyun CLI call, named as `scripts/export-account.sh`
//! writes it. The table is the one place those names are written down; the reader, its help
//! texts and the test that holds the script to them all read it.

/// One file (or one file per entity) of an export directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportFile {
    /// The path in the directory; `<user>`, `<group>`, `<role>`, `<policy>`, `<rg-id>`,
    /// `<target-id>` and `<policy-id>` stand for one file per entity.
    pub path: &'static str,
    /// The aliyun CLI call whose output the file holds.
    pub command: &'static str,
    /// Whether an import needs it; the optional ones are the Resource Directory files, absent
    /// for an account exported with `--no-control-policies`.
    pub required: bool,
}

/// Every file an import reads, in the order the export script writes them.
///
/// # Example
/// ```
/// use ramguard::ingest::account_import::LAYOUT;
///
/// assert_eq!(LAYOUT[0].path, "account-id.json");
/// assert_eq!(LAYOUT[0].command, "aliyun sts GetCallerIdentity");
/// let per_user: Vec<&str> = LAYOUT.iter().map(|f| f.path).filter(|p| p.contains("<user>")).collect();
/// assert_eq!(per_user, ["user-policies/<user>.json"]);
/// ```
pub const LAYOUT: &[ExportFile] = &[
    file("account-id.json", "aliyun sts GetCallerIdentity", true),
    file("users.json", "aliyun ram ListUsers", true),
    file("groups.json", "aliyun ram ListGroups", true),
    file("roles.json", "aliyun ram ListRoles", true),
    file(
        "group-members/<group>.json",
        "aliyun ram ListUsersForGroup --GroupName <group>",
        true,
    ),
    file(
        "user-policies/<user>.json",
        "aliyun ram ListPoliciesForUser --UserName <user>",
        true,
    ),
    file(
        "group-policies/<group>.json",
        "aliyun ram ListPoliciesForGroup --GroupName <group>",
        true,
    ),
    file(
        "role-policies/<role>.json",
        "aliyun ram ListPoliciesForRole --RoleName <role>",
        true,
    ),
    file(
        "resource-groups.json",
        "aliyun resourcemanager ListResourceGroups",
        true,
    ),
    file(
        "resource-group-resources/<rg-id>.json",
        "aliyun resourcemanager ListResources --ResourceGroupId <rg-id>",
        true,
    ),
    file(
        "policy-attachments.json",
        "aliyun resourcemanager ListPolicyAttachments",
        true,
    ),
    file(
        "policies/<policy>.json",
        "aliyun ram GetPolicy --PolicyType Custom --PolicyName <policy>",
        true,
    ),
    file(
        "system-policies/<policy>.json",
        "aliyun ram GetPolicy --PolicyType System --PolicyName <policy>",
        true,
    ),
    file(
        "rd-account.json",
        "aliyun resourcemanager GetAccount --AccountId <account-id>",
        false,
    ),
    file(
        "control-policy-attachments/<target-id>.json",
        "aliyun resourcemanager ListControlPolicyAttachmentsForTarget --TargetId <target-id>",
        false,
    ),
    file(
        "control-policies/<policy-id>.json",
        "aliyun resourcemanager GetControlPolicy --PolicyId <policy-id>",
        false,
    ),
];

const fn file(path: &'static str, command: &'static str, required: bool) -> ExportFile {
    ExportFile {
        path,
        command,
        required,
    }
}

/// The kinds of file, each an index into [`LAYOUT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    AccountId,
    Users,
    Groups,
    Roles,
    GroupMembers,
    UserPolicies,
    GroupPolicies,
    RolePolicies,
    ResourceGroups,
    ResourceGroupResources,
    PolicyAttachments,
    Policy,
    SystemPolicy,
    RdAccount,
    ControlPolicyAttachments,
    ControlPolicy,
}

impl Kind {
    fn entry(self) -> &'static ExportFile {
        // The enum lists LAYOUT's entries in order; a test holds them together.
        &LAYOUT[self as usize]
    }

    /// The file's path in the directory, for one entity when the kind has one file per entity.
    pub(super) fn path(self, entity: &str) -> String {
        let pattern = self.entry().path;
        match (pattern.find('<'), pattern.find('>')) {
            (Some(start), Some(end)) => {
                format!("{}{entity}{}", &pattern[..start], &pattern[end + 1..])
            }
            _ => pattern.to_string(),
        }
    }

    /// The aliyun CLI call that writes the file, for "how to fix it" lines.
    pub(super) fn command(self) -> &'static str {
        self.entry().command
    }

    /// The directory that holds one file per entity, for the kinds that have one.
    pub(super) fn directory(self) -> Option<&'static str> {
        self.entry().path.split_once('/').map(|(dir, _)| dir)
    }
}

/// The kinds with one file per user, group or role: a file there for an entity the lists do
/// not name is an entity the import would otherwise lose.
pub(super) const PER_PRINCIPAL: &[Kind] = &[
    Kind::GroupMembers,
    Kind::UserPolicies,
    Kind::GroupPolicies,
    Kind::RolePolicies,
];

/// Every kind with one file per entity.
pub(super) const PER_ENTITY: &[Kind] = &[
    Kind::GroupMembers,
    Kind::UserPolicies,
    Kind::GroupPolicies,
    Kind::RolePolicies,
    Kind::ResourceGroupResources,
    Kind::Policy,
    Kind::SystemPolicy,
    Kind::ControlPolicyAttachments,
    Kind::ControlPolicy,
];

/// Whether a name read from a file can name a file of its own: not empty, not `.` or `..`,
/// no separator, so that a hostile name cannot reach outside the directory.
pub(super) fn is_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_table() {
        let kinds = [
            (Kind::AccountId, "account-id.json"),
            (Kind::Users, "users.json"),
            (Kind::Groups, "groups.json"),
            (Kind::Roles, "roles.json"),
            (Kind::GroupMembers, "group-members/dba.json"),
            (Kind::UserPolicies, "user-policies/dba.json"),
            (Kind::GroupPolicies, "group-policies/dba.json"),
            (Kind::RolePolicies, "role-policies/dba.json"),
            (Kind::ResourceGroups, "resource-groups.json"),
            (
                Kind::ResourceGroupResources,
                "resource-group-resources/dba.json",
            ),
            (Kind::PolicyAttachments, "policy-attachments.json"),
            (Kind::Policy, "policies/dba.json"),
            (Kind::SystemPolicy, "system-policies/dba.json"),
            (Kind::RdAccount, "rd-account.json"),
            (
                Kind::ControlPolicyAttachments,
                "control-policy-attachments/dba.json",
            ),
            (Kind::ControlPolicy, "control-policies/dba.json"),
        ];
        assert_eq!(kinds.len(), LAYOUT.len());
        for (kind, path) in kinds {
            assert_eq!(kind.path("dba"), path);
        }
        for kind in PER_ENTITY {
            assert!(kind.directory().is_some(), "{kind:?}");
        }
        assert_eq!(Kind::Users.directory(), None);
    }

    #[test]
    fn names_that_could_leave_the_directory_are_not_file_names() {
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", "a\0b"] {
            assert!(!is_file_name(bad), "{bad:?}");
        }
        for good in ["alice", "Dev-Team", "rg-acfm2ql", "a.b", "alice@x", ".x"] {
            assert!(is_file_name(good), "{good:?}");
        }
    }
}
