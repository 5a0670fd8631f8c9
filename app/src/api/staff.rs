//! Staff and RCP sessions (SPEC §3): the agenda of a meeting (order, minutes, non-case items,
//! postponement, publication with a calendar slot per presenter), the session (attendance, the
//! item under discussion, quorum), reading-ahead notes, and the records (sign-in sheet, fiche RCP).
//!
//! Who sees what: the organisation's coordinators run everything; invitees and presenters see
//! the agenda (case codes, question types, presenters, times: never clinical content) and follow
//! the session; a case's content stays behind the case page's own permissions.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::domain::agenda::AgendaItemKind;
use crate::domain::ids::{AgendaItemId, CaseId, MeetingId, UserId};
use crate::domain::meeting::MeetingKind;
use crate::error::AppError;

/// One line of an agenda as pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItemView {
    /// Form key: `i<item id>` for a stored item, `c<case id>` for a case not placed yet.
    pub key: String,
    /// The stored item.
    pub item_id: Option<AgendaItemId>,
    /// Kind.
    pub kind: AgendaItemKind,
    /// The case code, or the item's title.
    pub title: String,
    /// Minutes.
    pub minutes: u32,
    /// "14 h 20".
    pub start: String,
    /// "14 h 40".
    pub end: String,
    /// Runs past the meeting's end.
    pub overruns: bool,
    /// The case.
    pub case_id: Option<CaseId>,
    /// The viewer may open the case page.
    pub can_open_case: bool,
    /// Who presents it (the case's author).
    pub presenter: Option<String>,
    /// Question types, in French.
    pub question_types: Vec<String>,
    /// Completeness: missing items (shown to those who may open the case).
    pub missing_count: Option<i64>,
    /// The viewer presents it.
    pub mine: bool,
}

/// A meeting's agenda.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaView {
    /// Meeting.
    pub meeting_id: MeetingId,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: MeetingKind,
    /// "mardi 3 mars 2026, 13 h – 14 h 30".
    pub when: String,
    /// Minutes the meeting lasts.
    pub meeting_minutes: u32,
    /// Minutes the agenda fills.
    pub total_minutes: u32,
    /// "Publié le …" (none: not published).
    pub published: Option<String>,
    /// Items, in order.
    pub items: Vec<AgendaItemView>,
    /// The viewer coordinates the organisation.
    pub can_manage: bool,
    /// The meeting belongs to a series (cases can be postponed).
    pub in_series: bool,
    /// Cancelled.
    pub cancelled: bool,
    /// The quorum rule of this kind of meeting, in French ("Pas de quorum" when none).
    pub quorum_rule: String,
    /// The rule's numbers, for the coordinator's form.
    pub quorum_numbers: (u32, u32, bool),
    /// "Votre cas C-2026-014 : 14 h 20 – 14 h 40" for a presenter.
    pub my_slots: Vec<String>,
}

/// One person on the attendance list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeView {
    /// Who.
    pub user_id: UserId,
    /// Name.
    pub name: String,
    /// Role, in French.
    pub role: String,
    /// Discipline, in French (none: coordination).
    pub discipline: Option<String>,
    /// Present (true), absent (false), not marked.
    pub present: Option<bool>,
    /// Arrival, "HH:MM" Paris time (empty: not recorded).
    pub arrived: String,
    /// Departure, "HH:MM".
    pub left: String,
    /// Their time in the video room, e.g. "12:28 – 13:30" or "depuis 12:28" (none: never in).
    pub in_room: Option<String>,
}

/// What watchers of a session follow live.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveState {
    /// Grows at every change.
    pub revision: i64,
    /// The item under discussion.
    pub current_item_id: Option<AgendaItemId>,
    /// "En cours : C-2026-014 (14 h 20 – 14 h 40)" or "La séance n'a pas commencé."
    pub current_label: String,
    /// People marked present.
    pub present: u32,
    /// Quorum (none: this kind of meeting has none).
    pub quorum_met: Option<bool>,
    /// "Quorum atteint" / what is missing.
    pub quorum_text: String,
}

/// An avis recorded during the meeting, as the session page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    /// Case.
    pub case_id: CaseId,
    /// "Décision de RCP" / "Avis sans quorum" / "Avis".
    pub kind: String,
    /// "signé par Dr X le …".
    pub signed: String,
}

/// The session page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The agenda.
    pub agenda: AgendaView,
    /// Live part.
    pub live: LiveState,
    /// Attendance list (the coordinator's view; others get only the count in `live`).
    pub attendance: Vec<AttendeeView>,
    /// Avis recorded in this meeting.
    pub decisions: Vec<DecisionView>,
    /// The viewer runs the session.
    pub can_run: bool,
    /// The viewer may print the records.
    pub can_print: bool,
}

/// One line of the sign-in sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetLine {
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Discipline.
    pub discipline: String,
    /// "Présent·e" / "Absent·e" / "Non renseigné".
    pub status: String,
    /// Arrival.
    pub arrived: String,
    /// Departure.
    pub left: String,
}

/// One fiche RCP (one per case discussed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RcpRecord {
    /// Case code.
    pub code: String,
    /// The question asked.
    pub question: String,
    /// Disciplines present when the avis was signed.
    pub disciplines: String,
    /// "Oui" / "Non".
    pub quorum_met: String,
    /// "Décision de RCP" / "Avis sans quorum".
    pub decision_kind: String,
    /// The avis, as text (each part labelled).
    pub decision: Vec<(String, String)>,
    /// Date of signature.
    pub date: String,
    /// Who signed, and who recorded it when different.
    pub recorded_by: String,
}

/// The records of a meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsView {
    /// Meeting.
    pub meeting_id: MeetingId,
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: MeetingKind,
    /// When.
    pub when: String,
    /// Organisation.
    pub organisation_name: String,
    /// Sign-in sheet.
    pub sheet: Vec<SheetLine>,
    /// Quorum rule, in French.
    pub quorum_rule: String,
    /// Fiches RCP (RCPs only).
    pub rcp: Vec<RcpRecord>,
}

/// One line of the agenda form (`items[N][key]`, `items[N][minutes]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgendaLineForm {
    /// `i<item id>` or `c<case id>`.
    pub key: String,
    /// Minutes, as typed.
    pub minutes: String,
}

/// A meeting's agenda.
#[server(endpoint = "staff/agenda", input = GetUrl)]
pub async fn get_agenda(id: MeetingId) -> Result<AgendaView, AppError> {
    ssr::respond(ssr::agenda_view(id)).await
}

/// Saves the agenda's order and minutes; `intent` also moves (`up:N`, `down:N`), removes
/// (`remove:N`), postpones (`postpone:N`) or publishes (`publish`).
#[server(endpoint = "staff/agenda/save")]
pub async fn save_agenda(
    csrf_token: String,
    id: MeetingId,
    #[server(default)] intent: String,
    #[server(default)] items: Vec<AgendaLineForm>,
) -> Result<(), AppError> {
    let _ = csrf_token;
    ssr::respond(async {
        let code = ssr::save_agenda(id, &intent, items).await?;
        crate::backend::redirect_back(code, &format!("/reunions/{id}/ordre-du-jour"));
        Ok(())
    })
    .await
}

/// Adds a teaching talk or announcements at the end of the agenda.
#[server(endpoint = "staff/agenda/add")]
pub async fn add_agenda_item(
    csrf_token: String,
    id: MeetingId,
    #[server(default)] kind: String,
    #[server(default)] title: String,
    #[server(default)] minutes: String,
) -> Result<(), AppError> {
    let _ = csrf_token;
    ssr::respond(async {
        ssr::add_item(id, &kind, &title, &minutes).await?;
        crate::backend::redirect_back("point", &format!("/reunions/{id}/ordre-du-jour"));
        Ok(())
    })
    .await
}

/// Sets the organisation's quorum rule for this meeting's kind.
#[server(endpoint = "staff/quorum")]
pub async fn set_quorum(
    csrf_token: String,
    id: MeetingId,
    #[server(default)] min_present: String,
    #[server(default)] min_disciplines: String,
    #[server(default)] psychiatrist_required: String,
) -> Result<(), AppError> {
    let _ = csrf_token;
    ssr::respond(async {
        ssr::set_quorum(id, &min_present, &min_disciplines, &psychiatrist_required).await?;
        crate::backend::redirect_back("quorum", &format!("/reunions/{id}/ordre-du-jour"));
        Ok(())
    })
    .await
}

/// The session page.
#[server(endpoint = "staff/session", input = GetUrl)]
pub async fn get_session(id: MeetingId) -> Result<SessionView, AppError> {
    ssr::respond(ssr::session_view(id)).await
}

/// What watchers follow (also sent as server-sent events by `/meetings/{id}/live`).
#[server(endpoint = "staff/live", input = GetUrl)]
pub async fn get_live(id: MeetingId) -> Result<LiveState, AppError> {
    ssr::respond(ssr::live_for_viewer(id)).await
}

/// Records one person's attendance: `mark` is `present`, `absent`, `left` (departure now) or
/// `save` (the times typed).
#[server(endpoint = "staff/attendance")]
pub async fn mark_attendance(
    csrf_token: String,
    id: MeetingId,
    user_id: UserId,
    #[server(default)] mark: String,
    #[server(default)] arrived: String,
    #[server(default)] left: String,
) -> Result<(), AppError> {
    let _ = csrf_token;
    ssr::respond(async {
        ssr::mark(id, user_id, &mark, &arrived, &left).await?;
        crate::backend::redirect_back("presence", &format!("/reunions/{id}/seance"));
        Ok(())
    })
    .await
}

/// Moves the session to another item: `next`, `previous`, `item:<id>` or `none`.
#[server(endpoint = "staff/current")]
pub async fn set_current_item(
    csrf_token: String,
    id: MeetingId,
    #[server(default)] intent: String,
) -> Result<(), AppError> {
    let _ = csrf_token;
    ssr::respond(async {
        ssr::set_current(id, &intent).await?;
        crate::backend::redirect_back("point_courant", &format!("/reunions/{id}/seance"));
        Ok(())
    })
    .await
}

/// Saves the viewer's private preparation notes on a case (empty: deletes them).
#[server(endpoint = "staff/notes")]
pub async fn save_preparation_notes(
    csrf_token: String,
    case_id: CaseId,
    #[server(default)] body: String,
) -> Result<(), AppError> {
    let _ = csrf_token;
    ssr::respond(async {
        ssr::save_notes(case_id, &body).await?;
        crate::backend::redirect_back("notes", &format!("/cas/{case_id}"));
        Ok(())
    })
    .await
}

/// The sign-in sheet and the fiches RCP of a meeting.
#[server(endpoint = "staff/records", input = GetUrl)]
pub async fn get_records(id: MeetingId) -> Result<RecordsView, AppError> {
    ssr::respond(ssr::records(id)).await
}

#[cfg(feature = "ssr")]
pub use ssr::{
    decision_note, live_state, may_prepare, may_watch, record_decision, refresh_slots,
    slots_of_viewer,
};

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::backend::respond;

    use chrono::{NaiveDateTime, NaiveTime, Utc};

    use super::*;
    use crate::backend::calendar::build::slot_calendar;
    use crate::backend::calendar::ics::Person;
    use crate::backend::calendar::ics::{render, Method};
    use crate::backend::db::meetings::{self as meetings_store, MeetingRow};
    use crate::backend::db::outbox::{enqueue, NewMail};
    use crate::backend::db::staff::{
        self as store, AgendaLine, AgendaRow, AttendanceMark, SlotRow,
    };
    use crate::backend::db::{cases as cases_store, Db, Exec, Instant, Tx, WallClock};
    use crate::backend::{member_of, state, AppState};
    use crate::domain::agenda::{
        next_occurrence, schedule, total_minutes, AgendaItem, ScheduledItem,
    };
    use crate::domain::cases::permissions::{may_case, CaseAction, Relation};
    use crate::domain::cases::{AdviceContent, CaseCode, CaseContent, QuestionType};
    use crate::domain::meeting::FieldError;
    use crate::domain::permissions::Action;
    use crate::domain::principal::{Membership, Viewer};
    use crate::domain::quorum::{
        decision_kind, verdict, Attendee, DecisionKind, Discipline, QuorumRule,
    };
    use crate::domain::recurrence::{local_to_utc, utc_to_local};
    use crate::domain::role::Role;
    use crate::domain::time::{format_datetime_fr, format_slot_fr, format_time_fr};

    /// Minutes a case gets until the coordinator says otherwise.
    const DEFAULT_CASE_MINUTES: u32 = 15;

    fn code(year: Option<i32>, number: Option<i32>) -> String {
        match (year, number) {
            (Some(year), Some(number)) => CaseCode::new(year, number.max(0) as u32).to_string(),
            _ => "Cas".to_string(),
        }
    }

    fn item_of(row: &AgendaRow) -> AgendaItem {
        AgendaItem {
            kind: row.kind(),
            title: if row.kind() == AgendaItemKind::Case {
                code(row.code_year, row.code_number)
            } else {
                row.title.clone()
            },
            minutes: row
                .minutes
                .map(|m| m.clamp(1, 240) as u32)
                .unwrap_or(DEFAULT_CASE_MINUTES),
        }
    }

    fn key_of(row: &AgendaRow) -> String {
        match (row.item_id, row.case_id) {
            (Some(id), _) => format!("i{id}"),
            (None, Some(case_id)) => format!("c{case_id}"),
            (None, None) => String::new(),
        }
    }

    /// The agenda's items and their times from the meeting's start.
    fn scheduled(
        meeting: &MeetingRow,
        rows: &[AgendaRow],
    ) -> (Vec<AgendaItem>, Vec<ScheduledItem>) {
        let items: Vec<AgendaItem> = rows.iter().map(item_of).collect();
        let times = schedule(
            meeting.local_start(),
            meeting.duration_minutes as u32,
            &items,
        );
        (items, times)
    }

    /// "Votre cas C-2026-014 : 14h20 – 14h40".
    fn slot_label(item: &AgendaItem, time: &ScheduledItem) -> String {
        format!(
            "Votre cas {} : {} – {}",
            item.title,
            format_time_fr(time.start.time()),
            format_time_fr(time.end.time())
        )
    }

    /// A line of the agenda to store, from what is shown, with its minutes.
    fn line_of(row: &AgendaRow, minutes: u32) -> AgendaLine {
        AgendaLine {
            item_id: row.item_id,
            kind: row.kind(),
            case_id: row.case_id,
            title: row.title.clone(),
            minutes,
        }
    }

    /// The meeting, and the viewer's membership of its organisation, checked: a coordinator of
    /// the organisation, an invitee, or the author of a case submitted to it. Others: not found.
    async fn load(db: &Db, id: MeetingId) -> Result<(MeetingRow, Viewer, Membership), AppError> {
        let meeting = meetings_store::get(db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (viewer, membership) = member_of(meeting.organisation_id, Action::ViewMeetings)?;
        if !may_watch(db, &meeting, &viewer, &membership).await? {
            return Err(AppError::NotFound);
        }
        Ok((meeting, viewer, membership))
    }

    /// Whether this member may see the meeting's agenda and follow its session.
    pub async fn may_watch(
        db: &Db,
        meeting: &MeetingRow,
        viewer: &Viewer,
        membership: &Membership,
    ) -> Result<bool, AppError> {
        if membership.organisation_id != meeting.organisation_id {
            return Ok(false);
        }
        if membership.role == Role::Coordinator {
            return Ok(true);
        }
        let invited = meetings_store::invitees(db, meeting.id)
            .await?
            .iter()
            .any(|i| i.user_id == viewer.user_id);
        if invited {
            return Ok(true);
        }
        Ok(store::agenda(db, meeting.id)
            .await?
            .iter()
            .any(|row| row.author_id == Some(viewer.user_id)))
    }

    fn manager(membership: &Membership) -> Result<(), AppError> {
        if membership.role == Role::Coordinator {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    fn build_view(
        meeting: &MeetingRow,
        rows: &[AgendaRow],
        viewer: &Viewer,
        membership: &Membership,
        published: Option<Instant>,
        rule: &QuorumRule,
    ) -> AgendaView {
        let (items, times) = scheduled(meeting, rows);
        let mut my_slots = Vec::new();
        let views = rows
            .iter()
            .zip(items.iter().zip(times.iter()))
            .map(|(row, (item, time))| {
                let mine = row.author_id == Some(viewer.user_id);
                let relation = Relation::from_author(mine);
                let can_open_case = row.case_id.is_some()
                    && may_case(membership.role, relation, CaseAction::ReadCase);
                if mine {
                    my_slots.push(slot_label(item, time));
                }
                AgendaItemView {
                    key: key_of(row),
                    item_id: row.item_id,
                    kind: item.kind,
                    title: item.title.clone(),
                    minutes: item.minutes,
                    start: format_time_fr(time.start.time()),
                    end: format_time_fr(time.end.time()),
                    overruns: time.overruns,
                    case_id: row.case_id,
                    can_open_case,
                    presenter: row.author_name.clone(),
                    question_types: row
                        .question_types
                        .as_deref()
                        .unwrap_or("")
                        .split(',')
                        .filter_map(QuestionType::from_code)
                        .map(|q| q.label_fr().to_string())
                        .collect(),
                    missing_count: if can_open_case {
                        row.missing_count
                    } else {
                        None
                    },
                    mine,
                }
            })
            .collect();
        AgendaView {
            meeting_id: meeting.id,
            title: meeting.title.clone(),
            kind: meeting.kind,
            when: format_slot_fr(meeting.local_start(), meeting.duration_minutes as u32),
            meeting_minutes: meeting.duration_minutes as u32,
            total_minutes: total_minutes(&items),
            published: published.map(|at| {
                format!(
                    "Publié le {}",
                    format_datetime_fr(utc_to_local(at.0, meeting.tz()))
                )
            }),
            items: views,
            can_manage: membership.role == Role::Coordinator,
            in_series: meeting.series_id.is_some(),
            cancelled: meeting.cancelled,
            quorum_rule: rule.describe_fr(),
            quorum_numbers: (
                rule.min_present,
                rule.min_disciplines,
                rule.psychiatrist_required,
            ),
            my_slots,
        }
    }

    async fn agenda_of(
        db: &Db,
        meeting: &MeetingRow,
        viewer: &Viewer,
        membership: &Membership,
    ) -> Result<AgendaView, AppError> {
        let rows = store::agenda(db, meeting.id).await?;
        let session = store::state(db, meeting.id)
            .await?
            .ok_or(AppError::NotFound)?;
        let rule = store::quorum_rule(db, meeting.organisation_id, meeting.kind).await?;
        Ok(build_view(
            meeting,
            &rows,
            viewer,
            membership,
            session.agenda_published_at,
            &rule,
        ))
    }

    /// The viewer's own slots in a meeting's agenda ("Votre cas … : 14h20 – 14h40").
    pub async fn slots_of_viewer(
        db: &Db,
        meeting: &MeetingRow,
        user_id: UserId,
    ) -> Result<Vec<String>, AppError> {
        let rows = store::agenda(db, meeting.id).await?;
        if !rows.iter().any(|row| row.author_id == Some(user_id)) {
            return Ok(Vec::new());
        }
        let (items, times) = scheduled(meeting, &rows);
        Ok(rows
            .iter()
            .zip(items.iter().zip(&times))
            .filter(|(row, _)| row.author_id == Some(user_id))
            .map(|(_, (item, time))| slot_label(item, time))
            .collect())
    }

    /// For the avis form of a case brought to a meeting: what an avis signed now counts as.
    pub async fn decision_note(
        db: &Db,
        case: &cases_store::CaseRow,
    ) -> Result<Option<String>, AppError> {
        let Some(meeting_id) = case.meeting_id else {
            return Ok(None);
        };
        let Some(meeting) = meetings_store::get(db, meeting_id).await? else {
            return Ok(None);
        };
        let (kind, _, met, missing) = decision_for(db, &meeting).await?;
        Ok(Some(match (kind, met) {
            (DecisionKind::RcpDecision, _) => {
                "Quorum atteint : un avis signé maintenant est consigné comme décision de RCP."
                    .to_string()
            }
            (DecisionKind::AdviceWithoutQuorum, _) => format!(
                "Quorum non atteint selon les présences de la séance : un avis signé maintenant est consigné comme avis sans quorum. {missing}"
            ),
            (DecisionKind::Advice, _) => "Un avis signé maintenant est consigné comme avis du staff.".to_string(),
        }))
    }

    pub async fn agenda_view(id: MeetingId) -> Result<AgendaView, AppError> {
        let state: AppState = state()?;
        let (meeting, viewer, membership) = load(&state.db, id).await?;
        agenda_of(&state.db, &meeting, &viewer, &membership).await
    }

    fn parse_minutes(text: &str, title: &str, field: &str) -> Result<u32, FieldError> {
        match text.trim().parse::<u32>() {
            Ok(minutes) if (1..=240).contains(&minutes) => Ok(minutes),
            _ => Err(FieldError {
                field: field.to_string(),
                message: format!(
                    "« {title} » : indiquez une durée entre 1 et 240 minutes (reçu : « {} »).",
                    text.trim()
                ),
            }),
        }
    }

    pub async fn save_agenda(
        id: MeetingId,
        intent: &str,
        lines: Vec<AgendaLineForm>,
    ) -> Result<&'static str, AppError> {
        let state: AppState = state()?;
        let db = &state.db;
        let (meeting, viewer, membership) = load(db, id).await?;
        manager(&membership)?;
        if meeting.cancelled {
            return Err(AppError::Conflict(
                "Cette réunion est annulée : son ordre du jour ne peut plus changer.".into(),
            ));
        }
        let mut tx = db.begin_write().await?;
        let rows = store::agenda(&mut tx, id).await?;
        // The lines posted, matched to the current agenda by key; a line whose item or case
        // left the agenda meanwhile is dropped, a case submitted meanwhile stays at the end.
        let mut ordered: Vec<(AgendaRow, u32)> = Vec::with_capacity(rows.len());
        let mut errors = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            if let Some(row) = rows.iter().find(|row| key_of(row) == line.key) {
                if ordered.iter().any(|(r, _)| key_of(r) == line.key) {
                    continue;
                }
                let title = item_of(row).title;
                match parse_minutes(&line.minutes, &title, &format!("items[{index}][minutes]")) {
                    Ok(minutes) => ordered.push((row.clone(), minutes)),
                    Err(error) => {
                        errors.push(error);
                        ordered.push((row.clone(), item_of(row).minutes));
                    }
                }
            }
        }
        for row in &rows {
            if !ordered.iter().any(|(r, _)| key_of(r) == key_of(row)) {
                ordered.push((row.clone(), item_of(row).minutes));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        let mut code = "ordre_du_jour";
        let mut postpone = None;
        match intent.split_once(':') {
            Some(("up", n)) | Some(("down", n)) | Some(("remove", n)) | Some(("postpone", n)) => {
                let n: usize = n.parse().map_err(|_| AppError::NotFound)?;
                if n >= ordered.len() {
                    return Err(AppError::NotFound);
                }
                if intent.starts_with("up:") && n > 0 {
                    ordered.swap(n, n - 1);
                } else if intent.starts_with("down:") && n + 1 < ordered.len() {
                    ordered.swap(n, n + 1);
                } else if intent.starts_with("remove:") {
                    if ordered[n].0.kind() == AgendaItemKind::Case {
                        return Err(AppError::Conflict(
                            "Un cas ne se retire pas de l'ordre du jour : reportez-le à la séance suivante, ou son auteur·e le retire.".into(),
                        ));
                    }
                    ordered.remove(n);
                    code = "point_retire";
                } else if intent.starts_with("postpone:") {
                    postpone = Some(ordered.remove(n).0);
                    code = "reporte";
                }
            }
            _ if intent == "publish" => code = "publie",
            _ => {}
        }
        let lines: Vec<AgendaLine> = ordered
            .iter()
            .map(|(row, minutes)| line_of(row, *minutes))
            .collect();
        store::replace_agenda(&mut tx, id, &lines).await?;
        if let Some(row) = postpone {
            postpone_case(&mut tx, &state, &meeting, &row).await?;
        }
        let session = store::state(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let publish = intent == "publish";
        if publish {
            store::publish(&mut tx, id).await?;
            send_topics(&mut tx, &state, &meeting).await?;
        }
        if publish || session.agenda_published_at.is_some() {
            send_slots(&mut tx, &state, &meeting).await?;
        }
        audit(&mut tx, &viewer, &meeting, intent).await?;
        tx.commit().await?;
        state.mail_wakeup.notify_one();
        Ok(code)
    }

    async fn audit(
        tx: &mut Tx,
        viewer: &Viewer,
        meeting: &MeetingRow,
        intent: &str,
    ) -> Result<(), AppError> {
        let action = if intent == "publish" {
            "agenda.publish"
        } else {
            "agenda.save"
        };
        cases_store::audit(
            &mut *tx,
            viewer.user_id,
            meeting.organisation_id,
            action,
            None,
            None,
            &format!("meeting {}", meeting.id),
        )
        .await?;
        Ok(())
    }

    /// Moves a case to the next occurrence of the series that is not cancelled, and tells its
    /// author (a slot already sent is cancelled in their calendar).
    async fn postpone_case(
        tx: &mut Tx,
        state: &AppState,
        meeting: &MeetingRow,
        row: &AgendaRow,
    ) -> Result<(), AppError> {
        let (Some(case_id), Some(series_id)) = (row.case_id, meeting.series_id) else {
            return Err(AppError::Conflict(
                "Seul un cas d'une réunion en série peut être reporté à la séance suivante.".into(),
            ));
        };
        let occurrences = meetings_store::occurrences(&mut *tx, series_id).await?;
        let starts: Vec<(NaiveDateTime, bool)> = occurrences
            .iter()
            .map(|m| (m.local_start(), m.cancelled))
            .collect();
        let next = next_occurrence(meeting.local_start(), &starts)
            .map_err(|error| AppError::Conflict(error.to_string()))?;
        let target = occurrences
            .iter()
            .find(|m| m.local_start() == next && !m.cancelled)
            .ok_or(AppError::NotFound)?;
        store::move_case(tx, case_id, meeting.id, target.id).await?;
        let code = code(row.code_year, row.code_number);
        if let (Some(email), Some(name)) = (&row.author_email, &row.author_name) {
            let ics = cancelled_slot(tx, state, meeting, row)
                .await?
                .map(|text| ("CANCEL".to_string(), text));
            enqueue(
                tx,
                &NewMail {
                    recipient: email.clone(),
                    subject: format!("Cas {code} reporté à la séance suivante"),
                    body_text: format!(
                        "Bonjour {name},\n\nVotre cas {code}, prévu à « {} » le {}, est reporté à la séance \
                         suivante, le {} (heure de Paris). Il y sera inscrit à l'ordre du jour.\n\n\
                         Ordre du jour : {}/reunions/{}/ordre-du-jour\n\n— Concerto\n",
                        meeting.title,
                        format_datetime_fr(meeting.local_start()),
                        format_datetime_fr(next),
                        state.settings.base_url,
                        target.id
                    ),
                    organisation_id: Some(meeting.organisation_id),
                    ics_meeting_id: Some(meeting.id),
                    ics,
                    dedup_key: None,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// The topic list every invitee receives when the agenda is published: case codes, question
    /// types, presenters and times; never clinical content.
    pub fn topic_list(meeting: &MeetingRow, rows: &[AgendaRow]) -> String {
        let (items, times) = scheduled(meeting, rows);
        let mut text = String::new();
        for ((row, item), time) in rows.iter().zip(&items).zip(&times) {
            let slot = format!(
                "{} – {}",
                format_time_fr(time.start.time()),
                format_time_fr(time.end.time())
            );
            if item.kind == AgendaItemKind::Case {
                let questions: Vec<&str> = row
                    .question_types
                    .as_deref()
                    .unwrap_or("")
                    .split(',')
                    .filter_map(QuestionType::from_code)
                    .map(QuestionType::label_fr)
                    .collect();
                text.push_str(&format!(
                    "- {slot} : {} — {} — présenté par {}\n",
                    item.title,
                    if questions.is_empty() {
                        "question à préciser".to_string()
                    } else {
                        questions.join(", ")
                    },
                    row.author_name.as_deref().unwrap_or("?")
                ));
            } else {
                text.push_str(&format!(
                    "- {slot} : {} ({})\n",
                    item.title,
                    item.kind.label_fr()
                ));
            }
            if time.overruns {
                text.push_str("  (dépasse l'heure de fin prévue)\n");
            }
        }
        text
    }

    async fn send_topics(
        tx: &mut Tx,
        state: &AppState,
        meeting: &MeetingRow,
    ) -> Result<(), AppError> {
        let rows = store::agenda(&mut *tx, meeting.id).await?;
        let list = topic_list(meeting, &rows);
        let mut recipients: Vec<(String, String)> = meetings_store::invitees(&mut *tx, meeting.id)
            .await?
            .into_iter()
            .map(|i| (i.email, i.display_name))
            .collect();
        for row in &rows {
            if let (Some(email), Some(name)) = (&row.author_email, &row.author_name) {
                if !recipients.iter().any(|(e, _)| e == email) {
                    recipients.push((email.clone(), name.clone()));
                }
            }
        }
        for (email, name) in recipients {
            enqueue(
                tx,
                &NewMail {
                    recipient: email,
                    subject: format!("Ordre du jour : {}", meeting.title),
                    body_text: format!(
                        "Bonjour {name},\n\nL'ordre du jour de « {} » ({}, heure de Paris) est publié :\n\n{list}\n\
                         Les cas se lisent dans Concerto (connexion requise), selon vos droits :\n{}/reunions/{}/ordre-du-jour\n\n— Concerto\n",
                        meeting.title,
                        format_slot_fr(meeting.local_start(), meeting.duration_minutes as u32),
                        state.settings.base_url,
                        meeting.id
                    ),
                    organisation_id: Some(meeting.organisation_id),
                    ics_meeting_id: Some(meeting.id),
                    ics: None,
                    dedup_key: None,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// Sends each presenter the calendar invitation for their own slot: the first time, or again
    /// (SEQUENCE + 1, same UID) when the slot moved or changed length.
    async fn send_slots(
        tx: &mut Tx,
        state: &AppState,
        meeting: &MeetingRow,
    ) -> Result<(), AppError> {
        let rows = store::agenda(&mut *tx, meeting.id).await?;
        let (items, times) = scheduled(meeting, &rows);
        for ((row, item), time) in rows.iter().zip(&items).zip(&times) {
            let (Some(item_id), Some(_), Some(email), Some(name)) = (
                row.item_id,
                row.slot_uid.as_ref(),
                row.author_email.clone(),
                row.author_name.clone(),
            ) else {
                continue;
            };
            let unchanged = row.sent_start_local.map(|t| t.0) == Some(time.start)
                && row.sent_minutes == Some(i64::from(item.minutes));
            if unchanged {
                continue;
            }
            let first = row.sent_start_local.is_none();
            let sequence = if first { 0 } else { row.slot_sequence + 1 };
            let text = slot_ics(
                tx,
                state,
                meeting,
                row,
                (sequence, time.start, item.minutes),
                Method::Request,
            )
            .await?
            .unwrap_or_default();
            let when = format!(
                "{} – {}",
                format_datetime_fr(time.start),
                format_time_fr(time.end.time())
            );
            enqueue(
                tx,
                &NewMail {
                    recipient: email,
                    subject: if first {
                        format!("Votre passage : {} à « {} »", item.title, meeting.title)
                    } else {
                        format!("Horaire modifié : {} à « {} »", item.title, meeting.title)
                    },
                    body_text: format!(
                        "Bonjour {name},\n\nVotre cas {} passe à « {} » le {when} (heure de Paris). \
                         L'invitation jointe ne bloque que ce créneau dans votre agenda.\n\n\
                         Suivre la séance : {}/reunions/{}/seance\n\n— Concerto\n",
                        item.title,
                        meeting.title,
                        state.settings.base_url,
                        meeting.id
                    ),
                    organisation_id: Some(meeting.organisation_id),
                    ics_meeting_id: Some(meeting.id),
                    ics: Some(("REQUEST".to_string(), text)),
                    dedup_key: None,
                },
            )
            .await?;
            store::slot_sent(tx, item_id, time.start, item.minutes, sequence).await?;
        }
        Ok(())
    }

    /// The CANCEL of a slot already sent (SEQUENCE + 1), or none if it never was.
    async fn cancelled_slot(
        tx: &mut Tx,
        state: &AppState,
        meeting: &MeetingRow,
        row: &AgendaRow,
    ) -> Result<Option<String>, AppError> {
        let (Some(start), Some(minutes)) = (row.sent_start_local, row.sent_minutes) else {
            return Ok(None);
        };
        let sent = (row.slot_sequence + 1, start.0, minutes.clamp(1, 240) as u32);
        slot_ics(tx, state, meeting, row, sent, Method::Cancel).await
    }

    /// The calendar text of a presenter's slot: `(sequence, local start, minutes)`, as a REQUEST
    /// or a CANCEL (none when the line is not a presented case).
    async fn slot_ics(
        tx: &mut Tx,
        state: &AppState,
        meeting: &MeetingRow,
        row: &AgendaRow,
        (sequence, start, minutes): (i64, NaiveDateTime, u32),
        method: Method,
    ) -> Result<Option<String>, AppError> {
        let (Some(item_id), Some(uid), Some(email), Some(name)) = (
            row.item_id,
            row.slot_uid.clone(),
            row.author_email.clone(),
            row.author_name.clone(),
        ) else {
            return Ok(None);
        };
        let slot = SlotRow {
            meeting_id: meeting.id,
            item_id,
            slot_uid: uid,
            slot_sequence: sequence,
            start_local: WallClock(start),
            minutes: i64::from(minutes),
            code_year: row.code_year.unwrap_or_default(),
            code_number: row.code_number.unwrap_or_default(),
        };
        let calendar = slot_calendar(
            &mut *tx,
            &state.settings.base_url,
            meeting,
            &slot,
            Person { name, email },
            Utc::now(),
        )
        .await?;
        Ok(Some(render(&crate::backend::calendar::ics::Calendar {
            method,
            ..calendar
        })))
    }

    /// After a meeting changed (time, length) or was cancelled: once its agenda is published,
    /// each presenter's slot follows (an updated REQUEST, or a CANCEL), as when the agenda moves.
    pub async fn refresh_slots(
        tx: &mut Tx,
        state: &AppState,
        meeting_id: MeetingId,
    ) -> Result<(), AppError> {
        let Some(session) = store::state(&mut *tx, meeting_id).await? else {
            return Ok(());
        };
        if session.agenda_published_at.is_none() {
            return Ok(());
        }
        let meeting = meetings_store::get(&mut *tx, meeting_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !meeting.cancelled {
            return send_slots(tx, state, &meeting).await;
        }
        for row in store::agenda(&mut *tx, meeting_id).await? {
            let (Some(item_id), Some(start), Some(minutes), Some(email), Some(name)) = (
                row.item_id,
                row.sent_start_local,
                row.sent_minutes,
                row.author_email.clone(),
                row.author_name.clone(),
            ) else {
                continue;
            };
            let Some(text) = cancelled_slot(tx, state, &meeting, &row).await? else {
                continue;
            };
            let code = code(row.code_year, row.code_number);
            enqueue(
                tx,
                &NewMail {
                    recipient: email,
                    subject: format!("Réunion annulée : votre passage pour {code}"),
                    body_text: format!(
                        "Bonjour {name},\n\n« {} » est annulée : votre passage pour le cas {code} n'a pas lieu. \
                         Le cas pourra être proposé à une autre réunion.\n\n— Concerto\n",
                        meeting.title
                    ),
                    organisation_id: Some(meeting.organisation_id),
                    ics_meeting_id: Some(meeting_id),
                    ics: Some(("CANCEL".to_string(), text)),
                    dedup_key: Some(format!("slot-cancel-{item_id}")),
                },
            )
            .await?;
            store::slot_sent(
                tx,
                item_id,
                start.0,
                minutes.clamp(1, 240) as u32,
                row.slot_sequence + 1,
            )
            .await?;
        }
        Ok(())
    }

    pub async fn add_item(
        id: MeetingId,
        kind: &str,
        title: &str,
        minutes: &str,
    ) -> Result<(), AppError> {
        let state: AppState = state()?;
        let db = &state.db;
        let (meeting, viewer, membership) = load(db, id).await?;
        manager(&membership)?;
        let mut errors = Vec::new();
        let kind = match AgendaItemKind::from_code(kind) {
            Some(kind) if kind != AgendaItemKind::Case => Some(kind),
            _ => {
                errors.push(FieldError {
                    field: "kind".into(),
                    message: "Choisissez le type de point : exposé ou annonces.".into(),
                });
                None
            }
        };
        let title = title.trim();
        if title.is_empty() || title.chars().count() > 120 {
            errors.push(FieldError {
                field: "title".into(),
                message: "Donnez un intitulé au point (120 caractères au plus).".into(),
            });
        }
        let minutes = parse_minutes(minutes, title, "minutes")
            .map_err(|e| errors.push(e))
            .ok();
        // A title is read by every invitee: it must not name a patient.
        let territory =
            crate::backend::db::territory::territory(db, meeting.organisation_id).await?;
        let identifiers =
            crate::domain::cases::form::identifier_errors(&[("title", title)], false, &territory);
        errors.extend(identifiers);
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        let mut tx = db.begin_write().await?;
        let rows = store::agenda(&mut tx, id).await?;
        let mut lines: Vec<AgendaLine> = rows
            .iter()
            .map(|row| line_of(row, item_of(row).minutes))
            .collect();
        lines.push(AgendaLine {
            item_id: None,
            kind: kind.expect("checked"),
            case_id: None,
            title: title.to_string(),
            minutes: minutes.expect("checked"),
        });
        store::replace_agenda(&mut tx, id, &lines).await?;
        if store::state(&mut tx, id)
            .await?
            .is_some_and(|s| s.agenda_published_at.is_some())
        {
            send_slots(&mut tx, &state, &meeting).await?;
        }
        audit(&mut tx, &viewer, &meeting, "add").await?;
        tx.commit().await?;
        state.mail_wakeup.notify_one();
        Ok(())
    }

    pub async fn set_quorum(
        id: MeetingId,
        min_present: &str,
        min_disciplines: &str,
        psychiatrist_required: &str,
    ) -> Result<(), AppError> {
        let state: AppState = state()?;
        let (meeting, _, membership) = load(&state.db, id).await?;
        manager(&membership)?;
        let mut errors = Vec::new();
        let mut number = |field: &str, text: &str, label: &str| match text.trim().parse::<u32>() {
            Ok(n) if n <= 50 => n,
            _ => {
                errors.push(FieldError {
                    field: field.to_string(),
                    message: format!("{label} : indiquez un nombre entre 0 et 50."),
                });
                0
            }
        };
        let rule = QuorumRule {
            min_present: number("min_present", min_present, "Présent·es"),
            min_disciplines: number("min_disciplines", min_disciplines, "Disciplines"),
            psychiatrist_required: !psychiatrist_required.trim().is_empty(),
        };
        if errors.is_empty() {
            if let Err(error) = rule.check() {
                errors.push(FieldError {
                    field: "min_disciplines".into(),
                    message: error.to_string(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        store::set_quorum_rule(&state.db, meeting.organisation_id, meeting.kind, &rule).await?;
        Ok(())
    }

    fn local_time(at: Option<Instant>, meeting: &MeetingRow) -> String {
        at.map(|at| utc_to_local(at.0, meeting.tz()).format("%H:%M").to_string())
            .unwrap_or_default()
    }

    fn attendees_of(rows: &[store::AttendanceRow]) -> Vec<Attendee> {
        rows.iter()
            .filter_map(|row| {
                row.role().map(|role| Attendee {
                    role,
                    present: row.present == Some(true),
                })
            })
            .collect()
    }

    /// What watchers follow, read from the database (every process sees the same).
    pub async fn live_state(db: &Db, meeting: &MeetingRow) -> Result<LiveState, AppError> {
        let session = store::state(db, meeting.id)
            .await?
            .ok_or(AppError::NotFound)?;
        let rows = store::agenda(db, meeting.id).await?;
        let attendance = store::attendance(db, meeting.id).await?;
        let rule = store::quorum_rule(db, meeting.organisation_id, meeting.kind).await?;
        let (items, times) = scheduled(meeting, &rows);
        let current = session
            .current_item_id
            .and_then(|id| rows.iter().position(|row| row.item_id == Some(id)));
        let current_label = match current {
            Some(index) => format!(
                "En cours : {} ({} – {}), point {} sur {}",
                items[index].title,
                format_time_fr(times[index].start.time()),
                format_time_fr(times[index].end.time()),
                index + 1,
                items.len()
            ),
            None => "La séance n'a pas commencé.".to_string(),
        };
        let people = attendees_of(&attendance);
        let outcome = verdict(&rule, &people);
        let present = attendance
            .iter()
            .filter(|a| a.present == Some(true))
            .count() as u32;
        let (quorum_met, quorum_text) = if rule.is_none() {
            (None, String::new())
        } else if outcome.met {
            (Some(true), "Quorum atteint.".to_string())
        } else {
            (
                Some(false),
                format!("Quorum non atteint. {}", outcome.missing.join(" ")),
            )
        };
        Ok(LiveState {
            revision: session.session_revision,
            current_item_id: current.and_then(|i| rows[i].item_id),
            current_label,
            present,
            quorum_met,
            quorum_text,
        })
    }

    pub async fn live_for_viewer(id: MeetingId) -> Result<LiveState, AppError> {
        let state: AppState = state()?;
        let (meeting, _, _) = load(&state.db, id).await?;
        live_state(&state.db, &meeting).await
    }

    /// Per person, the attendance their stays in the meeting's video room suggest.
    async fn room_attendance(
        db: &Db,
        id: MeetingId,
    ) -> Result<std::collections::HashMap<UserId, (Instant, Option<Instant>)>, AppError> {
        let mut stays: std::collections::HashMap<UserId, Vec<crate::domain::video::Stay>> =
            std::collections::HashMap::new();
        for stay in crate::backend::db::video::stays(db, id).await? {
            stays
                .entry(stay.user_id)
                .or_default()
                .push((stay.joined_at.0, stay.left_at.map(|l| l.0)));
        }
        Ok(stays
            .into_iter()
            .filter_map(|(user, stays)| {
                crate::domain::video::attendance_from_stays(&stays)
                    .map(|(arrived, left)| (user, (Instant(arrived), left.map(Instant))))
            })
            .collect())
    }

    pub async fn session_view(id: MeetingId) -> Result<SessionView, AppError> {
        let state: AppState = state()?;
        let db = &state.db;
        let (meeting, viewer, membership) = load(db, id).await?;
        let agenda = agenda_of(db, &meeting, &viewer, &membership).await?;
        let live = live_state(db, &meeting).await?;
        let can_run = membership.role == Role::Coordinator;
        let attendance = if can_run {
            let stays = room_attendance(db, id).await?;
            store::attendance(db, id)
                .await?
                .iter()
                .map(|row| AttendeeView {
                    in_room: stays.get(&row.user_id).map(|(arrived, left)| {
                        let arrived = local_time(Some(*arrived), &meeting);
                        match left {
                            Some(left) => {
                                format!("{arrived} – {}", local_time(Some(*left), &meeting))
                            }
                            None => format!("depuis {arrived}"),
                        }
                    }),
                    user_id: row.user_id,
                    name: row.display_name.clone(),
                    role: row.role().map(|r| r.label_fr()).unwrap_or("—").to_string(),
                    discipline: row
                        .role()
                        .and_then(Discipline::of)
                        .map(|d| d.label_fr().to_string()),
                    present: row.present,
                    arrived: local_time(row.arrived_at, &meeting),
                    left: local_time(row.left_at, &meeting),
                })
                .collect()
        } else {
            Vec::new()
        };
        let decisions = store::decisions(db, id)
            .await?
            .into_iter()
            .map(|d| DecisionView {
                case_id: d.case_id,
                kind: d
                    .decision_kind
                    .as_deref()
                    .and_then(DecisionKind::from_code)
                    .unwrap_or(DecisionKind::Advice)
                    .label_fr()
                    .to_string(),
                signed: format!(
                    "signé par {} le {}",
                    d.signed_by_name.as_deref().unwrap_or(&d.written_by_name),
                    d.signed_at
                        .map(|at| format_datetime_fr(utc_to_local(at.0, meeting.tz())))
                        .unwrap_or_default()
                ),
            })
            .collect();
        let can_print = matches!(membership.role, Role::Coordinator | Role::Psychiatrist);
        Ok(SessionView {
            agenda,
            live,
            attendance,
            decisions,
            can_run,
            can_print,
        })
    }

    fn parse_clock(
        text: &str,
        meeting: &MeetingRow,
        field: &str,
    ) -> Result<Option<Instant>, FieldError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        match NaiveTime::parse_from_str(text, "%H:%M") {
            Ok(time) => {
                let local = meeting.local_start().date().and_time(time);
                Ok(Some(Instant(local_to_utc(local, meeting.tz()))))
            }
            Err(_) => Err(FieldError {
                field: field.to_string(),
                message: format!("Heure invalide : « {text} » (format attendu : 14:05)."),
            }),
        }
    }

    pub async fn mark(
        id: MeetingId,
        user_id: UserId,
        mark: &str,
        arrived: &str,
        left: &str,
    ) -> Result<(), AppError> {
        let state: AppState = state()?;
        let db = &state.db;
        let (meeting, viewer, membership) = load(db, id).await?;
        manager(&membership)?;
        let rows = store::attendance(db, id).await?;
        let person = rows
            .iter()
            .find(|row| row.user_id == user_id)
            .ok_or(AppError::NotFound)?;
        let role = person.role().ok_or(AppError::NotFound)?;
        let now = Instant::now();
        let (present, arrived_at, left_at) = match mark {
            "present" => (true, person.arrived_at.or(Some(now)), None),
            "room" => {
                let (arrived, left) =
                    room_attendance(db, id)
                        .await?
                        .remove(&user_id)
                        .ok_or_else(|| {
                            AppError::Conflict(
                                "Cette personne n'est pas passée par la salle vidéo de la réunion."
                                    .into(),
                            )
                        })?;
                (true, Some(arrived), left)
            }
            "absent" => (false, None, None),
            "left" => (true, person.arrived_at.or(Some(now)), Some(now)),
            _ => {
                let mut errors = Vec::new();
                let arrived_at = parse_clock(arrived, &meeting, "arrived")
                    .map_err(|e| errors.push(e))
                    .ok()
                    .flatten();
                let left_at = parse_clock(left, &meeting, "left")
                    .map_err(|e| errors.push(e))
                    .ok()
                    .flatten();
                if let (Some(a), Some(l)) = (arrived_at, left_at) {
                    if l.0 < a.0 {
                        errors.push(FieldError {
                            field: "left".into(),
                            message: "Le départ ne peut pas précéder l'arrivée.".into(),
                        });
                    }
                }
                if !errors.is_empty() {
                    return Err(AppError::fields(errors));
                }
                (
                    arrived_at.is_some() || person.present == Some(true),
                    arrived_at,
                    left_at,
                )
            }
        };
        let mut tx = db.begin().await?;
        store::mark_attendance(
            &mut tx,
            id,
            &AttendanceMark {
                user_id,
                present,
                role,
                arrived_at,
                left_at,
            },
            viewer.user_id,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_current(id: MeetingId, intent: &str) -> Result<(), AppError> {
        let state: AppState = state()?;
        let db = &state.db;
        let (_, _, membership) = load(db, id).await?;
        manager(&membership)?;
        let mut tx = db.begin().await?;
        let rows = store::agenda(&mut tx, id).await?;
        let session = store::state(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let stored: Vec<AgendaItemId> = rows.iter().filter_map(|row| row.item_id).collect();
        if stored.is_empty() {
            return Err(AppError::Conflict(
                "Enregistrez d'abord l'ordre du jour : la séance suit ses points.".into(),
            ));
        }
        let position = session
            .current_item_id
            .and_then(|current| stored.iter().position(|id| *id == current));
        let target = match intent {
            "next" => match position {
                None => Some(stored[0]),
                Some(p) if p + 1 < stored.len() => Some(stored[p + 1]),
                Some(_) => None,
            },
            "previous" => match position {
                Some(p) if p > 0 => Some(stored[p - 1]),
                _ => position.map(|p| stored[p]),
            },
            "none" => None,
            other => {
                let wanted: AgendaItemId = other
                    .strip_prefix("item:")
                    .and_then(|id| id.parse().ok())
                    .ok_or(AppError::NotFound)?;
                Some(
                    *stored
                        .iter()
                        .find(|id| **id == wanted)
                        .ok_or(AppError::NotFound)?,
                )
            }
        };
        store::set_current(&mut tx, id, target).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn save_notes(case_id: CaseId, body: &str) -> Result<(), AppError> {
        let state: AppState = state()?;
        let db = &state.db;
        let row = cases_store::get(db, case_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (viewer, membership) = member_of(row.organisation_id, Action::ViewMeetings)?;
        if !may_prepare(&membership, &row, viewer.user_id) {
            return Err(AppError::NotFound);
        }
        if body.chars().count() > 20_000 {
            return Err(AppError::fields(vec![FieldError {
                field: "body".into(),
                message: "Les notes dépassent 20 000 caractères.".into(),
            }]));
        }
        // Private notes are health data too: the same guard as every free-text field.
        let territory = crate::backend::db::territory::territory(db, row.organisation_id).await?;
        let errors =
            crate::domain::cases::form::identifier_errors(&[("body", body)], false, &territory);
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        store::set_note(db, case_id, viewer.user_id, body).await?;
        Ok(())
    }

    /// Reading ahead: a psychiatrist may keep notes on a case submitted to a meeting.
    pub fn may_prepare(
        membership: &Membership,
        row: &cases_store::CaseRow,
        user_id: UserId,
    ) -> bool {
        membership.organisation_id == row.organisation_id
            && membership.role == Role::Psychiatrist
            && row.meeting_id.is_some()
            && row.author_id != user_id
            && row.status == crate::domain::cases::CaseStatus::Submitted
    }

    /// After an avis is signed on a case brought to a meeting: records what it counts as from
    /// the attendance now (RCP decision only with the quorum). `requested` is what the form asked
    /// for; asking for an RCP decision without the quorum is refused.
    pub async fn record_decision(
        tx: &mut Tx,
        case: &cases_store::CaseRow,
        version: i64,
        requested: Option<DecisionKind>,
    ) -> Result<(), AppError> {
        let Some(meeting_id) = case.meeting_id else {
            return Ok(());
        };
        let Some(meeting) = meetings_store::get(&mut *tx, meeting_id).await? else {
            return Ok(());
        };
        let decided = decision_for(&mut *tx, &meeting).await?;
        if requested == Some(DecisionKind::RcpDecision) && decided.0 != DecisionKind::RcpDecision {
            return Err(AppError::Conflict(format!(
                "Le quorum n'est pas atteint : l'avis ne peut pas être consigné comme décision de RCP. {}",
                decided.3
            )));
        }
        store::record_decision(
            tx,
            case.id,
            version,
            meeting_id,
            decided.0.code(),
            &decided.1,
            decided.2,
        )
        .await?;
        Ok(())
    }

    /// What an avis signed now in `meeting` counts as: (kind, discipline codes, quorum met,
    /// what is missing).
    async fn decision_for(
        exec: impl Into<Exec<'_>>,
        meeting: &MeetingRow,
    ) -> Result<(DecisionKind, String, bool, String), AppError> {
        let mut exec = Exec::of(exec);
        let attendance = store::attendance(exec.reborrow(), meeting.id).await?;
        let rule = store::quorum_rule(exec, meeting.organisation_id, meeting.kind).await?;
        let outcome = verdict(&rule, &attendees_of(&attendance));
        let disciplines: Vec<&str> = outcome.disciplines.iter().map(|d| d.code()).collect();
        Ok((
            decision_kind(meeting.kind, &outcome),
            disciplines.join(","),
            outcome.met,
            outcome.missing.join(" "),
        ))
    }

    pub async fn records(id: MeetingId) -> Result<RecordsView, AppError> {
        let state: AppState = state()?;
        let db = &state.db;
        let (meeting, viewer, membership) = load(db, id).await?;
        if !matches!(membership.role, Role::Coordinator | Role::Psychiatrist) {
            return Err(AppError::Forbidden);
        }
        let sheet = store::attendance(db, id)
            .await?
            .iter()
            .map(|row| SheetLine {
                name: row.display_name.clone(),
                role: row.role().map(|r| r.label_fr()).unwrap_or("—").to_string(),
                discipline: row
                    .role()
                    .and_then(Discipline::of)
                    .map(|d| d.label_fr())
                    .unwrap_or("Coordination")
                    .to_string(),
                status: match row.present {
                    Some(true) => "Présent·e",
                    Some(false) => "Absent·e",
                    None => "Non renseigné",
                }
                .to_string(),
                arrived: local_time(row.arrived_at, &meeting).replace(':', " h "),
                left: local_time(row.left_at, &meeting).replace(':', " h "),
            })
            .collect();
        let rule = store::quorum_rule(db, meeting.organisation_id, meeting.kind).await?;
        let mut rcp = Vec::new();
        if meeting.kind == MeetingKind::Rcp {
            for decision in store::decisions(db, id).await? {
                let Some(case) = cases_store::get(db, decision.case_id).await? else {
                    continue;
                };
                let content: CaseContent = serde_json::from_str(&case.content).unwrap_or_default();
                let advice: AdviceContent =
                    serde_json::from_str(&decision.content).unwrap_or_default();
                let disciplines: Vec<&str> = decision
                    .disciplines
                    .as_deref()
                    .unwrap_or("")
                    .split(',')
                    .filter_map(Discipline::from_code)
                    .map(Discipline::label_fr)
                    .collect();
                let signer = decision
                    .signed_by_name
                    .clone()
                    .unwrap_or_else(|| decision.written_by_name.clone());
                rcp.push(RcpRecord {
                    code: CaseCode::new(case.code_year, case.code_number.max(0) as u32).to_string(),
                    question: content.question.clone(),
                    disciplines: if disciplines.is_empty() {
                        "Aucune".to_string()
                    } else {
                        disciplines.join(", ")
                    },
                    quorum_met: if decision.quorum_met == Some(true) {
                        "Oui"
                    } else {
                        "Non"
                    }
                    .to_string(),
                    decision_kind: decision
                        .decision_kind
                        .as_deref()
                        .and_then(DecisionKind::from_code)
                        .unwrap_or(DecisionKind::AdviceWithoutQuorum)
                        .label_fr()
                        .to_string(),
                    decision: advice
                        .free_text_fields()
                        .into_iter()
                        .filter(|(_, text)| !text.trim().is_empty())
                        .map(|(field, text)| {
                            (
                                AdviceContent::field_label_fr(field).to_string(),
                                text.to_string(),
                            )
                        })
                        .collect(),
                    date: decision
                        .signed_at
                        .map(|at| format_datetime_fr(utc_to_local(at.0, meeting.tz())))
                        .unwrap_or_default(),
                    recorded_by: if signer == decision.written_by_name {
                        signer
                    } else {
                        format!("{signer} (consigné par {})", decision.written_by_name)
                    },
                });
            }
        }
        cases_store::audit(
            db,
            viewer.user_id,
            meeting.organisation_id,
            "records.read",
            None,
            None,
            &format!("meeting {id}"),
        )
        .await?;
        Ok(RecordsView {
            meeting_id: id,
            title: meeting.title.clone(),
            kind: meeting.kind,
            when: format_slot_fr(meeting.local_start(), meeting.duration_minutes as u32),
            organisation_name: viewer
                .memberships
                .iter()
                .find(|m| m.organisation_id == meeting.organisation_id)
                .map(|m| m.organisation_name.clone())
                .unwrap_or_default(),
            sheet,
            quorum_rule: rule.describe_fr(),
            rcp,
        })
    }
}
