//! Resolution: the opportunity rows of every source become golden records.
//!
//! Pure and deterministic. Rows with the same source and external id are versions of
//! one record (or partner links, when the partner differs: CRM reports list a deal
//! once per partner). A row quoting another source's id in `crm_opportunity_id`, or
//! sharing a `deal_registration_id`, is the same deal. Clusters never join two
//! different records of one source, so a shared key cannot chain two deals together.
//! Each field survives from the most trusted source (`[resolve] precedence`), then
//! the most recent update.

pub mod evaluate;
pub mod matching;
mod records;

pub use matching::{Facts, MatchSettings, Score};
pub use records::Records;

use std::collections::{BTreeMap, HashMap};

/// A hash map with a fast, fixed hasher (the keys are our own, not an attacker's).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;
/// A hash set with the same hasher.
type FastSet<T> = std::collections::HashSet<T, foldhash::fast::FixedState>;
use watershed_model::{Opportunity, OpportunityPartner, PartnerRole, SourceOpportunity, Symbol, Text};

/// One normalized opportunity row with its provenance.
#[derive(Debug, Clone)]
pub struct ResolveRecord {
    /// The raw record's id (lineage).
    pub record_id: i64,
    /// Source name.
    pub source: Symbol,
    /// Position of the source in `[resolve] precedence` (0 = most trusted).
    pub source_rank: usize,
    /// Arrival order: (input sequence, line). Later arrivals are more recent.
    pub arrival: (i64, u64),
    /// A stable key for rows without an external id (e.g. `sheets:3:17`); unused (and
    /// may be empty) when the row has one.
    pub fallback_key: Text,
    /// The normalized row.
    pub row: SourceOpportunity,
}

/// How a member record relates to its golden record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The record whose core fields (amount, stage, dates) survived.
    Survivor,
    /// An older or newer version of a record of the same source and external id.
    Version,
    /// Another partner's row of the same source record (a partner link).
    Link,
    /// The same deal reported by another source, merged.
    Duplicate,
}

impl Relation {
    /// Lower-case name, as stored in lineage.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Survivor => "survivor",
            Relation::Version => "version",
            Relation::Link => "link",
            Relation::Duplicate => "duplicate",
        }
    }
}

/// A golden record: the deal, its partner links and every record it came from.
#[derive(Debug, Clone)]
pub struct Golden {
    /// The surviving values.
    pub opportunity: Opportunity,
    /// Partner links, by partner id.
    pub partners: Vec<OpportunityPartner>,
    /// (record id, relation), survivor first.
    pub members: Vec<(i64, Relation)>,
    /// Why clusters were joined: (record id, the key that tied it), for `explain`.
    pub ties: Vec<(i64, String)>,
}

/// The sources of a cluster, one bit each (the configuration allows at most 64
/// opportunity sources; beyond that two would share a bit and key joins between them
/// would be refused).
type SourceSet = u64;

struct UnionFind {
    parent: Vec<usize>,
    sources: Vec<SourceSet>,
}

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Joins the clusters of `a` and `b` unless that would put two different records
    /// of one source into one cluster. Returns whether they are (now) joined.
    fn union(&mut self, a: usize, b: usize) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        if self.sources[ra] & self.sources[rb] != 0 {
            return false;
        }
        self.sources[ra] |= self.sources[rb];
        self.parent[rb] = ra;
        true
    }
}

/// Words too common to block on.
const STOP_WORDS: &[&str] = &["and", "the", "del", "des", "der", "die", "von", "und", "for", "les"];

/// The blocking keys of a customer: the first four letters of one of its first three
/// words with the initial of the next, around the circle ("rive|p" and "phar|r" for
/// Riverbend Pharmaceuticals). A typo or abbreviation in any one word leaves a key
/// that does not spell it; a pair of words is far more selective than a word alone
/// (city names and "Group" are shared by many customers). A one-word name blocks on
/// its first four letters.
fn block_keys(all: &[String]) -> Vec<String> {
    let words: Vec<&str> = all.iter().map(String::as_str).filter(|w| w.len() >= 2 && !STOP_WORDS.contains(w)).take(3).collect();
    let mut keys: Vec<String> = match words.as_slice() {
        // Only stop words or letters ("A & B"): the first four letters of the whole name.
        [] => {
            let joined: String = all.concat().chars().take(4).collect();
            if joined.is_empty() { Vec::new() } else { vec![joined] }
        }
        [only] => vec![only.chars().take(4).collect()],
        _ => (0..words.len())
            .map(|i| {
                let mut key: String = words[i].chars().take(4).collect();
                key.push('|');
                key.extend(words[(i + 1) % words.len()].chars().next());
                key
            })
            .collect(),
    };
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// A block key as a number: (partner, customer key) hashed.
fn block_hash(partner: &str, key: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one((partner, key))
}

/// What the quotes of CRM ids say about the sources, for the missing-id weight.
#[derive(Debug, Default, Clone, Copy)]
struct Quotes {
    /// Sources that quote a CRM id on a quarter of their rows or more.
    quoting: SourceSet,
    /// Sources whose external ids are quoted.
    quoted: SourceSet,
}

/// A pair worth deciding: (score, cluster, other cluster, score parts, a person's verdict).
type Candidate = (f64, usize, usize, Score, Option<bool>);

/// A cluster in a block, as the matcher scans it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    block: u64,
    /// Close date, in days.
    day: i32,
    cluster: u32,
    sources: SourceSet,
}

/// A person's decision on a pair of records, which beats the score in every run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumanDecision {
    /// One record's stable key (`source:external id`).
    pub left: String,
    /// The other's.
    pub right: String,
    /// Same deal (merge) or not (keep apart).
    pub same: bool,
}

/// What the matcher decided about one compared pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Score at or above the merge threshold: merged.
    Merged,
    /// Grey zone: queued for review, not merged.
    Review,
    /// A person said: the same deal.
    HumanMerged,
    /// A person said: different deals.
    HumanSplit,
    /// Scored above the merge threshold (or a person said "the same deal"), but a
    /// better match had already joined a record of the same source to one side (one
    /// deal is not reported twice by a source): not merged.
    Superseded,
    /// Scored above the merge threshold, but joining would put together two records a
    /// person said are different deals: not merged.
    KeptApart,
}

impl Decision {
    /// Lower-case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Merged => "merged",
            Decision::Review => "review",
            Decision::HumanMerged => "human_merged",
            Decision::HumanSplit => "human_split",
            Decision::Superseded => "superseded",
            Decision::KeptApart => "kept_apart",
        }
    }
}

/// A scored comparison worth keeping (merged, in review, or decided by a person).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchDecision {
    /// One side's stable key.
    pub left: String,
    /// The other side's.
    pub right: String,
    /// A record of each side: (left, right).
    pub records: (i64, i64),
    /// The score and its parts.
    pub score: Score,
    /// The decision.
    pub decision: Decision,
}

/// Golden records plus the matcher's decisions and effort.
#[derive(Debug)]
pub struct Resolution {
    /// Golden records, built as they are read.
    pub golden: GoldenRecords,
    /// Merged, review and human decisions of the scored matching.
    pub decisions: Vec<MatchDecision>,
    /// Pairs compared by the scored matching.
    pub comparisons: u64,
}

/// Resolves `records` with keys only (no scored matching), ordered by opportunity id.
pub fn resolve(records: &[ResolveRecord]) -> Vec<Golden> {
    resolve_with(records.iter().cloned().collect(), None, &[]).golden.iter().collect()
}

/// Resolves `records`: keys first, then — with `settings` — scored matching inside
/// blocks, with `humans`' decisions beating the score.
pub fn resolve_with(records: Records, settings: Option<&MatchSettings>, humans: &[HumanDecision]) -> Resolution {
    let (golden, decisions, comparisons) = resolve_records(&records, settings, humans);
    let golden = GoldenRecords { records, ..golden };
    Resolution { golden, decisions, comparisons }
}

/// [`resolve_with`]'s work, on borrowed records: the golden records' plan (with no
/// records yet), the matcher's decisions and its comparisons.
fn resolve_records(
    records: &Records,
    settings: Option<&MatchSettings>,
    humans: &[HumanDecision],
) -> (GoldenRecords, Vec<MatchDecision>, u64) {
    // 1. Records → groups (same source + external id).
    let mut group_of_key: FastMap<(&str, &str), usize> = FastMap::with_capacity_and_hasher(records.len(), Default::default());
    let mut group_key: Vec<(&str, &str)> = Vec::new();
    let mut record_group = Vec::with_capacity(records.len());
    for r in records.iter() {
        let id = r.row.external_id.as_deref().unwrap_or(&r.fallback_key);
        let next = group_key.len();
        let g = *group_of_key.entry((r.source.as_str(), id)).or_insert_with(|| {
            group_key.push((r.source.as_str(), id));
            next
        });
        record_group.push(g);
    }
    // Each step's index goes as soon as the step is done: at a million records they are
    // tens of MB each, and the golden records are built last, on top of what is left.
    drop(group_of_key);
    let mut source_bit: FastMap<&str, SourceSet> = FastMap::default();
    for (source, _) in &group_key {
        let next = source_bit.len() % 64;
        source_bit.entry(source).or_insert(1 << next);
    }
    let mut uf = UnionFind { parent: (0..group_key.len()).collect(), sources: group_key.iter().map(|(s, _)| source_bit[s]).collect() };
    let mut ties = Vec::new();
    // 2. CRM ids quoted by other sources: the quoted id's group in the most trusted source.
    let mut by_external: FastMap<&str, Vec<(usize, usize)>> = FastMap::with_capacity_and_hasher(records.len(), Default::default());
    for (i, r) in records.iter().enumerate() {
        if let Some(id) = r.row.external_id.as_deref() {
            let list = by_external.entry(id).or_default();
            if !list.iter().any(|(_, g)| *g == record_group[i]) {
                list.push((r.source_rank, record_group[i]));
            }
        }
    }
    for list in by_external.values_mut() {
        list.sort();
    }
    // Per source: rows, and rows quoting a CRM id (for the missing-id weight of step 4).
    let mut rows_and_quotes: FastMap<&str, (usize, usize)> = FastMap::default();
    let mut quotes = Quotes::default();
    for (i, r) in records.iter().enumerate() {
        let counts = rows_and_quotes.entry(r.source.as_str()).or_default();
        counts.0 += 1;
        let Some(crm_id) = r.row.crm_opportunity_id.as_deref() else { continue };
        counts.1 += 1;
        let Some(targets) = by_external.get(crm_id) else { continue };
        for (_, g) in targets {
            quotes.quoted |= source_bit[group_key[*g].0];
        }
        if let Some((_, target)) = targets.iter().find(|(_, g)| group_key[*g].0 != r.source)
            && uf.union(*target, record_group[i])
        {
            ties.push((r.record_id, format!("crm_opportunity_id {crm_id}")));
        }
    }
    drop(by_external);
    for (source, (rows, quoting)) in &rows_and_quotes {
        if quoting * 4 >= *rows {
            quotes.quoting |= source_bit[source];
        }
    }
    // 3. Shared deal registration ids.
    let mut by_registration: FastMap<&str, usize> = FastMap::default();
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by_key(|&i| (records[i].source_rank, records[i].arrival));
    for &i in &order {
        let r = &records[i];
        if let Some(reg) = r.row.deal_registration_id.as_deref() {
            match by_registration.get(reg) {
                Some(&first) => {
                    if uf.find(first) != uf.find(record_group[i]) && uf.union(first, record_group[i]) {
                        ties.push((r.record_id, format!("deal_registration_id {reg}")));
                    }
                }
                None => {
                    by_registration.insert(reg, record_group[i]);
                }
            }
        }
    }
    drop((by_registration, order));
    // 4. Scored matching of what keys did not join.
    let mut decisions = Vec::new();
    let mut comparisons = 0;
    if let Some(settings) = settings {
        comparisons =
            scored_matching(records, &record_group, &group_key, &source_bit, quotes, &mut uf, settings, humans, &mut decisions, &mut ties);
    }
    // 5. Clusters, from which golden records are built as they are read. A cluster's id
    // is its most trusted record's group key, known before the record is built: the
    // clusters (small) are ordered, by id or by first record, instead of the golden
    // records (hundreds of bytes each), which are never moved once built.
    let mut members: Vec<(usize, usize)> = record_group.iter().enumerate().map(|(i, g)| (uf.find(*g), i)).collect();
    members.sort_unstable();
    let mut clusters: Vec<ClusterSpan> = Vec::new();
    let mut start = 0;
    for cluster in members.chunk_by(|a, b| a.0 == b.0) {
        let survivor = cluster.iter().map(|(_, i)| *i).min_by(|&a, &b| trust_cmp(records, a, b)).unwrap_or(cluster[0].1);
        let (source, key) = group_key[record_group[survivor]];
        clusters.push((golden_id(source, key), start..start + cluster.len()));
        start += cluster.len();
    }
    // Golden records are independent: built on every core for large inputs.
    let asked = settings.map_or(0, |s| s.threads);
    let threads = if asked == 0 && clusters.len() < 20_000 { 1 } else { thread_count(asked) };
    let golden = GoldenRecords { records: Records::new(), record_group, members, clusters, ties: ties.into_iter().collect(), threads };
    (golden, decisions, comparisons)
}

/// A cluster to build a golden record from: its id, and where its members are in
/// [`GoldenRecords::members`].
type ClusterSpan = (Text, std::ops::Range<usize>);

/// Golden records built this many at a time (each part on every core): a part in
/// memory is tens of MB, where all of them at once would be hundreds.
const GOLDEN_PART: usize = 65_536;

/// The golden records of a resolution, built as they are read: a million golden records
/// are ~400 MB, and the caller (the pipeline) stores each and lets it go, so they are
/// never all in memory at once. They are built from the normalized records, which this
/// holds: [`GoldenRecords::drain_by_first_record`] frees them as it goes.
pub struct GoldenRecords {
    records: Records,
    record_group: Vec<usize>,
    /// (union-find root, record index) of every record, grouped by cluster, each cluster's
    /// in record order.
    members: Vec<(usize, usize)>,
    /// In the order of their union-find roots: [`GoldenRecords::iter`] orders them by id,
    /// [`GoldenRecords::drain_by_first_record`] by first record, each when it is asked.
    clusters: Vec<ClusterSpan>,
    /// Why clusters were joined, by record id.
    ties: FastMap<i64, String>,
    threads: usize,
}

/// Counts, not the records it holds (a million of them at 1M opportunities).
impl std::fmt::Debug for GoldenRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoldenRecords")
            .field("records", &self.records.len())
            .field("golden", &self.clusters.len())
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

/// A built golden record with the indices of its members' records, in the order of
/// [`Golden::members`].
type Built = (Golden, Vec<usize>);

impl GoldenRecords {
    /// How many golden records there are.
    pub fn len(&self) -> usize {
        self.clusters.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
    }

    /// How many partner links the golden records have (one per distinct partner of a
    /// cluster), counted without building them: for sizing what will store them.
    pub fn partner_links(&self) -> usize {
        let mut partners: Vec<Symbol> = Vec::new();
        self.clusters
            .iter()
            .map(|(_, span)| {
                partners.clear();
                partners.extend(self.members[span.clone()].iter().map(|(_, i)| self.records[*i].row.partner_id));
                partners.sort_unstable();
                partners.dedup();
                partners.len()
            })
            .sum()
    }

    /// The golden records, in id order, built a part at a time as the iterator goes.
    pub fn iter(&self) -> impl Iterator<Item = Golden> + '_ {
        self.in_parts(GOLDEN_PART)
    }

    /// [`GoldenRecords::iter`] with parts of `part` clusters.
    fn in_parts(&self, part: usize) -> impl Iterator<Item = Golden> + '_ {
        let part = part.max(1);
        // Ids are unique (each is its cluster's survivor's group key).
        let mut by_id: Vec<usize> = (0..self.clusters.len()).collect();
        by_id.sort_unstable_by(|&a, &b| self.clusters[a].0.cmp(&self.clusters[b].0));
        (0..by_id.len()).step_by(part).flat_map(move |start| {
            let clusters = &by_id[start..by_id.len().min(start.saturating_add(part))];
            self.build_part(clusters).into_iter().flatten().map(|(golden, _)| golden)
        })
    }

    /// Hands every golden record to `each` with its members' records (in the order of
    /// [`Golden::members`]), in the order of their first record (the earliest of their
    /// members), built a part at a time on every core, and frees the normalized records
    /// as it goes: a record belongs to a golden record whose first record is the same or
    /// earlier, so once the golden records beginning before record `n` are handed over,
    /// no record before `n` is needed again. Stops at the first error `each` returns.
    pub fn drain_by_first_record<E>(self, each: impl FnMut(Golden, &[&ResolveRecord]) -> Result<(), E>) -> Result<(), E> {
        self.drain_in_parts(GOLDEN_PART, each).map(|_| ())
    }

    /// [`GoldenRecords::drain_by_first_record`] with parts of `part` golden records.
    /// Returns how many parts of the records were freed before the last golden record
    /// was handed over.
    fn drain_in_parts<E>(mut self, part: usize, mut each: impl FnMut(Golden, &[&ResolveRecord]) -> Result<(), E>) -> Result<usize, E> {
        let part = part.max(1);
        // A cluster's members are in record order, so its first member is its first record.
        let mut order: Vec<(usize, usize)> = (0..self.clusters.len()).map(|c| (self.members[self.clusters[c].1.start].1, c)).collect();
        order.sort_unstable();
        let (firsts, order): (Vec<usize>, Vec<usize>) = order.into_iter().unzip();
        let mut freed_early = 0;
        for (n, clusters) in order.chunks(part).enumerate() {
            // Reused from golden record to golden record within the part; it borrows the
            // records, which are freed between parts.
            let mut member_records: Vec<&ResolveRecord> = Vec::new();
            for (golden, indices) in self.build_part(clusters).into_iter().flatten() {
                member_records.clear();
                member_records.extend(indices.iter().map(|&i| &self.records[i]));
                each(golden, &member_records)?;
            }
            drop(member_records);
            match firsts.get((n + 1) * part) {
                Some(&next) => freed_early += self.records.free_before(next),
                None => break,
            }
        }
        Ok(freed_early)
    }

    /// The golden records of clusters `part` (indices into `clusters`), on `threads`
    /// cores, in the part's order (one vector per thread: joining them would copy every
    /// record once more).
    fn build_part(&self, part: &[usize]) -> Vec<Vec<Built>> {
        let build = |clusters: &[usize]| -> Vec<Built> {
            clusters
                .iter()
                .map(|&c| {
                    let (id, span) = &self.clusters[c];
                    let list = self.members[span.clone()].iter().map(|(_, i)| *i).collect();
                    build_golden(&self.records, &self.record_group, id, list, &self.ties)
                })
                .collect()
        };
        let pieces: Vec<&[usize]> =
            if self.threads <= 1 { vec![part] } else { part.chunks(part.len().div_ceil(self.threads).max(1)).collect() };
        on_threads(pieces, build)
    }
}

/// Compares clusters that share a partner and have close dates within the window, and
/// joins those that score at or above the merge threshold (best first, so the
/// chaining guard keeps the better match). Returns the number of comparisons.
#[allow(clippy::too_many_arguments)]
fn scored_matching(
    records: &Records,
    record_group: &[usize],
    group_key: &[(&str, &str)],
    source_bit: &FastMap<&str, SourceSet>,
    quotes: Quotes,
    uf: &mut UnionFind,
    settings: &MatchSettings,
    humans: &[HumanDecision],
    decisions: &mut Vec<MatchDecision>,
    ties: &mut Vec<(i64, String)>,
) -> u64 {
    // Clusters (by union-find root): members[member_start[c]..member_start[c + 1]], the
    // most trusted first, which represents the cluster.
    let mut by_root: Vec<(usize, usize)> = record_group.iter().enumerate().map(|(i, g)| (uf.find(*g), i)).collect();
    by_root.sort_unstable();
    let mut members: Vec<usize> = Vec::with_capacity(by_root.len());
    let mut member_start: Vec<usize> = Vec::new();
    let mut roots: Vec<usize> = Vec::new();
    for cluster in by_root.chunk_by(|a, b| a.0 == b.0) {
        roots.push(cluster[0].0);
        member_start.push(members.len());
        members.extend(cluster.iter().map(|(_, i)| *i));
    }
    member_start.push(members.len());
    drop(by_root);
    let clusters = roots.len();
    // Blocks: (partner, a pair of customer words). Two clusters are compared only when
    // they share a block and close within the window. Each cluster's representative,
    // facts, customer words and block keys are worked out on every core, a run of
    // clusters each, and joined in cluster order.
    let threads = if settings.threads == 0 && clusters < 10_000 { 1 } else { thread_count(settings.threads) };
    let per_thread = clusters.div_ceil(threads.max(1)).max(1);
    let mut runs: Vec<(std::ops::Range<usize>, &mut [usize])> = Vec::with_capacity(threads);
    let mut rest: &mut [usize] = &mut members;
    for first in (0..clusters).step_by(per_thread) {
        let last = (first + per_thread).min(clusters);
        let (head, tail) = rest.split_at_mut(member_start[last] - member_start[first]);
        runs.push((first..last, head));
        rest = tail;
    }
    let setups: Vec<ClusterSetup> =
        on_threads(runs, |(range, list)| cluster_setup(records, range, list, &member_start, &roots, &uf.sources));
    let mut representative: Vec<usize> = Vec::with_capacity(clusters);
    let mut facts: Vec<Facts> = Vec::with_capacity(clusters);
    let mut names: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut name_of: Vec<u32> = Vec::with_capacity(clusters);
    // Each cluster's block keys, sorted: keys[key_start[c]..key_start[c + 1]].
    let mut keys: Vec<u64> = Vec::with_capacity(setups.iter().map(|s| s.keys.len()).sum());
    let mut key_start: Vec<usize> = Vec::with_capacity(clusters + 1);
    let mut singletons: FastMap<SourceSet, usize> = FastMap::default();
    for setup in setups {
        let (name_offset, key_offset) = (names.len() as u32, keys.len());
        representative.extend(setup.representative);
        facts.extend(setup.facts);
        names.extend(setup.names);
        name_of.extend(setup.name_of.iter().map(|n| n + name_offset));
        keys.extend(setup.keys);
        key_start.extend(setup.key_start.iter().map(|k| k + key_offset));
        for (set, n) in setup.singletons {
            *singletons.entry(set).or_default() += n;
        }
    }
    key_start.push(keys.len());
    let keys_of = |c: usize| &keys[key_start[c]..key_start[c + 1]];
    // The source most clusters come from alone (the CRM, typically): its clusters never
    // meet each other, so the scan starts from every other cluster only.
    let dominant = singletons.iter().max_by_key(|(set, n)| (**n, std::cmp::Reverse(**set))).map_or(0, |(set, _)| *set);
    // So a block none of the other clusters is in holds no comparison: the dominant
    // source's clusters are entered only in blocks another cluster is in (at 1M
    // opportunities most of their entries, which would be sorted and kept for nothing).
    // (Without a dominant source nothing is left out, and the set is not built.)
    let others_blocks: FastSet<u64> = if dominant == 0 {
        FastSet::default()
    } else {
        (0..clusters).filter(|&c| uf.sources[roots[c]] != dominant).flat_map(|c| keys_of(c).iter().copied()).collect()
    };
    let others = &others_blocks;
    let entered = |c: usize| {
        let sources = uf.sources[roots[c]];
        keys_of(c).iter().filter(move |block| dominant == 0 || sources != dominant || others.contains(block))
    };
    // Counted first and allocated once: grown by doubling, the list (2.2M entries, 52 MB
    // at 1M) was copied into one twice its size, both resident at the stage's peak.
    let mut entries: Vec<Entry> = Vec::with_capacity((0..clusters).map(|c| entered(c).count()).sum());
    for (c, f) in facts.iter().enumerate() {
        let (sources, day) = (uf.sources[roots[c]], f.close_day());
        entries.extend(entered(c).map(|&block| Entry { block, day, cluster: c as u32, sources }));
    }
    drop(others_blocks);
    // Sorted on two cores: the entries whose block's top bit is clear go first (the
    // block leads the order, so the two halves sorted apart are the whole sorted). The
    // order is total (a cluster is in a block once), so it does not depend on the sort.
    let by_block = |e: &Entry| (e.block, e.day, e.cluster);
    if threads > 1 {
        let low_count = partition_by_top_bit(&mut entries);
        let (low, high) = entries.split_at_mut(low_count);
        std::thread::scope(|scope| {
            scope.spawn(|| low.sort_unstable_by_key(by_block));
            high.sort_unstable_by_key(by_block);
        });
    } else {
        entries.sort_unstable_by_key(by_block);
    }
    let key_of = |i: usize| {
        let (s, k) = group_key[record_group[i]];
        golden_id(s, k).into_string()
    };
    let human: FastMap<(String, String), bool> = humans
        .iter()
        .map(|h| if h.left <= h.right { ((h.left.clone(), h.right.clone()), h.same) } else { ((h.right.clone(), h.left.clone()), h.same) })
        .collect();
    // A source that quotes the CRM's id on a quarter of its rows or more, and did not on
    // this one, is telling something: the deal is likely not in the CRM. Such a cluster (one
    // record group, no quoted id) meeting a cluster of a quoted source gets UNQUOTED_WEIGHT.
    let unquoted: Vec<bool> = (0..clusters)
        .map(|c| {
            let list = &members[member_start[c]..member_start[c + 1]];
            let group = record_group[list[0]];
            source_bit[records[list[0]].source.as_str()] & quotes.quoting != 0
                && list.iter().all(|&i| record_group[i] == group && records[i].row.crm_opportunity_id.is_none())
        })
        .collect();
    let penalty = |a: usize, b: usize| -> f64 {
        let lone = |x: usize, y: usize| unquoted[x] && uf.sources[roots[y]] & quotes.quoted != 0;
        if lone(a, b) || lone(b, a) { matching::UNQUOTED_WEIGHT } else { 0.0 }
    };
    let window = i32::try_from(settings.date_window_days.clamp(0, i64::from(i32::MAX))).unwrap_or(i32::MAX);
    // Scans blocks: the pairs worth deciding (at or above the review threshold, or
    // decided by a person) and the number of comparisons made.
    let scan = |part: &[Entry]| -> (Vec<Candidate>, u64) {
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut comparisons = 0u64;
        let mut compare = |block: u64, a: usize, b: usize| {
            // Clusters that share several blocks meet in each: compare them only in the
            // first they share (no set of seen pairs to keep).
            if first_common(keys_of(a), keys_of(b)) != Some(block) {
                return;
            }
            comparisons += 1;
            let verdict = if human.is_empty() {
                None
            } else {
                let (ka, kb) = (key_of(representative[a]), key_of(representative[b]));
                human.get(&if ka <= kb { (ka, kb) } else { (kb, ka) }).copied()
            };
            // A person's decision is kept whatever the score; otherwise pairs that cannot
            // reach the review threshold are dropped before the name comparison.
            let extra = penalty(a, b);
            if verdict.is_none() && !matching::can_reach(&facts[a], &facts[b], settings.review_threshold - extra) {
                return;
            }
            let (wa, wb) = (&names[name_of[a] as usize].0, &names[name_of[b] as usize].0);
            let mut sc = matching::score_words(wa, &facts[a], wb, &facts[b]);
            if extra != 0.0 {
                sc.parts.push(("unquoted_id", extra));
                sc.total += extra;
            }
            if verdict.is_some() || sc.total >= settings.review_threshold {
                candidates.push((sc.total, a.min(b), a.max(b), sc, verdict));
            }
        };
        let mut start = 0;
        while start < part.len() {
            let block = part[start].block;
            let end = start + part[start..].iter().take_while(|e| e.block == block).count();
            let run = &part[start..end];
            for (i, e) in run.iter().enumerate() {
                if e.sources == dominant {
                    continue;
                }
                // Later closes: every cluster of other sources. Earlier closes: only the
                // dominant source's (pairs of two other clusters were met from the earlier one).
                for o in run[i + 1..].iter().take_while(|o| o.day - e.day <= window) {
                    if o.sources & e.sources == 0 {
                        compare(block, e.cluster as usize, o.cluster as usize);
                    }
                }
                for o in run[..i].iter().rev().take_while(|o| e.day - o.day <= window) {
                    if o.sources == dominant && o.sources & e.sources == 0 {
                        compare(block, e.cluster as usize, o.cluster as usize);
                    }
                }
            }
            start = end;
        }
        (candidates, comparisons)
    };
    // Blocks are independent: one part per core, cut at block boundaries.
    let threads = if settings.threads == 0 && entries.len() < 10_000 { 1 } else { thread_count(settings.threads) };
    let mut parts: Vec<&[Entry]> = Vec::with_capacity(threads);
    let mut rest: &[Entry] = &entries;
    for t in (1..threads).rev() {
        let mut cut = rest.len() / (t + 1);
        while cut < rest.len() && cut > 0 && rest[cut].block == rest[cut - 1].block {
            cut += 1;
        }
        let (head, tail) = rest.split_at(cut);
        parts.push(head);
        rest = tail;
    }
    parts.push(rest);
    let results: Vec<(Vec<Candidate>, u64)> = on_threads(parts, scan);
    let comparisons: u64 = results.iter().map(|(_, n)| n).sum();
    let mut candidates: Vec<Candidate> = results.into_iter().flat_map(|(c, _)| c).collect();
    // People first, then the best scores.
    candidates.sort_by(|a, b| b.4.is_some().cmp(&a.4.is_some()).then(b.0.total_cmp(&a.0)).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    // Pairs a person kept apart (as union-find nodes): no later join may bring them together,
    // not even through a third record. People's decisions come first, so all are known
    // before any score joins anything.
    let mut kept_apart: Vec<(usize, usize)> = Vec::new();
    for (total, a, b, sc, verdict) in candidates {
        let (ra, rb) = (representative[a], representative[b]);
        let (a, b) = (roots[a], roots[b]);
        let decision = match verdict {
            Some(true) => Decision::HumanMerged,
            Some(false) => {
                kept_apart.push((a, b));
                Decision::HumanSplit
            }
            None if total >= settings.merge_threshold => Decision::Merged,
            None => Decision::Review,
        };
        let vetoed = |uf: &mut UnionFind| {
            let (x, y) = (uf.find(a), uf.find(b));
            kept_apart.iter().any(|&(p, q)| {
                let (p, q) = (uf.find(p), uf.find(q));
                (p == x && q == y) || (p == y && q == x)
            })
        };
        let decision = match decision {
            // Already together through other matches: nothing to join, no tie to record.
            Decision::Merged | Decision::HumanMerged if uf.find(a) == uf.find(b) => decision,
            Decision::Merged if vetoed(uf) => Decision::KeptApart,
            Decision::Merged | Decision::HumanMerged if uf.union(a, b) => {
                ties.push((records[rb].record_id, format!("match score {}", sc.describe())));
                decision
            }
            // A better match already joined a record of the same source.
            Decision::Merged | Decision::HumanMerged => Decision::Superseded,
            other => other,
        };
        decisions.push(MatchDecision {
            left: key_of(ra),
            right: key_of(rb),
            records: (records[ra].record_id, records[rb].record_id),
            score: sc,
            decision,
        });
    }
    comparisons
}

/// Puts the entries whose block's top bit is clear before the others; returns how many
/// there are.
fn partition_by_top_bit(entries: &mut [Entry]) -> usize {
    let (mut low, mut high) = (0, entries.len());
    while low < high {
        if entries[low].block >> 63 == 0 {
            low += 1;
        } else {
            high -= 1;
            entries.swap(low, high);
        }
    }
    low
}

/// What the matcher works out for a run of clusters (`cluster_setup`), indexed from the
/// run's first cluster: joined in cluster order, names and keys offset.
struct ClusterSetup {
    representative: Vec<usize>,
    facts: Vec<Facts>,
    /// Each distinct customer name's words and block keys, and each cluster's name.
    names: Vec<(Vec<String>, Vec<String>)>,
    name_of: Vec<u32>,
    /// Each cluster's sorted, distinct block keys: keys[key_start[c]..key_start[c + 1]]
    /// (one start per cluster; the end of the last is `keys.len()`).
    keys: Vec<u64>,
    key_start: Vec<usize>,
    /// Clusters of a single source, by source.
    singletons: FastMap<SourceSet, usize>,
}

/// The clusters `range`, whose members (`list`, from `member_start[range.start]` on) are
/// put in trust order here: each one's representative (its most trusted record), facts,
/// customer words and block keys (partner × pair of words).
fn cluster_setup(
    records: &Records,
    range: std::ops::Range<usize>,
    list: &mut [usize],
    member_start: &[usize],
    roots: &[usize],
    sources_of: &[SourceSet],
) -> ClusterSetup {
    let offset = member_start[range.start];
    let mut setup = ClusterSetup {
        representative: Vec::with_capacity(range.len()),
        facts: Vec::with_capacity(range.len()),
        names: Vec::new(),
        name_of: Vec::with_capacity(range.len()),
        keys: Vec::new(),
        key_start: Vec::with_capacity(range.len()),
        singletons: FastMap::default(),
    };
    // Customer names repeat (one customer, many deals): their words and block keys are
    // worked out once per name.
    let mut name_index: FastMap<&str, u32> = FastMap::default();
    let mut partners: Vec<&str> = Vec::new();
    for c in range {
        let members = &mut list[member_start[c] - offset..member_start[c + 1] - offset];
        trust_order(records, members);
        let rep = members[0];
        let row = &records[rep].row;
        let name = *name_index.entry(row.customer_name.as_str()).or_insert_with(|| {
            let words = matching::customer_words(&row.customer_name);
            let blocks = block_keys(&words);
            setup.names.push((words, blocks));
            (setup.names.len() - 1) as u32
        });
        partners.clear();
        partners.extend(members.iter().map(|&i| records[i].row.partner_id.as_str()));
        partners.sort_unstable();
        partners.dedup();
        let keys = &mut setup.keys;
        setup.key_start.push(keys.len());
        let first = keys.len();
        let words = &setup.names[name as usize].1;
        keys.extend(partners.iter().flat_map(|p| words.iter().map(move |w| block_hash(p, w))));
        keys[first..].sort_unstable();
        // Deduplicated in place (a cluster's keys repeat when its partners share words).
        let mut kept = first;
        for at in first..keys.len() {
            if kept == first || keys[at] != keys[kept - 1] {
                keys[kept] = keys[at];
                kept += 1;
            }
        }
        keys.truncate(kept);
        let sources = sources_of[roots[c]];
        if sources.count_ones() == 1 {
            *setup.singletons.entry(sources).or_default() += 1;
        }
        setup.representative.push(rep);
        setup.name_of.push(name);
        setup.facts.push(Facts::of_row(row));
    }
    setup
}

/// Threads for the matcher's parallel parts: `asked`, or one per core (at most 8) when 0.
fn thread_count(asked: usize) -> usize {
    match asked {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8),
        n => n,
    }
}

/// Runs `work` on every part (a slice, or anything a thread can take, such as a
/// mutable slice), each on a thread of its own when there are several; the results come
/// back in the order of the parts.
fn on_threads<P: Send, R: Send>(mut parts: Vec<P>, work: impl Fn(P) -> R + Sync) -> Vec<R> {
    if parts.len() == 1 {
        return parts.pop().map(&work).into_iter().collect();
    }
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts.into_iter().map(|part| scope.spawn(move || work(part))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// The smallest key two sorted key lists share.
fn first_common(a: &[u64], b: &[u64]) -> Option<u64> {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return Some(a[i]),
        }
    }
    None
}

/// Most trusted first: source precedence, then the latest update, then the latest arrival.
fn trust_order<R: std::ops::Index<usize, Output = ResolveRecord> + ?Sized>(records: &R, members: &mut [usize]) {
    members.sort_by(|&a, &b| trust_cmp(records, a, b));
}

/// Whether record `a` is more trusted than `b` (`Less`): see [`trust_order`].
fn trust_cmp<R: std::ops::Index<usize, Output = ResolveRecord> + ?Sized>(records: &R, a: usize, b: usize) -> std::cmp::Ordering {
    let (ra, rb) = (&records[a], &records[b]);
    ra.source_rank.cmp(&rb.source_rank).then_with(|| rb.row.updated_at.cmp(&ra.row.updated_at)).then_with(|| rb.arrival.cmp(&ra.arrival))
}

/// A golden record's id: `source:key` of its survivor's group (`crm:0065g…`).
fn golden_id(source: &str, key: &str) -> Text {
    let mut id = Text::with_capacity(source.len() + 1 + key.len());
    id.push_str(source);
    id.push(':');
    id.push_str(key);
    id
}

fn build_golden(records: &Records, record_group: &[usize], id: &Text, mut members: Vec<usize>, ties: &FastMap<i64, String>) -> Built {
    trust_order(records, &mut members);
    let survivor = &records[members[0]];
    let rows = || members.iter().map(|&i| &records[i].row);
    let first = |f: fn(&SourceOpportunity) -> Option<&Text>| rows().find_map(f).cloned();
    let first_symbol = |f: fn(&SourceOpportunity) -> Option<Symbol>| rows().find_map(f);
    let product = rows().find(|r| r.product_id.is_some());
    let opportunity = Opportunity {
        opportunity_id: id.clone(),
        name: first(|r| r.name.as_ref()),
        customer_name: survivor.row.customer_name.clone(),
        customer_country: first_symbol(|r| r.customer_country),
        region: first_symbol(|r| r.region),
        industry: first_symbol(|r| r.industry),
        product_id: product.and_then(|r| r.product_id),
        product_family: product.and_then(|r| r.product_family),
        amount: survivor.row.amount,
        amount_original: survivor.row.amount_original,
        currency: survivor.row.currency,
        stage: survivor.row.stage,
        created_date: rows().find_map(|r| r.created_date),
        close_date: survivor.row.close_date,
        deal_registration_id: first(|r| r.deal_registration_id.as_ref()),
        updated_at: rows().find_map(|r| r.updated_at),
    };
    // Partner links: per partner, role and split from its most trusted row that states them.
    let mut links: BTreeMap<&str, (Option<PartnerRole>, Option<rust_decimal::Decimal>)> = BTreeMap::new();
    for r in rows() {
        let link = links.entry(r.partner_id.as_str()).or_insert((None, None));
        link.0 = link.0.or(r.partner_role);
        link.1 = link.1.or(r.partner_split);
    }
    let partners = links
        .into_iter()
        .map(|(partner_id, (role, split))| OpportunityPartner {
            opportunity_id: opportunity.opportunity_id.clone(),
            partner_id: Text::from(partner_id),
            role: role.unwrap_or(PartnerRole::Sourced),
            split: split.unwrap_or(rust_decimal::Decimal::ONE),
        })
        .collect();
    let survivor_group = record_group[members[0]];
    let mut seen: Vec<(usize, &str)> = Vec::new();
    let mut member_list = Vec::with_capacity(members.len());
    let mut member_ties = Vec::new();
    for (n, &i) in members.iter().enumerate() {
        let r = &records[i];
        let g = record_group[i];
        let relation = if n == 0 {
            Relation::Survivor
        } else if seen.iter().any(|(sg, p)| *sg == g && *p == r.row.partner_id) {
            Relation::Version
        } else if seen.iter().any(|(sg, _)| *sg == g) {
            Relation::Link
        } else if g == survivor_group {
            Relation::Version
        } else {
            Relation::Duplicate
        };
        seen.push((g, r.row.partner_id.as_str()));
        member_list.push((r.record_id, relation));
        if let Some(t) = ties.get(&r.record_id) {
            member_ties.push((r.record_id, t.clone()));
        }
    }
    (Golden { opportunity, partners, members: member_list, ties: member_ties }, members)
}

/// Which record a golden field survived from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSource {
    /// The golden field.
    pub field: &'static str,
    /// The record that provided it (None: no member has a value).
    pub record_id: Option<i64>,
    /// Why that record: `survivor` (most trusted, most recent) or `first with a value`.
    pub rule: &'static str,
}

/// Fields taken from the survivor as a whole, so that amount, currency and stage stay consistent.
const SURVIVOR_FIELDS: &[&str] = &["customer_name", "amount", "amount_original", "currency", "stage", "close_date"];

/// Fields taken from the most trusted member that has a value.
/// A field and whether a row has a value for it.
type FieldPresence = (&'static str, fn(&SourceOpportunity) -> bool);

const OPTIONAL_FIELDS: &[FieldPresence] = &[
    ("name", |r| r.name.is_some()),
    ("customer_country", |r| r.customer_country.is_some()),
    ("region", |r| r.region.is_some()),
    ("industry", |r| r.industry.is_some()),
    ("product_id", |r| r.product_id.is_some()),
    ("created_date", |r| r.created_date.is_some()),
    ("deal_registration_id", |r| r.deal_registration_id.is_some()),
    ("updated_at", |r| r.updated_at.is_some()),
];

/// The survivorship decision per field for the members of one golden record (any
/// order): the same rules [`resolve`] applies, spelled out for `explain`.
pub fn survivorship(members: &[ResolveRecord]) -> Vec<FieldSource> {
    let mut order: Vec<usize> = (0..members.len()).collect();
    trust_order(members, &mut order);
    let survivor = order.first().map(|&i| members[i].record_id);
    let mut out: Vec<FieldSource> =
        SURVIVOR_FIELDS.iter().map(|f| FieldSource { field: f, record_id: survivor, rule: "survivor" }).collect();
    for (field, has) in OPTIONAL_FIELDS {
        let record_id = order.iter().map(|&i| &members[i]).find(|r| has(&r.row)).map(|r| r.record_id);
        out.push(FieldSource { field, record_id, rule: "first with a value" });
    }
    out
}

#[cfg(test)]
mod tests;
