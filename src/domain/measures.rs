//! Wellbeing measures exactly as DOMAIN.md defines them: ONS4 (four items 0-10,
//! reported separately with bands), SWEMWBS (seven items 1-5, raw sum converted to
//! the metric score; a partly answered one is not scored) and UCLA-3 (three items
//! 1-3, total 3-9, higher is lonelier).

use std::fmt;

use super::referral::Instrument;

/// Short item labels shown on screen (SWEMWBS: free to use after registering with
/// Warwick; the README says so).
pub fn item_labels(instrument: Instrument) -> &'static [&'static str] {
    match instrument {
        Instrument::Ons4 => &["life satisfaction", "worthwhile", "happy yesterday", "anxious yesterday"],
        Instrument::Swemwbs => &[
            "optimistic",
            "useful",
            "relaxed",
            "dealing with problems",
            "thinking clearly",
            "close to others",
            "own mind",
        ],
        Instrument::Ucla3 => &["lack companionship", "left out", "isolated"],
    }
}

/// The inclusive range each item of the instrument takes.
pub fn item_range(instrument: Instrument) -> (u8, u8) {
    match instrument {
        Instrument::Ons4 => (0, 10),
        Instrument::Swemwbs => (1, 5),
        Instrument::Ucla3 => (1, 3),
    }
}

/// SWEMWBS raw score (7..=35) to metric score, the published conversion table.
const SWEMWBS_METRIC: [f64; 29] = [
    7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, // 7-16
    16.88, 17.43, 17.98, 18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21, // 17-26
    24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70, 32.55, 35.00, // 27-35
];

/// The SWEMWBS metric score for a raw score, or `None` outside 7..=35.
pub fn swemwbs_metric(raw: u32) -> Option<f64> {
    raw.checked_sub(7).and_then(|i| SWEMWBS_METRIC.get(i as usize)).copied()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Band {
    VeryLow,
    Low,
    Medium,
    High,
    VeryHigh,
}

impl Band {
    pub fn label(self) -> &'static str {
        match self {
            Band::VeryLow => "very low",
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
            Band::VeryHigh => "very high",
        }
    }
}

/// The ONS band of one ONS4 item (`item` 1-4). Items 1-3: 0-4 low, 5-6 medium,
/// 7-8 high, 9-10 very high. Anxiety (item 4, lower is better): 0-1 very low,
/// 2-3 low, 4-5 medium, 6-10 high.
pub fn ons4_band(item: usize, score: u8) -> Option<Band> {
    if score > 10 || !(1..=4).contains(&item) {
        return None;
    }
    Some(if item == 4 {
        match score {
            0..=1 => Band::VeryLow,
            2..=3 => Band::Low,
            4..=5 => Band::Medium,
            _ => Band::High,
        }
    } else {
        match score {
            0..=4 => Band::Low,
            5..=6 => Band::Medium,
            7..=8 => Band::High,
            _ => Band::VeryHigh,
        }
    })
}

/// A scored measure: the totals stored beside the items.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub items: Vec<u8>,
    /// SWEMWBS and UCLA-3 total; ONS4 items are never summed.
    pub raw: Option<u32>,
    /// SWEMWBS metric score.
    pub metric: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeasureError {
    WrongCount { instrument: Instrument, expected: usize, found: usize },
    Missing { instrument: Instrument, item: usize },
    OutOfRange { instrument: Instrument, item: usize, value: i64 },
}

impl fmt::Display for MeasureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MeasureError::WrongCount { instrument, expected, found } => {
                write!(f, "{}: expected {expected} item scores, found {found}", instrument.label())
            }
            MeasureError::Missing { instrument, item } => {
                write!(f, "{} item {item} ({}): missing", instrument.label(), item_labels(instrument)[item - 1])?;
                if instrument == Instrument::Swemwbs {
                    f.write_str("; a partly answered SWEMWBS is not scored")?;
                }
                Ok(())
            }
            MeasureError::OutOfRange { instrument, item, value } => {
                let (lo, hi) = item_range(instrument);
                write!(
                    f,
                    "{} item {item} ({}): {value} is out of range; expected {lo} to {hi}",
                    instrument.label(),
                    item_labels(instrument)[item - 1]
                )
            }
        }
    }
}

impl std::error::Error for MeasureError {}

/// Check and score a measure; `None` items are unanswered.
pub fn score(instrument: Instrument, items: &[Option<i64>]) -> Result<Score, MeasureError> {
    let expected = item_labels(instrument).len();
    if items.len() != expected {
        return Err(MeasureError::WrongCount { instrument, expected, found: items.len() });
    }
    let (lo, hi) = item_range(instrument);
    let mut checked = Vec::with_capacity(expected);
    for (i, v) in items.iter().enumerate() {
        let item = i + 1;
        let v = v.ok_or(MeasureError::Missing { instrument, item })?;
        if v < i64::from(lo) || v > i64::from(hi) {
            return Err(MeasureError::OutOfRange { instrument, item, value: v });
        }
        checked.push(v as u8);
    }
    let sum: u32 = checked.iter().map(|&v| u32::from(v)).sum();
    Ok(match instrument {
        Instrument::Ons4 => Score { items: checked, raw: None, metric: None },
        Instrument::Swemwbs => Score { items: checked, raw: Some(sum), metric: swemwbs_metric(sum) },
        Instrument::Ucla3 => Score { items: checked, raw: Some(sum), metric: None },
    })
}

/// Parse `a,b,c,...` as typed on the command line; an empty place is unanswered.
pub fn parse_items(instrument: Instrument, text: &str) -> Result<Vec<Option<i64>>, String> {
    text.split(',')
        .enumerate()
        .map(|(i, s)| {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse::<i64>()
                    .map(Some)
                    .map_err(|_| format!("{} item {}: '{s}' is not a whole number", instrument.label(), i + 1))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_swemwbs_conversion_table() {
        let table = [
            (7, 7.00),
            (8, 9.51),
            (9, 11.25),
            (10, 12.40),
            (11, 13.33),
            (12, 14.08),
            (13, 14.75),
            (14, 15.32),
            (15, 15.84),
            (16, 16.36),
            (17, 16.88),
            (18, 17.43),
            (19, 17.98),
            (20, 18.59),
            (21, 19.25),
            (22, 19.98),
            (23, 20.73),
            (24, 21.54),
            (25, 22.35),
            (26, 23.21),
            (27, 24.11),
            (28, 25.03),
            (29, 26.02),
            (30, 27.03),
            (31, 28.13),
            (32, 29.31),
            (33, 30.70),
            (34, 32.55),
            (35, 35.00),
        ];
        for (raw, metric) in table {
            assert_eq!(swemwbs_metric(raw), Some(metric), "raw {raw}");
        }
        assert_eq!(swemwbs_metric(6), None);
        assert_eq!(swemwbs_metric(36), None);
    }

    #[test]
    fn swemwbs_scores_raw_and_metric() {
        let s = score(Instrument::Swemwbs, &[3, 3, 3, 3, 3, 3, 3].map(Some)).unwrap();
        assert_eq!((s.raw, s.metric), (Some(21), Some(19.25)));
    }

    #[test]
    fn partly_answered_swemwbs_is_not_scored() {
        let items = [Some(3), Some(3), Some(3), Some(3), None, Some(3), Some(3)];
        let e = score(Instrument::Swemwbs, &items).unwrap_err();
        assert_eq!(e, MeasureError::Missing { instrument: Instrument::Swemwbs, item: 5 });
        assert!(e.to_string().contains("item 5 (thinking clearly)"), "{e}");
    }

    #[test]
    fn ons4_bands_including_reversed_anxiety() {
        let expect = [
            (0, Band::Low),
            (4, Band::Low),
            (5, Band::Medium),
            (6, Band::Medium),
            (7, Band::High),
            (8, Band::High),
            (9, Band::VeryHigh),
            (10, Band::VeryHigh),
        ];
        for item in 1..=3 {
            for (v, b) in expect {
                assert_eq!(ons4_band(item, v), Some(b), "item {item} score {v}");
            }
        }
        let anxiety = [
            (0, Band::VeryLow),
            (1, Band::VeryLow),
            (2, Band::Low),
            (3, Band::Low),
            (4, Band::Medium),
            (5, Band::Medium),
            (6, Band::High),
            (10, Band::High),
        ];
        for (v, b) in anxiety {
            assert_eq!(ons4_band(4, v), Some(b), "anxiety {v}");
        }
        assert_eq!(ons4_band(1, 11), None);
        assert_eq!(ons4_band(5, 1), None);
    }

    #[test]
    fn ons4_is_never_summed() {
        let s = score(Instrument::Ons4, &[7, 8, 6, 3].map(Some)).unwrap();
        assert_eq!((s.raw, s.metric), (None, None));
        assert_eq!(s.items, vec![7, 8, 6, 3]);
    }

    #[test]
    fn ucla3_totals() {
        assert_eq!(score(Instrument::Ucla3, &[1, 1, 1].map(Some)).unwrap().raw, Some(3));
        assert_eq!(score(Instrument::Ucla3, &[2, 3, 1].map(Some)).unwrap().raw, Some(6));
        assert_eq!(score(Instrument::Ucla3, &[3, 3, 3].map(Some)).unwrap().raw, Some(9));
    }

    #[test]
    fn out_of_range_names_the_item() {
        let e = score(Instrument::Ucla3, &[1, 4, 1].map(Some)).unwrap_err();
        assert_eq!(e.to_string(), "UCLA-3 item 2 (left out): 4 is out of range; expected 1 to 3");
        let e = score(Instrument::Ons4, &[7, 8, -1, 3].map(Some)).unwrap_err();
        assert!(e.to_string().contains("item 3 (happy yesterday)"), "{e}");
        let e = score(Instrument::Swemwbs, &[3, 3, 3].map(Some)).unwrap_err();
        assert_eq!(e.to_string(), "SWEMWBS: expected 7 item scores, found 3");
    }

    #[test]
    fn parse_items_from_command_line() {
        assert_eq!(parse_items(Instrument::Ucla3, "1, 2,3"), Ok(vec![Some(1), Some(2), Some(3)]));
        assert_eq!(parse_items(Instrument::Ucla3, "1,,3"), Ok(vec![Some(1), None, Some(3)]));
        assert!(parse_items(Instrument::Ucla3, "1,x,3").unwrap_err().contains("item 2"));
    }
}
