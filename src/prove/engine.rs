//! The DPLL(T) loop: the SAT solver picks facts, the theories look for a request with them,
//! and facts no request has together become clauses.

use std::collections::BTreeMap;
use std::time::Instant;

use batsat::{Callbacks, Lit, SolverInterface, lbool};

use super::encode::{Atom, Encoder};
use super::keys::{self, Demands, KeyAnswer};
use super::search::{self, Constraint, Found, Shape};
use super::{Meter, RequestFile, formula, glob, shrink};
use crate::condition::CompiledCondition;
use crate::context::ContextInput;
use crate::pattern::fold_case;

/// What the search loop found.
pub(super) enum Answer {
    Holds,
    Unknown(String),
    /// A request file meeting the formula (not yet confirmed).
    Request(RequestFile),
}

/// Stops the SAT solver at the deadline.
struct Deadline(Option<Instant>);

impl Callbacks for Deadline {
    fn stop(&self) -> bool {
        self.0.is_some_and(|d| Instant::now() >= d)
    }
}

/// The DPLL(T) loop: solve, read the facts the model relies on, ask the theories, and either
/// build the request or forbid the facts that admit none.
pub(super) fn solve(
    encoder: &Encoder<'_>,
    root: formula::NodeId,
    scope: Option<&str>,
    meter: Meter,
) -> (Answer, usize) {
    if encoder.formula.is_const(root, false) {
        return (Answer::Holds, 0);
    }
    let mut solver: batsat::Solver<Deadline> =
        batsat::Solver::new(batsat::SolverOpts::default(), Deadline(meter.deadline));
    let mut literals = formula::Literals::default();
    let root_lit = encoder.formula.encode(root, &mut solver, &mut literals);
    solver.add_clause_reuse(&mut vec![root_lit]);
    // Facts every request respects, told up front: a passing value means the key is there;
    // the time is always there.
    let atom_vars: Vec<(u32, batsat::Var)> = literals.atom_vars().collect();
    for (atom, var) in atom_vars {
        let lit = Lit::new(var, true);
        let (passing, test) = match encoder.atoms[atom as usize] {
            Atom::Some(test) => (lit, test),
            Atom::Every(test) => (!lit, test),
            _ => continue,
        };
        let present = literals.atom(encoder.present_atom(encoder.tests[test].0), &mut solver);
        solver.add_clause_reuse(&mut vec![!passing, present]);
    }
    for key in (0..encoder.keys.len()).filter(|&k| encoder.keys[k].always_present()) {
        let present = literals.atom(encoder.present_atom(key), &mut solver);
        solver.add_clause_reuse(&mut vec![present]);
    }
    tell_typed_keys(encoder, &mut solver, &mut literals);
    let scope_glob = scope.map(|s| glob::Glob::new(s, false));
    let mut rounds = 0;
    loop {
        if meter.exhausted(0) {
            return (Answer::Unknown(budget_reason()), rounds);
        }
        let result = solver.solve_limited(&[]);
        if result == lbool::FALSE {
            return (Answer::Holds, rounds);
        }
        if result != lbool::TRUE {
            return (Answer::Unknown(budget_reason()), rounds);
        }
        rounds += 1;
        let model: Vec<bool> = (0..encoder.atoms.len() as u32)
            .map(|atom| match literals.existing_atom(atom) {
                Some(lit) => solver.value_lit(lit) == lbool::TRUE,
                None => false,
            })
            .collect();
        let Some(facts) = encoder.formula.justify(root, &|a| model[a as usize]) else {
            return (
                Answer::Unknown("internal: the solver's model does not satisfy the query".into()),
                rounds,
            );
        };
        let checked = check_theories(encoder, &facts, scope_glob.as_ref(), &meter);
        match checked {
            Theories::Request(file) => return (Answer::Request(file), rounds),
            Theories::Unknown(reason) => return (Answer::Unknown(reason), rounds),
            Theories::Conflicts(cores) => {
                for core in cores {
                    // An empty core: the query's own scope admits no request.
                    let mut clause: Vec<Lit> = core
                        .iter()
                        .map(|&(atom, value)| {
                            let lit = literals.atom(atom, &mut solver);
                            if value { !lit } else { lit }
                        })
                        .collect();
                    if !solver.add_clause_reuse(&mut clause) {
                        return (Answer::Holds, rounds);
                    }
                }
            }
        }
    }
}

/// Tells the solver, up front, what values of typed keys can do together: for each region
/// of a key's values a variable "the request holds a value there"; a test passes for some
/// value when a region where it passes is held, for every value when no region where it fails
/// is; the key is present when some region is held. Models then never need a theory round
/// for these keys.
fn tell_typed_keys<S: SolverInterface>(
    encoder: &Encoder<'_>,
    solver: &mut S,
    literals: &mut formula::Literals,
) {
    for key in 0..encoder.keys.len() {
        let tests: Vec<usize> = (0..encoder.tests.len())
            .filter(|&t| encoder.tests[t].0 == key)
            .collect();
        // Keys the query does not read need nothing.
        let read = tests.iter().any(|&t| {
            [Atom::Some(t), Atom::Every(t)].into_iter().any(|atom| {
                encoder
                    .atom_id(atom)
                    .is_some_and(|a| literals.existing_atom(a).is_some())
            })
        });
        if !read {
            continue;
        }
        let conditions: Vec<&CompiledCondition> =
            tests.iter().map(|&t| encoder.tests[t].1).collect();
        let Some(regions) = keys::regions(&encoder.keys[key], &conditions) else {
            continue;
        };
        let held: Vec<Lit> = regions
            .iter()
            .map(|_| Lit::new(solver.new_var_default(), true))
            .collect();
        let present = literals.atom(encoder.present_atom(key), solver);
        let mut any_held = held.clone();
        any_held.push(!present);
        solver.add_clause_reuse(&mut any_held);
        for &h in &held {
            solver.add_clause_reuse(&mut vec![!h, present]);
        }
        for (n, &test) in tests.iter().enumerate() {
            if let Some(some) = encoder
                .atom_id(Atom::Some(test))
                .and_then(|a| literals.existing_atom(a))
            {
                let mut clause = vec![!some];
                for (r, (_, passes)) in regions.iter().enumerate() {
                    if passes[n] {
                        clause.push(held[r]);
                        solver.add_clause_reuse(&mut vec![!held[r], some]);
                    }
                }
                solver.add_clause_reuse(&mut clause);
            }
            if let Some(every) = encoder
                .atom_id(Atom::Every(test))
                .and_then(|a| literals.existing_atom(a))
            {
                let mut clause = vec![every];
                for (r, (_, passes)) in regions.iter().enumerate() {
                    if !passes[n] {
                        clause.push(held[r]);
                        solver.add_clause_reuse(&mut vec![!held[r], !every]);
                    }
                }
                solver.add_clause_reuse(&mut clause);
            }
        }
    }
}

/// kvstore's actions, as written and folded, for readable witnesses.
fn known_actions() -> &'static [(String, String)] {
    static KNOWN: std::sync::LazyLock<Vec<(String, String)>> = std::sync::LazyLock::new(|| {
        crate::lint::names::kvstore_actions()
            .iter()
            .map(|name| {
                let action = format!("kvstore:{name}");
                let folded = fold_case(&action).into_owned();
                (action, folded)
            })
            .collect()
    });
    &KNOWN
}

/// The account a witness names when no pattern names one.
const EXAMPLE_ACCOUNT: &str = "1234567890123456";

fn budget_reason() -> String {
    "the budget ran out before the query was decided (raise it with --budget)".into()
}

enum Theories {
    Request(RequestFile),
    /// Sets of facts (atom, value) that no request has together.
    Conflicts(Vec<Vec<(u32, bool)>>),
    Unknown(String),
}

/// One theory's answer for its part of the request.
enum Part<T> {
    /// A part with the facts.
    Found(T),
    /// Facts (atom, value) no part has together.
    Conflict(Vec<(u32, bool)>),
    /// Not decided: a construct `prove` does not decide yet, or the budget.
    Unknown(String),
}

/// Asks each theory for its part of a request meeting `facts`, and puts the parts together.
fn check_theories(
    encoder: &Encoder<'_>,
    facts: &[(u32, bool)],
    scope: Option<&glob::Glob>,
    meter: &Meter,
) -> Theories {
    let mut conflicts = Vec::new();
    let mut take = |part| match part {
        Part::Found(value) => Ok(Some(value)),
        Part::Conflict(core) => {
            conflicts.push(core);
            Ok(None)
        }
        Part::Unknown(reason) => Err(reason),
    };
    let action = match take(action_theory(encoder, facts, meter)) {
        Ok(action) => action,
        Err(reason) => return Theories::Unknown(reason),
    };
    let resource = match take(resource_theory(encoder, facts, scope, meter)) {
        Ok(resource) => resource,
        Err(reason) => return Theories::Unknown(reason),
    };
    let mut by_key: BTreeMap<usize, Vec<(u32, bool)>> = BTreeMap::new();
    for &(atom, value) in facts {
        if let Some(key) = encoder.key_of(encoder.atoms[atom as usize]) {
            by_key.entry(key).or_default().push((atom, value));
        }
    }
    let mut context: BTreeMap<usize, Vec<ContextInput>> = BTreeMap::new();
    for (&key, key_facts) in &by_key {
        let values = match key_theory(encoder, key, key_facts, meter) {
            Part::Found(values) => values,
            Part::Conflict(core) => {
                conflicts.push(core);
                continue;
            }
            Part::Unknown(reason) => return Theories::Unknown(reason),
        };
        context.insert(key, values);
    }
    if !conflicts.is_empty() {
        return Theories::Conflicts(conflicts);
    }
    let (Some(action), Some(resource)) = (action, resource) else {
        return Theories::Unknown(
            "internal: a theory gave neither an answer nor a conflict".into(),
        );
    };
    Theories::Request(request_file(encoder, action, resource, context))
}

/// The action: the query's own, else a known kvstore action with the facts (it reads better
/// than the shortest string), else the shortest folded string.
fn action_theory(encoder: &Encoder<'_>, facts: &[(u32, bool)], meter: &Meter) -> Part<String> {
    if let Some(action) = encoder.fixed_action_as_written() {
        return Part::Found(action.to_owned());
    }
    let group: Vec<(u32, bool, usize)> = facts
        .iter()
        .filter_map(|&(a, v)| match encoder.atoms[a as usize] {
            Atom::Action(g) => Some((a, v, g)),
            _ => None,
        })
        .collect();
    let known = known_actions().iter().find(|(_, folded)| {
        group
            .iter()
            .all(|&(_, want, g)| encoder.action_globs[g].is_match(folded) == want)
    });
    match known {
        Some((action, _)) => Part::Found(action.clone()),
        None => string_theory(&encoder.action_globs, None, &group, Shape::Action, meter),
    }
}

/// The resource, within the query's scope.
fn resource_theory(
    encoder: &Encoder<'_>,
    facts: &[(u32, bool)],
    scope: Option<&glob::Glob>,
    meter: &Meter,
) -> Part<String> {
    let group: Vec<(u32, bool, usize)> = facts
        .iter()
        .filter_map(|&(a, v)| match encoder.atoms[a as usize] {
            Atom::Resource(g) => Some((a, v, g)),
            _ => None,
        })
        .collect();
    string_theory(
        &encoder.resource_globs,
        scope,
        &group,
        Shape::Resource,
        meter,
    )
}

/// The values of one condition key (none: the request lacks it).
fn key_theory(
    encoder: &Encoder<'_>,
    key: usize,
    key_facts: &[(u32, bool)],
    meter: &Meter,
) -> Part<Vec<ContextInput>> {
    // Facts in the order `Demands` numbers them: presence, `some`, `every`.
    let mut ordered: Vec<(u32, bool)> = Vec::with_capacity(key_facts.len());
    let mut demands = Demands::default();
    for &(atom, value) in key_facts {
        if let Atom::Present(_) = encoder.atoms[atom as usize] {
            demands.present = Some(value);
            ordered.push((atom, value));
        }
    }
    for &(atom, value) in key_facts {
        if let Atom::Some(test) = encoder.atoms[atom as usize] {
            demands.some.push((encoder.tests[test].1, value));
            ordered.push((atom, value));
        }
    }
    for &(atom, value) in key_facts {
        if let Atom::Every(test) = encoder.atoms[atom as usize] {
            demands.every.push((encoder.tests[test].1, value));
            ordered.push((atom, value));
        }
    }
    match keys::solve_with_core(&encoder.keys[key], &demands, meter) {
        (KeyAnswer::Values(values), _) => Part::Found(values),
        (KeyAnswer::Conflict, core) => {
            Part::Conflict(core.into_iter().map(|i| ordered[i]).collect())
        }
        (KeyAnswer::Unknown(reason), _) => Part::Unknown(reason),
    }
}

/// The request file of the parts: keys by their first spelling, one value or a list, and
/// always the time.
fn request_file(
    encoder: &Encoder<'_>,
    action: String,
    resource: String,
    context: BTreeMap<usize, Vec<ContextInput>>,
) -> RequestFile {
    let mut entries = BTreeMap::new();
    let mut has_time = false;
    for (key, values) in context {
        if values.is_empty() {
            continue;
        }
        let key = &encoder.keys[key];
        has_time |= key.always_present();
        let mut json: Vec<serde_json::Value> = values.into_iter().map(input_json).collect();
        let value = if json.len() == 1 {
            json.remove(0)
        } else {
            serde_json::Value::Array(json)
        };
        entries.insert(key.written.clone(), value);
    }
    if !has_time {
        entries.insert(
            crate::request::CURRENT_TIME_KEY.to_owned(),
            serde_json::Value::String(keys::DEFAULT_TIME.to_owned()),
        );
    }
    RequestFile {
        action,
        resource,
        context: entries,
    }
}

fn input_json(input: ContextInput) -> serde_json::Value {
    match input {
        ContextInput::String(s) => serde_json::Value::String(s),
        ContextInput::Bool(b) => serde_json::Value::Bool(b),
        ContextInput::Number(n) => serde_json::from_str(&n).unwrap_or(serde_json::Value::String(n)),
    }
}

/// One string theory (actions or resources): a string with the facts, or the facts no string
/// has together.
fn string_theory(
    globs: &[glob::Glob],
    scope: Option<&glob::Glob>,
    facts: &[(u32, bool, usize)],
    shape: Shape,
    meter: &Meter,
) -> Part<String> {
    let mut refs: Vec<&glob::Glob> = globs.iter().collect();
    let mut constraints = Vec::new();
    let base = usize::from(scope.is_some());
    if let Some(scope) = scope {
        refs.push(scope);
        constraints.push(Constraint {
            globs: vec![refs.len() - 1],
            want: true,
        });
    }
    constraints.extend(facts.iter().map(|&(_, want, glob)| Constraint {
        globs: vec![glob],
        want,
    }));
    let meets_all = |text: &str| {
        search::fits(shape, text)
            && constraints
                .iter()
                .all(|c| c.globs.iter().any(|&g| refs[g].is_match(text)) == c.want)
    };
    // A readable resource first: each wanted pattern with its wildcards filled in.
    if shape == Shape::Resource {
        let wanted = constraints.iter().filter(|c| c.want).flat_map(|c| &c.globs);
        for &g in wanted {
            let example = refs[g].example(EXAMPLE_ACCOUNT);
            if meets_all(&example) {
                return Part::Found(example);
            }
        }
    }
    // Search with the wanted patterns first and add an unwanted one only when the string
    // found matches it: most unwanted patterns never come near the strings that matter, and
    // a search's cost grows with the patterns it carries.
    let mut active: Vec<usize> = (0..constraints.len())
        .filter(|&i| i < base || constraints[i].want)
        .collect();
    loop {
        let chosen: Vec<Constraint> = active.iter().map(|&i| constraints[i].clone()).collect();
        match search::search(&refs, &chosen, shape, meter) {
            Found::Witness(text) => {
                let broken: Vec<usize> = (0..constraints.len())
                    .filter(|i| !active.contains(i))
                    .filter(|&i| {
                        let c = &constraints[i];
                        c.globs.iter().any(|&g| refs[g].is_match(&text)) != c.want
                    })
                    .take(8)
                    .collect();
                if broken.is_empty() {
                    return Part::Found(text);
                }
                active.extend(broken);
            }
            Found::Empty { core } => {
                let core: Vec<usize> = core.into_iter().map(|i| active[i]).collect();
                let core = smaller_core(&refs, &constraints, core, base, shape, meter);
                return Part::Conflict(
                    core.into_iter()
                        .filter(|&i| i >= base)
                        .map(|i| (facts[i - base].0, facts[i - base].1))
                        .collect(),
                );
            }
            Found::OutOfBudget => return Part::Unknown(budget_reason()),
        }
    }
}

/// Looks for a small part of an empty search's core that is empty on its own, by a few
/// cheap searches: the wanted patterns alone, one or two of them, or all of them with one
/// unwanted pattern (usually a wider pattern covers a narrower one). The smaller the core,
/// the more models its clause rules out at once. Keeps the whole core otherwise. The
/// constraints before `base` (the query's scope) are always kept.
fn smaller_core(
    globs: &[&glob::Glob],
    constraints: &[Constraint],
    core: Vec<usize>,
    base: usize,
    shape: Shape,
    meter: &Meter,
) -> Vec<usize> {
    if core.len() <= 2 {
        return core;
    }
    let empty = |subset: &[usize]| {
        let mut chosen: Vec<Constraint> = (0..base).map(|i| constraints[i].clone()).collect();
        chosen.extend(
            subset
                .iter()
                .filter(|&&i| i >= base)
                .map(|&i| constraints[i].clone()),
        );
        matches!(
            search::search(globs, &chosen, shape, meter),
            Found::Empty { .. }
        )
    };
    let (wanted, unwanted): (Vec<usize>, Vec<usize>) = core
        .iter()
        .copied()
        .filter(|&i| i >= base)
        .partition(|&i| constraints[i].want);
    if wanted.len() <= 6 {
        for (n, &a) in wanted.iter().enumerate() {
            if empty(&[a]) {
                return vec![a];
            }
            for &b in &wanted[n + 1..] {
                if empty(&[a, b]) {
                    return vec![a, b];
                }
            }
        }
    }
    if empty(&wanted) {
        return wanted;
    }
    for &u in &unwanted {
        let mut subset = wanted.clone();
        subset.push(u);
        if empty(&subset) {
            // Drop the wanted patterns that are not needed with it.
            let mut needed = shrink(wanted, meter, |w| {
                let mut with = w.to_vec();
                with.push(u);
                empty(&with)
            });
            needed.push(u);
            return needed;
        }
    }
    core
}
