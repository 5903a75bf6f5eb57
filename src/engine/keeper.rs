//! Keeping what was loaded in IndexedDB, from the worker: restore it when the page opens, write
//! the traces each load changed, and tell what could not be kept.

use std::cell::RefCell;
use std::rc::Rc;

use hashbrown::HashMap;

use crate::engine::protocol::SpanSelection;
use crate::engine::{Engine, Forgotten};
use crate::model::TraceId;
use crate::sources::Connection;
use crate::store::idb::{Db, StoreError};
use crate::store::{
    FileRecord, SCHEMA_VERSION, StoredChunk, TraceRecord, evaluations_key, stale_chunks,
};

/// The open store and the records it holds.
pub struct Keeper {
    db: Db,
    records: HashMap<String, TraceRecord>,
    /// The number of the next load's evaluations.
    next_evaluations: u32,
}

/// What opening the store found.
pub struct Opened {
    /// Traces kept.
    pub traces: usize,
    /// Spans kept.
    pub spans: u64,
    /// Evaluations read back.
    pub evaluations: usize,
}

/// Chunks read in one transaction at most, and restored together.
const READ_CHUNKS: usize = 64;

impl Keeper {
    /// Opens the store: the engine gets the records of what it keeps (the lists show them at
    /// once; spans are read when something needs them, see [`Keeper::read`]) and the kept
    /// evaluations. Chunks no record points at (an import cut short) are deleted.
    pub async fn open(
        engine: &Rc<RefCell<Engine>>,
        database: &str,
    ) -> Result<(Self, Opened), StoreError> {
        let db = Db::open(database, SCHEMA_VERSION).await?;
        let records = db.records().await?;
        let stale: Vec<String> = stale_chunks(&records, &db.chunk_keys().await?)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if !stale.is_empty() {
            db.delete(&[], &stale, &[]).await?;
        }
        let files = db.files().await?;
        engine.borrow_mut().list_saved_files(files);
        let prices = db.price_files().await?;
        engine.borrow_mut().restore_price_files(prices);
        let (evaluations, last) = db.evaluations().await?;
        let annotations = db.annotations().await?;
        engine.borrow_mut().restore_annotations(&annotations);
        read_settings(&db, engine).await?;
        let opened = Opened {
            traces: records.len(),
            spans: records.iter().map(|r| u64::from(r.spans)).sum(),
            evaluations: engine.borrow_mut().restore_evaluations(&evaluations),
        };
        engine.borrow_mut().list_stored(records.iter().cloned());
        let keeper = Self {
            db,
            records: records
                .into_iter()
                .map(|r| (r.trace_id.clone(), r))
                .collect(),
            next_evaluations: last
                .and_then(|k| k.parse::<u32>().ok())
                .map_or(0, |n| n + 1),
        };
        Ok((keeper, opened))
    }

    /// Reads the settings again (another tab set them).
    pub async fn sync_settings(&self, engine: &Rc<RefCell<Engine>>) -> Result<(), StoreError> {
        read_settings(&self.db, engine).await
    }

    /// Keeps the settings set since they were last kept; `Err`: they stay to be kept next.
    async fn settings(&self, engine: &Rc<RefCell<Engine>>) -> Result<(), StoreError> {
        let rules = engine.borrow_mut().settings().rules.take_unsaved();
        if let Some(rules) = rules {
            let json = rules.write();
            let kept = self
                .db
                .put_setting(crate::store::REDACTION_RULES, &json)
                .await;
            if let Err(error) = kept {
                engine.borrow_mut().settings().rules.set(rules);
                return Err(error);
            }
        }
        let connections = engine.borrow_mut().settings().connections.take_unsaved();
        if let Some(connections) = connections {
            let kept: Vec<_> = connections.iter().map(|c| c.kept()).collect();
            let json = serde_json::to_string(&kept).unwrap_or_default();
            let put = self.db.put_setting(crate::store::CONNECTIONS, &json).await;
            if let Err(error) = put {
                engine.borrow_mut().settings().connections.set(connections);
                return Err(error);
            }
        }
        Ok(())
    }

    /// The ids of the traces kept.
    pub fn known(&self) -> Vec<String> {
        self.records.keys().cloned().collect()
    }

    /// The spans these kept traces hold.
    pub fn spans(&self, ids: &[String]) -> u64 {
        ids.iter()
            .filter_map(|id| self.records.get(id))
            .map(|r| u64::from(r.spans))
            .sum()
    }

    /// Reads the spans of these traces into the engine, a few transactions' worth of chunks at
    /// a time. Returns the problems met (chunks missing or unreadable).
    pub async fn read(
        &self,
        engine: &Rc<RefCell<Engine>>,
        ids: &[TraceId],
    ) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        let mut batch: Vec<TraceId> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        for (n, id) in ids.iter().enumerate() {
            if let Some(record) = self.records.get(&id.to_string()) {
                keys.extend(record.chunk_keys());
            }
            batch.push(*id);
            if keys.len() < READ_CHUNKS && n + 1 < ids.len() {
                continue;
            }
            let chunks = self.db.chunks(&keys).await?;
            let read: Vec<(&str, &StoredChunk)> = keys
                .iter()
                .zip(&chunks)
                .filter_map(|(key, chunk)| match chunk {
                    Some(chunk) => Some((key.as_str(), chunk)),
                    None => {
                        problems.push(format!("{key}: this stored chunk is missing"));
                        None
                    }
                })
                .collect();
            problems.extend(engine.borrow_mut().restore(&batch, read));
            batch.clear();
            keys.clear();
        }
        Ok(problems)
    }

    /// Reads the chunks `from..` of a trace whose earlier chunks the engine has read.
    async fn read_added(
        &self,
        engine: &Rc<RefCell<Engine>>,
        id: TraceId,
        record: &TraceRecord,
        from: u32,
    ) -> Result<(), StoreError> {
        let keys: Vec<String> = (from..record.chunks).map(|n| record.chunk_key(n)).collect();
        let chunks = self.db.chunks(&keys).await?;
        let read = keys
            .iter()
            .zip(&chunks)
            .filter_map(|(key, chunk)| Some((key.as_str(), chunk.as_ref()?)));
        engine.borrow_mut().restore(&[id], read);
        Ok(())
    }

    /// Reads the saved files' list again, as another tab may have changed it (it is small).
    pub async fn sync_files(&self, engine: &Rc<RefCell<Engine>>) -> Result<(), StoreError> {
        let files = self.db.files().await?;
        engine.borrow_mut().list_saved_files(files);
        Ok(())
    }

    /// Brings these traces up to what the store keeps now (another tab may have changed them):
    /// a newer generation of a trace whose spans the engine has is read and merged; of one it
    /// has not read, the record replaces the old. With `deletions`, a trace no longer kept is
    /// forgotten too. Returns whether anything changed.
    pub async fn sync(
        &mut self,
        engine: &Rc<RefCell<Engine>>,
        ids: &[String],
        deletions: bool,
    ) -> Result<bool, StoreError> {
        let mut changed = false;
        for id in ids {
            let stored = self.db.record(id).await?;
            // Pieces added to a generation count as a change too.
            let known = self.records.get(id).map(|r| (r.generation, r.chunks));
            match stored {
                Some(record) if Some((record.generation, record.chunks)) != known => {
                    let Ok(trace_id) = TraceId::parse(id) else {
                        continue;
                    };
                    let read = {
                        let engine = engine.borrow();
                        engine.has_spans(&trace_id) && !engine.is_unread(&trace_id)
                    };
                    // Pieces added to the generation it has: only they are read.
                    let added_from = known
                        .filter(|&(generation, chunks)| {
                            generation == record.generation && chunks < record.chunks
                        })
                        .map(|(_, chunks)| chunks);
                    engine.borrow_mut().list_stored([record.clone()]);
                    if read {
                        // A chunk missing means a newer write is under way; it will be synced.
                        match added_from {
                            Some(from) => self.read_added(engine, trace_id, &record, from).await?,
                            None => {
                                self.records.insert(id.clone(), record.clone());
                                self.read(engine, &[trace_id]).await?;
                            }
                        }
                    }
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

    /// Writes the traces loads changed: the spans added to a kept trace as chunks added to its
    /// generation ([`Keeper::add`]); a new trace, or one to compact, as its chunks under a new
    /// generation, then its record, then the old generation is deleted. A trace another tab changed meanwhile is
    /// merged with that version first, so neither tab's spans are lost. Returns the traces kept
    /// and the error that stopped the rest, if any.
    pub async fn keep(
        &mut self,
        engine: &Rc<RefCell<Engine>>,
    ) -> (Vec<String>, Option<(usize, StoreError)>) {
        let unsaved = engine.borrow_mut().take_unsaved_price_files();
        for prices in unsaved {
            if let Err(error) = self.db.put_price_file(&prices).await {
                return (Vec::new(), Some((0, error)));
            }
        }
        let annotations = engine.borrow_mut().take_unsaved_annotations();
        for (key, annotation) in &annotations {
            if let Err(error) = self.db.put_annotation(key, annotation.as_ref()).await {
                return (Vec::new(), Some((0, error)));
            }
        }
        if let Err(error) = self.settings(engine).await {
            return (Vec::new(), Some((0, error)));
        }
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
        // What is kept of these traces joins what the loads brought, so no span is lost.
        let synced = self.sync(engine, &keys, false).await;
        let unread: Vec<TraceId> = changed
            .iter()
            .filter(|id| engine.borrow().is_unread(id))
            .copied()
            .collect();
        let read = match synced {
            Ok(_) => self.read(engine, &unread).await,
            Err(error) => Err(error),
        };
        if let Err(error) = read {
            return (Vec::new(), Some((changed.len(), error)));
        }
        let mut kept = Vec::new();
        for (done, (id, key)) in changed.iter().zip(keys).enumerate() {
            let piece = engine.borrow_mut().stored_piece(id, self.records.get(&key));
            let written = match piece {
                Some((record, chunks)) => self.add(record, chunks).await,
                None => {
                    let generation = self.records.get(&key).map_or(1, |r| r.generation + 1);
                    let Some(record) = engine.borrow().stored_record(id, generation) else {
                        continue;
                    };
                    self.write(engine, id, &record).await
                }
            };
            if let Err(error) = written {
                // What was to be written of these was not: the next time, they are written whole.
                engine.borrow_mut().keep_whole_next(&changed[done..]);
                return (kept, Some((changed.len() - done, error)));
            }
            kept.push(key);
        }
        (kept, None)
    }

    /// Adds the chunks of spans that came after the rest of the trace was kept, after its
    /// chunks, with its record that counts them, in one transaction: a piece of k spans costs
    /// O(k) to keep.
    async fn add(
        &mut self,
        record: TraceRecord,
        chunks: Vec<StoredChunk>,
    ) -> Result<(), StoreError> {
        let first = record.chunks - chunks.len() as u32;
        let keyed: Vec<(String, StoredChunk)> =
            (first..).map(|n| record.chunk_key(n)).zip(chunks).collect();
        self.db.put_piece(&record, &keyed).await?;
        self.records.insert(record.trace_id.clone(), record);
        Ok(())
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
                .delete(&[], &old.chunk_keys().collect::<Vec<_>>(), &[])
                .await;
        }
        Ok(())
    }

    /// Keeps the record of a file whose traces were just kept.
    pub async fn save_file(
        &mut self,
        engine: &Rc<RefCell<Engine>>,
        file: FileRecord,
    ) -> Result<(), StoreError> {
        self.db.put_file(&file).await?;
        engine.borrow_mut().add_saved_file(file);
        Ok(())
    }

    /// Deletes what the engine forgot from the store: the traces' records and chunks and the
    /// emptied files' records, in one transaction.
    pub async fn forget(&mut self, forgotten: &Forgotten) -> Result<(), StoreError> {
        let gone: Vec<TraceRecord> = forgotten
            .traces
            .iter()
            .filter_map(|id| self.records.remove(&id.to_string()))
            .collect();
        let records: Vec<String> = gone.iter().map(|r| r.trace_id.clone()).collect();
        let chunks: Vec<String> = gone.iter().flat_map(TraceRecord::chunk_keys).collect();
        self.db.delete(&records, &chunks, &forgotten.files).await
    }

    /// Deletes a kept price table.
    pub async fn forget_price_file(&self, key: &str) -> Result<(), StoreError> {
        self.db.delete_price_file(key).await
    }

    /// Forgets everything kept.
    pub async fn clear(&mut self) -> Result<(), StoreError> {
        self.db.clear().await?;
        self.records.clear();
        Ok(())
    }
}

/// Puts the settings `db` keeps into `engine`: the redaction rules, and the connections — each
/// with the key this page was given for it, when the store keeps none (a key not remembered
/// lives only in the memory of the page it was typed in).
async fn read_settings(db: &Db, engine: &Rc<RefCell<Engine>>) -> Result<(), StoreError> {
    let rules = db.setting(crate::store::REDACTION_RULES).await?;
    if let Some(rules) = rules.and_then(|json| serde_json::from_str(&json).ok()) {
        engine.borrow_mut().settings().rules.restore(rules);
    }
    let connections = db.setting(crate::store::CONNECTIONS).await?;
    let kept = connections.and_then(|json| serde_json::from_str::<Vec<Connection>>(&json).ok());
    if let Some(kept) = kept {
        let mut engine = engine.borrow_mut();
        let connections = &mut engine.settings().connections;
        let known = connections.value.clone();
        let with_keys = kept.into_iter().map(|mut connection| {
            if connection.key.is_none() {
                let same =
                    |c: &&Connection| c.name == connection.name && c.server == connection.server;
                connection.key = known.iter().find(same).and_then(|c| c.key.clone());
            }
            connection
        });
        connections.restore(with_keys.collect());
    }
    Ok(())
}
