//! Meeting agendas (SPEC §3, staffs and RCPs): the coordinator orders the cases submitted to a
//! meeting, gives each a number of minutes and adds items that are not cases (a teaching talk,
//! announcements). [`schedule`] turns that list into start and end times from the meeting's start
//! and flags the items that run past the meeting's end.
//!
//! A case postponed at a meeting moves to the next occurrence of its series that is not
//! cancelled: [`next_occurrence`].
//!
//! All times are local wall-clock times ([`NaiveDateTime`]), as in
//! [`crate::domain::recurrence`]: an agenda never crosses a daylight-saving change in practice,
//! and the conversion to UTC happens once, at the edge.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::time::format_datetime_fr;

/// The longest an agenda item may last, in minutes (a whole afternoon).
pub const MAX_ITEM_MINUTES: u32 = 240;

/// What an agenda item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgendaItemKind {
    /// A case submitted to the meeting; the item's title is the case code.
    Case,
    /// A short teaching talk (exposé).
    Teaching,
    /// Announcements (news of the CPTS, dates).
    Announcement,
    /// Anything else (a round table, a break).
    Other,
}

impl AgendaItemKind {
    /// Every kind, in the order the UI lists them.
    pub const ALL: [AgendaItemKind; 4] = [
        AgendaItemKind::Case,
        AgendaItemKind::Teaching,
        AgendaItemKind::Announcement,
        AgendaItemKind::Other,
    ];

    /// Stable code for the database, forms and URLs.
    pub fn code(self) -> &'static str {
        match self {
            AgendaItemKind::Case => "case",
            AgendaItemKind::Teaching => "teaching",
            AgendaItemKind::Announcement => "announcement",
            AgendaItemKind::Other => "other",
        }
    }

    /// Parses a code produced by [`AgendaItemKind::code`].
    pub fn from_code(code: &str) -> Option<AgendaItemKind> {
        AgendaItemKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
    }

    /// French label.
    pub fn label_fr(self) -> &'static str {
        match self {
            AgendaItemKind::Case => "Cas",
            AgendaItemKind::Teaching => "Exposé",
            AgendaItemKind::Announcement => "Annonces",
            AgendaItemKind::Other => "Autre",
        }
    }
}

/// One item of a meeting's agenda, in agenda order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    /// What the item is.
    pub kind: AgendaItemKind,
    /// For a case, its code ("C-2026-014", never anything identifying); otherwise a free title.
    pub title: String,
    /// Time given to the item, 1..=[`MAX_ITEM_MINUTES`].
    pub minutes: u32,
}

/// Why an agenda item's duration is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AgendaError {
    /// Zero minutes.
    #[error("« {title} » : indiquez une durée d'au moins 1 minute.")]
    NoMinutes {
        /// The item's title.
        title: String,
    },
    /// More than [`MAX_ITEM_MINUTES`].
    #[error("« {title} » : un point de l'ordre du jour ne peut pas dépasser 240 minutes ({minutes} minutes demandées).")]
    TooManyMinutes {
        /// The item's title.
        title: String,
        /// The minutes asked for.
        minutes: u32,
    },
}

impl AgendaItem {
    /// An item whose duration is checked.
    pub fn new(
        kind: AgendaItemKind,
        title: impl Into<String>,
        minutes: u32,
    ) -> Result<AgendaItem, AgendaError> {
        let item = AgendaItem {
            kind,
            title: title.into(),
            minutes,
        };
        item.check()?;
        Ok(item)
    }

    /// Checks the item's duration: 1..=[`MAX_ITEM_MINUTES`] minutes.
    pub fn check(&self) -> Result<(), AgendaError> {
        if self.minutes == 0 {
            Err(AgendaError::NoMinutes {
                title: self.title.clone(),
            })
        } else if self.minutes > MAX_ITEM_MINUTES {
            Err(AgendaError::TooManyMinutes {
                title: self.title.clone(),
                minutes: self.minutes,
            })
        } else {
            Ok(())
        }
    }
}

/// Checks every item; on failure, every problem with the index of its item, in agenda order.
pub fn validate(items: &[AgendaItem]) -> Result<(), Vec<(usize, AgendaError)>> {
    let errors: Vec<(usize, AgendaError)> = items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| item.check().err().map(|error| (index, error)))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// An agenda item placed in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledItem {
    /// Index of the item in the list given to [`schedule`].
    pub index: usize,
    /// Local start: the meeting's start plus the minutes of every earlier item.
    pub start: NaiveDateTime,
    /// Local end: `start` plus the item's minutes.
    pub end: NaiveDateTime,
    /// Whether the item ends after the meeting's end (ending exactly at the end is on time).
    pub overruns: bool,
}

/// Adds minutes to a local time, saturating at the largest representable time instead of
/// panicking on absurd (unvalidated) durations.
fn plus_minutes(at: NaiveDateTime, minutes: u64) -> NaiveDateTime {
    i64::try_from(minutes)
        .ok()
        .and_then(Duration::try_minutes)
        .and_then(|duration| at.checked_add_signed(duration))
        .unwrap_or(NaiveDateTime::MAX)
}

/// Places the items one after another from `meeting_start`, in the order given, and flags those
/// that end after `meeting_start + meeting_minutes`. One [`ScheduledItem`] per item, same order.
pub fn schedule(
    meeting_start: NaiveDateTime,
    meeting_minutes: u32,
    items: &[AgendaItem],
) -> Vec<ScheduledItem> {
    let meeting_end = plus_minutes(meeting_start, u64::from(meeting_minutes));
    let mut elapsed: u64 = 0;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let start = plus_minutes(meeting_start, elapsed);
            elapsed += u64::from(item.minutes);
            let end = plus_minutes(meeting_start, elapsed);
            ScheduledItem {
                index,
                start,
                end,
                overruns: end > meeting_end,
            }
        })
        .collect()
}

/// Total minutes of the agenda (saturating, never panics).
pub fn total_minutes(items: &[AgendaItem]) -> u32 {
    items
        .iter()
        .fold(0u32, |total, item| total.saturating_add(item.minutes))
}

/// By how many minutes the agenda runs past a meeting of `meeting_minutes`; 0 when it fits.
pub fn overrun_minutes(meeting_minutes: u32, items: &[AgendaItem]) -> u32 {
    total_minutes(items).saturating_sub(meeting_minutes)
}

/// Moves the item at `from` to position `to`, shifting the items in between (drag and drop, or
/// "monter" / "descendre"). A `to` past the end moves the item last; a `from` out of range
/// changes nothing. Returns whether the order changed.
///
/// Takes a slice, so `move_item(&mut vec, 2, 0)` works on a `Vec` as well.
pub fn move_item<T>(items: &mut [T], from: usize, to: usize) -> bool {
    if from >= items.len() {
        return false;
    }
    let to = to.min(items.len() - 1);
    if from < to {
        items[from..=to].rotate_left(1);
    } else if to < from {
        items[to..=from].rotate_right(1);
    }
    from != to
}

/// Why a case cannot be postponed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PostponeError {
    /// The series has no occurrence after this one (a single meeting, or the series' last one).
    #[error(
        "Cette réunion n'a pas de séance suivante : la séance du {} est la dernière de la série. Proposez le cas à une autre réunion.",
        format_datetime_fr(*current)
    )]
    LastOccurrence {
        /// Local start of the occurrence the case was on.
        current: NaiveDateTime,
    },
    /// Every later occurrence is cancelled.
    #[error(
        "Cette réunion n'a pas de séance suivante : les séances après celle du {} sont toutes annulées. Proposez le cas à une autre réunion.",
        format_datetime_fr(*current)
    )]
    AllLaterCancelled {
        /// Local start of the occurrence the case was on.
        current: NaiveDateTime,
    },
}

/// Where a case postponed at the occurrence starting at `current` goes: the earliest occurrence
/// of the series strictly after `current` that is not cancelled. `occurrences` are the series'
/// occurrences as (local start, cancelled), in any order.
pub fn next_occurrence(
    current: NaiveDateTime,
    occurrences: &[(NaiveDateTime, bool)],
) -> Result<NaiveDateTime, PostponeError> {
    let mut later = occurrences
        .iter()
        .filter(|(start, _)| *start > current)
        .peekable();
    if later.peek().is_none() {
        return Err(PostponeError::LastOccurrence { current });
    }
    later
        .filter(|(_, cancelled)| !cancelled)
        .map(|(start, _)| *start)
        .min()
        .ok_or(PostponeError::AllLaterCancelled { current })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, hour: u32, minute: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, day)
            .unwrap()
            .and_hms_opt(hour, minute, 0)
            .unwrap()
    }

    fn item(kind: AgendaItemKind, title: &str, minutes: u32) -> AgendaItem {
        AgendaItem {
            kind,
            title: title.to_string(),
            minutes,
        }
    }

    fn staff_agenda() -> Vec<AgendaItem> {
        vec![
            item(AgendaItemKind::Announcement, "Annonces", 10),
            item(AgendaItemKind::Case, "C-2026-014", 20),
            item(AgendaItemKind::Case, "C-2026-015", 20),
            item(AgendaItemKind::Teaching, "Lithium en soins primaires", 30),
        ]
    }

    #[test]
    fn codes_round_trip() {
        for kind in AgendaItemKind::ALL {
            assert_eq!(AgendaItemKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(AgendaItemKind::from_code("pause"), None);
        assert_eq!(AgendaItemKind::Teaching.label_fr(), "Exposé");
    }

    #[test]
    fn items_follow_each_other_from_the_start() {
        let slots = schedule(at(10, 12, 30), 90, &staff_agenda());
        let times: Vec<_> = slots.iter().map(|s| (s.index, s.start, s.end)).collect();
        assert_eq!(
            times,
            vec![
                (0, at(10, 12, 30), at(10, 12, 40)),
                (1, at(10, 12, 40), at(10, 13, 0)),
                (2, at(10, 13, 0), at(10, 13, 20)),
                (3, at(10, 13, 20), at(10, 13, 50)),
            ]
        );
        assert!(slots.iter().all(|s| !s.overruns));
        assert_eq!(total_minutes(&staff_agenda()), 80);
        assert_eq!(overrun_minutes(90, &staff_agenda()), 0);
    }

    #[test]
    fn ending_exactly_at_the_end_is_not_an_overrun_one_minute_past_is() {
        let slots = schedule(at(10, 12, 30), 80, &staff_agenda());
        assert_eq!(slots[3].end, at(10, 13, 50));
        assert!(!slots[3].overruns);
        assert_eq!(overrun_minutes(80, &staff_agenda()), 0);

        let slots = schedule(at(10, 12, 30), 79, &staff_agenda());
        assert_eq!(
            slots.iter().map(|s| s.overruns).collect::<Vec<_>>(),
            vec![false, false, false, true]
        );
        assert_eq!(overrun_minutes(79, &staff_agenda()), 1);
    }

    #[test]
    fn items_starting_after_the_end_overrun_too() {
        let slots = schedule(at(10, 12, 30), 30, &staff_agenda());
        assert_eq!(
            slots.iter().map(|s| s.overruns).collect::<Vec<_>>(),
            vec![false, false, true, true]
        );
        assert_eq!(overrun_minutes(30, &staff_agenda()), 50);
    }

    #[test]
    fn empty_agenda() {
        assert!(schedule(at(10, 12, 30), 60, &[]).is_empty());
        assert_eq!(total_minutes(&[]), 0);
        assert_eq!(overrun_minutes(60, &[]), 0);
        assert_eq!(validate(&[]), Ok(()));
    }

    #[test]
    fn a_meeting_running_past_midnight_keeps_counting() {
        let slots = schedule(
            at(10, 23, 30),
            60,
            &[item(AgendaItemKind::Other, "Tour de table", 60)],
        );
        assert_eq!(slots[0].end, at(11, 0, 30));
        assert!(!slots[0].overruns);
    }

    #[test]
    fn absurd_durations_do_not_panic() {
        let items = vec![
            item(AgendaItemKind::Other, "a", u32::MAX),
            item(AgendaItemKind::Other, "b", u32::MAX),
        ];
        assert_eq!(total_minutes(&items), u32::MAX);
        let slots = schedule(at(10, 12, 30), 60, &items);
        assert!(slots.iter().all(|s| s.overruns));
    }

    #[test]
    fn durations_are_checked() {
        assert!(AgendaItem::new(AgendaItemKind::Case, "C-2026-014", 1).is_ok());
        assert!(AgendaItem::new(AgendaItemKind::Case, "C-2026-014", MAX_ITEM_MINUTES).is_ok());
        assert_eq!(
            AgendaItem::new(AgendaItemKind::Case, "C-2026-014", 0),
            Err(AgendaError::NoMinutes {
                title: "C-2026-014".into()
            })
        );
        let too_long = AgendaItem::new(AgendaItemKind::Teaching, "Exposé", 241).unwrap_err();
        assert_eq!(
            too_long.to_string(),
            "« Exposé » : un point de l'ordre du jour ne peut pas dépasser 240 minutes (241 minutes demandées)."
        );

        let mut items = staff_agenda();
        items[1].minutes = 0;
        items[3].minutes = 300;
        let errors = validate(&items).unwrap_err();
        assert_eq!(
            errors.iter().map(|(index, _)| *index).collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert!(errors[0].1.to_string().contains("au moins 1 minute"));
    }

    #[test]
    fn moving_items() {
        let mut items = vec!['a', 'b', 'c', 'd'];
        assert!(move_item(&mut items, 0, 2));
        assert_eq!(items, vec!['b', 'c', 'a', 'd']);
        assert!(move_item(&mut items, 3, 0));
        assert_eq!(items, vec!['d', 'b', 'c', 'a']);
        assert!(move_item(&mut items, 1, 99));
        assert_eq!(items, vec!['d', 'c', 'a', 'b']);
        assert!(!move_item(&mut items, 2, 2));
        assert!(!move_item(&mut items, 4, 0));
        assert_eq!(items, vec!['d', 'c', 'a', 'b']);
        let mut empty: Vec<char> = Vec::new();
        assert!(!move_item(&mut empty, 0, 0));
    }

    #[test]
    fn reordering_changes_the_times() {
        let mut items = staff_agenda();
        move_item(&mut items, 3, 0);
        let slots = schedule(at(10, 12, 30), 80, &items);
        assert_eq!(items[0].kind, AgendaItemKind::Teaching);
        assert_eq!(
            (slots[0].start, slots[0].end),
            (at(10, 12, 30), at(10, 13, 0))
        );
        assert_eq!(slots[1].start, at(10, 13, 0));
        assert_eq!(slots[3].end, at(10, 13, 50));
    }

    #[test]
    fn postponement_goes_to_the_next_occurrence_not_cancelled() {
        let series = [
            (at(3, 12, 30), false),
            (at(10, 12, 30), false),
            (at(17, 12, 30), true),
            (at(24, 12, 30), false),
            (at(31, 12, 30), false),
        ];
        assert_eq!(next_occurrence(at(3, 12, 30), &series), Ok(at(10, 12, 30)));
        assert_eq!(next_occurrence(at(10, 12, 30), &series), Ok(at(24, 12, 30)));

        let mut shuffled = series;
        shuffled.reverse();
        assert_eq!(
            next_occurrence(at(10, 12, 30), &shuffled),
            Ok(at(24, 12, 30))
        );
    }

    #[test]
    fn no_next_occurrence_is_a_clear_error() {
        let series = [(at(3, 12, 30), false), (at(10, 12, 30), false)];
        let error = next_occurrence(at(10, 12, 30), &series).unwrap_err();
        assert_eq!(
            error,
            PostponeError::LastOccurrence {
                current: at(10, 12, 30)
            }
        );
        assert!(error
            .to_string()
            .starts_with("Cette réunion n'a pas de séance suivante : "));
        assert!(error.to_string().contains("mardi 10 mars 2026 à 12h30"));
        assert_eq!(
            next_occurrence(at(10, 12, 30), &[]),
            Err(PostponeError::LastOccurrence {
                current: at(10, 12, 30)
            })
        );

        let cancelled = [
            (at(3, 12, 30), false),
            (at(10, 12, 30), true),
            (at(17, 12, 30), true),
        ];
        let error = next_occurrence(at(3, 12, 30), &cancelled).unwrap_err();
        assert_eq!(
            error,
            PostponeError::AllLaterCancelled {
                current: at(3, 12, 30)
            }
        );
        assert!(error
            .to_string()
            .starts_with("Cette réunion n'a pas de séance suivante : "));
    }
}
