//! Property tests: no input bytes make validation or schema inference panic.

use proptest::prelude::*;
use std::path::Path;
use vsies_core::{
    infer_schema, validate_csv, FeatureColumn, FixedFormat, LabelColumn, LabelPolicy, Schema, ValidateOptions,
};

fn schema() -> Schema {
    let feature = |name: &str| FeatureColumn { name: name.into(), min: -10.0, max: 10.0, mean: 0.0, scale: 1.0 };
    Schema {
        name: "fuzz".into(),
        label: LabelColumn { column: "y".into(), classes: vec!["0".into(), "1".into()] },
        quantization: FixedFormat::FEATURES,
        features: vec![feature("a"), feature("b")],
    }
}

/// Bytes that look like CSV often enough to reach the row checks.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"a".to_vec()),
        Just(b"b".to_vec()),
        Just(b"y".to_vec()),
        Just(b",".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"1".to_vec()),
        Just(b"-3.5".to_vec()),
        Just(b"1e308".to_vec()),
        Just(b"NaN".to_vec()),
        Just(b"inf".to_vec()),
        Just(b"\xff\xfe".to_vec()),
        Just(b" ".to_vec()),
        any::<u8>().prop_map(|b| vec![b]),
    ];
    proptest::collection::vec(token, 0..64).prop_map(|tokens| tokens.concat())
}

fn check_everything(bytes: &[u8]) {
    for labels in [LabelPolicy::Required, LabelPolicy::Optional] {
        let options = ValidateOptions { labels, max_listed: 3 };
        if let Ok(raw) = validate_csv(bytes, Path::new("fuzz.csv"), &schema(), options) {
            assert_eq!(raw.values().len(), raw.rows() * 2);
            assert!(raw.values().iter().all(|v| v.is_finite() && (-10.0..=10.0).contains(v)));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn validation_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_everything(&bytes);
    }

    #[test]
    fn validation_never_panics_on_csv_like_bytes(bytes in csvish()) {
        check_everything(&bytes);
        check_everything(&[b"a,b,y\n".as_slice(), &bytes].concat());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn inference_never_panics(bytes in csvish()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, [b"a,b,y\n".as_slice(), &bytes].concat()).unwrap();
        if let Ok(schema) = infer_schema(&path, "y", "fuzz") {
            prop_assert!(schema.features.iter().all(|f| f.min <= f.max && f.scale > 0.0));
        }
    }
}
