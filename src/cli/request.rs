//! The request flags (`--request` or `--action`/`--resource`, and `--context`), and request
//! errors and doubtful context values reported in the shape of policy errors.

use std::path::PathBuf;
use std::sync::Arc;

use crate::Request;
use crate::context::ContextInput;
use crate::pattern::fold_case;
use crate::request::{ANY_RESOURCE, RequestBuilder, RequestError, RequestWarning};
use crate::source::read_source;
use crate::span::Source;
use clap::Args;

use super::output::{Reported, report, report_source_error, report_with_help, warn};

/// The request: a file, or the action, resource and context as flags.
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// A request file, e.g. policies/requests/dba-restore-staging.json: {"action": …,
    /// "resource": …, "context": {key: value or [values]}}; `-` for stdin.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["action", "resource"])]
    pub(crate) request: Option<PathBuf>,
    /// The action, e.g. kvstore:RestoreInstance.
    #[arg(long, requires = "resource")]
    pub(crate) action: Option<String>,
    /// The resource ARN, e.g. acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01.
    #[arg(long, requires = "action")]
    pub(crate) resource: Option<String>,
    #[command(flatten)]
    pub(crate) context: ContextArgs,
}

/// Condition keys given on the command line.
#[derive(Debug, Args)]
pub(crate) struct ContextArgs {
    /// A condition key and its value, e.g. acs:SourceIp=10.1.2.3 or acs:MFAPresent=true
    /// (repeatable; repeat a key for a list of values; with `eval --request`, it replaces that
    /// key of the file).
    #[arg(long = "context", value_name = "KEY=VALUE", value_parser = parse_context)]
    pub(crate) context: Vec<(String, String)>,
    /// A condition key the real call does not carry, e.g. acs:SourceIp for a call from a VPC
    /// (repeatable). It is evaluated as missing, as RAM would; without it, a decision that
    /// depends on a missing key is reported (and `restore` does not clear it).
    #[arg(long = "absent", value_name = "KEY")]
    pub(crate) absent: Vec<String>,
}

fn parse_context(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!(
            "expected KEY=VALUE, e.g. acs:SourceIp=10.1.2.3, found `{s}`"
        )),
    }
}

impl RequestArgs {
    /// Reads the request from the file or the flags; `--context` flags replace the file's keys.
    pub(crate) fn load(&self) -> Result<Request, Reported> {
        let request = match (&self.request, &self.action, &self.resource) {
            (Some(path), _, _) => {
                let source = read_source(path).map_err(|e| report_source_error(&e))?;
                let request = Request::from_json_text(source.text())
                    .map_err(|e| report_request_error(&e, Some(&source)))?;
                if self.context.context.is_empty() && self.context.absent.is_empty() {
                    request
                } else {
                    self.context
                        .apply(self.context.builder_from(&request))
                        .build()
                        .map_err(|e| report_request_error(&e, Some(&source)))?
                }
            }
            (None, Some(action), Some(resource)) => self
                .context
                .apply(Request::builder(action, resource))
                .build()
                .map_err(|e| report_request_error(&e, None))?,
            _ => {
                return Err(report_with_help(
                    "no request given",
                    "give the request: --request FILE (e.g. --request policies/requests/dba-restore-staging.json), or --action A --resource ARN",
                ));
            }
        };
        warn_wildcard_resource(&request);
        for warning in request.warnings() {
            warn_request(&warning);
        }
        Ok(request)
    }
}

/// Prints a doubt about a request to stderr, with its code and a fix.
pub(crate) fn warn_request(warning: &RequestWarning) {
    report(warning.diagnostic());
}

/// Warns about a request resource with `*` or `?` in an ARN: a request names one resource, so
/// they are compared as plain characters, and the answer is not "for every instance". A lone
/// `*` is the resource of actions without resource-level authorization, not a wildcard.
pub(crate) fn warn_wildcard_resource(request: &Request) {
    let resource = request.resource();
    if resource != ANY_RESOURCE && resource.contains(['*', '?']) {
        warn(
            format_args!(
                "the resource `{resource}` holds a wildcard, but a request names one resource: `*` and `?` are plain characters here"
            ),
            "name one resource, e.g. acs:kvstore:cn-hangzhou:1234567890123456:instance/r-bp1prod01",
        );
    }
}

impl ContextArgs {
    /// Adds the --context and --absent flags to a request.
    pub(crate) fn apply(&self, mut builder: RequestBuilder) -> RequestBuilder {
        for (key, values) in self.grouped() {
            builder = builder.context(key, values);
        }
        for key in &self.absent {
            builder = builder.absent(key);
        }
        builder
    }

    /// The --context flags by key, in the order keys are first given: a key given several
    /// times gets a list of values.
    pub(crate) fn grouped(&self) -> Vec<(&str, Vec<&str>)> {
        let mut grouped: Vec<(&str, Vec<&str>)> = Vec::new();
        for (key, value) in &self.context {
            match grouped.iter_mut().find(|(k, _)| k == key) {
                Some((_, values)) => values.push(value),
                None => grouped.push((key, vec![value])),
            }
        }
        grouped
    }

    /// Whether a flag gives `key` or declares it absent (keys compare ignoring case, as in RAM).
    fn gives(&self, key: &str) -> bool {
        let key = fold_case(key);
        self.context
            .iter()
            .map(|(k, _)| k)
            .chain(&self.absent)
            .any(|k| fold_case(k) == key)
    }

    /// A builder holding a request's action, resource and context, less the keys the flags
    /// give or declare absent: a flag replaces the file's value, so that "what if MFA were
    /// absent" is one flag.
    fn builder_from(&self, request: &Request) -> RequestBuilder {
        let mut builder = Request::builder(request.action(), request.resource());
        for (key, values) in request.context().iter() {
            if !self.gives(key) {
                let inputs: Vec<ContextInput> = values.iter().map(|v| v.input().clone()).collect();
                builder = builder.context(key, inputs);
            }
        }
        for key in request.context().declared_absent() {
            if !self.gives(key) {
                builder = builder.absent(key);
            }
        }
        builder
    }
}

/// Prints a request error as `error[code]: …`, located in the request file when it came from
/// one, with how to fix it.
pub(crate) fn report_request_error(e: &RequestError, source: Option<&Arc<Source>>) -> Reported {
    report(e.diagnostic(source))
}
