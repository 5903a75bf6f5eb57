//! IndexedDB, as the store's schema says ([`super`]): open (creating or upgrading the schema),
//! write chunks and records each in a transaction of its own, read them back, delete.
//!
//! Nothing but IndexedDB requests is awaited while a transaction is open: each method issues its
//! requests, then awaits the transaction's `complete` (or `error` / `abort`), so a failed write
//! rolls back as a whole and reports why.

use futures::channel::oneshot;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    DomException, IdbDatabase, IdbFactory, IdbObjectStore, IdbOpenDbRequest, IdbRequest,
    IdbTransaction, IdbTransactionMode, IdbVersionChangeEvent,
};

use super::{
    ANNOTATIONS, CHUNKS, EVALUATIONS, FILES, FileRecord, PRICES, SCHEMA_VERSION, SETTINGS,
    StoredChunk, StoredEvaluation, StoredPriceFile, TRACES, TraceRecord,
};

/// Why the store could not do something.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The browser's storage quota for this site is used up.
    #[error("the browser's storage for this page is full")]
    Quota,
    /// IndexedDB is missing (e.g. some private modes) or refused.
    #[error("this browser gives the page no IndexedDB: {0}")]
    Unavailable(String),
    /// Anything else, as the browser said it.
    #[error("{0}")]
    Failed(String),
}

impl From<JsValue> for StoreError {
    fn from(value: JsValue) -> Self {
        match value.dyn_ref::<DomException>() {
            Some(e) if e.name() == "QuotaExceededError" => Self::Quota,
            Some(e) => Self::Failed(format!("{}: {}", e.name(), e.message())),
            None => Self::Failed(value.as_string().unwrap_or_else(|| format!("{value:?}"))),
        }
    }
}

/// One step of the schema, from version `n` to `n + 1` (index `n`).
type Upgrade = fn(&IdbDatabase) -> Result<(), JsValue>;

/// Every upgrade in order: opening runs those past the database's version.
const UPGRADES: [Upgrade; SCHEMA_VERSION as usize] = [
    |db| {
        db.create_object_store(TRACES)?;
        db.create_object_store(CHUNKS)?;
        Ok(())
    },
    |db| {
        db.create_object_store(EVALUATIONS)?;
        Ok(())
    },
    |db| {
        db.create_object_store(FILES)?;
        Ok(())
    },
    |db| {
        db.create_object_store(PRICES)?;
        Ok(())
    },
    |db| {
        db.create_object_store(ANNOTATIONS)?;
        db.create_object_store(SETTINGS)?;
        Ok(())
    },
];

/// An open database.
pub struct Db(IdbDatabase);

/// Resolves when `request` succeeds, to its result. It listens from the call on, not from the
/// first poll, so requests issued together can be awaited one after another.
fn request_result(
    request: &IdbRequest,
) -> impl std::future::Future<Output = Result<JsValue, StoreError>> + use<> {
    let (sender, receiver) = oneshot::channel::<Result<JsValue, StoreError>>();
    let sender = std::rc::Rc::new(std::cell::RefCell::new(Some(sender)));
    let (ok, failed) = (sender.clone(), sender);
    let on_success = Closure::once(move |event: web_sys::Event| {
        let result = event
            .target()
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .map_or(Ok(JsValue::UNDEFINED), |r| {
                r.result().map_err(StoreError::from)
            });
        if let Some(sender) = ok.borrow_mut().take() {
            let _ = sender.send(result);
        }
    });
    let on_error = Closure::once(move |event: web_sys::Event| {
        let error = event
            .target()
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .and_then(|r| r.error().ok().flatten())
            .map_or(StoreError::Failed("the request failed".into()), |e| {
                StoreError::from(JsValue::from(e))
            });
        if let Some(sender) = failed.borrow_mut().take() {
            let _ = sender.send(Err(error));
        }
    });
    request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let request = request.clone();
    async move {
        let result = receiver
            .await
            .unwrap_or_else(|_| Err(StoreError::Failed("the request was dropped".into())));
        request.set_onsuccess(None);
        request.set_onerror(None);
        drop((on_success, on_error));
        result
    }
}

/// Resolves when `transaction` commits; to the reason when it fails or aborts.
async fn committed(transaction: &IdbTransaction) -> Result<(), StoreError> {
    let (sender, receiver) = oneshot::channel::<Result<(), StoreError>>();
    let sender = std::rc::Rc::new(std::cell::RefCell::new(Some(sender)));
    let outcome = |sender: std::rc::Rc<std::cell::RefCell<Option<oneshot::Sender<_>>>>,
                   ok: bool| {
        Closure::once(move |event: web_sys::Event| {
            let result = match ok {
                true => Ok(()),
                false => Err(event
                    .target()
                    .and_then(|t| t.dyn_into::<IdbTransaction>().ok())
                    .and_then(|t| t.error())
                    .map_or(
                        StoreError::Failed("the transaction was aborted".into()),
                        |e| StoreError::from(JsValue::from(e)),
                    )),
            };
            if let Some(sender) = sender.borrow_mut().take() {
                let _ = sender.send(result);
            }
        })
    };
    let on_complete = outcome(sender.clone(), true);
    let on_error = outcome(sender.clone(), false);
    let on_abort = outcome(sender, false);
    transaction.set_oncomplete(Some(on_complete.as_ref().unchecked_ref()));
    transaction.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    transaction.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    receiver
        .await
        .unwrap_or_else(|_| Err(StoreError::Failed("the transaction was dropped".into())))
}

fn factory() -> Result<IdbFactory, StoreError> {
    Reflect::get(&js_sys::global(), &"indexedDB".into())
        .ok()
        .and_then(|f| f.dyn_into::<IdbFactory>().ok())
        .ok_or_else(|| StoreError::Unavailable("no indexedDB".into()))
}

impl Db {
    /// Whether database `name` exists in this origin, without creating it; `false` where the
    /// browser cannot tell (`indexedDB.databases()` is missing).
    pub async fn exists(name: &str) -> bool {
        let Ok(factory) = factory() else { return false };
        let listed = Reflect::get(&factory, &"databases".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .and_then(|databases| databases.call0(&factory).ok())
            .and_then(|promise| promise.dyn_into::<js_sys::Promise>().ok());
        let Some(listed) = listed else { return false };
        let Ok(list) = wasm_bindgen_futures::JsFuture::from(listed).await else {
            return false;
        };
        Array::from(&list).iter().any(|database| {
            Reflect::get(&database, &"name".into())
                .ok()
                .and_then(|n| n.as_string())
                .is_some_and(|n| n == name)
        })
    }

    /// Opens (creating or upgrading) database `name` at `version` (normally [`SCHEMA_VERSION`]).
    pub async fn open(name: &str, version: u32) -> Result<Self, StoreError> {
        let request: IdbOpenDbRequest = factory()?
            .open_with_u32(name, version)
            .map_err(|e| StoreError::Unavailable(StoreError::from(e).to_string()))?;
        let upgrade = Closure::<dyn FnMut(IdbVersionChangeEvent)>::new(
            move |event: IdbVersionChangeEvent| {
                let db = event
                    .target()
                    .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
                    .and_then(|r| r.result().ok())
                    .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
                let Some(db) = db else { return };
                let from = event.old_version() as usize;
                let to = event.new_version().map_or(from, |v| v as usize);
                for step in UPGRADES.iter().take(to).skip(from) {
                    // A failed step throws inside the upgrade, which aborts the open.
                    if let Err(error) = step(&db) {
                        wasm_bindgen::throw_val(error);
                    }
                }
            },
        );
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let db = request_result(&request).await?;
        request.set_onupgradeneeded(None);
        let db: IdbDatabase = db
            .dyn_into()
            .map_err(|_| StoreError::Failed("open gave no database".into()))?;
        // Another tab upgrading the schema asks this one to let go.
        let release = Closure::<dyn FnMut(web_sys::Event)>::new({
            let db = db.clone();
            move |_| db.close()
        });
        db.set_onversionchange(Some(release.as_ref().unchecked_ref()));
        release.forget();
        Ok(Self(db))
    }

    /// The object store names, sorted.
    pub fn stores(&self) -> Vec<String> {
        let names = self.0.object_store_names();
        (0..names.length()).filter_map(|i| names.item(i)).collect()
    }

    /// Closes the database.
    pub fn close(&self) {
        self.0.close();
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: IdbTransactionMode,
    ) -> Result<IdbTransaction, StoreError> {
        let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
        Ok(self
            .0
            .transaction_with_str_sequence_and_mode(&names, mode)?)
    }

    fn store(transaction: &IdbTransaction, name: &str) -> Result<IdbObjectStore, StoreError> {
        Ok(transaction.object_store(name)?)
    }

    /// Issues writes in one transaction and waits for it to commit. If issuing fails part way,
    /// the transaction is aborted, so none of its writes lands.
    async fn write(
        &self,
        stores: &[&str],
        issue: impl FnOnce(&IdbTransaction) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let transaction = self.transaction(stores, IdbTransactionMode::Readwrite)?;
        if let Err(error) = issue(&transaction) {
            let _ = transaction.abort();
            return Err(error);
        }
        committed(&transaction).await
    }

    /// Writes one chunk, in a transaction of its own: its bytes, and with its origins an
    /// object `{otlp, origins}`.
    pub async fn put_chunk(&self, key: &str, chunk: &StoredChunk) -> Result<(), StoreError> {
        let value = chunk_value(chunk)?;
        self.write(&[CHUNKS], |transaction| {
            Self::store(transaction, CHUNKS)?.put_with_key(&value, &key.into())?;
            Ok(())
        })
        .await
    }

    /// Adds chunks (`(key, chunk)`) to a trace and writes its record, in one transaction: the
    /// piece is kept whole or not at all.
    pub async fn put_piece(
        &self,
        record: &TraceRecord,
        chunks: &[(String, StoredChunk)],
    ) -> Result<(), StoreError> {
        let values = chunks
            .iter()
            .map(|(key, chunk)| Ok((key, chunk_value(chunk)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let json = serde_json::to_string(record).map_err(|e| StoreError::Failed(e.to_string()))?;
        self.write(&[CHUNKS, TRACES], |transaction| {
            let store = Self::store(transaction, CHUNKS)?;
            for (key, value) in &values {
                store.put_with_key(value, &key.as_str().into())?;
            }
            Self::store(transaction, TRACES)?
                .put_with_key(&json.as_str().into(), &record.trace_id.as_str().into())?;
            Ok(())
        })
        .await
    }

    /// Writes trace records, in one transaction: they appear together or not at all.
    pub async fn put_records(&self, records: &[TraceRecord]) -> Result<(), StoreError> {
        self.write(&[TRACES], |transaction| {
            let store = Self::store(transaction, TRACES)?;
            for record in records {
                let json =
                    serde_json::to_string(record).map_err(|e| StoreError::Failed(e.to_string()))?;
                store.put_with_key(&json.into(), &record.trace_id.as_str().into())?;
            }
            Ok(())
        })
        .await
    }

    /// One trace's record, if it is kept.
    pub async fn record(&self, trace_id: &str) -> Result<Option<TraceRecord>, StoreError> {
        let transaction = self.transaction(&[TRACES], IdbTransactionMode::Readonly)?;
        let value =
            request_result(&Self::store(&transaction, TRACES)?.get(&trace_id.into())?).await?;
        Ok(value
            .as_string()
            .and_then(|json| serde_json::from_str(&json).ok()))
    }

    /// Every trace record (unreadable ones are skipped).
    pub async fn records(&self) -> Result<Vec<TraceRecord>, StoreError> {
        let transaction = self.transaction(&[TRACES], IdbTransactionMode::Readonly)?;
        let all = request_result(&Self::store(&transaction, TRACES)?.get_all()?).await?;
        Ok(Array::from(&all)
            .iter()
            .filter_map(|v| serde_json::from_str(&v.as_string()?).ok())
            .collect())
    }

    /// Chunks by key (`None` where one is missing or unreadable), read in one transaction.
    pub async fn chunks(&self, keys: &[String]) -> Result<Vec<Option<StoredChunk>>, StoreError> {
        let transaction = self.transaction(&[CHUNKS], IdbTransactionMode::Readonly)?;
        let store = Self::store(&transaction, CHUNKS)?;
        let results = keys
            .iter()
            .map(|key| Ok(request_result(&store.get(&key.as_str().into())?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut chunks = Vec::with_capacity(keys.len());
        for result in results {
            let value = result.await?;
            chunks.push(stored_chunk(value));
        }
        Ok(chunks)
    }

    /// Every key of a store and the values in the same order, read in one transaction.
    async fn entries(&self, name: &str) -> Result<(Array, Array), StoreError> {
        let transaction = self.transaction(&[name], IdbTransactionMode::Readonly)?;
        let store = Self::store(&transaction, name)?;
        let keys = request_result(&store.get_all_keys()?);
        let values = request_result(&store.get_all()?);
        let (keys, values) = (Array::from(&keys.await?), Array::from(&values.await?));
        Ok((keys, values))
    }

    /// Writes one load's evaluations under `key`, in a transaction of its own.
    pub async fn put_evaluations(
        &self,
        key: &str,
        evaluations: &[StoredEvaluation],
    ) -> Result<(), StoreError> {
        let json =
            serde_json::to_string(evaluations).map_err(|e| StoreError::Failed(e.to_string()))?;
        self.write(&[EVALUATIONS], |transaction| {
            Self::store(transaction, EVALUATIONS)?.put_with_key(&json.into(), &key.into())?;
            Ok(())
        })
        .await
    }

    /// Every kept evaluation, in load order, and the key of the last load's.
    pub async fn evaluations(&self) -> Result<(Vec<StoredEvaluation>, Option<String>), StoreError> {
        let (keys, values) = self.entries(EVALUATIONS).await?;
        let evaluations = values
            .iter()
            .filter_map(|v| serde_json::from_str::<Vec<StoredEvaluation>>(&v.as_string()?).ok())
            .flatten()
            .collect();
        let last = keys.iter().filter_map(|k| k.as_string()).next_back();
        Ok((evaluations, last))
    }

    /// Writes (or, with `None`, deletes) the annotation of `key` ([`super::annotation_key`]).
    pub async fn put_annotation(
        &self,
        key: &str,
        annotation: Option<&StoredEvaluation>,
    ) -> Result<(), StoreError> {
        let json = annotation
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Failed(e.to_string()))?;
        self.write(&[ANNOTATIONS], |transaction| {
            let store = Self::store(transaction, ANNOTATIONS)?;
            match &json {
                Some(json) => store.put_with_key(&json.into(), &key.into())?,
                None => store.delete(&key.into())?,
            };
            Ok(())
        })
        .await
    }

    /// Keeps a setting's value (JSON) under its name.
    pub async fn put_setting(&self, name: &str, json: &str) -> Result<(), StoreError> {
        self.write(&[SETTINGS], |transaction| {
            Self::store(transaction, SETTINGS)?.put_with_key(&json.into(), &name.into())?;
            Ok(())
        })
        .await
    }

    /// A setting's value (JSON), if one is kept.
    pub async fn setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        let transaction = self.transaction(&[SETTINGS], IdbTransactionMode::Readonly)?;
        let value =
            request_result(&Self::store(&transaction, SETTINGS)?.get(&name.into())?).await?;
        Ok(value.as_string())
    }

    /// Every kept annotation (unreadable ones are skipped).
    pub async fn annotations(&self) -> Result<Vec<StoredEvaluation>, StoreError> {
        let (_, values) = self.entries(ANNOTATIONS).await?;
        Ok(values
            .iter()
            .filter_map(|v| serde_json::from_str(&v.as_string()?).ok())
            .collect())
    }

    /// Every chunk key.
    pub async fn chunk_keys(&self) -> Result<Vec<String>, StoreError> {
        let transaction = self.transaction(&[CHUNKS], IdbTransactionMode::Readonly)?;
        let keys = request_result(&Self::store(&transaction, CHUNKS)?.get_all_keys()?).await?;
        Ok(Array::from(&keys)
            .iter()
            .filter_map(|k| k.as_string())
            .collect())
    }

    /// Writes a saved file's record, in a transaction of its own.
    pub async fn put_file(&self, file: &FileRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(file).map_err(|e| StoreError::Failed(e.to_string()))?;
        self.write(&[FILES], |transaction| {
            Self::store(transaction, FILES)?
                .put_with_key(&json.into(), &file.key.as_str().into())?;
            Ok(())
        })
        .await
    }

    /// Every saved file, in save order (unreadable ones are skipped).
    pub async fn files(&self) -> Result<Vec<FileRecord>, StoreError> {
        let (_, values) = self.entries(FILES).await?;
        Ok(values
            .iter()
            .filter_map(|v| serde_json::from_str(&v.as_string()?).ok())
            .collect())
    }

    /// Keeps a user's price table, in a transaction of its own.
    pub async fn put_price_file(&self, file: &StoredPriceFile) -> Result<(), StoreError> {
        let json = serde_json::to_string(file).map_err(|e| StoreError::Failed(e.to_string()))?;
        self.write(&[PRICES], |transaction| {
            Self::store(transaction, PRICES)?
                .put_with_key(&json.into(), &file.key.as_str().into())?;
            Ok(())
        })
        .await
    }

    /// Every kept price table, in load order (unreadable ones are skipped).
    pub async fn price_files(&self) -> Result<Vec<StoredPriceFile>, StoreError> {
        let (_, values) = self.entries(PRICES).await?;
        Ok(values
            .iter()
            .filter_map(|v| serde_json::from_str(&v.as_string()?).ok())
            .collect())
    }

    /// Deletes a kept price table.
    pub async fn delete_price_file(&self, key: &str) -> Result<(), StoreError> {
        self.write(&[PRICES], |transaction| {
            Self::store(transaction, PRICES)?.delete(&key.into())?;
            Ok(())
        })
        .await
    }

    /// Deletes trace records, chunks and file records by key, in one transaction.
    pub async fn delete(
        &self,
        records: &[String],
        chunks: &[String],
        files: &[String],
    ) -> Result<(), StoreError> {
        self.write(&[TRACES, CHUNKS, FILES], |transaction| {
            for (name, keys) in [(TRACES, records), (CHUNKS, chunks), (FILES, files)] {
                let store = Self::store(transaction, name)?;
                for key in keys {
                    store.delete(&key.as_str().into())?;
                }
            }
            Ok(())
        })
        .await
    }

    /// Deletes everything.
    pub async fn clear(&self) -> Result<(), StoreError> {
        // The settings (the redaction rules, the servers connected to) stay: they are not what
        // was loaded.
        let all = [TRACES, CHUNKS, EVALUATIONS, FILES, PRICES, ANNOTATIONS];
        self.write(&all, |transaction| {
            for name in all {
                Self::store(transaction, name)?.clear()?;
            }
            Ok(())
        })
        .await
    }
}

/// A chunk as IndexedDB holds it: bare bytes (as written before origins were kept), or
/// `{otlp, origins}`.
fn stored_chunk(value: JsValue) -> Option<StoredChunk> {
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Some(StoredChunk {
            otlp: bytes.to_vec(),
            origins: None,
        });
    }
    let otlp = Reflect::get(&value, &"otlp".into()).ok()?;
    let origins = Reflect::get(&value, &"origins".into())
        .ok()
        .and_then(|json| json.as_string())
        .and_then(|json| serde_json::from_str(&json).ok());
    Some(StoredChunk {
        otlp: otlp.dyn_into::<Uint8Array>().ok()?.to_vec(),
        origins,
    })
}

/// A chunk as the `chunks` store holds it: its bytes, or `{otlp, origins}` with its origins.
fn chunk_value(chunk: &StoredChunk) -> Result<JsValue, StoreError> {
    let bytes: JsValue = Uint8Array::from(chunk.otlp.as_slice()).into();
    let Some(origins) = &chunk.origins else {
        return Ok(bytes);
    };
    let json = serde_json::to_string(origins).map_err(|e| StoreError::Failed(e.to_string()))?;
    let object = js_sys::Object::new();
    Reflect::set(&object, &"otlp".into(), &bytes)?;
    Reflect::set(&object, &"origins".into(), &json.into())?;
    Ok(object.into())
}
