//! The SARIF 2.1.0 report, as GitHub code scanning reads it: one run, the rules used (each
//! once, with its description and help), and one result per finding with a physical location.
//! Built from private serde structs so that the output's shape is visible here.

use std::io;

use serde::Serialize;

use super::Emitter;
use crate::lint::{CheckRun, Finding, Rule, Severity};
use crate::span::Position;

/// The schema the output conforms to, as code-scanning services expect it.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// GitHub ranks security alerts by this property of the rule (a CVSS-like score as a string):
/// security warnings are "high".
const SECURITY_SEVERITY: &str = "7.5";

/// The SARIF emitter.
#[derive(Debug, Clone, Copy, Default)]
pub struct SarifEmitter;

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: MultiformatText,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct MultiformatText {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<String>,
}

impl Emitter for SarifEmitter {
    fn emit(&self, run: &CheckRun, out: &mut dyn io::Write) -> io::Result<()> {
        let all: Vec<(&Finding, Option<Option<&str>>)> = run
            .findings
            .iter()
            .map(|f| (f, None))
            .chain(
                run.suppressed
                    .iter()
                    .map(|s| (&s.finding, Some(s.reason.as_deref()))),
            )
            .collect();
        // Each rule once, in code order; results point into the list by index.
        let mut codes: Vec<&'static str> = all.iter().map(|(f, _)| f.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        let rules = codes
            .iter()
            .map(|code| {
                let rule = all
                    .iter()
                    .find(|(f, _)| f.code() == *code)
                    .and_then(|(f, _)| f.rule());
                descriptor(code, rule)
            })
            .collect();
        let results = all
            .iter()
            .map(|(finding, suppressed)| {
                let rule_index = codes.binary_search(&finding.code()).unwrap_or_default();
                result(finding, rule_index, *suppressed)
            })
            .collect();
        let log = Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "ramguard",
                        version: env!("CARGO_PKG_VERSION"),
                        rules,
                    },
                },
                results,
                column_kind: "unicodeCodePoints",
            }],
        };
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::SecurityWarning | Severity::Warning => "warning",
        Severity::Suggestion => "note",
    }
}

fn descriptor(code: &'static str, rule: Option<&'static Rule>) -> ReportingDescriptor {
    // Every finding carries its rule; a code without one still gets a usable description.
    let fallback = Rule {
        code,
        severity: Severity::Error,
        message: "the policy is invalid",
        help: "fix the policy",
        doc: crate::lint::RuleDoc {
            what: "Reports an invalid policy.",
            why: "RAM refuses the policy.",
            example: "",
            instead: "",
        },
    };
    let rule = rule.copied().unwrap_or(fallback);
    let security = rule.severity == Severity::SecurityWarning;
    let mut tags = vec![match rule.severity {
        Severity::Error => "correctness",
        Severity::SecurityWarning => "security",
        Severity::Warning => "suspicious",
        Severity::Suggestion => "style",
    }];
    tags.push("ram-policy");
    ReportingDescriptor {
        id: code,
        name: pascal_case(code),
        short_description: Text {
            text: rule.message.to_string(),
        },
        full_description: Text {
            text: format!("{} {}", rule.doc.what, rule.doc.why),
        },
        help: MultiformatText {
            text: rule.help.to_string(),
            markdown: rule.explanation(),
        },
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: security.then_some(SECURITY_SEVERITY),
        },
    }
}

fn result(finding: &Finding, rule_index: usize, suppressed: Option<Option<&str>>) -> SarifResult {
    // Every finding of a check run is located; a position of 1:1 stands in otherwise.
    let first = Position { line: 1, column: 1 };
    let (start, end) = (
        finding.start().unwrap_or(first),
        finding.end().unwrap_or(first),
    );
    let (file, origin) = finding
        .location
        .as_ref()
        .map_or(("", None), |l| (l.source.name(), l.source.origin()));
    // An embedded document's positions are in its decoded text, not the file: point at the
    // file's start and say where the finding is.
    let (region, note) = match origin {
        Some(origin) => (
            Region {
                start_line: 1,
                start_column: 1,
                end_line: 1,
                end_column: 1,
            },
            format!(" (at {start} of the decoded `{origin}`)"),
        ),
        None => (
            Region {
                start_line: start.line,
                start_column: start.column,
                end_line: end.line,
                end_column: end.column,
            },
            String::new(),
        ),
    };
    SarifResult {
        rule_id: finding.code(),
        rule_index,
        level: level(finding.severity),
        message: Text {
            text: format!(
                "{}{note}\nhelp: {}",
                finding.message,
                finding.help.as_deref().unwrap_or("")
            ),
        },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: file_uri(file),
                },
                region,
            },
        }],
        suppressions: suppressed
            .map(|reason| Suppression {
                kind: "external",
                justification: reason.map(str::to_string),
            })
            .into_iter()
            .collect(),
    }
}

/// `restore-on-every-instance` → `RestoreOnEveryInstance`, SARIF's friendly rule name.
fn pascal_case(code: &str) -> String {
    code.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// A path as a URI reference: relative paths stay relative (code scanning resolves them
/// against the repository root), absolute ones become `file://` URIs; characters a URI cannot
/// hold are percent-encoded.
fn file_uri(path: &str) -> String {
    let path = path.strip_prefix("./").unwrap_or(path);
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_names() {
        assert_eq!(file_uri("policies/a.json"), "policies/a.json");
        assert_eq!(file_uri("./policies/a b.json"), "policies/a%20b.json");
        assert_eq!(file_uri("/work/p#1.json"), "file:///work/p%231.json");
        assert_eq!(file_uri("politiques/é.json"), "politiques/%C3%A9.json");
        assert_eq!(
            pascal_case("restore-on-every-instance"),
            "RestoreOnEveryInstance"
        );
        assert_eq!(level(Severity::SecurityWarning), "warning");
        assert_eq!(level(Severity::Suggestion), "note");
    }
}
