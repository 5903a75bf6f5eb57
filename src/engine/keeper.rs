//! Keeping what was loaded in IndexedDB, from the worker: restore it when the page opens, write
//! the traces each load changed, and tell what could not be kept.

use std::cell::RefCell;
use std::rc::Rc;

use hashbrown::HashMap;

use crate::engine::Engine;
use crate::engine::protocol::SpanSelection;
use crate::model::TraceId;
use crate::store::idb::{Db, StoreError};
use crate::store::{DATABASE, SCHEMA_VERSION, TraceRecord, evaluations_key, stale_chunks};

/// The open store and the records it holds.
pub struct Keeper {
    db: Db,
    records: HashMap<String, TraceRecord>,
    /// The number of the next load's evaluations.
    next_evaluations: u32,
}

/// What a restore found.
pub struct Restored {
    /// Traces read back.
    pub traces: usize,
    /// Spans read back.
    pub spans: usize,
    /// Evaluations read back.
    pub evaluations: usize,
    /// Problems met (unreadable chunks).
    pub problems: Vec<String>,
}

impl Keeper {
    /// Opens the store and hands the engine the records of what it keeps, so the lists can show
    /// it at once; [`Keeper::read_back`] then reads the spans.
    pub async fn open(engine: &Rc<RefCell<Engine>>) -> Result<Self, StoreError> {
        let db = Db::open(DATABASE, SCHEMA_VERSION).await?;
        let records = db.records().await?;
        engine.borrow_mut().expect(records.clone());
        let records = records
            .into_iter()
            .map(|r| (r.trace_id.clone(), r))
            .collect();
        Ok(Self {
            db,
            records,
            next_evaluations: 0,
        })
    }

    /// The ids of the traces kept.
    pub fn known(&self) -> Vec<String> {
        self.records.keys().cloned().collect()
    }

    /// Traces and spans the store keeps.
    pub fn kept(&self) -> (usize, u64) {
        let spans = self.records.values().map(|r| u64::from(r.spans)).sum();
        (self.records.len(), spans)
    }

    /// Reads the kept spans back into the engine; stale chunks (of imports cut short) are
    /// deleted.
    pub async fn read_back(
        &mut self,
        engine: &Rc<RefCell<Engine>>,
    ) -> Result<Restored, StoreError> {
        let chunks: HashMap<String, Vec<u8>> = self.db.all_chunks().await?.into_iter().collect();
        let keys: Vec<String> = chunks.keys().cloned().collect();
        let records: Vec<TraceRecord> = self.records.values().cloned().collect();
        let stale: Vec<String> = stale_chunks(&records, &keys)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let wanted: Vec<(&str, &[u8])> = records
            .iter()
            .flat_map(TraceRecord::chunk_keys)
            .filter_map(|key| {
                let (key, bytes) = chunks.get_key_value(&key)?;
                Some((key.as_str(), bytes.as_slice()))
            })
            .collect();
        let spans_before = engine.borrow().arena().spans().len();
        let problems = engine.borrow_mut().restore(wanted);
        let spans = engine.borrow().arena().spans().len() - spans_before;
        let (evaluations, last) = self.db.evaluations().await?;
        self.next_evaluations = last
            .and_then(|k| k.parse::<u32>().ok())
            .map_or(0, |n| n + 1);
        let evaluations = engine.borrow_mut().restore_evaluations(&evaluations);
        let restored = Restored {
            traces: records.len(),
            spans,
            evaluations,
            problems,
        };
        drop(chunks);
        if !stale.is_empty() {
            self.db.delete(&[], &stale).await?;
        }
        Ok(restored)
    }

    /// Brings these traces up to what the store keeps now (another tab may have changed them):
    /// a newer generation is read back and merged into the engine; with `deletions`, a trace no
    /// longer kept is forgotten too. Returns whether anything changed.
    pub async fn sync(
        &mut self,
        engine: &Rc<RefCell<Engine>>,
        ids: &[String],
        deletions: bool,
    ) -> Result<bool, StoreError> {
        let mut changed = false;
        for id in ids {
            let stored = self.db.record(id).await?;
            let known = self.records.get(id).map(|r| r.generation);
            match stored {
                Some(record) if Some(record.generation) != known => {
                    let mut chunks = Vec::new();
                    for key in record.chunk_keys() {
                        // A chunk missing means a newer write is under way; it will be synced.
                        if let Some(bytes) = self.db.chunk(&key).await? {
                            chunks.push((key, bytes));
                        }
                    }
                    let read: Vec<(&str, &[u8])> = chunks
                        .iter()
                        .map(|(k, b)| (k.as_str(), b.as_slice()))
                        .collect();
                    engine.borrow_mut().restore(read);
                    self.records.insert(id.clone(), record);
                    changed = true;
                }
                None if deletions && known.is_some() => {
                    self.records.remove(id);
                    engine
                        .borrow_mut()
                        .forget(&SpanSelection::Traces(vec![id.clone()]));
                    changed = true;
                }
                _ => {}
            }
        }
        Ok(changed)
    }

    /// Writes the traces loads changed: each one's chunks under a new generation, then its
    /// record, then the old generation is deleted. A trace another tab changed meanwhile is
    /// merged with that version first, so neither tab's spans are lost. Returns the traces kept
    /// and the error that stopped the rest, if any.
    pub async fn keep(
        &mut self,
        engine: &Rc<RefCell<Engine>>,
    ) -> (Vec<String>, Option<(usize, StoreError)>) {
        let evaluations = engine.borrow_mut().take_new_evaluations();
        if !evaluations.is_empty() {
            let key = evaluations_key(self.next_evaluations);
            self.next_evaluations += 1;
            if let Err(error) = self.db.put_evaluations(&key, &evaluations).await {
                return (
                    Vec::new(),
                    Some((engine.borrow_mut().take_changed().len(), error)),
                );
            }
        }
        let changed = engine.borrow_mut().take_changed();
        let keys: Vec<String> = changed.iter().map(ToString::to_string).collect();
        if let Err(error) = self.sync(engine, &keys, false).await {
            return (Vec::new(), Some((changed.len(), error)));
        }
        let mut kept = Vec::new();
        for (done, (id, key)) in changed.iter().zip(keys).enumerate() {
            let generation = self.records.get(&key).map_or(1, |r| r.generation + 1);
            let Some(record) = engine.borrow().stored_record(id, generation) else {
                continue;
            };
            if let Err(error) = self.write(engine, id, &record).await {
                return (kept, Some((changed.len() - done, error)));
            }
            kept.push(key);
        }
        (kept, None)
    }

    async fn write(
        &mut self,
        engine: &Rc<RefCell<Engine>>,
        id: &TraceId,
        record: &TraceRecord,
    ) -> Result<(), StoreError> {
        for n in 0..record.chunks {
            // Loads wait while this runs, so the trace cannot change between chunks.
            let Some(chunk) = engine.borrow().stored_chunk(id, n) else {
                return Err(StoreError::Failed(
                    "the trace changed while it was stored".into(),
                ));
            };
            self.db.put_chunk(&record.chunk_key(n), &chunk).await?;
        }
        self.db.put_records(std::slice::from_ref(record)).await?;
        if let Some(old) = self.records.insert(record.trace_id.clone(), record.clone()) {
            // The old generation is unreachable now; if this fails it is found stale later.
            let _ = self
                .db
                .delete(&[], &old.chunk_keys().collect::<Vec<_>>())
                .await;
        }
        Ok(())
    }

    /// Deletes these traces from the store: their records and chunks, in one transaction.
    pub async fn forget(&mut self, ids: &[TraceId]) -> Result<(), StoreError> {
        let gone: Vec<TraceRecord> = ids
            .iter()
            .filter_map(|id| self.records.remove(&id.to_string()))
            .collect();
        let records: Vec<String> = gone.iter().map(|r| r.trace_id.clone()).collect();
        let chunks: Vec<String> = gone.iter().flat_map(TraceRecord::chunk_keys).collect();
        self.db.delete(&records, &chunks).await
    }

    /// Forgets everything kept.
    pub async fn clear(&mut self) -> Result<(), StoreError> {
        self.db.clear().await?;
        self.records.clear();
        Ok(())
    }
}
