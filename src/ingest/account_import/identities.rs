//! Users, groups and roles, group memberships, and what is attached to each: at account scope
//! from RAM's `ListPoliciesFor*`, in a resource group's scope from Resource Manager's
//! `ListPolicyAttachments`.

use std::collections::{BTreeMap, BTreeSet};

use super::export::{At, Export, File, Named};
use super::layout::Kind;
use super::resources::{OTHER_ACCOUNT, ResourceGroups, duplicate, name_ok};
use super::response::{self, Item, located};
use crate::diagnostic::Diagnostic;

/// A user, group or role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Holder {
    User,
    Group,
    Role,
}

impl Holder {
    /// `user`, `group` or `role`.
    pub(super) fn word(self) -> &'static str {
        match self {
            Holder::User => "user",
            Holder::Group => "group",
            Holder::Role => "role",
        }
    }
}

/// A policy attached to a user, group or role, as a listing names it.
#[derive(Debug, Clone)]
pub(super) struct Reference {
    /// `PolicyName`.
    pub(super) policy: Named,
    /// `PolicyType` is `System`.
    pub(super) system: bool,
    /// `DefaultVersion`, where the listing gives it.
    pub(super) version: Option<Named>,
    pub(super) holder: Holder,
    pub(super) holder_name: String,
    /// The resource group of a scoped attachment.
    pub(super) resource_group: Option<String>,
}

/// A user, group or role, with where the list names it.
#[derive(Debug)]
pub(super) struct Entity {
    pub(super) at: At,
    /// The groups of a user.
    pub(super) groups: BTreeSet<String>,
}

/// Everything about identities the export holds.
#[derive(Debug, Default)]
pub(super) struct Identities {
    pub(super) users: BTreeMap<String, Entity>,
    pub(super) groups: BTreeMap<String, Entity>,
    pub(super) roles: BTreeMap<String, Entity>,
    pub(super) references: Vec<Reference>,
    /// The lists (`users.json`, …) that could not be read whole: what they would have named
    /// is not reported again as unknown.
    pub(super) broken_lists: BTreeSet<Holder>,
    /// The entities whose own listing of policies could not be read whole.
    broken_listings: BTreeSet<(Holder, String)>,
    /// Every attachment in `references`, to find one in a large account at once.
    keys: BTreeSet<Key>,
}

/// An attachment: holder, holder's name, policy, `System`, resource group.
type Key = (Holder, String, String, bool, Option<String>);

impl Reference {
    fn key(&self) -> Key {
        (
            self.holder,
            self.holder_name.clone(),
            self.policy.value.clone(),
            self.system,
            self.resource_group.clone(),
        )
    }
}

impl Identities {
    /// The kinds of per-entity file whose list could not be read: which of their files are
    /// strays is then unknown.
    pub(super) fn broken_kinds(&self) -> Vec<Kind> {
        let mut kinds = Vec::new();
        for holder in &self.broken_lists {
            match holder {
                Holder::User => kinds.push(Kind::UserPolicies),
                Holder::Group => kinds.extend([Kind::GroupPolicies, Kind::GroupMembers]),
                Holder::Role => kinds.push(Kind::RolePolicies),
            }
        }
        kinds
    }

    fn of(&self, holder: Holder) -> &BTreeMap<String, Entity> {
        match holder {
            Holder::User => &self.users,
            Holder::Group => &self.groups,
            Holder::Role => &self.roles,
        }
    }
}

/// Reads the users, groups and roles, the groups' members, and what RAM says is attached to
/// each at account scope.
pub(super) fn read(export: &mut Export) -> Identities {
    let mut ids = Identities::default();
    for (holder, kind, collection, item, member) in [
        (Holder::User, Kind::Users, "Users", "User", "UserName"),
        (Holder::Group, Kind::Groups, "Groups", "Group", "GroupName"),
        (Holder::Role, Kind::Roles, "Roles", "Role", "RoleName"),
    ] {
        let before = export.errors.len();
        let found = entities(export, kind, collection, item, member, holder.word());
        if export.errors.len() > before {
            ids.broken_lists.insert(holder);
        }
        match holder {
            Holder::User => ids.users = found,
            Holder::Group => ids.groups = found,
            Holder::Role => ids.roles = found,
        }
    }
    let groups: Vec<(String, At)> = ids
        .groups
        .iter()
        .map(|(name, e)| (name.clone(), e.at.clone()))
        .collect();
    for (group, at) in &groups {
        members(export, &mut ids, group, at);
    }
    for holder in [Holder::User, Holder::Group, Holder::Role] {
        let names: Vec<(String, At)> = ids
            .of(holder)
            .iter()
            .map(|(name, e)| (name.clone(), e.at.clone()))
            .collect();
        for (name, at) in names {
            let before = export.errors.len();
            attached(export, &mut ids, holder, &name, &at);
            if export.errors.len() > before {
                ids.broken_listings.insert((holder, name));
            }
        }
    }
    ids
}

/// The names of one list (`users.json`, `groups.json`, `roles.json`).
fn entities(
    export: &mut Export,
    kind: Kind,
    collection: &'static str,
    item: &'static str,
    member: &'static str,
    what: &str,
) -> BTreeMap<String, Entity> {
    let mut found = BTreeMap::new();
    let Some(file) = export.required(kind, "", None, &format!("every {what} is needed")) else {
        return found;
    };
    for item in response::list(export, &file, collection, item) {
        let Some(name) = response::text(export, &file, &item, member) else {
            continue;
        };
        if !name_ok(export, &name, what) {
            continue;
        }
        if found.contains_key(&name.value) {
            duplicate(export, &name, what);
            continue;
        }
        found.insert(
            name.value,
            Entity {
                at: name.at,
                groups: BTreeSet::new(),
            },
        );
    }
    found
}

/// The members of one group, added to the users' groups.
fn members(export: &mut Export, ids: &mut Identities, group: &str, at: &At) {
    let Some(file) = export.required(
        Kind::GroupMembers,
        group,
        Some(at),
        &format!("the members of group `{group}` are needed"),
    ) else {
        return;
    };
    for item in response::list(export, &file, "Users", "User") {
        let Some(user) = response::text(export, &file, &item, "UserName") else {
            continue;
        };
        let Some(entity) = ids.users.get_mut(&user.value) else {
            if ids.broken_lists.contains(&Holder::User) {
                continue;
            }
            export.error(located(
                Diagnostic::error(
                    "unknown-user",
                    format!(
                        "user `{}` is a member of group `{group}`, but `users.json` does not list them",
                        user.value
                    ),
                )
                .with_help("export the account again: the two lists were read at different times"),
                &user.at,
            ));
            continue;
        };
        if !entity.groups.insert(group.to_string()) {
            duplicate(export, &user, &format!("member of group `{group}`"));
        }
    }
}

/// What RAM lists as attached to one user, group or role at account scope.
fn attached(export: &mut Export, ids: &mut Identities, holder: Holder, name: &str, at: &At) {
    let kind = match holder {
        Holder::User => Kind::UserPolicies,
        Holder::Group => Kind::GroupPolicies,
        Holder::Role => Kind::RolePolicies,
    };
    let Some(file) = export.required(
        kind,
        name,
        Some(at),
        &format!("the policies of {} `{name}` are needed", holder.word()),
    ) else {
        return;
    };
    for item in response::list(export, &file, "Policies", "Policy") {
        let Some((policy, system)) = policy_of(export, &file, &item) else {
            continue;
        };
        let version = response::optional_text(export, &file, &item, "DefaultVersion");
        let reference = Reference {
            policy,
            system,
            version,
            holder,
            holder_name: name.to_string(),
            resource_group: None,
        };
        push(export, ids, reference);
    }
}

/// `PolicyName` and whether `PolicyType` is `System`.
fn policy_of(export: &mut Export, file: &File, item: &Item<'_>) -> Option<(Named, bool)> {
    let name = response::text(export, file, item, "PolicyName")?;
    let kind = response::text(export, file, item, "PolicyType")?;
    let system = match kind.value.as_str() {
        "System" => true,
        "Custom" => false,
        other => {
            export.error(located(
                Diagnostic::error(
                    "unknown-policy-type",
                    format!("`PolicyType` is `{other}`: expected `System` or `Custom`"),
                )
                .with_help("ramguard cannot tell which policy this names; report the response"),
                &kind.at,
            ));
            return None;
        }
    };
    name_ok(export, &name, "policy").then_some((name, system))
}

/// Adds a reference unless the same attachment is already there (pages can overlap).
fn push(export: &mut Export, ids: &mut Identities, reference: Reference) {
    if ids.keys.insert(reference.key()) {
        ids.references.push(reference);
        return;
    }
    duplicate(
        export,
        &reference.policy,
        &format!(
            "the attachment to {} `{}` of policy",
            reference.holder.word(),
            reference.holder_name
        ),
    );
}

/// Reads `policy-attachments.json`: the attachments in the scope of a resource group.
/// Account-scope ones (whose `ResourceGroupId` is the account id) repeat RAM's and are only
/// checked against them.
pub(super) fn scoped(
    export: &mut Export,
    ids: &mut Identities,
    groups: &ResourceGroups,
    account: Option<&str>,
) {
    let Some(file) = export.required(
        Kind::PolicyAttachments,
        "",
        None,
        "the attachments in the scope of resource groups are needed",
    ) else {
        return;
    };
    for item in response::list(export, &file, "PolicyAttachments", "PolicyAttachment") {
        let (Some(principal_type), Some(principal), Some(scope)) = (
            response::text(export, &file, &item, "PrincipalType"),
            response::text(export, &file, &item, "PrincipalName"),
            response::text(export, &file, &item, "ResourceGroupId"),
        ) else {
            continue;
        };
        let Some((policy, system)) = policy_of(export, &file, &item) else {
            continue;
        };
        let Some((holder, name)) = principal_of(export, ids, &principal_type, &principal) else {
            continue;
        };
        // Without the account id (reported), the account scope cannot be told apart.
        let Some(account) = account else {
            continue;
        };
        if scope.value == account {
            same_as_ram(export, ids, holder, &name, &policy, system);
            continue;
        }
        if !groups.contains_key(&scope.value) {
            let (code, message, help) = if scope.value.bytes().all(|b| b.is_ascii_digit()) {
                (
                    OTHER_ACCOUNT,
                    format!(
                        "the attachment is in the scope of account `{}`, not of the exported account",
                        scope.value
                    ),
                    "export each account into a directory of its own",
                )
            } else {
                (
                    "unknown-resource-group",
                    format!(
                        "the attachment is scoped to resource group `{}`, which `resource-groups.json` does not list",
                        scope.value
                    ),
                    "export the account again: the lists were read at different times",
                )
            };
            export.error(located(
                Diagnostic::error(code, message).with_help(help),
                &scope.at,
            ));
            continue;
        }
        let reference = Reference {
            policy,
            system,
            version: None,
            holder,
            holder_name: name,
            resource_group: Some(scope.value),
        };
        push(export, ids, reference);
    }
}

/// The user, group or role a Resource Manager attachment names. `IMSUser` names a user by its
/// principal name, `alice@<domain>.onaliyun.com`: RAM's user name is the part before `@`.
/// `ServiceRole` names a role; role names are matched exactly, else ignoring case when only one
/// role matches (RAM's case rules for role names are UNCONFIRMED).
fn principal_of(
    export: &mut Export,
    ids: &Identities,
    principal_type: &Named,
    principal: &Named,
) -> Option<(Holder, String)> {
    let (holder, name) = match principal_type.value.as_str() {
        "IMSUser" => (
            Holder::User,
            principal
                .value
                .split_once('@')
                .map_or(principal.value.as_str(), |(name, _)| name),
        ),
        "IMSGroup" => (Holder::Group, principal.value.as_str()),
        "ServiceRole" => (Holder::Role, principal.value.as_str()),
        other => {
            export.error(located(
                Diagnostic::error(
                    "unknown-principal-type",
                    format!(
                        "`PrincipalType` is `{other}`: expected `IMSUser`, `IMSGroup` or `ServiceRole`"
                    ),
                )
                .with_help("ramguard cannot tell whom this attachment grants to; report the response"),
                &principal_type.at,
            ));
            return None;
        }
    };
    let known = ids.of(holder);
    if known.contains_key(name) {
        return Some((holder, name.to_string()));
    }
    if ids.broken_lists.contains(&holder) {
        return None;
    }
    if holder == Holder::Role {
        let folded: Vec<&String> = known
            .keys()
            .filter(|k| k.eq_ignore_ascii_case(name))
            .collect();
        if let [only] = folded.as_slice() {
            export.warn(located(
                Diagnostic::warning(
                    "principal-name-case",
                    format!("role `{name}` is read as `{only}`, the one role whose name differs only in case"),
                )
                .with_help("nothing to do if they are the same role; RAM's case rules for role names are not documented"),
                &principal.at,
            ));
            return Some((holder, (*only).clone()));
        }
    }
    let list = match holder {
        Holder::User => "users.json",
        Holder::Group => "groups.json",
        Holder::Role => "roles.json",
    };
    export.error(located(
        Diagnostic::error(
            "unknown-principal",
            format!(
                "the attachment is to the {} `{name}`, which `{list}` does not list",
                holder.word()
            ),
        )
        .with_help("export the account again: the lists were read at different times"),
        &principal.at,
    ));
    None
}

/// Checks an account-scope attachment Resource Manager lists against RAM's lists.
fn same_as_ram(
    export: &mut Export,
    ids: &Identities,
    holder: Holder,
    name: &str,
    policy: &Named,
    system: bool,
) {
    if ids.broken_listings.contains(&(holder, name.to_string())) {
        return;
    }
    let key = (holder, name.to_string(), policy.value.clone(), system, None);
    let listed = ids.keys.contains(&key);
    if !listed {
        export.error(located(
            Diagnostic::error(
                "attachment-mismatch",
                format!(
                    "policy `{}` is attached to {} `{name}` at account scope here, but RAM's list of its policies does not have it",
                    policy.value,
                    holder.word()
                ),
            )
            .with_help("export the account again: the lists were read at different times"),
            &policy.at,
        ));
    }
}
