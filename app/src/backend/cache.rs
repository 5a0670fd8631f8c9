//! In-process caches for repeated reads: the signed-in viewer of a session and rendered pages.
//!
//! Correctness rests on one rule: every entry records the *write generation* it was computed at,
//! and every state-changing request that goes through this server bumps the generation once it
//! has finished (see the server's request middleware). An entry of an older generation is never
//! served, so a write is visible on the very next request. Entries also expire after a short
//! time, which bounds staleness for what no request here changes: time passing (a meeting moving
//! from "upcoming" to "past"), the `concerto` command line, or a second server process on the
//! same database.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::api::session::Viewer;

/// Counts writes; caches compare it with the generation of their entries.
#[derive(Debug, Default)]
pub struct Generation(AtomicU64);

impl Generation {
    /// The current generation: read it *before* reading what is about to be cached.
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Marks every cached entry as outdated: call it *after* a write has been committed.
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

struct Slot<V> {
    value: V,
    generation: u64,
    expires: Instant,
    weight: usize,
}

struct Slots<K, V> {
    map: HashMap<K, Slot<V>>,
    weight: usize,
}

/// A map whose entries expire after `ttl` or when the write generation moves, holding at most
/// `budget` units of weight (bytes, for pages). A zero `ttl` disables it.
pub struct TtlCache<K, V> {
    ttl: Duration,
    budget: usize,
    slots: Mutex<Slots<K, V>>,
}

impl<K: Hash + Eq + Clone, V: Clone> TtlCache<K, V> {
    /// An empty cache.
    pub fn new(ttl: Duration, budget: usize) -> Self {
        TtlCache {
            ttl,
            budget,
            slots: Mutex::new(Slots {
                map: HashMap::new(),
                weight: 0,
            }),
        }
    }

    /// Whether the cache keeps anything at all.
    pub fn is_enabled(&self) -> bool {
        !self.ttl.is_zero() && self.budget > 0
    }

    /// The value for `key` if it was computed at `generation` and has not expired.
    pub fn get<Q>(&self, key: &Q, generation: u64) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if !self.is_enabled() {
            return None;
        }
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let slot = slots.map.get(key)?;
        if slot.generation == generation && slot.expires > Instant::now() {
            return Some(slot.value.clone());
        }
        // Outdated: dropped now rather than when the budget runs out.
        if let Some(slot) = slots.map.remove(key) {
            slots.weight -= slot.weight;
        }
        None
    }

    /// Keeps `value`, computed at `generation`, until the cache's time-to-live has passed or
    /// `not_after`, whichever comes first.
    pub fn insert(
        &self,
        key: K,
        value: V,
        generation: u64,
        weight: usize,
        not_after: Option<Instant>,
    ) {
        if !self.is_enabled() || weight > self.budget {
            return;
        }
        let now = Instant::now();
        let mut expires = now + self.ttl;
        if let Some(limit) = not_after {
            expires = expires.min(limit);
        }
        if expires <= now {
            return;
        }
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = slots.map.remove(&key) {
            slots.weight -= old.weight;
        }
        if slots.weight + weight > self.budget {
            // First drop what can no longer be served, then the entries closest to expiry.
            slots
                .map
                .retain(|_, slot| slot.generation == generation && slot.expires > now);
            slots.weight = slots.map.values().map(|slot| slot.weight).sum();
            if slots.weight + weight > self.budget {
                let mut by_expiry: Vec<(Instant, K)> = slots
                    .map
                    .iter()
                    .map(|(key, slot)| (slot.expires, key.clone()))
                    .collect();
                by_expiry.sort_by_key(|(expires, _)| *expires);
                for (_, key) in by_expiry {
                    if slots.weight + weight <= self.budget {
                        break;
                    }
                    if let Some(slot) = slots.map.remove(&key) {
                        slots.weight -= slot.weight;
                    }
                }
            }
        }
        slots.weight += weight;
        slots.map.insert(
            key,
            Slot {
                value,
                generation,
                expires,
                weight,
            },
        );
    }

    /// Number of entries held (tests).
    pub fn len(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map
            .len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A rendered page kept for its session: headers and body, with the places where the request's
/// CSP nonce appeared, so that every response served from it carries a fresh nonce.
#[derive(Debug)]
pub struct CachedPage {
    /// Response headers as rendered (content type and the like; never `Set-Cookie`).
    pub headers: http::HeaderMap,
    /// The body split at each occurrence of the nonce.
    pub pieces: Vec<Vec<u8>>,
}

impl CachedPage {
    /// Splits `body` at every occurrence of `nonce`.
    pub fn new(headers: http::HeaderMap, body: &[u8], nonce: &str) -> CachedPage {
        let needle = nonce.as_bytes();
        let mut pieces = Vec::new();
        let mut start = 0;
        let mut at = 0;
        if !needle.is_empty() {
            while at + needle.len() <= body.len() {
                if &body[at..at + needle.len()] == needle {
                    pieces.push(body[start..at].to_vec());
                    at += needle.len();
                    start = at;
                } else {
                    at += 1;
                }
            }
        }
        pieces.push(body[start..].to_vec());
        CachedPage { headers, pieces }
    }

    /// The body with `nonce` where the original nonce was.
    pub fn body_with(&self, nonce: &str) -> Vec<u8> {
        let size =
            self.pieces.iter().map(Vec::len).sum::<usize>() + nonce.len() * (self.pieces.len() - 1);
        let mut body = Vec::with_capacity(size);
        for (n, piece) in self.pieces.iter().enumerate() {
            if n > 0 {
                body.extend_from_slice(nonce.as_bytes());
            }
            body.extend_from_slice(piece);
        }
        body
    }

    /// Bytes held.
    pub fn weight(&self) -> usize {
        self.pieces.iter().map(Vec::len).sum::<usize>() + 256
    }
}

/// The caches of one server process.
pub struct Caches {
    /// The write generation.
    pub generation: Generation,
    /// Session token → the signed-in viewer (saves three queries per request).
    pub viewers: TtlCache<String, Viewer>,
    /// (session, anti-forgery token, URI) → the page rendered for that session.
    pub pages: TtlCache<String, std::sync::Arc<CachedPage>>,
}

/// Longest time a viewer is kept (a change of role made elsewhere shows within this delay).
const VIEWER_TTL: Duration = Duration::from_secs(10);
/// Most viewers kept.
const VIEWER_BUDGET: usize = 10_000;
/// Most bytes of pages kept.
const PAGE_BUDGET: usize = 32 * 1024 * 1024;

impl Caches {
    /// Caches whose pages live `ttl` (zero turns both caches off).
    pub fn new(ttl: Duration) -> Caches {
        Caches {
            generation: Generation::default(),
            viewers: TtlCache::new(ttl.min(VIEWER_TTL), VIEWER_BUDGET),
            pages: TtlCache::new(ttl, PAGE_BUDGET),
        }
    }

    /// The key of a page for a session.
    pub fn page_key(session: &str, csrf: &str, uri: &str) -> String {
        format!("{session}\n{csrf}\n{uri}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_outdates_every_entry() {
        let generation = Generation::default();
        let cache = TtlCache::new(Duration::from_secs(60), 100);
        cache.insert("a", 1, generation.current(), 1, None);
        assert_eq!(cache.get(&"a", generation.current()), Some(1));
        generation.bump();
        assert_eq!(cache.get(&"a", generation.current()), None);
        assert!(cache.is_empty(), "outdated entries are dropped when met");
    }

    #[test]
    fn entries_expire() {
        let cache = TtlCache::new(Duration::from_secs(60), 100);
        cache.insert("a", 1, 0, 1, Some(Instant::now()));
        assert_eq!(
            cache.get(&"a", 0),
            None,
            "an entry never outlives not_after"
        );
        let short = TtlCache::new(Duration::from_millis(1), 100);
        short.insert("b", 2, 0, 1, None);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(short.get(&"b", 0), None);
    }

    #[test]
    fn zero_ttl_disables() {
        let cache = TtlCache::new(Duration::ZERO, 100);
        cache.insert("a", 1, 0, 1, None);
        assert_eq!(cache.get(&"a", 0), None);
    }

    #[test]
    fn the_budget_is_kept() {
        let cache = TtlCache::new(Duration::from_secs(60), 10);
        for n in 0..20 {
            cache.insert(n, n, 0, 3, None);
            let held = cache.len();
            assert!(
                held * 3 <= 10,
                "{held} entries of weight 3 in a budget of 10"
            );
        }
        assert_eq!(cache.get(&19, 0), Some(19), "the newest entry is kept");
        cache.insert(99, 99, 0, 11, None);
        assert_eq!(cache.get(&99, 0), None, "heavier than the budget: not kept");
    }

    #[test]
    fn pages_get_a_fresh_nonce() {
        let body = b"<script nonce=\"AAA\">x</script><p>AAA</p><script nonce=\"AAA\"></script>";
        let page = CachedPage::new(http::HeaderMap::new(), body, "AAA");
        assert_eq!(page.pieces.len(), 4);
        assert_eq!(
            String::from_utf8(page.body_with("BBBB")).unwrap(),
            "<script nonce=\"BBBB\">x</script><p>BBBB</p><script nonce=\"BBBB\"></script>"
        );
        let plain = CachedPage::new(http::HeaderMap::new(), b"no nonce here", "AAA");
        assert_eq!(plain.body_with("B"), b"no nonce here");
    }
}
