//! The seeded train/test split: exactly scikit-learn's
//! `train_test_split(test_size=test_fraction, random_state=seed)` without stratification.

use crate::rng::Mt19937;

/// Row indices of a split, each side in the order scikit-learn returns them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainTestSplit {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// Why a split cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SplitError {
    #[error("test fraction {0} must be strictly between 0 and 1")]
    BadFraction(f64),
    #[error("splitting {rows} rows with test fraction {fraction} leaves an empty side")]
    EmptySide { rows: usize, fraction: f64 },
}

/// Splits `rows` row indices: `p = RandomState(seed).permutation(rows)`,
/// `n_test = ceil(test_fraction * rows)`, test = `p[..n_test]`, train = `p[n_test..]`.
pub fn train_test_split(rows: usize, test_fraction: f64, seed: u32) -> Result<TrainTestSplit, SplitError> {
    if !(test_fraction > 0.0 && test_fraction < 1.0) {
        return Err(SplitError::BadFraction(test_fraction));
    }
    let n_test = (test_fraction * rows as f64).ceil() as usize;
    if n_test == 0 || n_test >= rows {
        return Err(SplitError::EmptySide { rows, fraction: test_fraction });
    }
    let mut order = Mt19937::new(seed).permutation(rows);
    let train = order.split_off(n_test);
    Ok(TrainTestSplit { train, test: order })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_scikit_learn_on_the_bundled_dataset_size() {
        // sklearn 1.9.1: train_test_split(np.arange(569), test_size=0.25, random_state=0)
        let split = train_test_split(569, 0.25, 0).unwrap();
        assert_eq!((split.train.len(), split.test.len()), (426, 143));
        assert_eq!(split.test[..8], [512, 457, 439, 298, 37, 515, 382, 310]);
        assert_eq!(split.train[..8], [293, 332, 565, 278, 489, 346, 357, 355]);
    }

    #[test]
    fn refuses_degenerate_fractions() {
        assert!(matches!(train_test_split(10, 0.0, 0), Err(SplitError::BadFraction(_))));
        assert!(matches!(train_test_split(10, f64::NAN, 0), Err(SplitError::BadFraction(_))));
        assert!(matches!(train_test_split(1, 0.5, 0), Err(SplitError::EmptySide { .. })));
    }
}
