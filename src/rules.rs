//! The rule table: every finding code `check` can report, defined once with its severity,
//! message, help and documentation. The same text serves `check --explain` and SARIF's rule
//! descriptions.

use std::fmt;

/// How serious a finding is, most serious first (RAM's validator has the same four levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Severity {
    /// RAM would refuse the policy.
    Error,
    /// RAM accepts it, but it grants or protects less than it seems to.
    SecurityWarning,
    /// Probably a mistake.
    Warning,
    /// Works, but could be written better.
    Suggestion,
}

impl Severity {
    /// The name used in output and configuration: `error`, `security-warning`, `warning`,
    /// `suggestion`.
    ///
    /// # Example
    /// ```
    /// use ramguard::diagnostic::Severity;
    ///
    /// assert_eq!(Severity::SecurityWarning.as_str(), "security-warning");
    /// assert_eq!(Severity::ALL.map(Severity::as_str), ["error", "security-warning", "warning", "suggestion"]);
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::SecurityWarning => "security-warning",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }

    /// Every severity, most serious first.
    pub const ALL: [Severity; 4] = [
        Severity::Error,
        Severity::SecurityWarning,
        Severity::Warning,
        Severity::Suggestion,
    ];
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rule's documentation, under the same four headings for every rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleDoc {
    /// What it does: what the rule looks for.
    pub what: &'static str,
    /// Why is this bad: what goes wrong if it is left.
    pub why: &'static str,
    /// Example: a policy fragment that is reported.
    pub example: &'static str,
    /// Use instead: the same fragment, fixed.
    pub instead: &'static str,
}

/// One finding code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The stable code: reported, documented, and named in suppressions.
    pub code: &'static str,
    /// Its default severity.
    pub severity: Severity,
    /// A one-line description of what is wrong; a finding's own message is more specific.
    pub message: &'static str,
    /// A one-line fix; a finding may give a more specific one.
    pub help: &'static str,
    /// The documentation.
    pub doc: RuleDoc,
}

impl Rule {
    /// The documentation as Markdown, with the same headings for every rule.
    ///
    /// # Example
    /// ```
    /// let rule = ramguard::lint::rule("invalid-effect").unwrap();
    /// let explanation = rule.explanation();
    /// let headings: Vec<&str> = explanation.lines().filter(|line| line.starts_with('#')).collect();
    /// assert_eq!(
    ///     headings,
    ///     ["# invalid-effect (error)", "## What it does", "## Why is this bad?", "## Example", "## Use instead"]
    /// );
    /// assert_eq!(explanation.lines().nth(2), Some("the effect is not `Allow` or `Deny`"));
    /// ```
    pub fn explanation(&self) -> String {
        let RuleDoc {
            what,
            why,
            example,
            instead,
        } = self.doc;
        format!(
            "# {} ({})\n\n{}\n\n## What it does\n{what}\n\n## Why is this bad?\n{why}\n\n## Example\n```json\n{example}\n```\n\n## Use instead\n```json\n{instead}\n```\n",
            self.code, self.severity, self.message
        )
    }
}

/// The rule with this code, if there is one.
///
/// # Example
/// ```
/// use ramguard::lint::{Severity, rule};
///
/// let rule = rule("cidr-host-bits").unwrap();
/// assert_eq!((rule.code, rule.severity), ("cidr-host-bits", Severity::Warning));
/// assert!(ramguard::lint::rule("no-such-rule").is_none());
/// ```
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// Every rule, errors first.
pub const RULES: &[Rule] = &[
    INVALID_JSON,
    INVALID_POLICY_RESPONSE,
    DUPLICATE_MEMBER,
    DATA_TYPE_MISMATCH,
    INVALID_POLICY_ELEMENT,
    MISSING_POLICY_ELEMENT,
    CONFLICTING_POLICY_ELEMENTS,
    EMPTY_VALUE,
    INVALID_VERSION,
    INVALID_EFFECT,
    INVALID_ACTION_FORMAT,
    INVALID_ARN_PREFIX,
    INVALID_CONDITION_OPERATOR,
    INVALID_CONDITION_KEY_FORMAT,
    INVALID_CONDITION_MULTIPLE_BOOLEAN,
    INVALID_CONDITION_VALUE,
    LIMIT_EXCEEDED,
    POLICY_TOO_LONG,
    RESTORE_ON_EVERY_INSTANCE,
    ALLOW_NOT_ACTION,
    ALLOW_NOT_RESOURCE,
    FOR_ALL_VALUES_IN_ALLOW,
    DENY_NEVER_MATCHES_RESTORE,
    UNKNOWN_ACTION,
    UNKNOWN_CONDITION_KEY,
    CONDITION_KEY_TYPE_MISMATCH,
    STATEMENT_NEVER_MATCHES,
    EXPIRED_GRANT,
    CIDR_HOST_BITS,
    SHADOWED_BY_DENY,
    BARE_STATEMENT,
    PARTIAL_ARN,
    REDUNDANT_STATEMENT,
    REDUNDANT_PATTERN,
    SID_NOT_DOCUMENTED,
    HIDDEN_CHARACTER,
];

/// The text is not JSON (or not UTF-8).
pub(crate) const INVALID_JSON: Rule = Rule {
    code: "invalid-json",
    severity: Severity::Error,
    message: "the document is not valid JSON",
    help: "fix the JSON syntax at this position",
    doc: RuleDoc {
        what: "Reports a document that is not JSON: a syntax error, a trailing comma, a comment, or bytes that are not UTF-8.",
        why: "RAM refuses the document; nothing in it takes effect.",
        example: "{\"Version\": \"1\", \"Statement\": [],}",
        instead: "{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"*\"}]}",
    },
};

/// An API response wrapper without a usable document.
pub(crate) const INVALID_POLICY_RESPONSE: Rule = Rule {
    code: "invalid-policy-response",
    severity: Severity::Error,
    message: "the API response holds no usable policy document",
    help: "give the policy document itself, or a complete GetPolicy / GetPolicyVersion / ListPolicyVersions response",
    doc: RuleDoc {
        what: "Reports a GetPolicy, GetPolicyVersion or ListPolicyVersions response whose `PolicyDocument` is missing, of the wrong type, or not the single default version.",
        why: "Which document is in force cannot be told, so nothing can be checked.",
        example: "{\"PolicyVersions\": {\"PolicyVersion\": [{\"IsDefaultVersion\": false, \"PolicyDocument\": \"{}\"}]}}",
        instead: "{\"PolicyVersions\": {\"PolicyVersion\": [{\"IsDefaultVersion\": true, \"PolicyDocument\": \"{\\\"Version\\\": \\\"1\\\", …}\"}]}}",
    },
};

/// The same member twice in one object.
pub(crate) const DUPLICATE_MEMBER: Rule = Rule {
    code: "duplicate-member",
    severity: Severity::Error,
    message: "an object names the same member twice",
    help: "remove one of the two",
    doc: RuleDoc {
        what: "Reports an object that names a member twice, or two condition keys in one operator that are equal ignoring case.",
        why: "JSON parsers disagree on which one counts: RAM may read a different policy than the reviewer did.",
        example: "{\"Effect\": \"Deny\", \"Effect\": \"Allow\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"*\"}",
        instead: "{\"Effect\": \"Deny\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"*\"}",
    },
};

/// A JSON value of the wrong type.
pub(crate) const DATA_TYPE_MISMATCH: Rule = Rule {
    code: "data-type-mismatch",
    severity: Severity::Error,
    message: "a value has the wrong JSON type",
    help: "write the value with the type the element takes",
    doc: RuleDoc {
        what: "Reports a value of the wrong JSON type: a number for `Version`, an object for `Action`, a number under a String operator.",
        why: "RAM refuses the policy (RAM's validator: data type mismatch).",
        example: "\"Condition\": {\"StringEquals\": {\"acs:SourceVpc\": 12}}",
        instead: "\"Condition\": {\"StringEquals\": {\"acs:SourceVpc\": \"vpc-12\"}}",
    },
};

/// A member that has no place there.
pub(crate) const INVALID_POLICY_ELEMENT: Rule = Rule {
    code: "invalid-policy-element",
    severity: Severity::Error,
    message: "an element has no place in a RAM policy",
    help: "remove the element",
    doc: RuleDoc {
        what: "Reports a member RAM's policy grammar does not have at that level, such as `Principal` in an identity policy or a misspelt `Resources`.",
        why: "RAM refuses the policy (RAM's validator: invalid policy element).",
        example: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resources\": \"*\"}",
        instead: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"*\"}",
    },
};

/// A required member is absent.
pub(crate) const MISSING_POLICY_ELEMENT: Rule = Rule {
    code: "missing-policy-element",
    severity: Severity::Error,
    message: "a required element is missing",
    help: "add the element",
    doc: RuleDoc {
        what: "Reports a document without `Version` or `Statement`, or a statement without `Effect`, `Action`/`NotAction` or `Resource`/`NotResource`.",
        why: "RAM refuses the policy.",
        example: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\"}",
        instead: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"*\"}",
    },
};

/// Both members of an exclusive pair.
pub(crate) const CONFLICTING_POLICY_ELEMENTS: Rule = Rule {
    code: "conflicting-policy-elements",
    severity: Severity::Error,
    message: "a statement has both members of an exclusive pair",
    help: "keep one of the two; split the statement if both are meant",
    doc: RuleDoc {
        what: "Reports a statement with both `Action` and `NotAction`, or both `Resource` and `NotResource`.",
        why: "RAM refuses the policy: the statement's meaning would be ambiguous.",
        example: "{\"Effect\": \"Deny\", \"Action\": \"kvstore:*\", \"NotAction\": \"kvstore:Describe*\", \"Resource\": \"*\"}",
        instead: "{\"Effect\": \"Deny\", \"NotAction\": \"kvstore:Describe*\", \"Resource\": \"*\"}",
    },
};

/// An empty array, object or string.
pub(crate) const EMPTY_VALUE: Rule = Rule {
    code: "empty-value",
    severity: Severity::Error,
    message: "an element is empty",
    help: "give at least one entry or remove the element",
    doc: RuleDoc {
        what: "Reports an empty array, object or string where RAM needs a value: `\"Action\": []`, `\"Condition\": {}`.",
        why: "RAM refuses the policy; an empty list would otherwise read as \"nothing\" to some tools and \"everything\" to others.",
        example: "{\"Effect\": \"Allow\", \"Action\": [], \"Resource\": \"*\"}",
        instead: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"*\"}",
    },
};

/// `Version` is not `"1"`.
pub(crate) const INVALID_VERSION: Rule = Rule {
    code: "invalid-version",
    severity: Severity::Error,
    message: "the policy language version is not `\"1\"`",
    help: "write `\"Version\": \"1\"`",
    doc: RuleDoc {
        what: "Reports a `Version` other than the string `\"1\"`, such as AWS's `\"2012-10-17\"`.",
        why: "RAM refuses the policy: `\"1\"` is the only version of its policy language.",
        example: "{\"Version\": \"2012-10-17\", \"Statement\": […]}",
        instead: "{\"Version\": \"1\", \"Statement\": […]}",
    },
};

/// `Effect` is not `Allow` or `Deny`.
pub(crate) const INVALID_EFFECT: Rule = Rule {
    code: "invalid-effect",
    severity: Severity::Error,
    message: "the effect is not `Allow` or `Deny`",
    help: "write `Allow` or `Deny` (case-sensitive)",
    doc: RuleDoc {
        what: "Reports an `Effect` other than exactly `Allow` or `Deny`.",
        why: "RAM refuses the policy; the value is case-sensitive, so `allow` is refused too.",
        example: "{\"Effect\": \"allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"*\"}",
        instead: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"*\"}",
    },
};

/// An action is not `<ram-code>:<action-name>` or `*`.
pub(crate) const INVALID_ACTION_FORMAT: Rule = Rule {
    code: "invalid-action-format",
    severity: Severity::Error,
    message: "an action is not `<ram-code>:<action-name>` or `*`",
    help: "write the RAM code, one colon, and the action, e.g. `kvstore:RestoreInstance`",
    doc: RuleDoc {
        what: "Reports an action without exactly one colon separating two non-empty parts.",
        why: "RAM refuses the policy (RAM's validator: invalid action format).",
        example: "\"Action\": \"RestoreInstance\"",
        instead: "\"Action\": \"kvstore:RestoreInstance\"",
    },
};

/// A resource does not start with `acs:`.
pub(crate) const INVALID_ARN_PREFIX: Rule = Rule {
    code: "invalid-arn-prefix",
    severity: Severity::Error,
    message: "a resource does not start with `acs:` and is not `*`",
    help: "write an ARN like `acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01`, or `*`",
    doc: RuleDoc {
        what: "Reports a resource that is neither `*` nor an Alibaba Cloud Resource Name starting with `acs:`, such as an AWS `arn:` or a bare instance id.",
        why: "RAM refuses the policy (RAM's validator: invalid ARN prefix).",
        example: "\"Resource\": \"r-bp1prod01\"",
        instead: "\"Resource\": \"acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01\"",
    },
};

/// An operator outside RAM's set.
pub(crate) const INVALID_CONDITION_OPERATOR: Rule = Rule {
    code: "invalid-condition-operator",
    severity: Severity::Error,
    message: "a condition operator is not one of RAM's",
    help: "use one of RAM's operators: String…, Numeric…, Date…, Bool, IpAddress, NotIpAddress",
    doc: RuleDoc {
        what: "Reports an operator outside RAM's documented set, including AWS's `…IfExists`, `Null`, `Arn…` and `Binary…`.",
        why: "RAM refuses the policy (RAM's validator: invalid condition operator).",
        example: "\"Condition\": {\"BoolIfExists\": {\"acs:MFAPresent\": \"true\"}}",
        instead: "\"Condition\": {\"Bool\": {\"acs:MFAPresent\": \"true\"}}",
    },
};

/// A condition key not of the form `<ram-code>:<key>`.
pub(crate) const INVALID_CONDITION_KEY_FORMAT: Rule = Rule {
    code: "invalid-condition-key-format",
    severity: Severity::Error,
    message: "a condition key is not `<ram-code>:<key>`",
    help: "write the RAM code, a colon and the key name, e.g. `acs:SourceIp`",
    doc: RuleDoc {
        what: "Reports a condition key without a colon, or with an empty part before or after it.",
        why: "RAM refuses the policy (RAM's validator: invalid condition key format).",
        example: "\"Condition\": {\"IpAddress\": {\"SourceIp\": \"10.0.0.0/8\"}}",
        instead: "\"Condition\": {\"IpAddress\": {\"acs:SourceIp\": \"10.0.0.0/8\"}}",
    },
};

/// `Bool` with several values for one key.
pub(crate) const INVALID_CONDITION_MULTIPLE_BOOLEAN: Rule = Rule {
    code: "invalid-condition-multiple-boolean",
    severity: Severity::Error,
    message: "`Bool` has more than one value for a key",
    help: "give a single `\"true\"` or `\"false\"`",
    doc: RuleDoc {
        what: "Reports a `Bool` condition with a list of values for one key.",
        why: "RAM refuses the policy (RAM's validator: invalid condition multiple Boolean).",
        example: "\"Condition\": {\"Bool\": {\"acs:MFAPresent\": [\"true\", \"false\"]}}",
        instead: "\"Condition\": {\"Bool\": {\"acs:MFAPresent\": \"true\"}}",
    },
};

/// A condition value that does not parse for its operator.
pub(crate) const INVALID_CONDITION_VALUE: Rule = Rule {
    code: "invalid-condition-value",
    severity: Severity::Error,
    message: "a condition value does not parse for its operator",
    help: "write a value of the operator's type",
    doc: RuleDoc {
        what: "Reports a value its operator cannot read: a malformed CIDR under `IpAddress`, a date that is not RFC 3339 under `Date…`, a number under `Numeric…` that is not a decimal.",
        why: "RAM refuses the policy; a value that never parses would make the condition silently false.",
        example: "\"Condition\": {\"IpAddress\": {\"acs:SourceIp\": \"10.0.0.0/33\"}}",
        instead: "\"Condition\": {\"IpAddress\": {\"acs:SourceIp\": \"10.0.0.0/8\"}}",
    },
};

/// The document is larger than ramguard reads (`ramguard::limits`).
pub(crate) const LIMIT_EXCEEDED: Rule = Rule {
    code: "limit-exceeded",
    severity: Severity::Error,
    message: "the document is larger than ramguard reads",
    help: "split the document: ramguard's limits are far above what RAM accepts",
    doc: RuleDoc {
        what: "Reports a document over one of ramguard's stated limits: more than 10,000 statements, more than 1,000 entries in one list of actions, resources or condition values, or a pattern or value longer than 8,192 characters (the README lists every limit).",
        why: "RAM accepts no such document (a policy is at most 6,144 characters), and the limits keep reading and evaluating any input bounded in time and memory; ramguard refuses the document rather than decide on part of it.",
        example: "\"Resource\": [\"acs:kvstore:*:*:instance/r-1\", … 1,001 entries]",
        instead: "\"Resource\": \"acs:kvstore:*:*:instance/r-*\"",
    },
};

/// The document is longer than RAM accepts.
pub(crate) const POLICY_TOO_LONG: Rule = Rule {
    code: "policy-too-long",
    severity: Severity::Error,
    message: "the document is longer than RAM allows",
    help: "split the policy in two, or shorten it with wildcards",
    doc: RuleDoc {
        what: "Reports a document longer than RAM accepts: 6,144 characters for a custom or control policy, 1,024 for an STS session policy (files given with `--session-policy` or matched by `session-policies` in `ramguard.toml`).",
        why: "RAM refuses to create the policy or to assume the role with it, so the repository holds a policy that cannot be deployed.",
        example: "a 7,000-character custom policy",
        instead: "two policies of at most 6,144 characters each, attached to the same identity",
    },
};

/// An Allow grants RestoreInstance on every instance without MFA or network condition.
pub(crate) const RESTORE_ON_EVERY_INSTANCE: Rule = Rule {
    code: "restore-on-every-instance",
    severity: Severity::SecurityWarning,
    message: "an `Allow` grants `kvstore:RestoreInstance` on every instance without an MFA or source-IP/VPC condition",
    help: "name the instances in `Resource`, or require `acs:MFAPresent`, `acs:SourceIp` or `acs:SourceVpc` in a `Condition`",
    doc: RuleDoc {
        what: "Reports an `Allow` statement whose actions include `kvstore:RestoreInstance` (by name, `kvstore:*`, `*`, another wildcard, or `NotAction`) on every instance (`*`, or a wildcard account, region or instance id), with no condition on `acs:MFAPresent`, `acs:SourceIp`, `acs:SourceVpc` or `acs:SourceVpcIp`.",
        why: "A restore overwrites an instance's data. Anyone holding these credentials, from anywhere, can overwrite any instance, production included.",
        example: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:*\", \"Resource\": \"*\"}",
        instead: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1stg*\",\n \"Condition\": {\"Bool\": {\"acs:MFAPresent\": \"true\"}, \"IpAddress\": {\"acs:SourceIp\": \"10.0.0.0/8\"}}}",
    },
};

/// `Allow` with `NotAction`.
pub(crate) const ALLOW_NOT_ACTION: Rule = Rule {
    code: "allow-not-action",
    severity: Severity::SecurityWarning,
    message: "an `Allow` with `NotAction` grants every action not listed",
    help: "list the actions to allow in `Action` instead",
    doc: RuleDoc {
        what: "Reports an `Allow` statement written with `NotAction`.",
        why: "It grants every action of every service except those listed, including actions added to RAM later: far more than its author usually means.",
        example: "{\"Effect\": \"Allow\", \"NotAction\": \"kvstore:DeleteInstance\", \"Resource\": \"*\"}",
        instead: "{\"Effect\": \"Allow\", \"Action\": [\"kvstore:Describe*\", \"kvstore:CreateBackup\"], \"Resource\": \"*\"}",
    },
};

/// `Allow` with `NotResource`.
pub(crate) const ALLOW_NOT_RESOURCE: Rule = Rule {
    code: "allow-not-resource",
    severity: Severity::SecurityWarning,
    message: "an `Allow` with `NotResource` grants on every resource not listed",
    help: "list the resources to allow in `Resource` instead",
    doc: RuleDoc {
        what: "Reports an `Allow` statement written with `NotResource`.",
        why: "It grants on every resource except those listed, including instances created later and resources of other services.",
        example: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:RestoreInstance\", \"NotResource\": \"acs:kvstore:*:*:instance/r-*prod*\"}",
        instead: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"acs:kvstore:*:*:instance/r-*stg*\"}",
    },
};

/// `ForAllValues:` in an Allow.
pub(crate) const FOR_ALL_VALUES_IN_ALLOW: Rule = Rule {
    code: "for-all-values-in-allow",
    severity: Severity::SecurityWarning,
    message: "`ForAllValues:` in an `Allow` holds when the request lacks the key",
    help: "use `ForAnyValue:`, or add a condition that requires the key",
    doc: RuleDoc {
        what: "Reports a `ForAllValues:` operator in an `Allow` statement.",
        why: "`ForAllValues:` is true when the request carries no value for the key, so a request without the key is allowed: the condition restricts nothing for callers who simply leave it out.",
        example: "{\"Effect\": \"Allow\", …, \"Condition\": {\"ForAllValues:StringEquals\": {\"acs:TagKeys\": [\"env\"]}}}",
        instead: "{\"Effect\": \"Allow\", …, \"Condition\": {\"ForAnyValue:StringEquals\": {\"acs:TagKeys\": [\"env\"]}}}",
    },
};

/// A Deny meant to protect restores that can never match one.
pub(crate) const DENY_NEVER_MATCHES_RESTORE: Rule = Rule {
    code: "deny-never-matches-restore",
    severity: Severity::SecurityWarning,
    message: "a `Deny` meant to protect restores can never match `kvstore:RestoreInstance` on an instance",
    help: "write the action as `kvstore:RestoreInstance` and the resource as `acs:kvstore:<region>:<account>:instance/<id>`",
    doc: RuleDoc {
        what: "Reports a `Deny` statement that names a restore action but cannot match a real `kvstore:RestoreInstance` request: a wrong RAM code (`r-kvstore:`), a misspelt action, or a resource that is not a kvstore instance ARN.",
        why: "The guardrail looks in place in review but protects nothing: restores it was written to stop are allowed.",
        example: "{\"Effect\": \"Deny\", \"Action\": \"r-kvstore:RestoreInstance\", \"Resource\": \"acs:kvstore:*:*:r-*prod*\"}",
        instead: "{\"Effect\": \"Deny\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"acs:kvstore:*:*:instance/r-*prod*\"}",
    },
};

/// An unknown kvstore action.
pub(crate) const UNKNOWN_ACTION: Rule = Rule {
    code: "unknown-action",
    severity: Severity::Warning,
    message: "the action is not a known kvstore action",
    help: "check the spelling against the kvstore API's operation names",
    doc: RuleDoc {
        what: "Reports a `kvstore:` action (or one written with a wrong RAM code such as `r-kvstore:`) that names no known kvstore operation, or a wildcard that matches none, with the nearest known name.",
        why: "A misspelt action matches nothing: an `Allow` grants less than intended, a `Deny` protects nothing.",
        example: "\"Action\": \"kvstore:RestoreInstances\"",
        instead: "\"Action\": \"kvstore:RestoreInstance\"",
    },
};

/// An unknown `acs:` condition key.
pub(crate) const UNKNOWN_CONDITION_KEY: Rule = Rule {
    code: "unknown-condition-key",
    severity: Severity::Warning,
    message: "the `acs:` condition key is not a known global key",
    help: "use one of RAM's global keys, e.g. `acs:SourceIp`, `acs:MFAPresent`, `acs:SourceVpc`, `acs:CurrentTime`",
    doc: RuleDoc {
        what: "Reports an `acs:` condition key that is not one of RAM's global condition keys, with the nearest known one. Service keys (`kvstore:…`, `ram:…`) are never reported.",
        why: "No request carries an unknown key, so the condition is always false (or always true for a negated operator).",
        example: "\"Condition\": {\"Bool\": {\"acs:MFAPresnt\": \"true\"}}",
        instead: "\"Condition\": {\"Bool\": {\"acs:MFAPresent\": \"true\"}}",
    },
};

/// A key used with an operator of another type.
pub(crate) const CONDITION_KEY_TYPE_MISMATCH: Rule = Rule {
    code: "condition-key-type-mismatch",
    severity: Severity::Warning,
    message: "a condition key is used with an operator of the wrong type",
    help: "use an operator of the key's type",
    doc: RuleDoc {
        what: "Reports a global condition key used with an operator of another type, such as `acs:SourceIp` under `StringEquals` or `acs:CurrentTime` under `StringLike`.",
        why: "The comparison is made on the text, not the value: `StringEquals` on `acs:SourceIp` cannot match a network, and `10.0.0.01` differs from `10.0.0.1`.",
        example: "\"Condition\": {\"StringEquals\": {\"acs:SourceIp\": \"10.0.0.0/8\"}}",
        instead: "\"Condition\": {\"IpAddress\": {\"acs:SourceIp\": \"10.0.0.0/8\"}}",
    },
};

/// A statement that can never match any request.
pub(crate) const STATEMENT_NEVER_MATCHES: Rule = Rule {
    code: "statement-never-matches",
    severity: Severity::Warning,
    message: "the statement can never match a request",
    help: "fix the resource or the conditions so that some request can match, or remove the statement",
    doc: RuleDoc {
        what: "Reports a statement no request can match: kvstore actions on resources that are not kvstore resources, or conditions on one key that contradict each other (`DateLessThan` an earlier time than a `DateGreaterThan`).",
        why: "The statement has no effect: an `Allow` grants nothing and a `Deny` forbids nothing, whatever its author meant.",
        example: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"acs:ecs:*:*:instance/*\"}",
        instead: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"acs:kvstore:*:*:instance/*\"}",
    },
};

/// An Allow whose time limit has passed.
pub(crate) const EXPIRED_GRANT: Rule = Rule {
    code: "expired-grant",
    severity: Severity::Warning,
    message: "the `Allow` holds only before a time that has passed",
    help: "remove the statement, or move the date if the grant should go on",
    doc: RuleDoc {
        what: "Reports an `Allow` statement limited by `DateLessThan` or `DateLessThanEquals` on `acs:CurrentTime` whose every date is already past, by the clock of the machine running `check`.",
        why: "The statement grants nothing any more. A temporary grant that has run out is dead weight at best; at worst someone widens the date to restore access without review.",
        example: "{\"Effect\": \"Allow\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"*\",\n \"Condition\": {\"DateLessThan\": {\"acs:CurrentTime\": \"2020-01-01T00:00:00Z\"}}}",
        instead: "Remove the statement, or give a date in the future for a grant that should still hold.",
    },
};

/// A CIDR with host bits set.
pub(crate) const CIDR_HOST_BITS: Rule = Rule {
    code: "cidr-host-bits",
    severity: Severity::Warning,
    message: "the network sets host bits, which RAM clears",
    help: "write the network address, or the address alone for one host",
    doc: RuleDoc {
        what: "Reports an `IpAddress` or `NotIpAddress` value such as `10.1.2.3/8`, whose address has bits set beyond the prefix length.",
        why: "RAM clears the host bits, so `10.1.2.3/8` means all of `10.0.0.0/8`: sixteen million addresses where one was probably meant.",
        example: "{\"IpAddress\": {\"acs:SourceIp\": \"10.1.2.3/8\"}}",
        instead: "{\"IpAddress\": {\"acs:SourceIp\": \"10.1.2.3\"}}",
    },
};

/// An Allow that a Deny of the same policy always overrides.
pub(crate) const SHADOWED_BY_DENY: Rule = Rule {
    code: "shadowed-by-deny",
    severity: Severity::Warning,
    message: "the `Allow` is fully shadowed by a `Deny` in the same policy",
    help: "narrow the `Deny`, or remove the `Allow`",
    doc: RuleDoc {
        what: "Reports an `Allow` statement every request of which is also matched by a `Deny` statement of the same policy, or, proved by `prove` over every request, by the policy's `Deny` statements together.",
        why: "The `Allow` can never take effect: deny wins. Either the `Deny` is broader than meant or the `Allow` is dead.",
        example: "[{\"Effect\": \"Allow\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"acs:kvstore:*:*:instance/r-bp1prod01\"},\n {\"Effect\": \"Deny\", \"Action\": \"kvstore:*\", \"Resource\": \"acs:kvstore:*:*:instance/*\"}]",
        instead: "[{\"Effect\": \"Allow\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"acs:kvstore:*:*:instance/r-bp1prod01\"},\n {\"Effect\": \"Deny\", \"Action\": \"kvstore:DeleteInstance\", \"Resource\": \"acs:kvstore:*:*:instance/*\"}]",
    },
};

/// `Statement` written as a bare object.
pub(crate) const BARE_STATEMENT: Rule = Rule {
    code: "bare-statement",
    severity: Severity::Warning,
    message: "`Statement` is a bare object, not an array",
    help: "wrap the statement in an array: `\"Statement\": [{…}]`",
    doc: RuleDoc {
        what: "Reports a `Statement` written as a single object instead of an array of statements.",
        why: "RAM documents `Statement` as an array; tools and reviewers that expect one may skip or misread the statement.",
        example: "{\"Version\": \"1\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"*\"}}",
        instead: "{\"Version\": \"1\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"*\"}]}",
    },
};

/// A resource starting with `acs:` but without five parts.
pub(crate) const PARTIAL_ARN: Rule = Rule {
    code: "partial-arn",
    severity: Severity::Warning,
    message: "the resource is not a complete `acs:<service>:<region>:<account-id>:<relative-id>`",
    help: "spell out all five parts, with `*` for any region or account",
    doc: RuleDoc {
        what: "Reports a resource that starts with `acs:` but has fewer than five colon-separated parts, such as `acs:kvstore:*`.",
        why: "RAM accepts it and its `*` crosses colons, so it usually matches more than the author can see: `acs:kvstore:*` covers every kvstore resource in every account.",
        example: "\"Resource\": \"acs:kvstore:*\"",
        instead: "\"Resource\": \"acs:kvstore:*:1234567890123456:instance/*\"",
    },
};

/// A statement covered by another of the same effect.
pub(crate) const REDUNDANT_STATEMENT: Rule = Rule {
    code: "redundant-statement",
    severity: Severity::Suggestion,
    message: "the statement is redundant: another statement of the same policy already covers it",
    help: "remove the statement, or merge it into the one that covers it",
    doc: RuleDoc {
        what: "Reports a statement whose every request is matched by another statement of the same effect in the same policy, under the same or fewer conditions; or one that the other statements cover only together (an `Allow` the other `Allow`s and the `Deny`s cover, a `Deny` the other `Deny`s cover), reported only when `prove` proves it over every request.",
        why: "It changes nothing, and the next edit to one of the two will leave the policy saying something its author did not check.",
        example: "[{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"*\"},\n {\"Effect\": \"Allow\", \"Action\": \"kvstore:DescribeInstances\", \"Resource\": \"*\"}]",
        instead: "[{\"Effect\": \"Allow\", \"Action\": \"kvstore:Describe*\", \"Resource\": \"*\"}]",
    },
};

/// A pattern covered by another in the same list.
pub(crate) const REDUNDANT_PATTERN: Rule = Rule {
    code: "redundant-pattern",
    severity: Severity::Suggestion,
    message: "the entry is redundant: another entry of the same list already matches everything it matches",
    help: "remove the entry",
    doc: RuleDoc {
        what: "Reports an entry of `Action`, `NotAction`, `Resource` or `NotResource` that another entry of the same list covers, such as `kvstore:DescribeBackups` next to `kvstore:Describe*`.",
        why: "It changes nothing, and it suggests the list means something narrower than it does.",
        example: "\"Action\": [\"kvstore:Describe*\", \"kvstore:DescribeBackups\"]",
        instead: "\"Action\": \"kvstore:Describe*\"",
    },
};

/// `Sid`, which RAM does not document.
pub(crate) const SID_NOT_DOCUMENTED: Rule = Rule {
    code: "sid-not-documented",
    severity: Severity::Suggestion,
    message: "`Sid` is not part of RAM's documented policy grammar",
    help: "keep it only if your RAM console accepts it; ramguard shows it in traces either way",
    doc: RuleDoc {
        what: "Reports a statement `Sid`.",
        why: "RAM's documented grammar has no `Sid` (AWS's has). ramguard accepts it as a label, but RAM's validator may not.",
        example: "{\"Sid\": \"AllowRestore\", \"Effect\": \"Allow\", …}",
        instead: "{\"Effect\": \"Allow\", …}",
    },
};

/// A string of the policy holds a character that does not show as itself.
pub(crate) const HIDDEN_CHARACTER: Rule = Rule {
    code: "hidden-character",
    severity: Severity::SecurityWarning,
    message: "a string holds a control character or a bidirectional mark",
    help: "remove it: no action, resource or key has one, and it makes the policy read differently from what it does",
    doc: RuleDoc {
        what: "Reports an action, resource, condition key or value, or `Sid` that holds a control character or a bidirectional formatting mark (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069), usually written as a `\\u` escape.",
        why: "Such a string shows as something it is not: `r-bp1\\u202e10dorp*` reads as `r-bp1prod01*` in a review, but matches no real instance, so a Deny written with it protects nothing (\"Trojan Source\"). ramguard refuses such characters in requests and shows them escaped in every report.",
        example: "{\"Effect\": \"Deny\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"acs:kvstore:*:*:instance/r-bp1\\u202e10dorp\"}",
        instead: "{\"Effect\": \"Deny\", \"Action\": \"kvstore:RestoreInstance\", \"Resource\": \"acs:kvstore:*:*:instance/r-bp1prod01\"}",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        for (i, r) in RULES.iter().enumerate() {
            assert!(
                RULES[..i].iter().all(|o| o.code != r.code),
                "duplicate {}",
                r.code
            );
            assert!(
                r.code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                r.code
            );
            for text in [
                r.message,
                r.help,
                r.doc.what,
                r.doc.why,
                r.doc.example,
                r.doc.instead,
            ] {
                assert!(!text.is_empty(), "{}", r.code);
            }
            assert!(!r.message.ends_with('.'), "{}", r.code);
            assert!(!r.help.ends_with('.'), "{}", r.code);
            assert!(
                r.message.starts_with(|c: char| !c.is_uppercase()),
                "{}",
                r.code
            );
        }
        assert_eq!(RULES.len(), 36);
    }

    #[test]
    fn explanation_has_the_four_headings() {
        let text = rule("allow-not-action").map(Rule::explanation).unwrap();
        assert!(text.starts_with("# allow-not-action (security-warning)\n"));
        let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(
            headings,
            [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead"
            ]
        );
        assert_eq!(rule("no-such-rule"), None);
    }

    #[test]
    fn severities_order_most_serious_first() {
        assert!(Severity::Error < Severity::SecurityWarning);
        assert!(Severity::Warning < Severity::Suggestion);
        assert_eq!(
            Severity::ALL.map(Severity::as_str),
            ["error", "security-warning", "warning", "suggestion"]
        );
    }
}
