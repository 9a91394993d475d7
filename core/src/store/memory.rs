//! `memory://`: the state of this process's clients, behind one lock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::backend::{
    Backend, BoxFuture, BudgetRef, Condition, Settlement, StoreResult, system_now_ms,
};
use super::budget::{self, AcquireParams, BudgetState, MultiDecision};

/// One memory store.
#[derive(Default)]
pub(crate) struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
#[allow(dead_code)] // the idempotency records and event cursors use the key-value part
struct Inner {
    budgets: HashMap<String, BudgetState>,
    /// Values and their expiry (store clock, ms).
    values: HashMap<String, (Vec<u8>, Option<i64>)>,
    /// Writes since the last sweep of expired values.
    writes: u32,
}

/// Every memory store of the process, by name: they live as long as the process.
static SHARED: Mutex<Vec<(String, Arc<MemoryStore>)>> = Mutex::new(Vec::new());

impl MemoryStore {
    /// The process's memory store of this name.
    pub(crate) fn shared(name: &str) -> Arc<dyn Backend> {
        let mut all = SHARED.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, store)) = all.iter().find(|(n, _)| n == name) {
            return store.clone();
        }
        let store = Arc::new(MemoryStore::default());
        all.push((name.to_owned(), store.clone()));
        store
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Held for a few map operations; a poisoned lock still holds consistent data.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[allow(dead_code)]
impl Inner {
    fn live(&self, key: &str, now: i64) -> Option<&Vec<u8>> {
        match self.values.get(key) {
            Some((value, expiry)) if expiry.is_none_or(|e| e > now) => Some(value),
            _ => None,
        }
    }

    fn sweep(&mut self, now: i64) {
        self.writes += 1;
        if self.writes >= 1024 {
            self.writes = 0;
            self.values
                .retain(|_, (_, expiry)| expiry.is_none_or(|e| e > now));
        }
    }
}

#[allow(dead_code)]
fn holds(current: Option<&Vec<u8>>, condition: Condition<'_>) -> bool {
    match condition {
        Condition::Always => true,
        Condition::IfAbsent => current.is_none(),
        Condition::IfEquals(expected) => current.is_some_and(|c| c.as_slice() == expected),
    }
}

#[allow(dead_code)]
fn expiry(now: i64, ttl: Option<Duration>) -> Option<i64> {
    ttl.map(|t| now.saturating_add(i64::try_from(t.as_millis()).unwrap_or(i64::MAX)))
}

impl Backend for MemoryStore {
    fn acquire<'a>(
        &'a self,
        budgets: &'a [BudgetRef],
        probe_ttl_ms: i64,
        background: bool,
    ) -> BoxFuture<'a, StoreResult<MultiDecision>> {
        Box::pin(async move {
            let params = AcquireParams {
                now: system_now_ms(),
                probe_ttl: probe_ttl_ms,
                background,
            };
            let mut inner = self.lock();
            let mut states: Vec<BudgetState> = budgets
                .iter()
                .map(|b| inner.budgets.get(&b.key).copied().unwrap_or_default())
                .collect();
            let specs: Vec<_> = budgets.iter().map(|b| b.spec).collect();
            let decision = budget::acquire_all(&mut states, &specs, &params);
            if matches!(decision, MultiDecision::Granted(_)) {
                for (b, state) in budgets.iter().zip(states) {
                    inner.budgets.insert(b.key.clone(), state);
                }
            }
            Ok(decision)
        })
    }

    fn settle<'a>(&'a self, settlements: &'a [Settlement]) -> BoxFuture<'a, StoreResult<()>> {
        Box::pin(async move {
            let now = system_now_ms();
            let mut inner = self.lock();
            for s in settlements {
                let state = inner.budgets.entry(s.key.clone()).or_default();
                state.settle(now, &s.grant, &s.outcome);
            }
            Ok(())
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, StoreResult<Option<Vec<u8>>>> {
        Box::pin(async move { Ok(self.lock().live(key, system_now_ms()).cloned()) })
    }

    fn put<'a>(
        &'a self,
        key: &'a str,
        value: &'a [u8],
        ttl: Option<Duration>,
        condition: Condition<'a>,
    ) -> BoxFuture<'a, StoreResult<bool>> {
        Box::pin(async move {
            let now = system_now_ms();
            let mut inner = self.lock();
            if !holds(inner.live(key, now), condition) {
                return Ok(false);
            }
            inner
                .values
                .insert(key.to_owned(), (value.to_vec(), expiry(now, ttl)));
            inner.sweep(now);
            Ok(true)
        })
    }

    fn delete<'a>(
        &'a self,
        key: &'a str,
        condition: Condition<'a>,
    ) -> BoxFuture<'a, StoreResult<bool>> {
        Box::pin(async move {
            let now = system_now_ms();
            let mut inner = self.lock();
            let current = inner.live(key, now);
            if current.is_none() || condition == Condition::IfAbsent || !holds(current, condition) {
                return Ok(false);
            }
            inner.values.remove(key);
            Ok(true)
        })
    }

    fn now_ms(&self) -> BoxFuture<'_, StoreResult<i64>> {
        Box::pin(async { Ok(system_now_ms()) })
    }
}
