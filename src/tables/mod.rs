//! The paper's tables and what they are made of: classification metrics, the confusion matrix
//! and the track vote (`metrics`), and the report types with their rendering (`report`).

pub mod metrics;
pub mod report;
