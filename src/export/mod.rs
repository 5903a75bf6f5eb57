//! Writing spans out.
