//! One module per group of documented endpoints.

pub mod profiles;
