//! Checks of `[[groups]]`: ids distinct from each other, from target ids and from the reserved
//! `due_` prefix; at least one member; each member a known target, listed once.

use super::super::diagnostic::{did_you_mean, KeyPath};
use super::super::raw::{RawGroup, RawScenario};
use super::Validator;
use crate::model::{Group, Target};
use std::collections::HashSet;

impl Validator {
    /// Every group in file order; members are indices into the valid `targets`.
    pub(super) fn groups(&mut self, raw: &RawScenario, targets: &[Target]) -> Vec<Group> {
        let target_ids: Vec<&str> = raw.targets.iter().map(|t| t.id.as_str()).collect();
        let mut groups = Vec::new();
        let mut seen = HashSet::new();
        for (k, g) in raw.groups.iter().enumerate() {
            let path = KeyPath::root().key("groups").index(k);
            if !seen.insert(g.id.clone()) || target_ids.contains(&g.id.as_str()) {
                self.error(path.key("id"), format!("duplicate id `{}` (group ids must differ from each other and from target ids)", g.id));
            }
            if g.id.starts_with("due_") {
                self.error(path.key("id"), format!("group ids starting with `due_` are reserved for the automatic due-year groups (got `{}`)", g.id));
            }
            if g.targets.is_empty() {
                self.error(path.key("targets"), "a group needs at least one target");
            }
            let members = self.group_members(g, &path, targets, &target_ids);
            groups.push(Group {
                id: g.id.clone(),
                label: g.label.clone(),
                label_zh: g.label_zh.clone(),
                targets: members,
            });
        }
        groups
    }

    /// The member targets' indices. A target that exists in the file but was refused is left
    /// out silently (its own problem is reported already).
    fn group_members(
        &mut self,
        g: &RawGroup,
        path: &KeyPath,
        targets: &[Target],
        target_ids: &[&str],
    ) -> Vec<usize> {
        let mut members = Vec::new();
        for (j, name) in g.targets.iter().enumerate() {
            match targets.iter().position(|t| &t.id == name) {
                Some(i) if members.contains(&i) => self.error(
                    path.key("targets").index(j),
                    format!("target `{name}` is listed twice"),
                ),
                Some(i) => members.push(i),
                None => {
                    if !target_ids.contains(&name.as_str()) {
                        self.error_help(
                            path.key("targets").index(j),
                            format!("unknown target `{name}` in group `{}`", g.id),
                            did_you_mean(name, target_ids.iter().copied()),
                        );
                    }
                }
            }
        }
        members
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    fn with_groups(groups: &str) -> String {
        format!("{GDP}[[targets]]\nid = \"gdp_2025\"\nindicator = \"gdp\"\nyear = 2025\nat_least = 120\n\n[[targets]]\nid = \"gdp_2024\"\nindicator = \"gdp\"\nyear = 2024\nat_least = 110\n\n{groups}")
    }

    #[test]
    fn groups_resolve_their_members() {
        let s = accepted(&with_groups(
            "[[groups]]\nid = \"both\"\nlabel = \"Both\"\ntargets = [\"gdp_2024\", \"gdp_2025\"]\n",
        ));
        assert_eq!(s.groups()[0].targets, [1, 0]);
        assert_eq!(s.groups()[0].label.as_deref(), Some("Both"));
    }

    #[test]
    fn ids_must_be_new_and_not_reserved() {
        assert_eq!(
            problems(&with_groups(
                "[[groups]]\nid = \"gdp_2025\"\ntargets = [\"gdp_2025\"]\n\n[[groups]]\nid = \"due_2025\"\ntargets = []\n\n[[groups]]\nid = \"due_2025\"\ntargets = [\"gdp_2024\"]\n"
            )),
            [
                "groups[0].id: duplicate id `gdp_2025` (group ids must differ from each other and from target ids)",
                "groups[1].id: group ids starting with `due_` are reserved for the automatic due-year groups (got `due_2025`)",
                "groups[1].targets: a group needs at least one target",
                "groups[2].id: duplicate id `due_2025` (group ids must differ from each other and from target ids)",
                "groups[2].id: group ids starting with `due_` are reserved for the automatic due-year groups (got `due_2025`)",
            ]
        );
    }

    #[test]
    fn members_must_be_known_and_listed_once() {
        let body = with_groups(
            "[[groups]]\nid = \"g\"\ntargets = [\"gdp_2025\", \"gdp_2025\", \"gdp_2052\"]\n",
        );
        assert_eq!(
            problems(&body),
            [
                "groups[0].targets[1]: target `gdp_2025` is listed twice",
                "groups[0].targets[2]: unknown target `gdp_2052` in group `g`",
            ]
        );
        assert_eq!(
            helps(&body),
            [None, Some("did you mean `gdp_2025`?".to_string())]
        );
    }

    #[test]
    fn a_refused_target_is_left_out_without_a_second_problem() {
        let body = with_groups(
            "[[targets]]\nid = \"bad\"\nindicator = \"gdp\"\nyear = 2030\nat_least = 1\n\n[[groups]]\nid = \"g\"\ntargets = [\"bad\", \"gdp_2024\"]\n",
        );
        assert_eq!(
            problems(&body),
            ["targets[2].year: target years 2030..2030 are outside the years `gdp` has values (2020..2025)"]
        );
    }
}
