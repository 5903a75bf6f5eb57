//! A file fed in pieces: the first byte says how big each piece is (and, from the second, after
//! how many bytes the format is decided), the rest is the file. It must never panic, and must
//! come to what reading it whole comes to.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plume::ingest::{self, FileStream};
use plume::model::Arena;

mod common;

fuzz_target!(|input: &[u8]| {
    let [cut, sniff, bytes @ ..] = input else {
        return;
    };
    let mut arena = Arena::default();
    let mut stream =
        FileStream::new(&arena, "fuzz", Some(bytes.len() as u64)).sniffing(usize::from(*sniff));
    for piece in bytes.chunks(usize::from(*cut).max(1)) {
        stream.feed(&mut arena, piece, &mut |_| {});
    }
    let report = stream.finish(&mut arena, &mut |_| {});
    common::exercise(&arena, &report);
    let mut whole = Arena::default();
    assert_eq!(report, ingest::load(&mut whole, "fuzz", bytes));
    assert_eq!(arena.spans().len(), whole.spans().len());
});
