//! The normalize stage's pure part: every row of an input normalized and validated,
//! on every available core (the rows are independent; the results keep row order).

use crate::Outcome;
use std::borrow::Cow;
use watershed_model::{Cells, Entity};
use watershed_normalize::{InputContext, Lookups, normalize_entity_row, normalize_opportunity};
use watershed_validate::QualityRules;

/// Fewer rows than this are not worth a thread.
const ROWS_PER_THREAD: usize = 4096;

/// Every row of an input normalized and validated, in row order.
pub(crate) fn normalize_rows(ctx: &InputContext, lookups: &Lookups, rules: &QualityRules, cells: &[Cow<'_, Cells>]) -> Vec<Outcome> {
    let one = |values: &Cow<'_, Cells>| outcome(ctx, lookups, rules, values);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(cells.len() / ROWS_PER_THREAD).max(1);
    if threads == 1 {
        return cells.iter().map(one).collect();
    }
    let chunk = cells.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = cells.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<Outcome>>())).collect();
        let mut out = Vec::with_capacity(cells.len());
        for h in handles {
            out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}

/// One row normalized and validated.
fn outcome(ctx: &InputContext, lookups: &Lookups, rules: &QualityRules, values: &Cells) -> Outcome {
    if ctx.entity == Entity::Opportunities {
        match normalize_opportunity(ctx, lookups, values) {
            Ok(row) => {
                let v = watershed_validate::check_opportunity(rules, &row);
                Outcome::Opportunity(Box::new(row), v)
            }
            Err(r) => Outcome::Rejected(r),
        }
    } else {
        match normalize_entity_row(ctx, lookups, values) {
            Ok(row) => {
                let v = watershed_validate::check_entity_row(rules, ctx.entity, &row);
                Outcome::Entity(row, v)
            }
            Err(r) => Outcome::Rejected(r),
        }
    }
}
