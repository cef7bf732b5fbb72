//! Percentages exactly as Go prints them.

/// `fmt.Sprintf("%.1f%%", 100.0*float64(covered)/float64(total))`, or `None` for no statements.
///
/// Go computes the ratio in float64 and rounds the exact binary value to one decimal, ties to
/// even; Rust's `{:.1}` does the same, which the tests check against Go itself.
pub fn go_percent(covered: u64, total: u64) -> Option<String> {
    (total != 0).then(|| format!("{:.1}%", go_percent_value(covered, total)))
}

/// `covered / total` as Go computes it (0 for no statements, where Go prints no number).
pub fn ratio(covered: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        covered as f64 / total as f64
    }
}

/// `100.0*float64(covered)/float64(total)` bit for bit.
pub fn go_percent_value(covered: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * covered as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(go_percent(9, 13).as_deref(), Some("69.2%"));
        assert_eq!(go_percent(0, 7).as_deref(), Some("0.0%"));
        assert_eq!(go_percent(7, 7).as_deref(), Some("100.0%"));
        assert_eq!(go_percent(0, 0), None);
    }
}
