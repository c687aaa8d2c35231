//! Hostile input, through the command line and the library: huge and endless files, deep
//! nesting, a million statements, pattern bombs, bytes that are not text, JSON's dark corners,
//! duplicate members at every level, hidden characters, link loops. Each gets a clear error or
//! the correct decision, in bounded time and memory (every run has a deadline and a cap on its
//! address space), never a panic and never an unearned Allow.

mod common;

use std::time::{Duration, Instant};

use common::{MANIFEST_DIR, RESTORE, STAGING, Scratch};
use ramguard::request::RequestError;
use ramguard::{Policy, PolicySet, Request, Verdict};

/// A run may take this long in a debug build on a slow machine; the inputs that would take
/// unbounded time never end without the limits.
const DEADLINE: Duration = Duration::from_secs(120);

/// The address space a run may use, in KiB (1 GiB): far above what any of these inputs needs
/// once bounded, far below what reading them whole would.
const MEMORY_KIB: u32 = 1 << 20;

/// The staging restore every command decides.
const REQUEST: &str = "policies/requests/dba-restore-staging.json";

/// Exit code, stdout and stderr of `ramguard ARGS` with stdin from `stdin` (a path, or none),
/// under the deadline and the memory cap.
fn bounded(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let script = match stdin {
        Some(_) => r#"ulimit -v "$1"; shift; input="$1"; shift; exec "$@" < "$input""#,
        None => r#"ulimit -v "$1"; shift; shift; exec "$@" < /dev/null"#,
    };
    let memory = MEMORY_KIB.to_string();
    let mut command = assert_cmd::Command::new("sh");
    command
        .current_dir(MANIFEST_DIR)
        .args(["-c", script, "sh", &memory, stdin.unwrap_or("-")])
        .arg(env!("CARGO_BIN_EXE_ramguard"))
        .args(args)
        .timeout(DEADLINE);
    let output = command.output().expect("sh runs");
    (
        output
            .status
            .code()
            .unwrap_or_else(|| panic!("ramguard {args:?} was killed: {:?}", output.status)),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

/// `restore` of the staging instance with `instance` as its instance file.
fn restore_with_instance(instance: &str) -> Vec<&str> {
    vec![
        "restore",
        "--region",
        "cn-hangzhou",
        "--account-id",
        "1234567890123456",
        "--instance-id",
        "r-bp1stg01",
        "--restore-type",
        "0",
        "--backup-id",
        "1",
        "--policy",
        "policies/dba-restore.json",
        "--instance",
        instance,
    ]
}

/// The first line of `text`.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// A policy set of `text` as an identity policy, and the decision on the staging restore.
fn decide(text: &str, request: &Request) -> Verdict {
    let policy = Policy::from_text("p", text).expect("a valid policy");
    let set = PolicySet::builder()
        .identity(policy)
        .build()
        .expect("builds");
    set.evaluate(request).verdict
}

fn staging_restore() -> Request {
    Request::builder(RESTORE, STAGING).build().expect("valid")
}

fn allow(resource: &str, condition: &str) -> String {
    format!(
        r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "{resource}"{condition}}}]}}"#
    )
}

#[test]
fn fifty_megabyte_files_are_refused_without_being_read_whole() {
    let scratch = Scratch::new("fifty");
    let big = scratch.0.join("big.json");
    std::fs::write(&big, " ".repeat(50 << 20)).expect("a 50 MB file");
    let big = big.display().to_string();
    let too_large = format!(
        "error[file-too-large]: `{big}` is larger than 4194304 bytes, the most ramguard reads as one document"
    );
    for args in [
        vec!["eval", "--policy", &big, "--request", REQUEST],
        vec![
            "eval",
            "--policy",
            "policies/dba-restore.json",
            "--control-policy",
            &big,
            "--request",
            REQUEST,
        ],
        vec![
            "eval",
            "--policy",
            "policies/dba-restore.json",
            "--session-policy",
            &big,
            "--request",
            REQUEST,
        ],
        vec![
            "eval",
            "--policy",
            "policies/dba-restore.json",
            "--request",
            &big,
        ],
        restore_with_instance(&big),
    ] {
        let (code, stdout, stderr) = bounded(&args, None);
        assert_eq!(
            (code, stdout.as_str(), first_line(&stderr)),
            (2, "", too_large.as_str()),
            "{args:?}"
        );
    }
    // An account may be larger (64 MiB): this one is read, and is not an account.
    let (code, _, stderr) = bounded(&["who-can", "--account", &big, "--resource", STAGING], None);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error[invalid-json]: invalid JSON: expected a JSON value"),
        "{stderr}"
    );
    // `check` reports the file as an error finding, as it reports every unusable document.
    let (code, stdout, _) = bounded(&["check", &big], None);
    assert_eq!(code, 1);
    assert_eq!(
        first_line(&stdout),
        too_large.replace("file-too-large", "limit-exceeded")
    );
}

#[test]
fn dev_zero_as_every_input() {
    let zero = "/dev/zero";
    let document = "error[file-too-large]: `/dev/zero` is larger than 4194304 bytes, the most ramguard reads as one document";
    for args in [
        vec!["eval", "--policy", zero, "--request", REQUEST],
        vec![
            "eval",
            "--policy",
            "policies/dba-restore.json",
            "--request",
            zero,
        ],
        restore_with_instance(zero),
        vec!["test", zero],
    ] {
        let (code, _, stderr) = bounded(&args, None);
        assert_eq!((code, first_line(&stderr)), (2, document), "{args:?}");
    }
    let (code, _, stderr) = bounded(&["who-can", "--account", zero, "--resource", STAGING], None);
    assert_eq!(
        (code, first_line(&stderr)),
        (
            2,
            "error[file-too-large]: `/dev/zero` is larger than 67108864 bytes, the most ramguard reads as one account file"
        )
    );
    let (code, stdout, _) = bounded(&["check", zero], None);
    assert_eq!(
        (code, first_line(&stdout)),
        (
            1,
            document
                .replace("file-too-large", "limit-exceeded")
                .as_str()
        )
    );
    // A log with no line end stops once the line limit is far behind: nothing is decided.
    let endless = "error: cannot replay `-`: line 1 has no end after 16785408 bytes: the input is not a line-oriented log";
    let (code, stdout, stderr) = bounded(
        &["batch", "--policy", "policies/dba-restore.json"],
        Some(zero),
    );
    assert_eq!(
        (code, stdout.as_str(), first_line(&stderr)),
        (2, "", endless)
    );
    let (code, stdout, stderr) = bounded(
        &[
            "batch",
            "--policy",
            "policies/dba-restore.json",
            "--input",
            zero,
        ],
        None,
    );
    assert_eq!(
        (code, stdout.as_str(), first_line(&stderr)),
        (2, "", endless.replace("`-`", "`/dev/zero`").as_str())
    );
}

#[test]
fn nesting_a_hundred_thousand_deep_is_an_error_at_the_limit() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let scratch = Scratch::new("deep");
    let file = scratch.file("deep.json", &deep);
    let nested = "error[invalid-json]: invalid JSON: arrays and objects nest deeper than 64 levels";
    for args in [
        vec!["eval", "--policy", &file, "--request", REQUEST],
        vec![
            "eval",
            "--policy",
            "policies/dba-restore.json",
            "--request",
            &file,
        ],
        vec!["who-can", "--account", &file, "--resource", STAGING],
    ] {
        let (code, _, stderr) = bounded(&args, None);
        assert_eq!((code, first_line(&stderr)), (2, nested), "{args:?}");
    }
    // The instance reader names its own code.
    let (code, _, stderr) = bounded(&restore_with_instance(&file), None);
    assert_eq!(
        (code, first_line(&stderr)),
        (
            2,
            nested.replace("invalid-json", "invalid-instance").as_str()
        )
    );
    let invalid = Policy::from_text("deep", &deep).expect_err("too deep");
    assert_eq!(invalid.errors[0].kind.code(), "invalid-json");
    let error = Request::from_json_text(&deep).expect_err("too deep");
    assert_eq!(error.code(), "invalid-json");
    // A log line as deep is one error record; the run goes on.
    assert_eq!(
        batch_after(&scratch, &deep),
        r#"{"line":1,"error":"invalid JSON at column 65: arrays and objects nest deeper than 64 levels","code":"invalid-json"}"#
    );
}

#[test]
fn a_million_statements_are_refused_at_ten_thousand() {
    let document = |count: usize| {
        let statement = r#"{"Effect":"Allow","Action":"kvstore:RestoreInstance","Resource":"*"}"#;
        format!(
            r#"{{"Version":"1","Statement":[{}]}}"#,
            vec![statement; count].join(",")
        )
    };
    // A million statements are 69 MB of text: over the document limit before they are read.
    let invalid = Policy::from_text("million", &document(1_000_000)).expect_err("too large");
    assert_eq!(
        invalid.errors[0].kind.to_string(),
        "the document has 69000029 bytes, more than ramguard reads (4194304)"
    );
    // A million empty statements fit in 4 MiB: the statement limit refuses them.
    let empty = format!(
        r#"{{"Version":"1","Statement":[{}]}}"#,
        vec!["{}"; 1_000_000].join(",")
    );
    let started = Instant::now();
    let invalid = Policy::from_text("million", &empty).expect_err("too many statements");
    assert_eq!(
        invalid.diagnostics()[0].to_string().lines().next(),
        Some(
            "error[limit-exceeded]: `Statement` has 1000000 statements, more than ramguard reads (10000)"
        )
    );
    assert!(started.elapsed() < DEADLINE);
    // Ten thousand are read, and decided.
    assert_eq!(
        decide(&document(10_000), &staging_restore()),
        Verdict::Allow
    );
    let invalid = Policy::from_text("p", &document(10_001)).expect_err("one too many");
    assert_eq!(invalid.errors[0].kind.code(), "limit-exceeded");
}

#[test]
fn star_bombs_and_question_mark_runs_are_bounded() {
    // Ten thousand stars: over the pattern limit.
    let invalid =
        Policy::from_text("stars", &allow(&"*".repeat(10_000), "")).expect_err("too long");
    assert_eq!(
        invalid.errors[0].kind.to_string(),
        "this pattern has 10000 characters, more than ramguard reads (8192)"
    );
    // Eight thousand stars after `acs:` match every ARN.
    let stars = format!("acs:{}", "*".repeat(8_000));
    assert_eq!(
        decide(&allow(&stars, ""), &staging_restore()),
        Verdict::Allow
    );
    // The worst case for `?`: a long literal run before it, against the longest value. Linear
    // matching decides it at once; quadratic matching took seconds.
    let pattern = format!("*{}?b*", "a".repeat(8_188));
    let condition = |value: &str| {
        let request = Request::builder(RESTORE, STAGING)
            .context("kvstore:tag/note", value)
            .build()
            .expect("valid");
        let condition =
            format!(r#", "Condition": {{"StringLike": {{"kvstore:tag/note": "{pattern}"}}}}"#);
        decide(&allow("*", &condition), &request)
    };
    let started = Instant::now();
    assert_eq!(condition(&"a".repeat(8_192)), Verdict::ImplicitDeny);
    assert_eq!(
        condition(&format!("{}xb", "a".repeat(8_188))),
        Verdict::Allow
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // A request value over the value limit is refused, not matched.
    let error = Request::builder(RESTORE, STAGING)
        .context("kvstore:tag/note", "a".repeat(8_193))
        .build()
        .expect_err("too long");
    assert_eq!(
        error.to_string(),
        "a value of context key `kvstore:tag/note` has 8193 characters, more than ramguard reads (8192)"
    );
    assert_eq!(error.code(), "limit-exceeded");
    // In a request file, the error stands where the resource does.
    let long = format!("{STAGING}{}", "1".repeat(8_192));
    let text = format!(r#"{{"action": "{RESTORE}", "resource": "{long}"}}"#);
    let error = Request::from_json_text(&text).expect_err("too long");
    let at = text.find(&long).expect("the resource") - 1;
    assert_eq!(
        (error.code(), error.span()),
        (
            "limit-exceeded",
            Some(ramguard::span::Span::new(at, at + long.len() + 2))
        )
    );
}

#[test]
fn lists_over_a_thousand_entries_are_refused() {
    let resources: Vec<String> = (0..1_001)
        .map(|i| format!("\"acs:kvstore:*:*:instance/r-{i}\""))
        .collect();
    let text = format!(
        r#"{{"Version": "1", "Statement": [{{"Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": [{}]}}]}}"#,
        resources.join(",")
    );
    let invalid = Policy::from_text("p", &text).expect_err("too many");
    assert_eq!(
        invalid.errors[0].kind.to_string(),
        "`Resource` has 1001 entries, more than ramguard reads (1000)"
    );
    let values: Vec<String> = (0..1_001).map(|i| format!("\"v{i}\"")).collect();
    let text = allow(
        "*",
        &format!(
            r#", "Condition": {{"StringEquals": {{"kvstore:tag/env": [{}]}}}}"#,
            values.join(",")
        ),
    );
    let invalid = Policy::from_text("p", &text).expect_err("too many");
    assert_eq!(
        invalid.errors[0].kind.to_string(),
        "`kvstore:tag/env` has 1001 values, more than ramguard reads (1000)"
    );
    let request = format!(
        r#"{{"action": "kvstore:RestoreInstance", "resource": "{STAGING}", "context": {{"acs:TagKeys": [{}]}}}}"#,
        values.join(",")
    );
    let error = Request::from_json_text(&request).expect_err("too many");
    assert_eq!(
        error.to_string(),
        "context key `acs:TagKeys` has 1001 entries, more than ramguard reads (1000)"
    );
    assert!(error.span().is_some());
}

#[test]
fn bytes_that_are_not_utf8_are_refused_with_their_offset() {
    let scratch = Scratch::new("utf8");
    let path = scratch.0.join("latin1.json");
    std::fs::write(
        &path,
        b"{\"Version\": \"1\", \"Statement\": [{\"Sid\": \"caf\xe9\"}]}",
    )
    .expect("written");
    let file = path.display().to_string();
    let not_utf8 =
        format!("error[not-utf8]: `{file}` is not UTF-8 text (invalid byte at offset 43)");
    for args in [
        vec!["eval", "--policy", &file, "--request", REQUEST],
        vec![
            "eval",
            "--policy",
            "policies/dba-restore.json",
            "--request",
            &file,
        ],
        restore_with_instance(&file),
        vec!["who-can", "--account", &file, "--resource", STAGING],
    ] {
        let (code, _, stderr) = bounded(&args, None);
        assert_eq!(
            (code, first_line(&stderr)),
            (2, not_utf8.as_str()),
            "{args:?}"
        );
    }
    let (code, stdout, _) = bounded(&["check", &file], None);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with(&format!("error[invalid-json]: `{file}` is not UTF-8 text")),
        "{stdout}"
    );
}

#[test]
fn a_byte_order_mark_is_read_past() {
    let text = format!("\u{feff}{}", allow("*", ""));
    assert_eq!(decide(&text, &staging_restore()), Verdict::Allow);
    let request = Request::from_json_text(&format!(
        "\u{feff}{{\"action\": \"{RESTORE}\", \"resource\": \"{STAGING}\"}}"
    ))
    .expect("a request with a BOM");
    assert_eq!(request.resource(), STAGING);
}

#[test]
fn nul_bytes_and_escaped_nuls() {
    // A raw NUL is not JSON.
    let invalid =
        Policy::from_text("p", "{\"Version\": \"1\",\0 \"Statement\": []}").expect_err("NUL");
    assert_eq!(
        (
            invalid.errors[0].kind.to_string(),
            invalid.errors[0].span.start
        ),
        (
            "invalid JSON: expected a member name in double quotes, found `\\u{0}`".to_string(),
            16
        )
    );
    // An escaped NUL is a character like any other: the key is not `acs:SourceIp`, so the
    // request never has it and the Allow does not apply.
    let condition = r#", "Condition": {"IpAddress": {"acs:Source\u0000Ip": "10.0.0.0/8"}}"#;
    let request = Request::builder(RESTORE, STAGING)
        .context("acs:SourceIp", "10.1.2.3")
        .build()
        .expect("valid");
    assert_eq!(
        decide(&allow("*", condition), &request),
        Verdict::ImplicitDeny
    );
    // In a request, the key is unknown: a warning, and the Allow on `acs:SourceIp` does not apply.
    let request = Request::from_json_text(&format!(
        r#"{{"action": "{RESTORE}", "resource": "{STAGING}", "context": {{"acs:Source\u0000Ip": "10.1.2.3"}}}}"#
    ))
    .expect("valid");
    assert_eq!(request.warnings().len(), 1);
    let condition = r#", "Condition": {"IpAddress": {"acs:SourceIp": "10.0.0.0/8"}}"#;
    assert_eq!(
        decide(&allow("*", condition), &request),
        Verdict::ImplicitDeny
    );
}

#[test]
fn lone_surrogates_are_invalid_json() {
    let message =
        "invalid JSON: invalid `\\u` escape: a UTF-16 surrogate must come in a high-low pair";
    for escape in [r"\ud800", r"\udc00", r"\ud800\u0041", r"\ud800x"] {
        let invalid = Policy::from_text(
            "p",
            &allow(&format!("acs:kvstore:*:*:instance/r-{escape}"), ""),
        )
        .expect_err(escape);
        assert_eq!(invalid.errors[0].kind.to_string(), message, "{escape}");
        let error = Request::from_json_text(&format!(
            r#"{{"action": "{RESTORE}", "resource": "{escape}"}}"#
        ))
        .expect_err(escape);
        assert_eq!(
            error.to_string(),
            message.trim_start_matches("invalid JSON: "),
            "{escape}"
        );
    }
    // A paired surrogate is one character.
    let request = Request::from_json_text(&format!(
        r#"{{"action": "{RESTORE}", "resource": "{STAGING}-\ud83d\ude00"}}"#
    ));
    assert_eq!(request.expect("a pair").resource(), format!("{STAGING}-😀"));
}

#[test]
fn huge_exponents_compare_exactly_or_are_refused() {
    let numeric = |limit: &str, value: &str| {
        let condition =
            format!(r#", "Condition": {{"NumericLessThan": {{"kvstore:tag/size": {limit}}}}}"#);
        let request = Request::builder(RESTORE, STAGING)
            .context("kvstore:tag/size", value)
            .build()
            .expect("valid");
        Policy::from_text("p", &allow("*", &condition)).map(|policy| {
            let set = PolicySet::builder()
                .identity(policy)
                .build()
                .expect("builds");
            set.evaluate(&request).verdict
        })
    };
    // 1e999 is a number like any other: 5 is less, 1e1000 is not.
    assert_eq!(numeric("1e999", "5").ok(), Some(Verdict::Allow));
    assert_eq!(numeric("1e999", "1e1000").ok(), Some(Verdict::ImplicitDeny));
    assert_eq!(numeric("1e999", "-1e99999").ok(), Some(Verdict::Allow));
    // An exponent past what is compared exactly is refused in a policy …
    let invalid = numeric("1e99999999999999999999", "5").expect_err("refused");
    assert_eq!(invalid.errors[0].kind.code(), "invalid-condition-value");
    // … and in a request it is a value that satisfies no numeric comparison.
    assert_eq!(
        numeric("10", "1e99999999999999999999").ok(),
        Some(Verdict::ImplicitDeny)
    );
}

#[test]
fn duplicate_members_at_every_level() {
    let duplicate = |text: &str| -> Vec<String> {
        Policy::from_text("p", text)
            .expect_err(text)
            .errors
            .iter()
            .map(|e| e.kind.to_string())
            .collect()
    };
    assert_eq!(
        duplicate(
            r#"{"Version": "1", "Version": "1", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#
        ),
        ["duplicate member `Version`"]
    );
    assert_eq!(
        duplicate(
            r#"{"Version": "1", "Statement": [{"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}]}"#
        ),
        ["duplicate member `Effect`"]
    );
    assert_eq!(
        duplicate(&allow(
            "*",
            r#", "Condition": {"Bool": {"acs:MFAPresent": "true"}, "Bool": {"acs:SecureTransport": "true"}}"#
        )),
        ["duplicate member `Bool`"]
    );
    assert_eq!(
        duplicate(&allow(
            "*",
            r#", "Condition": {"Bool": {"acs:MFAPresent": "true", "ACS:mfapresent": "false"}}"#
        )),
        ["duplicate member `ACS:mfapresent`"]
    );
    let request = |text: &str| Request::from_json_text(text).expect_err(text).code();
    assert_eq!(
        request(&format!(
            r#"{{"action": "{RESTORE}", "action": "kvstore:DescribeInstances", "resource": "{STAGING}"}}"#
        )),
        "duplicate-member"
    );
    assert_eq!(
        request(&format!(
            r#"{{"action": "{RESTORE}", "resource": "{STAGING}", "context": {{"acs:SourceIp": "10.0.0.1", "ACS:SOURCEIP": "8.8.8.8"}}}}"#
        )),
        "duplicate-context-key"
    );
    let scratch = Scratch::new("duplicates");
    let account = scratch.file(
        "account.json",
        r#"{"account_id": "1234567890123456", "account_id": "6543210987654321", "policies": {}}"#,
    );
    let (code, _, stderr) = bounded(
        &["who-can", "--account", &account, "--resource", STAGING],
        None,
    );
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error[duplicate-member]"), "{stderr}");
    let instance = scratch.file(
        "instance.json",
        r#"{"InstanceId": "r-bp1stg01", "InstanceId": "r-bp1prod01"}"#,
    );
    let (code, _, stderr) = bounded(&restore_with_instance(&instance), None);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error[invalid-instance]: `InstanceId` is given twice"),
        "{stderr}"
    );
}

#[test]
fn hidden_characters_in_a_requested_resource_are_refused() {
    // `r-bp1\u{202e}10dorp` shows as `r-bp1prod01`; neither it nor a control character is in
    // any real resource name, so the request is refused, whatever the policies say.
    for (resource, code_point) in [
        (format!("{STAGING}\u{202e}10dorp"), "U+202E"),
        (format!("{STAGING}\u{7}"), "U+0007"),
        (format!("{STAGING}\u{1b}[2J"), "U+001B"),
        (format!("{STAGING}\u{2066}"), "U+2066"),
    ] {
        let error = Request::builder(RESTORE, &resource)
            .build()
            .expect_err(&resource);
        match &error {
            RequestError::Resource { reason, .. } => assert_eq!(
                reason,
                &format!("it holds the hidden character {code_point}, which no resource name has")
            ),
            other => panic!("{other:?}"),
        }
        let (code, stdout, stderr) = bounded(
            &[
                "eval",
                "--policy",
                "policies/dba-restore.json",
                "--action",
                RESTORE,
                "--resource",
                &resource,
            ],
            None,
        );
        assert_eq!((code, stdout.as_str()), (2, ""));
        // The message shows the character escaped: the terminal is not told to do anything.
        assert!(
            stderr.contains(&format!(
                "\\u{{{}}}",
                code_point[2..].trim_start_matches('0').to_lowercase()
            )),
            "{stderr}"
        );
        assert!(
            !stderr.contains(['\u{202e}', '\u{7}', '\u{1b}', '\u{2066}']),
            "{stderr:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_link_to_itself_is_an_unreadable_file() {
    let scratch = Scratch::new("loop");
    let link = scratch.0.join("loop.json");
    std::os::unix::fs::symlink(&link, &link).expect("a link loop");
    let link = link.display().to_string();
    let (code, _, stderr) = bounded(&["eval", "--policy", &link, "--request", REQUEST], None);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!("error[unreadable-file]: cannot read `{link}`:")),
        "{stderr}"
    );
    let (code, _, stderr) = bounded(
        &[
            "batch",
            "--policy",
            "policies/dba-restore.json",
            "--input",
            &link,
        ],
        None,
    );
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!("error[unreadable-file]: cannot read `{link}`:")),
        "{stderr}"
    );
    // A directory that holds the loop and a link to itself is walked once, loop left out.
    let dir = scratch.dir("policies");
    std::os::unix::fs::symlink(&dir, format!("{dir}/again")).expect("a directory loop");
    std::fs::copy(
        format!("{MANIFEST_DIR}/policies/dba-restore.json"),
        format!("{dir}/dba.json"),
    )
    .expect("copied");
    let (code, stdout, _) = bounded(&["check", &dir, "--format", "json"], None);
    assert_eq!(code, 0, "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(
        report["files"].as_array().map(Vec::len),
        Some(1),
        "{report}"
    );
}

#[test]
fn a_batch_line_over_the_limit_is_an_error_record_and_the_run_goes_on() {
    let scratch = Scratch::new("long-line");
    let long = format!(
        r#"{{"id": "{}", "action": "{RESTORE}", "resource": "{STAGING}"}}"#,
        "x".repeat(2 << 20)
    );
    assert_eq!(
        batch_after(&scratch, &long),
        r#"{"line":1,"error":"the line is longer than 1048576 bytes (--max-line-bytes)","code":"line-too-long"}"#
    );
}

/// Runs `batch` on a log of `line` then a logged request, and returns the first record, after
/// checking that the run reported an undecided item (exit 5) and went on to decide the second.
fn batch_after(scratch: &Scratch, line: &str) -> String {
    let second = common::request_log().lines().next().unwrap().to_string();
    let log = scratch.file("log.jsonl", &format!("{line}\n{second}\n"));
    let (code, stdout, _) = bounded(
        &[
            "batch",
            "--policy",
            "policies/dba-restore.json",
            "--input",
            &log,
        ],
        None,
    );
    assert_eq!(code, 5);
    let records: Vec<&str> = stdout.lines().collect();
    assert_eq!(records.len(), 2, "{stdout}");
    assert!(
        records[1].starts_with(r#"{"line":2,"#) && records[1].contains(r#""decision":"#),
        "{}",
        records[1]
    );
    records[0].to_string()
}

#[test]
fn text_output_never_drives_the_terminal() {
    // A `Sid` and a key that hold an ANSI escape (clear the screen, turn red) and a
    // right-to-left override, quoted in `eval`'s explanation and `check`'s findings.
    let scratch = Scratch::new("escapes");
    let policy = scratch.file(
        "escapes.json",
        r#"{"Version": "1", "Statement": [{"Sid": "A\u001b[2J", "Effect": "Allow", "Action": "kvstore:RestoreInstance", "Resource": "*", "Condition": {"StringEquals": {"kvstore:\u001b[31mX": "v\u202e"}}}]}"#,
    );
    let (code, stdout, _) = bounded(
        &[
            "eval",
            "--policy",
            &policy,
            "--action",
            RESTORE,
            "--resource",
            "*",
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            r#"Statement[0] "A\u{1b}[2J" (Allow) at 1:32: `StringEquals` on `kvstore:\u{1b}[31mX`: the request has no `kvstore:\u{1b}[31mX`"#
        ),
        "{stdout}"
    );
    let (_, check, _) = bounded(&["check", &policy, "--color", "always"], None);
    for output in [stdout, check] {
        let raw: Vec<char> = output
            .chars()
            .filter(|&c| c == '\u{202e}' || c == '\u{1b}')
            .collect();
        // `check` colours its own output: every ESC there starts one of its styles.
        assert!(raw.iter().all(|&c| c == '\u{1b}'), "{output:?}");
        assert!(
            !output.contains("\u{1b}[2J") && !output.contains("\u{1b}[31mX"),
            "{output:?}"
        );
    }
}
