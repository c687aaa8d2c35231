//! Decision tests for policy repositories (`ramguard test`): named cases, each a request with
//! the decision it must get and, optionally, the statement that must decide it.
//!
//! A test file is JSON; paths in it are relative to it:
//!
//! ```json
//! {
//!   "policies": {"identity": ["../dba-restore.json"], "control": ["../guardrails/no-prod-restore.json"]},
//!   "cases": [
//!     {
//!       "name": "a DBA restores staging with MFA from the office",
//!       "request": "../requests/dba-restore-staging.json",
//!       "expect": "Allow",
//!       "deciding": {"policy": "dba-restore", "statement": 1}
//!     },
//!     {
//!       "name": "nobody restores production",
//!       "request": {"action": "kvstore:RestoreInstance",
//!                   "resource": "acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01"},
//!       "expect": "ExplicitDeny",
//!       "policy_type": "ControlPolicy"
//!     }
//!   ]
//! }
//! ```
//!
//! Instead of `policies`, a file (or a case) may name an account file with `"account"` and each
//! case a `"principal"` (`user/NAME` or `role/NAME`); `policies.session` then applies to role
//! sessions. A case may override the file's `policies`, `account`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::PolicySet;
use crate::diagnostic::Diagnostic;
use crate::eval::{Explanation, PolicySetBuilder, Verdict};
use crate::json::{self, JsonKind, JsonValue};
use crate::policy::Policy;
use crate::principal::{Account, PrincipalRef};
use crate::request::Request;
use crate::source::read_source;
use crate::span::{Source, Span};

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicies {
    #[serde(default)]
    identity: Vec<String>,
    #[serde(default)]
    control: Vec<String>,
    session: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuite {
    policies: Option<RawPolicies>,
    account: Option<String>,
    cases: Vec<RawCase>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    request: serde_json::Value,
    principal: Option<String>,
    policies: Option<RawPolicies>,
    account: Option<String>,
    expect: String,
    policy_type: Option<String>,
    deciding: Option<Deciding>,
}

/// A statement a case expects to decide: the policy's name, and its index or `Sid`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Deciding {
    /// The policy's name (a file's stem, an API response's `PolicyName`, or an account's name
    /// for it).
    pub policy: String,
    /// The statement's index in `Statement`, from 0.
    pub statement: Option<usize>,
    /// The statement's `Sid`.
    pub sid: Option<String>,
}

impl fmt::Display for Deciding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.policy)?;
        if let Some(i) = self.statement {
            write!(f, " Statement[{i}]")?;
        }
        if let Some(sid) = &self.sid {
            write!(f, " \"{sid}\"")?;
        }
        Ok(())
    }
}

/// How one case ended.
#[derive(Debug, Clone)]
pub(crate) enum CaseOutcome {
    /// The decision (and deciding statement) were as expected.
    Passed,
    /// They were not: each way the result differs, and the explained decision.
    Failed {
        /// What differs, one line each.
        reasons: Vec<String>,
        /// The decision with its trace.
        explanation: Box<Explanation>,
    },
    /// The case could not be run: a policy, account or request that does not load.
    Error(String),
}

/// One case's result.
#[derive(Debug, Clone)]
pub(crate) struct CaseResult {
    /// The case's name.
    pub name: String,
    /// How it ended.
    pub outcome: CaseOutcome,
}

impl CaseResult {
    /// Whether the case passed.
    pub(crate) fn passed(&self) -> bool {
        matches!(self.outcome, CaseOutcome::Passed)
    }
}

/// A test file that cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TestFileError {
    /// It cannot be read.
    #[error(transparent)]
    Source(#[from] crate::source::SourceError),
    /// It is not JSON, or not a test file.
    #[error("{}: {message}", file.name())]
    Invalid {
        /// The file.
        file: Arc<Source>,
        /// Where in it, when known.
        span: Option<Span>,
        /// What is wrong.
        message: String,
    },
}

impl TestFileError {
    /// The error as a diagnostic, located in the test file when the position is known.
    pub(crate) fn diagnostic(&self) -> Diagnostic {
        let help = "see `ramguard test --help` for the format of a test file";
        match self {
            TestFileError::Source(e) => e.diagnostic(),
            TestFileError::Invalid {
                file,
                span: Some(span),
                message,
            } => Diagnostic::error("invalid-test-file", message.clone())
                .with_help(help)
                .at(file, *span),
            TestFileError::Invalid { .. } => {
                Diagnostic::error("invalid-test-file", self.to_string()).with_help(help)
            }
        }
    }
}

/// Runs every case of a test file, in order.
///
/// # Errors
/// The file cannot be read, is not JSON, or is not a test file (unknown members, a missing
/// `name`, `request` or `expect`, an `expect` that is not a decision). A case whose policies,
/// account or request cannot be loaded is not an error of the file: it fails on its own.
pub(crate) fn run_file(path: &Path) -> Result<Vec<CaseResult>, TestFileError> {
    let source = read_source(path)?;
    let invalid = |message: String| TestFileError::Invalid {
        file: source.clone(),
        span: None,
        message,
    };
    let root = json::parse(source.text()).map_err(|e| TestFileError::Invalid {
        file: source.clone(),
        span: Some(e.span),
        message: format!("invalid JSON: {}", e.message),
    })?;
    if !matches!(root.kind, JsonKind::Object(_)) {
        return Err(invalid(format!(
            "a decision-test file is a JSON object with `cases`, found {}",
            root.kind.type_name()
        )));
    }
    let suite: RawSuite = serde_json::from_value(root.to_serde())
        .map_err(|e| invalid(format!("not a decision-test file: {e}")))?;
    for case in &suite.cases {
        parse_verdict(&case.expect).map_err(|m| invalid(format!("case `{}`: {m}", case.name)))?;
    }
    let base = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut loader = Loader {
        base,
        policies: HashMap::new(),
        accounts: HashMap::new(),
    };
    let requests = root.get("cases").map(|c| match &c.kind {
        JsonKind::Array(items) => items.iter().map(|i| i.get("request")).collect(),
        _ => Vec::new(),
    });
    let requests: Vec<Option<&JsonValue>> = requests.unwrap_or_default();
    Ok(suite
        .cases
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let request = requests.get(i).copied().flatten();
            CaseResult {
                name: case.name.clone(),
                outcome: run_case(&mut loader, &suite, case, request, &source),
            }
        })
        .collect())
}

fn parse_verdict(text: &str) -> Result<Verdict, String> {
    match text {
        "Allow" => Ok(Verdict::Allow),
        "ExplicitDeny" => Ok(Verdict::ExplicitDeny),
        "ImplicitDeny" => Ok(Verdict::ImplicitDeny),
        other => Err(format!(
            "`expect` must be `Allow`, `ExplicitDeny` or `ImplicitDeny`, found `{other}`"
        )),
    }
}

/// Loads each policy and account file once per test file.
struct Loader {
    base: PathBuf,
    policies: HashMap<PathBuf, Result<Policy, String>>,
    accounts: HashMap<PathBuf, Result<Account, String>>,
}

impl Loader {
    /// A path of the test file, relative to it, with `..` resolved where it can be so that
    /// messages name files as a person would.
    fn path(&self, relative: &str) -> PathBuf {
        let mut out = PathBuf::new();
        for component in self.base.join(relative).components() {
            match component {
                Component::CurDir => {}
                Component::ParentDir
                    if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
                {
                    out.pop();
                }
                other => out.push(other),
            }
        }
        out
    }

    fn policy(&mut self, relative: &str) -> Result<Policy, String> {
        if relative.starts_with(crate::policy::system::REFERENCE_PREFIX) {
            return Policy::load(relative).map_err(|e| e.to_string());
        }
        let path = self.path(relative);
        self.policies
            .entry(path.clone())
            .or_insert_with(|| Policy::from_path(&path).map_err(|e| e.to_string()))
            .clone()
    }

    fn account(&mut self, relative: &str) -> Result<Account, String> {
        let path = self.path(relative);
        self.accounts
            .entry(path.clone())
            .or_insert_with(|| Account::from_path(&path).map_err(|e| e.to_string()))
            .clone()
    }

    fn request(
        &self,
        value: &serde_json::Value,
        spanned: Option<&JsonValue>,
        source: &Arc<Source>,
    ) -> Result<Request, String> {
        match (value, spanned) {
            (serde_json::Value::String(relative), _) => {
                let request_source =
                    read_source(&self.path(relative)).map_err(|e| e.to_string())?;
                Request::from_json_text(request_source.text())
                    .map_err(|e| e.diagnostic(Some(&request_source)).to_string())
            }
            (_, Some(inline)) => Request::from_json(inline.clone())
                .map_err(|e| e.diagnostic(Some(source)).to_string()),
            _ => Err("`request` must be a request object or the path of a request file".into()),
        }
    }

    fn policy_set(&mut self, suite: &RawSuite, case: &RawCase) -> Result<PolicySet, String> {
        let policies = case.policies.as_ref().or(suite.policies.as_ref());
        let account = case.account.as_ref().or(suite.account.as_ref());
        let mut builder = match (&case.principal, account) {
            (Some(principal), Some(account)) => {
                let principal = PrincipalRef::parse(principal).map_err(|e| e.to_string())?;
                self.account(account)?
                    .policy_set(&principal)
                    .map_err(|e| e.to_string())?
            }
            (Some(_), None) => return Err("`principal` needs an `account` file".into()),
            (None, _) => {
                let Some(policies) = policies else {
                    return Err(
                        "the case has no policies: give `policies`, or `account` and `principal`"
                            .into(),
                    );
                };
                let mut builder = PolicySetBuilder::default();
                for file in &policies.identity {
                    builder = builder.identity(self.policy(file)?);
                }
                for file in &policies.control {
                    builder = builder.control(self.policy(file)?);
                }
                builder
            }
        };
        if let Some(session) = policies.and_then(|p| p.session.as_ref()) {
            builder = builder.session(self.policy(session)?);
        }
        builder.build().map_err(|e| e.to_string())
    }
}

fn run_case(
    loader: &mut Loader,
    suite: &RawSuite,
    case: &RawCase,
    request: Option<&JsonValue>,
    source: &Arc<Source>,
) -> CaseOutcome {
    let set = match loader.policy_set(suite, case) {
        Ok(set) => set,
        Err(e) => return CaseOutcome::Error(e),
    };
    let request = match loader.request(&case.request, request, source) {
        Ok(request) => request,
        Err(e) => return CaseOutcome::Error(e),
    };
    let explanation = Box::new(set.explain(&request));
    let mut reasons = Vec::new();
    // Checked when the file was read.
    let expected = parse_verdict(&case.expect).unwrap_or(Verdict::ImplicitDeny);
    if explanation.decision != expected {
        reasons.push(format!(
            "expected {expected}, got {} (decided by {})",
            explanation.decision, explanation.policy_type
        ));
    }
    if let Some(policy_type) = &case.policy_type {
        if explanation.policy_type.to_string() != *policy_type {
            reasons.push(format!(
                "expected the decision from {policy_type}, got it from {}",
                explanation.policy_type
            ));
        }
    }
    if let Some(deciding) = &case.deciding {
        let found = explanation.matched.iter().any(|m| {
            m.policy == deciding.policy
                && deciding.statement.is_none_or(|i| i == m.statement)
                && deciding
                    .sid
                    .as_ref()
                    .is_none_or(|s| m.sid.as_ref() == Some(s))
        });
        if !found {
            let got: Vec<String> = explanation
                .matched
                .iter()
                .map(|m| {
                    let sid = m
                        .sid
                        .as_ref()
                        .map(|s| format!(" \"{s}\""))
                        .unwrap_or_default();
                    format!("{} Statement[{}]{sid}", m.policy, m.statement)
                })
                .collect();
            reasons.push(format!(
                "expected {deciding} to decide, got {}",
                if got.is_empty() {
                    "no deciding statement".to_string()
                } else {
                    got.join(", ")
                }
            ));
        }
    }
    if reasons.is_empty() {
        CaseOutcome::Passed
    } else {
        CaseOutcome::Failed {
            reasons,
            explanation,
        }
    }
}
