//! The benchmark workload: a port of the shared workload generator (`workload-gen`, the one
//! `bench/compare` runs beside cedar-policy), so `cargo bench` measures the same policies and
//! requests the README's comparison does, without needing that tool. For N statements it gives
//! ~N/10 RAM policy documents, requests, and the generator's own reference decision of every
//! request, computed by the small evaluator at the end of this file.
//!
//! The shape (what a realistic account looks like): teams own instances named
//! `r-team<T>-<env>-<id>` across 7 regions, N/20 teams; 60% Allow on other services' actions,
//! 25% Allow granting `kvstore:RestoreInstance` (exact, wrong-case, `Restore*`, `kvstore:*`,
//! lists, a few `NotAction`), 15% Deny guardrails; team-scoped wildcards, exact ARNs, `*` and
//! `NotResource`; conditions on about half the statements. Requests are 80% restores, about one
//! in six from a team with no policies. A fixed-seed xorshift64* drives everything, so the
//! output is byte-identical to the generator's on every run.

use std::fmt::Write as _;

const ACCOUNT: &str = "1234567890123456";
const OTHER_ACCOUNT: &str = "9876543210987654";
const REGIONS: [&str; 7] = [
    "cn-hangzhou",
    "cn-shanghai",
    "cn-beijing",
    "cn-shenzhen",
    "cn-zhangjiakou",
    "ap-southeast-1",
    "us-west-1",
];
const ENVS: [&str; 4] = ["dev", "test", "staging", "prod"];
/// Instances per team in the fixed instance catalogue (requests mostly target these).
const INSTANCES_PER_TEAM: usize = 8;

const KEY_IP: &str = "acs:SourceIp";
const KEY_MFA: &str = "acs:MFAPresent";
const KEY_TIME: &str = "acs:CurrentTime";
const KEY_TLS: &str = "acs:SecureTransport";
const KEY_VPC: &str = "acs:SourceVpc";

// ---------------------------------------------------------------- rng

pub struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut r = Rng((seed ^ 0x9E37_79B9_7F4A_7C15) | 1);
        for _ in 0..8 {
            r.next();
        }
        r
    }
    /// xorshift64*
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pct(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

/// splitmix64 finaliser, used for stable per-(team, k) instance ids.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------- model

#[derive(Clone, Debug)]
enum Cond {
    /// Bool { key: "true"|"false" }
    Bool { key: &'static str, val: bool },
    /// IpAddress / NotIpAddress { key: [cidr...] }
    Ip {
        key: &'static str,
        cidrs: Vec<String>,
        negate: bool,
    },
    /// StringLike { key: [pattern...] }
    StringLike {
        key: &'static str,
        pats: Vec<String>,
    },
    /// DateLessThan / DateGreaterThan { key: time }
    Date {
        key: &'static str,
        t: String,
        less: bool,
    },
}

impl Cond {
    fn op(&self) -> &'static str {
        match self {
            Cond::Bool { .. } => "Bool",
            Cond::Ip { negate: false, .. } => "IpAddress",
            Cond::Ip { negate: true, .. } => "NotIpAddress",
            Cond::StringLike { .. } => "StringLike",
            Cond::Date { less: true, .. } => "DateLessThan",
            Cond::Date { less: false, .. } => "DateGreaterThan",
        }
    }
    fn key(&self) -> &'static str {
        match self {
            Cond::Bool { key, .. }
            | Cond::Ip { key, .. }
            | Cond::StringLike { key, .. }
            | Cond::Date { key, .. } => key,
        }
    }
    fn values(&self) -> Vec<String> {
        match self {
            Cond::Bool { val, .. } => vec![val.to_string()],
            Cond::Ip { cidrs, .. } => cidrs.clone(),
            Cond::StringLike { pats, .. } => pats.clone(),
            Cond::Date { t, .. } => vec![t.clone()],
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cat {
    AllowOther,
    AllowRestore,
    Deny,
}

#[derive(Clone, Debug)]
struct Stmt {
    allow: bool,
    not_action: bool,
    actions: Vec<String>,
    not_resource: bool,
    resources: Vec<String>,
    conds: Vec<Cond>,
    /// render single-element Action/Resource lists as a bare JSON string
    scalar: bool,
}

/// A request: the action, the resource's ARN and the context a real call carries.
pub struct Req {
    pub action: String,
    pub resource: String,
    pub ip: String,
    pub mfa: bool,
    pub time: String,
    pub tls: bool,
    pub vpc: String,
}

/// The reference decision of a request.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

// ---------------------------------------------------------------- helpers

fn team_net(t: usize) -> String {
    format!("10.{}.{}.0/24", 100 + t / 250, t % 250)
}
fn team_ip(t: usize, rng: &mut Rng) -> String {
    format!("10.{}.{}.{}", 100 + t / 250, t % 250, 1 + rng.below(254))
}
fn instance_arn(t: usize, k: usize) -> String {
    let region = REGIONS[(t * 3 + k) % REGIONS.len()];
    let env = ENVS[k % ENVS.len()];
    let id = mix(((t as u64) << 8) | k as u64) & 0xff_ffff_ffff;
    format!("acs:kvstore:{region}:{ACCOUNT}:instance/r-team{t}-{env}-bp{id:010x}")
}
fn date(rng: &mut Rng, year: u32) -> String {
    // day-granular thresholds at midnight UTC
    format!(
        "{year}-{:02}-{:02}T00:00:00Z",
        1 + rng.below(12),
        1 + rng.below(28)
    )
}
fn date_in(rng: &mut Rng, first_year: u32, years: usize) -> String {
    let y = first_year + rng.below(years) as u32;
    date(rng, y)
}
fn datetime(rng: &mut Rng, year: u32) -> String {
    format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}
fn s(x: &str) -> String {
    x.to_string()
}

// ---------------------------------------------------------------- statement generation

const OTHER_ACTIONS: [&str; 22] = [
    "kvstore:Describe*",
    "kvstore:List*",
    "kvstore:DescribeInstances",
    "kvstore:CreateInstance",
    "kvstore:ModifyInstanceSpec",
    "kvstore:Get*",
    "ecs:*",
    "ecs:Describe*",
    "ecs:StartInstance",
    "ecs:StopInstance",
    "ecs:RebootInstance",
    "rds:Describe*",
    "rds:CreateDBInstance",
    "rds:ModifyDBInstanceSpec",
    "oss:GetObject",
    "oss:List*",
    "oss:PutObject",
    "vpc:Describe*",
    "cms:*",
    "log:Get*",
    "log:PostLogStoreLogs",
    "slb:Describe*",
];

fn product_resource(product: &str, t: usize, rng: &mut Rng) -> String {
    let region = if rng.pct(50) {
        s("*")
    } else {
        s(rng.pick(&REGIONS))
    };
    match product {
        "kvstore" => match rng.below(3) {
            0 => format!("acs:kvstore:{region}:{ACCOUNT}:instance/r-team{t}-*"),
            1 => format!("acs:kvstore:cn-*:{ACCOUNT}:instance/*"),
            _ => format!(
                "acs:kvstore:*:{ACCOUNT}:instance/r-team{t}-{}-*",
                rng.pick(&ENVS)
            ),
        },
        "ecs" => match rng.below(2) {
            0 => format!("acs:ecs:{region}:{ACCOUNT}:instance/*"),
            _ => format!("acs:ecs:{region}:{ACCOUNT}:instance/i-team{t}-*"),
        },
        "rds" => format!("acs:rds:{region}:{ACCOUNT}:dbinstance/rm-team{t}-*"),
        "oss" => format!("acs:oss:*:{ACCOUNT}:team{t}-bucket/*"),
        p => format!("acs:{p}:{region}:{ACCOUNT}:*"),
    }
}

fn gen_allow_other(rng: &mut Rng, teams: usize) -> Stmt {
    let t = rng.below(teams);
    let roll = rng.below(100);
    let mut st = Stmt {
        allow: true,
        not_action: false,
        actions: vec![],
        not_resource: false,
        resources: vec![],
        conds: vec![],
        scalar: rng.pct(60),
    };
    if roll < 5 {
        // everything except kvstore / ram / sts, on this team's ECS or RDS resources
        st.not_action = true;
        st.actions = vec![s("kvstore:*"), s("ram:*"), s("sts:*")];
        st.resources = vec![
            format!("acs:ecs:*:{ACCOUNT}:instance/i-team{t}-*"),
            format!("acs:rds:*:{ACCOUNT}:dbinstance/rm-team{t}-*"),
        ];
    } else if roll < 10 {
        // read-only kvstore on everything that is not prod
        st.actions = vec![s("kvstore:Describe*"), s("kvstore:List*")];
        st.not_resource = true;
        st.resources = vec![format!("acs:kvstore:*:{ACCOUNT}:instance/r-*-prod-*")];
    } else {
        let n = 1 + rng.below(3);
        let mut acts: Vec<String> = Vec::new();
        while acts.len() < n {
            let a = s(rng.pick(&OTHER_ACTIONS));
            if !acts.contains(&a) {
                acts.push(a);
            }
        }
        if rng.pct(25) {
            st.resources = vec![s("*")];
        } else {
            let mut res: Vec<String> = Vec::new();
            for a in &acts {
                let product = a.split(':').next().unwrap().to_string();
                let r = product_resource(&product, t, rng);
                if !res.contains(&r) {
                    res.push(r);
                }
            }
            st.resources = res;
        }
        st.actions = acts;
    }
    if rng.pct(30) {
        match rng.below(3) {
            0 => st.conds.push(Cond::Ip {
                key: KEY_IP,
                cidrs: if rng.pct(50) {
                    vec![s("10.0.0.0/8")]
                } else {
                    vec![team_net(t), s("172.16.0.0/12")]
                },
                negate: false,
            }),
            1 => st.conds.push(Cond::Bool {
                key: KEY_TLS,
                val: true,
            }),
            _ => st.conds.push(Cond::Date {
                key: KEY_TIME,
                t: date_in(rng, 2026, 2),
                less: true,
            }),
        }
    }
    st
}

fn gen_allow_restore(rng: &mut Rng, teams: usize) -> Stmt {
    let t = rng.below(teams);
    let mut st = Stmt {
        allow: true,
        not_action: false,
        actions: vec![],
        not_resource: false,
        resources: vec![],
        conds: vec![],
        scalar: rng.pct(60),
    };
    let a = rng.below(100);
    st.actions = if a < 45 {
        vec![s("kvstore:RestoreInstance")]
    } else if a < 50 {
        vec![s(rng.pick(&[
            "KVStore:restoreInstance",
            "kvstore:restoreinstance",
            "KVSTORE:RestoreInstance",
        ]))]
    } else if a < 70 {
        vec![s("kvstore:Restore*")]
    } else if a < 80 {
        vec![s("kvstore:*")]
    } else if a < 95 {
        vec![
            s("kvstore:RestoreInstance"),
            s("kvstore:DescribeInstances"),
            s("kvstore:DescribeBackups"),
        ]
    } else {
        st.not_action = true;
        vec![s("kvstore:Delete*"), s("kvstore:Flush*"), s("ram:*")]
    };
    let r = rng.below(100);
    let mut force_vpc = false;
    st.resources = if r < 33 {
        vec![format!("acs:kvstore:cn-*:{ACCOUNT}:instance/r-team{t}-*")]
    } else if r < 55 {
        vec![format!(
            "acs:kvstore:{}:{ACCOUNT}:instance/r-team{t}-{}-*",
            rng.pick(&REGIONS),
            rng.pick(&ENVS)
        )]
    } else if r < 70 {
        vec![format!("acs:kvstore:*:*:instance/r-team{t}-dev-*")]
    } else if r < 85 {
        vec![
            format!("acs:kvstore:*:{ACCOUNT}:instance/r-team{t}-test-*"),
            format!("acs:kvstore:*:{ACCOUNT}:instance/r-team{t}-staging-*"),
        ]
    } else if r < 95 {
        // exact ARNs from the catalogue (no wildcard)
        let k1 = rng.below(INSTANCES_PER_TEAM);
        let k2 = (k1 + 1 + rng.below(INSTANCES_PER_TEAM - 1)) % INSTANCES_PER_TEAM;
        if rng.pct(50) {
            vec![instance_arn(t, k1)]
        } else {
            vec![instance_arn(t, k1), instance_arn(t, k2)]
        }
    } else {
        // anything except this team's prod, but only from this team's VPC
        st.not_resource = true;
        force_vpc = true;
        vec![format!("acs:kvstore:*:{ACCOUNT}:instance/r-team{t}-prod-*")]
    };
    if rng.pct(40) {
        st.conds.push(Cond::Bool {
            key: KEY_MFA,
            val: true,
        });
    }
    if rng.pct(35) {
        let pool = [
            team_net(t),
            s("10.0.0.0/8"),
            s("172.16.0.0/12"),
            team_net((t + 1) % teams),
        ];
        let n = 1 + rng.below(3);
        let start = rng.below(pool.len());
        let cidrs: Vec<String> = (0..n)
            .map(|i| pool[(start + i) % pool.len()].clone())
            .collect();
        st.conds.push(Cond::Ip {
            key: KEY_IP,
            cidrs,
            negate: false,
        });
    }
    let d = rng.below(100);
    if d < 25 {
        st.conds.push(Cond::Date {
            key: KEY_TIME,
            t: date_in(rng, 2026, 2),
            less: true,
        });
    } else if d < 33 {
        st.conds.push(Cond::Date {
            key: KEY_TIME,
            t: date(rng, 2026),
            less: false,
        });
    }
    if force_vpc || rng.pct(20) {
        let mut pats = vec![format!("vpc-team{t}-*")];
        if rng.pct(30) {
            pats.push(format!("vpc-team{}-*", (t + 1) % teams));
        }
        st.conds.push(Cond::StringLike { key: KEY_VPC, pats });
    }
    if rng.pct(15) {
        st.conds.push(Cond::Bool {
            key: KEY_TLS,
            val: true,
        });
    }
    st
}

fn gen_deny(rng: &mut Rng, teams: usize) -> Stmt {
    let t = rng.below(teams);
    let prod = format!("acs:kvstore:*:{ACCOUNT}:instance/r-team{t}-prod-*");
    let mut st = Stmt {
        allow: false,
        not_action: false,
        actions: vec![],
        not_resource: false,
        resources: vec![],
        conds: vec![],
        scalar: rng.pct(60),
    };
    let r = rng.below(100);
    if r < 35 {
        // no restore on prod without MFA
        st.actions = vec![s("kvstore:RestoreInstance")];
        st.resources = vec![prod];
        st.conds.push(Cond::Bool {
            key: KEY_MFA,
            val: false,
        });
    } else if r < 55 {
        // no restore on prod from outside the corporate / team network
        st.actions = vec![s("kvstore:Restore*")];
        st.resources = vec![prod];
        let cidrs = match rng.below(3) {
            0 => vec![s("10.0.0.0/8")],
            1 => vec![team_net(t)],
            _ => vec![team_net(t), s("172.16.0.0/12")],
        };
        st.conds.push(Cond::Ip {
            key: KEY_IP,
            cidrs,
            negate: true,
        });
    } else if r < 65 {
        // change freeze: only reads on prod after a date
        st.not_action = true;
        st.actions = vec![s("kvstore:Describe*"), s("kvstore:List*")];
        st.resources = vec![format!("acs:kvstore:*:*:instance/r-team{t}-prod-*")];
        st.conds.push(Cond::Date {
            key: KEY_TIME,
            t: format!("2026-{:02}-01T00:00:00Z", 9 + rng.below(4)),
            less: false,
        });
    } else if r < 75 {
        // a team's VPC may only touch that team's instances
        st.actions = vec![s("kvstore:*")];
        st.not_resource = true;
        st.resources = vec![format!("acs:kvstore:*:{ACCOUNT}:instance/r-team{t}-*")];
        st.conds.push(Cond::StringLike {
            key: KEY_VPC,
            pats: vec![format!("vpc-team{t}-*")],
        });
    } else if r < 85 {
        // no destructive kvstore calls over plain HTTP
        st.actions = vec![
            s("kvstore:RestoreInstance"),
            s("kvstore:DeleteInstance"),
            s("kvstore:FlushInstance"),
        ];
        st.resources = vec![format!("acs:kvstore:*:{ACCOUNT}:instance/r-team{t}-*")];
        st.conds.push(Cond::Bool {
            key: KEY_TLS,
            val: false,
        });
    } else {
        // unrelated guard rails
        st.actions = vec![
            s("ecs:DeleteInstance"),
            s("rds:DeleteDBInstance"),
            s("ram:*"),
        ];
        st.resources = vec![s("*")];
        if rng.pct(50) {
            st.conds.push(Cond::Date {
                key: KEY_TIME,
                t: date(rng, 2026),
                less: false,
            });
        }
    }
    st
}

// ---------------------------------------------------------------- request generation

const OTHER_REQ_ACTIONS: [&str; 9] = [
    "kvstore:DescribeInstances",
    "kvstore:DeleteInstance",
    "kvstore:FlushInstance",
    "kvstore:ListTagResources",
    "ecs:StartInstance",
    "ecs:DeleteInstance",
    "rds:DescribeDBInstances",
    "oss:GetObject",
    "ram:CreateUser",
];

fn gen_request(rng: &mut Rng, teams: usize) -> Req {
    // ~1/6 of requests are for teams that have no policies at all
    let t = rng.below(teams + teams / 5 + 1);
    let action = if rng.pct(80) {
        if rng.pct(5) {
            s(rng.pick(&[
                "kvstore:restoreinstance",
                "KVStore:RestoreInstance",
                "kvstore:RESTOREINSTANCE",
            ]))
        } else {
            s("kvstore:RestoreInstance")
        }
    } else {
        s(rng.pick(&OTHER_REQ_ACTIONS))
    };
    let product = action.split(':').next().unwrap().to_ascii_lowercase();
    let hex = rng.next() & 0xff_ffff;
    let region = rng.pick(&REGIONS);
    let resource = match product.as_str() {
        "kvstore" => {
            let u = rng.below(100);
            if u < 92 {
                instance_arn(t, rng.below(INSTANCES_PER_TEAM))
            } else if u < 96 {
                format!(
                    "acs:kvstore:{region}:{OTHER_ACCOUNT}:instance/r-team{t}-{}-bp{hex:06x}",
                    rng.pick(&ENVS)
                )
            } else {
                format!("acs:kvstore:{region}:{ACCOUNT}:instance/r-{hex:06x}")
            }
        }
        "ecs" => format!("acs:ecs:{region}:{ACCOUNT}:instance/i-team{t}-{hex:06x}"),
        "rds" => format!("acs:rds:{region}:{ACCOUNT}:dbinstance/rm-team{t}-{hex:06x}"),
        "oss" => format!("acs:oss:*:{ACCOUNT}:team{t}-bucket/data/{hex:06x}.csv"),
        _ => format!("acs:ram:*:{ACCOUNT}:user/u{hex:06x}"),
    };
    let u = rng.below(100);
    let ip = if u < 40 {
        team_ip(t, rng)
    } else if u < 65 {
        format!(
            "10.{}.{}.{}",
            rng.below(100),
            rng.below(256),
            1 + rng.below(254)
        )
    } else if u < 80 {
        format!(
            "172.{}.{}.{}",
            16 + rng.below(16),
            rng.below(256),
            1 + rng.below(254)
        )
    } else {
        format!("47.96.{}.{}", rng.below(256), 1 + rng.below(254))
    };
    let mfa = rng.pct(65);
    let time = if rng.pct(95) {
        datetime(rng, 2026)
    } else {
        datetime(rng, 2027)
    };
    let tls = rng.pct(92);
    let vt = if rng.pct(70) { t } else { rng.below(teams + 1) };
    let vpc = format!("vpc-team{vt}-{:06x}", rng.next() & 0xff_ffff);
    Req {
        action,
        resource,
        ip,
        mfa,
        time,
        tls,
        vpc,
    }
}

// ---------------------------------------------------------------- reference RAM evaluator

/// `*` = any sequence (incl. empty), `?` = exactly one character. Byte-wise.
fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    let (mut star, mut mark) = (usize::MAX, 0usize);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = pi;
            mark = si;
            pi += 1;
        } else if star != usize::MAX {
            pi = star + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

fn parse_ipv4(x: &str) -> u32 {
    let mut v = 0u32;
    let mut parts = 0;
    for o in x.split('.') {
        v = (v << 8) | o.parse::<u8>().expect("bad ipv4 octet") as u32;
        parts += 1;
    }
    assert_eq!(parts, 4, "bad ipv4 {x}");
    v
}

fn in_cidr(ip: &str, cidr: &str) -> bool {
    let (net, len) = match cidr.split_once('/') {
        Some((n, l)) => (n, l.parse::<u32>().unwrap()),
        None => (cidr, 32),
    };
    let (a, b) = (parse_ipv4(ip), parse_ipv4(net));
    len == 0 || (a ^ b) >> (32 - len) == 0
}

fn cond_holds(c: &Cond, r: &Req) -> bool {
    match c {
        Cond::Bool { key, val } => match *key {
            KEY_MFA => r.mfa == *val,
            KEY_TLS => r.tls == *val,
            k => panic!("no bool key {k}"),
        },
        Cond::Ip { cidrs, negate, .. } => cidrs.iter().any(|c| in_cidr(&r.ip, c)) != *negate,
        Cond::StringLike { pats, .. } => pats.iter().any(|p| glob(p.as_bytes(), r.vpc.as_bytes())),
        // same fixed format "YYYY-MM-DDThh:mm:ssZ" on both sides => lexicographic == chronological
        Cond::Date { t, less, .. } => {
            if *less {
                r.time.as_str() < t.as_str()
            } else {
                r.time.as_str() > t.as_str()
            }
        }
    }
}

fn stmt_matches(st: &Stmt, r: &Req) -> bool {
    let act = r.action.to_ascii_lowercase();
    let am = st
        .actions
        .iter()
        .any(|p| glob(p.to_ascii_lowercase().as_bytes(), act.as_bytes()));
    if am == st.not_action {
        return false;
    }
    let rm = st
        .resources
        .iter()
        .any(|p| glob(p.as_bytes(), r.resource.as_bytes()));
    if rm == st.not_resource {
        return false;
    }
    st.conds.iter().all(|c| cond_holds(c, r))
}

fn decide(stmts: &[&Stmt], r: &Req) -> Decision {
    let mut allowed = false;
    for st in stmts {
        if stmt_matches(st, r) {
            if !st.allow {
                return Decision::ExplicitDeny;
            }
            allowed = true;
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

// ---------------------------------------------------------------- rendering

fn js(x: &str) -> String {
    let mut o = String::with_capacity(x.len() + 2);
    o.push('"');
    for ch in x.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn js_list(xs: &[String], scalar: bool) -> String {
    if scalar && xs.len() == 1 {
        js(&xs[0])
    } else {
        format!(
            "[{}]",
            xs.iter().map(|x| js(x)).collect::<Vec<_>>().join(", ")
        )
    }
}

fn ram_statement_json(st: &Stmt) -> String {
    let mut o = String::from("    {\n");
    let _ = writeln!(
        o,
        "      \"Effect\": {},",
        js(if st.allow { "Allow" } else { "Deny" })
    );
    let _ = writeln!(
        o,
        "      \"{}\": {},",
        if st.not_action { "NotAction" } else { "Action" },
        js_list(&st.actions, st.scalar)
    );
    let last_res = st.conds.is_empty();
    let _ = write!(
        o,
        "      \"{}\": {}",
        if st.not_resource {
            "NotResource"
        } else {
            "Resource"
        },
        js_list(&st.resources, st.scalar)
    );
    if !last_res {
        // group by operator (first-appearance order), then key
        let mut ops: Vec<(&str, Vec<&Cond>)> = Vec::new();
        for c in &st.conds {
            match ops.iter_mut().find(|(op, _)| *op == c.op()) {
                Some((_, v)) => v.push(c),
                None => ops.push((c.op(), vec![c])),
            }
        }
        o.push_str(",\n      \"Condition\": {\n");
        for (i, (op, cs)) in ops.iter().enumerate() {
            let _ = write!(o, "        {}: {{", js(op));
            for (j, c) in cs.iter().enumerate() {
                let vals = c.values();
                let _ = write!(
                    o,
                    "{}{}: {}",
                    if j > 0 { ", " } else { "" },
                    js(c.key()),
                    js_list(&vals, vals.len() == 1)
                );
            }
            o.push('}');
            o.push_str(if i + 1 < ops.len() { ",\n" } else { "\n" });
        }
        o.push_str("      }");
    }
    o.push_str("\n    }");
    o
}

// ---------------------------------------------------------------- the workload

/// The documents of a workload, each an identity policy of one set.
pub fn compile(documents: &[(String, String)]) -> ramguard::PolicySet {
    let mut builder = ramguard::PolicySet::builder();
    for (name, text) in documents {
        let policy = ramguard::Policy::from_text(name, text).expect("generated policies are valid");
        builder = builder.identity(policy);
    }
    builder.build().expect("the set builds")
}

/// A generated workload: named policy documents, requests, and each request's reference decision.
pub struct Workload {
    pub documents: Vec<(String, String)>,
    pub requests: Vec<Req>,
    pub expected: Vec<Decision>,
}

/// The workload of `n` statements and `nreq` requests for `seed` (0 is the published one):
/// the generator's `generate`, without the files and the Cedar translation.
pub fn generate(n: usize, nreq: usize, seed: u64) -> Workload {
    let teams = (n / 20).max(2);
    let mut rng = Rng::new(0x5EED_0000 + n as u64 + seed.wrapping_mul(0x1_0000_0001));

    // exact category mix, shuffled
    let n_other = n * 60 / 100;
    let n_restore = n * 25 / 100;
    let n_deny = n - n_other - n_restore;
    let mut cats: Vec<Cat> = std::iter::repeat_n(Cat::AllowOther, n_other)
        .chain(std::iter::repeat_n(Cat::AllowRestore, n_restore))
        .chain(std::iter::repeat_n(Cat::Deny, n_deny))
        .collect();
    rng.shuffle(&mut cats);
    let stmts: Vec<Stmt> = cats
        .iter()
        .map(|c| match c {
            Cat::AllowOther => gen_allow_other(&mut rng, teams),
            Cat::AllowRestore => gen_allow_restore(&mut rng, teams),
            Cat::Deny => gen_deny(&mut rng, teams),
        })
        .collect();

    // spread over ~N/10 documents: one each first (no empty docs), the rest at random
    let ndocs = (n / 10).max(1);
    let mut docs: Vec<Vec<usize>> = vec![Vec::new(); ndocs];
    for i in 0..stmts.len() {
        let d = if i < ndocs { i } else { rng.below(ndocs) };
        docs[d].push(i);
    }
    let mut documents = Vec::with_capacity(ndocs);
    let mut ordered: Vec<&Stmt> = Vec::with_capacity(n);
    for (d, idxs) in docs.iter().enumerate() {
        let mut json = String::from("{\n  \"Version\": \"1\",\n  \"Statement\": [\n");
        for (j, &i) in idxs.iter().enumerate() {
            json.push_str(&ram_statement_json(&stmts[i]));
            json.push_str(if j + 1 < idxs.len() { ",\n" } else { "\n" });
            ordered.push(&stmts[i]);
        }
        json.push_str("  ]\n}\n");
        documents.push((format!("policy-{d:04}"), json));
    }

    let mut rrng = Rng::new(0x5EED_1000_0000 + n as u64 + seed.wrapping_mul(0x1_0000_0001));
    let requests: Vec<Req> = (0..nreq).map(|_| gen_request(&mut rrng, teams)).collect();
    let expected = requests.iter().map(|r| decide(&ordered, r)).collect();
    Workload {
        documents,
        requests,
        expected,
    }
}
