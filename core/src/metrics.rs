//! Evaluation helpers shared by the CLI, examples, benches and tests.

use crate::spec::class_of_score;

/// Fraction of rows whose predicted class (from the score) equals the label.
pub fn accuracy(scores: &[i64], labels: &[u8]) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    let correct = scores.iter().zip(labels).filter(|(&s, &y)| class_of_score(s) == y).count();
    correct as f64 / scores.len() as f64
}
