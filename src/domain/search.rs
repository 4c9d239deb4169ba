//! The rules of a directory search that are not SQL: the words of a query,
//! close spellings, and the filters a Link Worker uses in the room (open on a
//! weekday, free of charge, in a postcode district).

use chrono::Weekday;

/// The words of a query as the indexes hold them: lower case, split at anything
/// that is not a letter, digit or apostrophe; quotes and FTS syntax are gone.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// How many edits a word may be from one a service uses and still be taken as
/// a misspelling of it: none under 5 letters, 1 up to 7, 2 from 8.
pub fn typo_allowance(word: &str) -> usize {
    match word.chars().count() {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`, if
/// at most `max`; `None` beyond.
pub fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
    }
    Some(d[a.len() * w + b.len()]).filter(|n| *n <= max)
}

const DAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "MO", "monday"),
    (Weekday::Tue, "TU", "tuesday"),
    (Weekday::Wed, "WE", "wednesday"),
    (Weekday::Thu, "TH", "thursday"),
    (Weekday::Fri, "FR", "friday"),
    (Weekday::Sat, "SA", "saturday"),
    (Weekday::Sun, "SU", "sunday"),
];

/// A weekday named in a word: a byday code (`MO`, in capitals), the day's name
/// or its short form (`mon`, `tues`, `thurs`), singular or plural.
fn day_of(word: &str) -> Option<Weekday> {
    if let Some((d, _, _)) = DAYS.iter().find(|(_, code, _)| *code == word) {
        return Some(*d);
    }
    let w = word.to_lowercase();
    let w = w.strip_suffix('s').filter(|s| s.len() >= 3).unwrap_or(&w);
    DAYS.iter()
        .find(|(_, _, name)| *name == w || (w.len() >= 3 && name.starts_with(w) && w.len() <= 5 && !w.ends_with("day")))
        .map(|(d, _, _)| *d)
}

/// The weekdays a schedule (as the directory keeps it: "MO,WE 09:00-17:00",
/// "Tuesdays 10:00-12:00", "Monday to Friday", "weekdays", "daily") says a
/// service is open: `None` when it names none (unknown is not "closed").
pub fn open_days(schedule: &str) -> Option<[bool; 7]> {
    let mut open = [false; 7];
    let tokens: Vec<&str> = schedule.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
    let lower = schedule.to_lowercase();
    if lower.contains("every day") || lower.contains("daily") || lower.contains("7 days") {
        return Some([true; 7]);
    }
    if lower.contains("weekday") {
        open[..5].iter_mut().for_each(|d| *d = true);
    }
    if lower.contains("weekend") {
        open[5] = true;
        open[6] = true;
    }
    // "Monday to Friday", "Mon-Fri": a range between two days.
    for (i, t) in tokens.iter().enumerate() {
        let Some(day) = day_of(t) else { continue };
        open[day.num_days_from_monday() as usize] = true;
        let next_is_to =
            tokens.get(i + 1).is_some_and(|n| n.eq_ignore_ascii_case("to") || n.eq_ignore_ascii_case("until"));
        let dash = schedule.contains(&format!("{t}-"))
            || schedule.contains(&format!("{t} - "))
            || schedule.contains(&format!("{t}–"));
        let last = if next_is_to {
            tokens.get(i + 2)
        } else if dash {
            tokens.get(i + 1)
        } else {
            None
        };
        if let Some(end) = last.and_then(|e| day_of(e)) {
            let (a, b) = (day.num_days_from_monday() as usize, end.num_days_from_monday() as usize);
            let mut k = a;
            while k != b {
                open[k] = true;
                k = (k + 1) % 7;
            }
            open[b] = true;
        }
    }
    open.iter().any(|d| *d).then_some(open)
}

/// Whether a schedule says the service is open on `day`.
pub fn opens_on(schedule: &str, day: Weekday) -> bool {
    open_days(schedule).is_some_and(|open| open[day.num_days_from_monday() as usize])
}

/// Whether a service's fees say it is free of charge: the word "free", or a
/// nil amount, and no charge beside it ("Free; £2 for materials" is not free).
/// Fees not given are not taken as free.
pub fn is_free(fees: &str) -> bool {
    let lower = fees.to_lowercase();
    let charges = lower.split('£').skip(1).any(|after| {
        let amount: String = after.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        amount.parse::<f64>().is_ok_and(|a| a > 0.0)
    });
    let free = words(&lower).iter().any(|w| w == "free")
        || ["0", "£0", "£0.00", "0.00", "none", "no charge"].contains(&lower.trim());
    free && !charges
}

/// The postcode district (outward code) of a UK postcode: "LS6 2AB" and "ls62ab" are "LS6".
pub fn district(postcode: &str) -> Option<String> {
    let compact: String = postcode.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
        return None;
    }
    let outward = &compact[..compact.len() - 3];
    let ok =
        outward.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && outward.chars().any(|c| c.is_ascii_digit());
    ok.then(|| outward.to_owned())
}

/// Whether a service's postcode is in `wanted`: a district ("LS6") or, letters
/// only, a postcode area ("LS"). A service without a postcode is in none.
pub fn in_district(postcode: &str, wanted: &str) -> bool {
    let wanted = wanted.trim().to_uppercase();
    let Some(d) = district(postcode) else { return false };
    if wanted.chars().all(|c| c.is_ascii_alphabetic()) {
        d.chars().take_while(char::is_ascii_alphabetic).collect::<String>() == wanted
    } else {
        d == wanted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_spellings_within_the_allowance() {
        assert_eq!(edit_distance("bereavment", "bereavement", 2), Some(1));
        assert_eq!(edit_distance("dementa", "dementia", 1), Some(1));
        assert_eq!(edit_distance("alotment", "allotment", 2), Some(1));
        assert_eq!(edit_distance("recieve", "receive", 1), Some(1), "a swap is one edit");
        assert_eq!(edit_distance("mould", "mounting", 2), None);
        assert_eq!((typo_allowance("mold"), typo_allowance("mould"), typo_allowance("allotment")), (0, 1, 2));
    }

    #[test]
    fn weekdays_from_the_ways_schedules_are_written() {
        use Weekday::*;
        assert!(opens_on("MO,WE 09:00-17:00", Mon) && opens_on("MO,WE 09:00-17:00", Wed));
        assert!(!opens_on("MO,WE 09:00-17:00", Tue));
        assert!(opens_on("Tuesdays 10:00-12:00", Tue) && !opens_on("Tuesdays 10:00-12:00", Thu));
        assert!(opens_on("Monday to Friday, 9am to 5pm", Wed) && !opens_on("Monday to Friday", Sat));
        assert!(opens_on("Mon-Fri 9-5", Thu) && opens_on("weekdays", Fri) && !opens_on("weekdays", Sun));
        assert!(opens_on("Open daily", Sun));
        assert!(!opens_on("MORNINGS ONLY", Mon), "a word starting MO is not Monday");
        assert_eq!(open_days("By appointment"), None);
    }

    #[test]
    fn free_only_when_no_charge_is_named() {
        assert!(is_free("Free") && is_free("free of charge") && is_free("£0"));
        assert!(!is_free("£2 a session") && !is_free("Free; £2 for materials") && !is_free("freedom pass holders £1"));
    }

    #[test]
    fn postcode_districts_and_areas() {
        assert_eq!(district("ls6 2ab").as_deref(), Some("LS6"));
        assert_eq!(district("SW1A1AA").as_deref(), Some("SW1A"));
        assert!(in_district("LS6 2AB", "ls6") && !in_district("LS16 2AB", "LS6") && in_district("LS16 2AB", "LS"));
        assert!(!in_district("", "LS6"));
    }
}
