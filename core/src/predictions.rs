//! The predictions file: `row,class,score`, one line per data row. `vsies predict` (plaintext)
//! and `vsies decrypt` (encrypted inference) both write it through [`predictions_csv`], so the
//! two compare byte for byte.
//!
//! | column | value |
//! |---|---|
//! | `row` | 0-based data row (the numbering of validation reports) |
//! | `class` | the predicted class, spelled as the schema's `label.classes` |
//! | `score` | the model's quantized score `z`, a decimal integer (`class = 1` iff `z ≥ 0`) |

use crate::schema::Schema;
use crate::spec::class_of_score;
use std::fmt::Write;

/// The predictions CSV for `scores` under `schema`'s class names.
pub fn predictions_csv(schema: &Schema, scores: &[i64]) -> String {
    let mut text = String::from("row,class,score\n");
    for (row, &score) in scores.iter().enumerate() {
        let class = &schema.label.classes[usize::from(class_of_score(score))];
        writeln!(text, "{row},{class},{score}").expect("writing to a String cannot fail");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_from_zero_and_classes_follow_the_sign() {
        let schema = crate::test_support::model("t", vec![0], 0, 1).schema;
        assert_eq!(predictions_csv(&schema, &[-3, 0, 5]), "row,class,score\n0,0,-3\n1,1,0\n2,1,5\n");
    }
}
