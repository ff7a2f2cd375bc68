//! The msgscreen binary.

fn main() {}
