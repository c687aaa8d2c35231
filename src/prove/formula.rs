//! Boolean formulas over theory atoms, their clauses for the SAT solver, and the part of a
//! model that makes a formula true.

use std::collections::{HashMap, HashSet};

use batsat::{Lit, SolverInterface, Var};

/// A node of a formula.
pub(crate) type NodeId = u32;

/// A formula node. Atoms are numbered by the caller ([`super::encode`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Node {
    Const(bool),
    Atom(u32),
    Not(NodeId),
    And(Box<[NodeId]>),
    Or(Box<[NodeId]>),
}

/// A hash-consed formula DAG: equal subformulas, such as a statement shared by the old and
/// the new policy set, are one node and one solver variable.
#[derive(Debug, Default)]
pub(crate) struct Formula {
    nodes: Vec<Node>,
    ids: HashMap<Node, NodeId>,
}

impl Formula {
    fn intern(&mut self, node: Node) -> NodeId {
        if let Some(&id) = self.ids.get(&node) {
            return id;
        }
        let id = self.nodes.len() as NodeId;
        self.nodes.push(node.clone());
        self.ids.insert(node, id);
        id
    }

    /// A constant.
    pub(crate) fn constant(&mut self, value: bool) -> NodeId {
        self.intern(Node::Const(value))
    }

    /// A theory atom.
    pub(crate) fn atom(&mut self, atom: u32) -> NodeId {
        self.intern(Node::Atom(atom))
    }

    fn as_const(&self, id: NodeId) -> Option<bool> {
        match self.nodes[id as usize] {
            Node::Const(b) => Some(b),
            _ => None,
        }
    }

    /// Negation, folding constants and double negations.
    pub(crate) fn not(&mut self, id: NodeId) -> NodeId {
        match self.nodes[id as usize] {
            Node::Const(b) => self.constant(!b),
            Node::Not(inner) => inner,
            _ => self.intern(Node::Not(id)),
        }
    }

    /// Conjunction, folding constants.
    pub(crate) fn and(&mut self, children: impl IntoIterator<Item = NodeId>) -> NodeId {
        self.junction(children, true)
    }

    /// Disjunction, folding constants.
    pub(crate) fn or(&mut self, children: impl IntoIterator<Item = NodeId>) -> NodeId {
        self.junction(children, false)
    }

    fn junction(&mut self, children: impl IntoIterator<Item = NodeId>, and: bool) -> NodeId {
        let mut kept: Vec<NodeId> = Vec::new();
        for child in children {
            match self.as_const(child) {
                // `false` decides a conjunction, `true` a disjunction.
                Some(b) if b != and => return self.constant(!and),
                Some(_) => {}
                None => {
                    if !kept.contains(&child) {
                        kept.push(child);
                    }
                }
            }
        }
        match kept.len() {
            0 => self.constant(and),
            1 => kept[0],
            _ if and => self.intern(Node::And(kept.into())),
            _ => self.intern(Node::Or(kept.into())),
        }
    }

    /// Whether `id` is the constant `value`.
    pub(crate) fn is_const(&self, id: NodeId, value: bool) -> bool {
        self.as_const(id) == Some(value)
    }

    /// Adds clauses making the solver literal of every node reachable from `root` equal to
    /// the node (Tseitin), and returns the literal of `root`.
    pub(crate) fn encode<S: SolverInterface>(
        &self,
        root: NodeId,
        solver: &mut S,
        literals: &mut Literals,
    ) -> Lit {
        if let Some(&lit) = literals.nodes.get(&root) {
            return lit;
        }
        let lit = match &self.nodes[root as usize] {
            Node::Const(b) => {
                let lit = Lit::new(solver.new_var_default(), true);
                solver.add_clause_reuse(&mut vec![if *b { lit } else { !lit }]);
                lit
            }
            Node::Atom(atom) => literals.atom(*atom, solver),
            Node::Not(inner) => !self.encode(*inner, solver, literals),
            Node::And(children) | Node::Or(children) => {
                let and = matches!(self.nodes[root as usize], Node::And(_));
                let child_lits: Vec<Lit> = children
                    .iter()
                    .map(|&c| self.encode(c, solver, literals))
                    .collect();
                let gate = Lit::new(solver.new_var_default(), true);
                // and: gate → each child; all children → gate. or: dual.
                let (gate, child_lits): (Lit, Vec<Lit>) = if and {
                    (gate, child_lits)
                } else {
                    (!gate, child_lits.into_iter().map(|l| !l).collect())
                };
                for &child in &child_lits {
                    solver.add_clause_reuse(&mut vec![!gate, child]);
                }
                let mut all: Vec<Lit> = child_lits.iter().map(|&l| !l).collect();
                all.push(gate);
                solver.add_clause_reuse(&mut all);
                if and { gate } else { !gate }
            }
        };
        literals.nodes.insert(root, lit);
        lit
    }

    /// The value of a node when atoms take `atoms`.
    fn value(
        &self,
        id: NodeId,
        atoms: &dyn Fn(u32) -> bool,
        memo: &mut HashMap<NodeId, bool>,
    ) -> bool {
        if let Some(&v) = memo.get(&id) {
            return v;
        }
        let v = match &self.nodes[id as usize] {
            Node::Const(b) => *b,
            Node::Atom(a) => atoms(*a),
            Node::Not(inner) => !self.value(*inner, atoms, memo),
            Node::And(children) => children.iter().all(|&c| self.value(c, atoms, memo)),
            Node::Or(children) => children.iter().any(|&c| self.value(c, atoms, memo)),
        };
        memo.insert(id, v);
        v
    }

    /// Atom literals that alone make `root` true under the model `atoms` (which must make it
    /// true): every request meeting them satisfies the formula, whatever the other atoms are.
    /// A conjunction needs all its children; a disjunction one true child (the first).
    /// `None` when the model does not make `root` true.
    pub(crate) fn justify(
        &self,
        root: NodeId,
        atoms: &dyn Fn(u32) -> bool,
    ) -> Option<Vec<(u32, bool)>> {
        let mut memo = HashMap::new();
        let mut out: Vec<(u32, bool)> = Vec::new();
        let mut seen: HashSet<(NodeId, bool)> = HashSet::new();
        let mut stack = vec![(root, true)];
        while let Some((id, want)) = stack.pop() {
            if !seen.insert((id, want)) {
                continue;
            }
            match &self.nodes[id as usize] {
                Node::Const(_) => {}
                Node::Atom(a) => out.push((*a, want)),
                Node::Not(inner) => stack.push((*inner, !want)),
                Node::And(children) | Node::Or(children) => {
                    let and = matches!(self.nodes[id as usize], Node::And(_));
                    if and == want {
                        // A true conjunction or a false disjunction: every child counts.
                        stack.extend(children.iter().map(|&c| (c, want)));
                    } else {
                        // One child with the wanted value is enough.
                        let chosen = children
                            .iter()
                            .copied()
                            .find(|&c| self.value(c, atoms, &mut memo) == want)?;
                        stack.push((chosen, want));
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Some(out)
    }
}

/// The solver literals given to nodes and atoms so far.
#[derive(Debug, Default)]
pub(crate) struct Literals {
    nodes: HashMap<NodeId, Lit>,
    atoms: HashMap<u32, Lit>,
}

impl Literals {
    /// The literal of an atom, made on first use.
    pub(crate) fn atom<S: SolverInterface>(&mut self, atom: u32, solver: &mut S) -> Lit {
        *self
            .atoms
            .entry(atom)
            .or_insert_with(|| Lit::new(solver.new_var_default(), true))
    }

    /// The literal of an atom, if it has one.
    pub(crate) fn existing_atom(&self, atom: u32) -> Option<Lit> {
        self.atoms.get(&atom).copied()
    }

    /// The atoms given a literal, with their variables.
    pub(crate) fn atom_vars(&self) -> impl Iterator<Item = (u32, Var)> + '_ {
        self.atoms.iter().map(|(&a, l)| (a, l.var()))
    }
}
