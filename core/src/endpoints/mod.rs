//! One module per group of documented endpoints.

pub mod posts;
pub mod profiles;
