//! The one integration test target: a module per area.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod cli;
mod contact;
mod faults;
mod fuzz_bodies;
mod hostile;
mod normalize;
mod observability;
mod reload;
mod screening;
mod server;
mod tls;
mod util;
