//! Paths of the datasets bundled with vsies, for examples, benches and tests.
//!
//! `data/breast_cancer.csv` is the Wisconsin Diagnostic Breast Cancer dataset (569 rows,
//! 30 features, label `malignant`). The other files are binary tasks cut from datasets that
//! scikit-learn ships (see `data/README.md`), used to show the training spec's accuracy beyond
//! one dataset.
use std::path::PathBuf;

/// Folder holding the bundled CSV files.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// A bundled dataset: file path and label column.
#[derive(Clone, Debug)]
pub struct BundledDataset {
    /// The file stem.
    pub name: &'static str,
    /// The CSV.
    pub path: PathBuf,
    /// The label column.
    pub label: &'static str,
}

/// Every bundled dataset, the main one first.
pub fn bundled_datasets() -> Vec<BundledDataset> {
    [
        ("breast_cancer", "malignant"),
        ("wine_class0", "class0"),
        ("iris_versicolor_virginica", "virginica"),
        ("digits_3_vs_8", "is8"),
    ]
    .into_iter()
    .map(|(name, label)| BundledDataset { name, path: data_dir().join(format!("{name}.csv")), label })
    .collect()
}

/// The main bundled dataset (breast cancer).
pub fn breast_cancer() -> BundledDataset {
    bundled_datasets().remove(0)
}
