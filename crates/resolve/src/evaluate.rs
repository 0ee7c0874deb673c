//! Accuracy of a resolution against a ground truth: pairwise precision, recall and F1.
//!
//! A resolution is judged on the pairs of records from *different* sources it put
//! together: those are the duplicates matching exists to find (records of one source
//! join by key, as versions or partner links, and never need a score). Records are
//! first reduced to units — one per (source, true deal, golden record) — so that the
//! CRM listing a deal once per partner, or exporting it twice, does not count as many
//! pairs.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// One resolved record: the golden record it ended in, the true deal it belongs to, and
/// its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Labelled<'a> {
    /// The golden record (opportunity id) the resolution put it in.
    pub predicted: &'a str,
    /// The deal it really belongs to (from the ground truth).
    pub truth: &'a str,
    /// Its source.
    pub source: &'a str,
}

/// Cross-source pair counts of a resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PairCounts {
    /// Pairs the resolution put in one golden record.
    pub predicted: u64,
    /// Pairs that belong to one true deal.
    pub actual: u64,
    /// Pairs both put together and truly together.
    pub correct: u64,
}

impl PairCounts {
    /// Share of predicted pairs that are right (1 when nothing was merged).
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 { 1.0 } else { self.correct as f64 / self.predicted as f64 }
    }

    /// Share of true pairs that were found (1 when there were none).
    pub fn recall(&self) -> f64 {
        if self.actual == 0 { 1.0 } else { self.correct as f64 / self.actual as f64 }
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }

    /// Predicted pairs that are wrong (two different deals merged).
    pub fn wrong(&self) -> u64 {
        self.predicted - self.correct
    }

    /// True pairs that were missed (one deal counted twice).
    pub fn missed(&self) -> u64 {
        self.actual - self.correct
    }
}

/// Counts the cross-source pairs of `records` (see the module documentation).
pub fn pair_counts(records: &[Labelled<'_>]) -> PairCounts {
    let units: HashSet<&Labelled<'_>> = records.iter().collect();
    PairCounts {
        predicted: cross_source_pairs(units.iter().map(|u| (u.predicted, u.source))),
        actual: cross_source_pairs(units.iter().map(|u| (u.truth, u.source))),
        correct: cross_source_pairs(units.iter().map(|u| ((u.predicted, u.truth), u.source))),
    }
}

/// Pairs of units in one group that come from different sources:
/// per group, all pairs minus the pairs within each source.
fn cross_source_pairs<'a, K: Eq + Hash>(units: impl Iterator<Item = (K, &'a str)>) -> u64 {
    let mut groups: HashMap<K, HashMap<&'a str, u64>> = HashMap::new();
    for (group, source) in units {
        *groups.entry(group).or_default().entry(source).or_default() += 1;
    }
    let pairs = |n: u64| n * n.saturating_sub(1) / 2;
    groups.values().map(|by_source| pairs(by_source.values().sum()) - by_source.values().map(|&n| pairs(n)).sum::<u64>()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l<'a>(predicted: &'a str, truth: &'a str, source: &'a str) -> Labelled<'a> {
        Labelled { predicted, truth, source }
    }

    #[test]
    fn perfect_resolution() {
        let records = [l("g1", "d1", "crm"), l("g1", "d1", "sheets"), l("g1", "d1", "partner_files"), l("g2", "d2", "crm")];
        let c = pair_counts(&records);
        assert_eq!(c, PairCounts { predicted: 3, actual: 3, correct: 3 });
        assert_eq!((c.precision(), c.recall(), c.f1()), (1.0, 1.0, 1.0));
    }

    #[test]
    fn a_wrong_merge_and_a_missed_one() {
        // d1 is split (its sheet row stayed apart); d2's sheet row went into d3's record.
        let records = [l("g1", "d1", "crm"), l("g1b", "d1", "sheets"), l("g2", "d2", "crm"), l("g3", "d2", "sheets"), l("g3", "d3", "crm")];
        let c = pair_counts(&records);
        assert_eq!(c, PairCounts { predicted: 1, actual: 2, correct: 0 });
        assert_eq!((c.wrong(), c.missed()), (1, 2));
        assert_eq!(c.precision(), 0.0);
        assert_eq!(c.f1(), 0.0);
    }

    #[test]
    fn versions_and_partner_links_of_one_source_are_not_pairs() {
        // The CRM lists d1 three times (two partners, a later version): one unit.
        let records = [l("g1", "d1", "crm"), l("g1", "d1", "crm"), l("g1", "d1", "crm"), l("g1", "d1", "sheets")];
        assert_eq!(pair_counts(&records), PairCounts { predicted: 1, actual: 1, correct: 1 });
    }

    #[test]
    fn half_right() {
        let records = [l("g1", "d1", "crm"), l("g1", "d1", "sheets"), l("g2", "d2", "crm"), l("g2", "d3", "sheets")];
        let c = pair_counts(&records);
        assert_eq!(c, PairCounts { predicted: 2, actual: 1, correct: 1 });
        assert_eq!(c.precision(), 0.5);
        assert_eq!(c.recall(), 1.0);
        assert!((c.f1() - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn nothing_to_find() {
        let c = pair_counts(&[l("g1", "d1", "crm")]);
        assert_eq!((c.precision(), c.recall(), c.f1()), (1.0, 1.0, 1.0));
    }
}
