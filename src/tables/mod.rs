//! The paper's tables and what they are made of: classification metrics, the confusion matrix
//! and the track vote (`metrics`), the report types with their rendering (`report`), and
//! cross-validation's folds and spread (`crossval`).

pub mod crossval;
pub mod metrics;
pub mod report;
