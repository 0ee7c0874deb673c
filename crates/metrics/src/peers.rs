//! Peers: for every metric, the median of the partner's tier and the partner's
//! percentile within it.

use crate::catalog::CATALOG;
use crate::compute::MetricRow;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// A partner's standing on one metric among the partners of its tier.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PeerStat {
    /// Median of the tier's non-null values.
    pub tier_median: Option<Decimal>,
    /// Percent rank in the tier, 0–100: (peers below + half of the peers equal, itself
    /// included) / peers with a value × 100. None when the partner's value is null.
    pub percentile: Option<Decimal>,
}

/// The median of `values` (sorted in place).
pub fn median(values: &mut [Decimal]) -> Option<Decimal> {
    if values.is_empty() {
        return None;
    }
    values.sort();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / Decimal::TWO })
}

/// Peer statistics for every row and catalog metric: `result[row][metric]`. Partners
/// are grouped by `tier_of` (partners without a tier form one group).
pub fn peers(rows: &[MetricRow], tier_of: &HashMap<&str, &str>) -> Vec<Vec<PeerStat>> {
    let tier = |r: &MetricRow| tier_of.get(r.partner_id.as_str()).copied().unwrap_or("");
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        groups.entry(tier(r)).or_default().push(i);
    }
    let mut out = vec![vec![PeerStat::default(); CATALOG.len()]; rows.len()];
    for members in groups.values() {
        for (m, _) in CATALOG.iter().enumerate() {
            let mut values: Vec<Decimal> = members.iter().filter_map(|&i| rows[i].values[m]).collect();
            let n = Decimal::from(values.len() as i64);
            let tier_median = median(&mut values);
            for &i in members {
                let percentile = rows[i].values[m].map(|v| {
                    let below = values.iter().filter(|x| **x < v).count() as i64;
                    let equal = values.iter().filter(|x| **x == v).count() as i64;
                    (Decimal::from(below) + Decimal::from(equal) / Decimal::TWO) / n * Decimal::ONE_HUNDRED
                });
                out[i][m] = PeerStat { tier_median, percentile };
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::index_of;
    use crate::health::Health;

    fn row(id: &str, revenue: Option<i64>) -> MetricRow {
        let mut values = vec![None; CATALOG.len()];
        values[index_of("revenue").unwrap()] = revenue.map(Decimal::from);
        MetricRow {
            partner_id: id.into(),
            period: "FY2026-Q1".parse().unwrap(),
            as_of: chrono::NaiveDate::MIN,
            values,
            health: Health::default(),
        }
    }

    #[test]
    fn medians_and_percentiles_within_tiers() {
        let rows =
            vec![row("a", Some(10)), row("b", Some(20)), row("c", Some(30)), row("d", Some(40)), row("e", None), row("x", Some(1000))];
        let tiers: HashMap<&str, &str> =
            [("a", "Gold"), ("b", "Gold"), ("c", "Gold"), ("d", "Gold"), ("e", "Gold"), ("x", "Platinum")].into_iter().collect();
        let stats = peers(&rows, &tiers);
        let m = index_of("revenue").unwrap();
        assert_eq!(stats[0][m].tier_median, Some(Decimal::from(25)));
        let percentiles: Vec<Option<Decimal>> = stats.iter().map(|s| s[m].percentile).collect();
        assert_eq!(
            percentiles,
            vec![
                Some(Decimal::new(125, 1)),
                Some(Decimal::new(375, 1)),
                Some(Decimal::new(625, 1)),
                Some(Decimal::new(875, 1)),
                None,
                Some(Decimal::from(50))
            ]
        );
        assert_eq!(stats[5][m].tier_median, Some(Decimal::from(1000)), "a tier of one is its own median");
    }

    #[test]
    fn median_of_even_and_empty() {
        assert_eq!(median(&mut [Decimal::from(3), Decimal::ONE]), Some(Decimal::TWO));
        assert_eq!(median(&mut []), None);
    }
}
