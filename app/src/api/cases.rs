//! Cases and written advice: a GP or nurse writes a pseudonymised case (a draft saved as they
//! type), submits it to a staff/RCP or as a written request; a psychiatrist takes it, may ask a
//! question back, and signs an avis (corrections are new versions). Every read of case content
//! and every change is written to the audit log.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::api::meetings::MemberOption;
use crate::domain::cases::form::CaseDraft;
use crate::domain::cases::{CaseContent, CaseStatus, QuestionType, RequestStatus};
use crate::domain::ids::{CaseId, MeetingId};
use crate::error::AppError;

/// One line of a list of cases (no clinical content: the list is not a read of a case).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLine {
    pub id: CaseId,
    pub code: String,
    pub status: CaseStatus,
    pub request_status: Option<RequestStatus>,
    pub question_types: Vec<QuestionType>,
    /// "Demande d'avis écrit" or the meeting's title.
    pub destination: String,
    pub author_name: String,
    pub updated: String,
    pub ready: bool,
    pub missing_count: usize,
    /// Days since submission, for a written request not answered yet.
    pub waiting_days: Option<i64>,
    pub overdue: bool,
    pub taken_by_name: Option<String>,
    pub suicidal_thoughts: bool,
}

/// The lists of the cases page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLists {
    /// The viewer's own cases ("Mes demandes").
    pub mine: Vec<CaseLine>,
    /// The organisation's submitted cases (psychiatrists and coordinators).
    pub organisation: Option<Vec<CaseLine>>,
    /// Whether the viewer may write cases.
    pub may_create: bool,
    /// Days before a request is overdue.
    pub answer_days: i64,
    /// Written requests a doctor may answer per patient and year as télé-expertise.
    pub yearly_limit: i64,
    /// Whether the viewer may change those two settings (coordinators).
    pub may_configure: bool,
}

/// One scale of a case, scored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleView {
    pub label: String,
    /// "PHQ-9 : 12/27 (modéré)", or "incomplet (n/9 items)".
    pub summary: String,
    /// (item wording, answer label or "—").
    pub items: Vec<(String, String)>,
    /// The same scale on this patient's earlier cases, oldest first ("C-2026-003 : 15/27").
    pub trend: Option<String>,
}

/// A message of a case's thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub author_name: String,
    pub when: String,
    pub body: String,
}

/// One version of an avis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdviceView {
    pub version: i64,
    pub signed_by: String,
    /// Set when a coordinator recorded it on the psychiatrist's behalf.
    pub recorded_by: Option<String>,
    pub signed_at: String,
    /// (label, HTML) of each non-empty part.
    pub parts: Vec<(String, String)>,
    pub patient_informed: bool,
    pub current: bool,
}

/// A case as its reader sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    pub id: CaseId,
    pub code: String,
    pub patient_code: String,
    pub status: CaseStatus,
    pub request_status: Option<RequestStatus>,
    pub author_name: String,
    pub destination: String,
    pub meeting_id: Option<MeetingId>,
    pub deadline: Option<String>,
    pub deadline_passed: bool,
    pub submitted: Option<String>,
    pub waiting: Option<String>,
    pub overdue: bool,
    pub taken_by_name: Option<String>,
    pub content: CaseContent,
    pub age_label: String,
    pub sex_label: String,
    /// (label, HTML) of each free-text part, Markdown rendered and sanitised.
    pub sections: Vec<(String, String)>,
    pub scales: Vec<ScaleView>,
    pub phq2: Option<String>,
    pub suicidal_thoughts: bool,
    /// (French sentence, required) of what is missing.
    pub missing: Vec<(String, bool)>,
    pub ready: bool,
    pub messages: Vec<MessageView>,
    pub advice: Vec<AdviceView>,
    pub version: i64,
    pub draft: CaseDraft,
    pub can_edit: bool,
    pub can_withdraw: bool,
    pub can_take: bool,
    pub can_ask: bool,
    pub can_reply: bool,
    pub can_write_advice: bool,
    /// A coordinator records on behalf of one of these psychiatrists.
    pub on_behalf_of: Vec<MemberOption>,
    /// The télé-expertise note for the next avis (written requests).
    pub tele_expertise: Option<String>,
    /// Staffs and RCPs open for cases (for the form).
    pub open_meetings: Vec<(MeetingId, String)>,
    /// Reading ahead: a psychiatrist may keep private notes on a case brought to a meeting.
    pub can_prepare: bool,
    /// Their notes so far.
    pub preparation_note: String,
    /// For the avis form of a staff/RCP case: what an avis signed now counts as (quorum).
    pub decision_note: Option<String>,
}

/// What a save answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSaved {
    pub version: i64,
    /// "Enregistré à 14 h 32".
    pub saved_at: String,
    pub missing: Vec<(String, bool)>,
    pub ready: bool,
}

/// The avis form (`advice[...]`), as strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdviceDraft {
    pub diagnostic_opinion: String,
    pub pharmacological_advice: String,
    pub recommended_actions: String,
    pub orientation: String,
    pub rediscuss: String,
    pub body_md: String,
    /// "on": patient informed and consenting (télé-expertise).
    pub patient_informed: String,
    /// For a coordinator: the psychiatrist whose avis this is.
    pub psychiatrist_id: String,
    /// "on" once possible identifiers were confirmed not to be.
    pub confirm_possible: String,
    /// In a meeting, what the avis is recorded as when the form asks (`rcp_decision`): refused
    /// without the quorum. Empty: decided from the attendance.
    pub decision: String,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub when: String,
    pub who: String,
    pub action: String,
    pub case_code: Option<String>,
    pub case_id: Option<CaseId>,
    pub client_ip: String,
    pub detail: String,
}

/// The audit log page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub lines: Vec<AuditLine>,
    pub people: Vec<MemberOption>,
    pub actions: Vec<(String, String)>,
}

#[server(endpoint = "cases/list", input = GetUrl)]
pub async fn list_cases() -> Result<CaseLists, AppError> {
    ssr::respond(ssr::list()).await
}

#[server(endpoint = "cases/get", input = GetUrl)]
pub async fn get_case(id: CaseId) -> Result<CaseView, AppError> {
    ssr::respond(ssr::view(id)).await
}

/// The staffs and RCPs of the current organisation still taking cases: (id, "title — when").
#[server(endpoint = "cases/open-meetings", input = GetUrl)]
pub async fn open_meetings_for_cases() -> Result<Vec<(MeetingId, String)>, AppError> {
    ssr::respond(ssr::open_meetings()).await
}

/// The HTML of a Markdown text as a case page will show it (sanitised), for the form's preview.
#[server(endpoint = "cases/preview")]
pub async fn preview_markdown(csrf_token: String, text: String) -> Result<String, AppError> {
    let _ = csrf_token;
    ssr::respond(async move {
        crate::backend::viewer()?;
        Ok(crate::backend::markdown::render(&text))
    })
    .await
}

/// Starts a draft (for a written request, or for a staff/RCP) and opens its form.
#[server(endpoint = "cases/new")]
pub async fn new_case(
    csrf_token: String,
    #[server(default)] meeting_id: String,
    #[server(default)] follows: String,
) -> Result<CaseId, AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    ssr::respond(async {
        let id = ssr::create(meeting_id, follows).await?;
        leptos_axum::redirect(&format!("/cas/{id}/modifier"));
        Ok(id)
    })
    .await
}

/// Saves a draft (`intent` "autosave", "save") or submits it ("submit").
#[server(endpoint = "cases/save")]
pub async fn save_case(
    csrf_token: String,
    id: CaseId,
    version: i64,
    #[server(default)] intent: String,
    #[server(default)] case: CaseDraft,
) -> Result<CaseSaved, AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    ssr::respond(async {
        let submit = intent == "submit";
        let saved = ssr::save(id, version, case, submit).await?;
        if submit {
            leptos_axum::redirect(&crate::components::notices::with_success(
                &format!("/cas/{id}"),
                "soumis",
            ));
        }
        Ok(saved)
    })
    .await
}

#[server(endpoint = "cases/withdraw")]
pub async fn withdraw_case(csrf_token: String, id: CaseId) -> Result<(), AppError> {
    let _ = csrf_token;
    ssr::respond(async {
        ssr::withdraw(id).await?;
        crate::backend::redirect_back("retire", &format!("/cas/{id}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "cases/take")]
pub async fn take_case(csrf_token: String, id: CaseId) -> Result<(), AppError> {
    let _ = csrf_token;
    ssr::respond(async {
        ssr::take(id).await?;
        crate::backend::redirect_back("pris", &format!("/cas/{id}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "cases/message")]
pub async fn post_case_message(
    csrf_token: String,
    id: CaseId,
    body: String,
) -> Result<(), AppError> {
    let _ = csrf_token;
    ssr::respond(async {
        ssr::message(id, body).await?;
        crate::backend::redirect_back("message", &format!("/cas/{id}"));
        Ok(())
    })
    .await
}

#[server(endpoint = "cases/sign")]
pub async fn sign_advice(
    csrf_token: String,
    id: CaseId,
    #[server(default)] advice: AdviceDraft,
) -> Result<i64, AppError> {
    let _ = csrf_token;
    ssr::respond(async {
        let version = ssr::sign(id, advice).await?;
        leptos_axum::redirect(&crate::components::notices::with_success(
            &format!("/cas/{id}"),
            "avis",
        ));
        Ok(version)
    })
    .await
}

/// The organisation's settings for written requests (coordinators).
#[server(endpoint = "cases/settings")]
pub async fn set_case_settings(
    csrf_token: String,
    answer_days: String,
    yearly_limit: String,
) -> Result<(), AppError> {
    let _ = csrf_token;
    ssr::respond(async {
        ssr::settings(answer_days, yearly_limit).await?;
        crate::backend::redirect_back("reglages", "/cas");
        Ok(())
    })
    .await
}

#[server(endpoint = "cases/audit", input = GetUrl)]
pub async fn audit_log(
    #[server(default)] user: String,
    #[server(default)] action: String,
    #[server(default)] case: String,
) -> Result<AuditPage, AppError> {
    ssr::respond(ssr::audit_page(user, action, case)).await
}

/// The most cases a list shows (the most recently changed first).
pub const LIST_LIMIT: i64 = 200;

/// Audit action codes and their French labels.
pub const AUDIT_ACTIONS: [(&str, &str); 9] = [
    ("case.read", "Lecture d'un cas"),
    ("case.create", "Création d'un brouillon"),
    ("case.save", "Enregistrement d'un brouillon"),
    ("case.submit", "Soumission"),
    ("case.withdraw", "Retrait"),
    ("case.take", "Prise en charge"),
    ("case.message", "Message sur un cas"),
    ("advice.sign", "Avis signé"),
    ("settings.change", "Réglages des demandes d'avis"),
];

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::backend::respond;

    use chrono::{NaiveDateTime, Utc};

    use super::*;
    use crate::backend::db::cases::{self as store, AuditFilter, CaseRow, Scope};
    use crate::backend::db::outbox::{enqueue, NewMail};
    use crate::backend::db::Db;
    use crate::backend::db::{territory, users};
    use crate::backend::{current_member, member_of, state, AppState};
    use crate::domain::cases::form::{identifier_errors, phq2_of, CaseSummary, ScaleAnswers};
    use crate::domain::cases::{
        field_label_fr, is_ready, may_case, may_sign, missing, overdue, parse_age, submittable,
        tele_expertise_check, AdviceContent, CaseAction, CaseCode, Relation, Severity, Sex,
        TeleExpertiseRule, ANSWERS,
    };
    use crate::domain::ids::{OrgId, UserId};
    use crate::domain::meeting::FieldError;
    use crate::domain::permissions::{may, Action};
    use crate::domain::principal::{Membership, Viewer};
    use crate::domain::role::Role;
    use crate::domain::time::{format_datetime_fr, format_slot_fr, format_time_fr};

    fn paris_now() -> NaiveDateTime {
        Utc::now()
            .with_timezone(&chrono_tz::Europe::Paris)
            .naive_local()
    }

    fn local(instant: chrono::DateTime<Utc>) -> NaiveDateTime {
        instant
            .with_timezone(&chrono_tz::Europe::Paris)
            .naive_local()
    }

    fn code_of(row: &CaseRow) -> String {
        CaseCode::new(row.code_year, row.code_number as u32).to_string()
    }

    fn content_of(row: &CaseRow) -> Result<CaseContent, AppError> {
        serde_json::from_str(&row.content).map_err(|error| {
            tracing::error!(case = %row.id, %error, "unreadable case content");
            AppError::Internal
        })
    }

    fn scales_of(row: &CaseRow) -> Result<Vec<ScaleAnswers>, AppError> {
        serde_json::from_str(&row.scales).map_err(|error| {
            tracing::error!(case = %row.id, %error, "unreadable case scales");
            AppError::Internal
        })
    }

    fn missing_view(content: &CaseContent) -> Vec<(String, bool)> {
        missing(content)
            .into_iter()
            .map(|m| (m.label_fr().to_string(), m.severity() == Severity::Required))
            .collect()
    }

    fn client_ip() -> Option<String> {
        use_context::<http::request::Parts>().and_then(|parts| {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip().to_string())
        })
    }

    async fn audit(
        db: impl Into<crate::backend::db::Exec<'_>>,
        viewer: &Viewer,
        organisation_id: OrgId,
        action: &str,
        case_id: Option<CaseId>,
        detail: &str,
    ) -> Result<(), AppError> {
        store::audit(
            db,
            viewer.user_id,
            organisation_id,
            action,
            case_id,
            client_ip().as_deref(),
            detail,
        )
        .await?;
        Ok(())
    }

    /// Loads a case the viewer may act on: another organisation's case, or another person's
    /// draft, is "not found"; a known case without the right is "forbidden".
    async fn load(
        db: &Db,
        id: CaseId,
        action: CaseAction,
    ) -> Result<(CaseRow, Viewer, Membership, Relation), AppError> {
        let row = store::get(db, id).await?.ok_or(AppError::NotFound)?;
        let (viewer, membership) = member_of(row.organisation_id, Action::ViewMeetings)?;
        let relation = Relation::from_author(row.author_id == viewer.user_id);
        if relation == Relation::Other && row.status == CaseStatus::Draft {
            return Err(AppError::NotFound);
        }
        if !may_case(membership.role, relation, CaseAction::ReadCase) {
            return Err(AppError::NotFound);
        }
        if !may_case(membership.role, relation, action) {
            return Err(AppError::Forbidden);
        }
        Ok((row, viewer, membership, relation))
    }

    /// Days since submission, for a written request not answered yet.
    fn waiting_days(
        request_status: Option<RequestStatus>,
        submitted_at: Option<crate::backend::db::Instant>,
    ) -> Option<i64> {
        match (request_status, submitted_at) {
            (Some(RequestStatus::Pending | RequestStatus::Taken), Some(at)) => {
                Some((Utc::now() - at.0).num_days())
            }
            _ => None,
        }
    }

    fn destination(meeting_title: &Option<String>) -> String {
        match meeting_title {
            Some(title) => title.clone(),
            None => "Demande d'avis écrit".to_string(),
        }
    }

    fn line(row: &store::CaseLineRow, answer_days: i64) -> CaseLine {
        let waiting = waiting_days(row.request_status, row.submitted_at);
        CaseLine {
            id: row.id,
            code: CaseCode::new(row.code_year, row.code_number as u32).to_string(),
            status: row.status,
            request_status: row.request_status,
            question_types: CaseSummary::parse_question_codes(&row.question_types),
            destination: destination(&row.meeting_title),
            author_name: row.author_name.clone(),
            updated: format_datetime_fr(local(row.updated_at.0)),
            ready: row.ready,
            missing_count: row.missing_count.max(0) as usize,
            waiting_days: waiting,
            overdue: waiting.is_some_and(|days| overdue(days, answer_days)),
            taken_by_name: row.taken_by_name.clone(),
            suicidal_thoughts: row.suicidal,
        }
    }

    pub async fn list() -> Result<CaseLists, AppError> {
        let (viewer, membership) = current_member(Action::ViewMeetings)?;
        let state = state()?;
        let org = membership.organisation_id;
        let (answer_days, yearly_limit) = store::settings(&state.db, org).await?;
        let mine = store::list(
            &state.db,
            org,
            Scope::AuthoredBy(viewer.user_id),
            LIST_LIMIT,
        )
        .await?
        .iter()
        .map(|row| line(row, answer_days))
        .collect();
        let organisation = if may_case(membership.role, Relation::Other, CaseAction::ReadCase) {
            Some(
                store::list(&state.db, org, Scope::Organisation, LIST_LIMIT)
                    .await?
                    .iter()
                    .map(|row| line(row, answer_days))
                    .collect(),
            )
        } else {
            None
        };
        Ok(CaseLists {
            mine,
            organisation,
            may_create: may_case(membership.role, Relation::Author, CaseAction::Create),
            answer_days,
            yearly_limit,
            may_configure: may(membership.role, Action::ManageMembers),
        })
    }

    fn markdown_html(text: &str) -> String {
        crate::backend::markdown::render(text)
    }

    fn scale_view(entry: &ScaleAnswers, earlier: &[(String, ScaleAnswers)]) -> Option<ScaleView> {
        let scale = entry.scale?;
        if entry.is_blank() {
            return None;
        }
        let answered = entry.answers.iter().filter(|a| a.is_some()).count();
        let summary = match entry.result() {
            Some(result) => result.summary_fr(),
            None => format!(
                "{} : incomplet ({answered}/{} items)",
                scale.label_fr(),
                scale.items().len()
            ),
        };
        let items = scale
            .items()
            .iter()
            .zip(entry.answers.iter().chain(std::iter::repeat(&None)))
            .map(|(item, answer)| {
                (
                    item.to_string(),
                    answer
                        .map(|a| format!("{} ({a})", ANSWERS[a as usize]))
                        .unwrap_or_else(|| "—".to_string()),
                )
            })
            .collect();
        let history: Vec<String> = earlier
            .iter()
            .filter_map(|(code, other)| {
                let other = (other.scale == Some(scale)).then_some(other)?;
                let result = other.result()?;
                Some(format!("{code} : {}/{}", result.total, result.max))
            })
            .collect();
        let trend = match (history.is_empty(), entry.result()) {
            (false, Some(now)) => {
                let previous = earlier
                    .iter()
                    .rev()
                    .filter(|(_, other)| other.scale == Some(scale))
                    .find_map(|(_, other)| other.result())
                    .map(|r| r.total)
                    .unwrap_or(now.total);
                Some(format!(
                    "Évolution : {} → maintenant {}/{} ({})",
                    history.join(", "),
                    now.total,
                    now.max,
                    crate::domain::cases::trend(previous, now.total).label_fr()
                ))
            }
            _ => None,
        };
        Some(ScaleView {
            label: scale.label_fr().to_string(),
            summary,
            items,
            trend,
        })
    }

    pub async fn view(id: CaseId) -> Result<CaseView, AppError> {
        let state = state()?;
        let db = &state.db;
        let (row, viewer, membership, relation) = load(db, id, CaseAction::ReadCase).await?;
        let content = content_of(&row)?;
        let scales = scales_of(&row)?;
        let role = membership.role;
        let org = row.organisation_id;
        let (answer_days, yearly_limit) = store::settings(db, org).await?;
        let now_local = paris_now();
        let deadline = row.submission_deadline.map(|d| d.0);
        let deadline_passed = deadline.is_some_and(|d| d <= now_local);
        let waiting = waiting_days(row.request_status, row.submitted_at);
        let decision_note = if may_case(membership.role, relation, CaseAction::WriteAdvice)
            && row.status == CaseStatus::Submitted
        {
            crate::api::staff::decision_note(db, &row).await?
        } else {
            None
        };
        let can_prepare = crate::api::staff::may_prepare(&membership, &row, viewer.user_id);
        let preparation_note = if can_prepare {
            crate::backend::db::staff::note(db, id, viewer.user_id)
                .await?
                .map(|(body, _)| body)
                .unwrap_or_default()
        } else {
            String::new()
        };

        // Earlier cases of the same patient (scale trends), readable by this viewer.
        let mut earlier = Vec::new();
        if row.patient_code != code_of(&row) {
            let readable = |other: &CaseRow| {
                may_case(
                    role,
                    Relation::from_author(other.author_id == viewer.user_id),
                    CaseAction::ReadCase,
                )
            };
            for other in store::earlier_of_patient(db, org, &row.patient_code, row.id).await? {
                if readable(&other) {
                    for entry in scales_of(&other)? {
                        earlier.push((code_of(&other), entry));
                    }
                }
            }
        }
        let scale_views: Vec<ScaleView> = scales
            .iter()
            .filter_map(|entry| scale_view(entry, &earlier))
            .collect();
        let suicidal_thoughts = scales
            .iter()
            .filter_map(ScaleAnswers::result)
            .any(|r| r.suicidal_thoughts);

        let mut sections = Vec::new();
        for (field, text) in content.free_text_fields() {
            if field == "question" || text.trim().is_empty() {
                continue;
            }
            sections.push((field_label_fr(field).to_string(), markdown_html(text)));
        }

        let messages = store::messages(db, id)
            .await?
            .into_iter()
            .map(|m| MessageView {
                author_name: m.author_name,
                when: format_datetime_fr(local(m.created_at.0)),
                body: m.body,
            })
            .collect();
        let advice_rows = store::advice(db, id).await?;
        let advice = advice_rows
            .iter()
            .enumerate()
            .map(|(index, a)| {
                let content: AdviceContent = serde_json::from_str(&a.content).unwrap_or_default();
                let signer = a.signed_by_name.clone().unwrap_or_default();
                AdviceView {
                    version: a.version,
                    recorded_by: (a.signed_by != Some(a.written_by))
                        .then(|| a.written_by_name.clone()),
                    signed_by: signer,
                    signed_at: a
                        .signed_at
                        .map(|at| format_datetime_fr(local(at.0)))
                        .unwrap_or_default(),
                    parts: content
                        .free_text_fields()
                        .into_iter()
                        .filter(|(_, text)| !text.trim().is_empty())
                        .map(|(field, text)| {
                            (
                                AdviceContent::field_label_fr(field).to_string(),
                                markdown_html(text),
                            )
                        })
                        .collect(),
                    patient_informed: a.patient_informed,
                    current: index == 0,
                }
            })
            .collect();

        let submitted = row.status == CaseStatus::Submitted;
        let written_request = row.meeting_id.is_none();
        let taken_by_viewer = row.taken_by == Some(viewer.user_id);
        let can_write_advice = submitted
            && may_case(role, relation, CaseAction::WriteAdvice)
            && (!written_request
                || role == Role::Coordinator
                || taken_by_viewer
                || row.request_status == Some(RequestStatus::Answered));
        let on_behalf_of = if role == Role::Coordinator && can_write_advice {
            users::members(db, org)
                .await?
                .into_iter()
                .filter(|m| m.role == Role::Psychiatrist && m.user_id != row.author_id)
                .map(|m| MemberOption {
                    user_id: m.user_id,
                    label: m.display_name,
                })
                .collect()
        } else {
            Vec::new()
        };
        let tele_expertise = if written_request && can_write_advice {
            let doctor = row.taken_by.unwrap_or(viewer.user_id);
            let count =
                store::tele_expertise_count(db, org, &row.patient_code, doctor, row.id).await?;
            let rule = TeleExpertiseRule {
                yearly_limit: yearly_limit.max(0) as u32,
            };
            tele_expertise_check(rule, count.max(0) as u32).message_fr(rule)
        } else {
            None
        };
        let can_edit = row.status == CaseStatus::Draft
            && may_case(role, relation, CaseAction::EditDraft)
            && !deadline_passed;
        let open_meetings = if can_edit {
            meeting_labels(store::open_meetings(db, org, now_local).await?)
        } else {
            Vec::new()
        };
        audit(db, &viewer, org, "case.read", Some(id), "").await?;
        Ok(CaseView {
            id,
            code: code_of(&row),
            patient_code: row.patient_code.clone(),
            status: row.status,
            request_status: row.request_status,
            author_name: row.author_name.clone(),
            destination: destination(&row.meeting_title),
            meeting_id: row.meeting_id,
            deadline: deadline.map(format_datetime_fr),
            deadline_passed,
            submitted: row.submitted_at.map(|at| format_datetime_fr(local(at.0))),
            waiting: waiting.map(|days| match days {
                0 => "soumise aujourd'hui".to_string(),
                1 => "en attente depuis 1 jour".to_string(),
                n => format!("en attente depuis {n} jours"),
            }),
            overdue: waiting.is_some_and(|days| overdue(days, answer_days)),
            taken_by_name: row.taken_by_name.clone(),
            age_label: parse_age(&content.age)
                .map(|age| age.label_fr())
                .unwrap_or_else(|_| "âge non précisé".to_string()),
            sex_label: Sex::from_code(&content.sex)
                .map(|sex| sex.label_fr().to_string())
                .unwrap_or_else(|| "sexe non précisé".to_string()),
            sections,
            phq2: phq2_of(&scales).map(|r| r.summary_fr()),
            scales: scale_views,
            suicidal_thoughts,
            missing: missing_view(&content),
            ready: is_ready(&content),
            messages,
            advice,
            version: row.version,
            draft: CaseDraft::from_stored(&content, &scales, row.meeting_id.map(|m| m.0)),
            content,
            can_edit,
            can_withdraw: submitted
                && may_case(role, relation, CaseAction::Withdraw)
                && row.request_status != Some(RequestStatus::Answered)
                && !deadline_passed,
            can_take: submitted
                && row.request_status == Some(RequestStatus::Pending)
                && may_case(role, relation, CaseAction::TakeRequest),
            can_ask: submitted && may_case(role, relation, CaseAction::AskQuestion),
            can_reply: submitted && may_case(role, relation, CaseAction::AnswerQuestion),
            can_write_advice,
            on_behalf_of,
            tele_expertise,
            open_meetings,
            can_prepare,
            preparation_note,
            decision_note,
        })
    }

    fn meeting_labels(rows: Vec<store::OpenMeetingRow>) -> Vec<(MeetingId, String)> {
        rows.into_iter()
            .map(|m| {
                (
                    m.id,
                    format!(
                        "{} — {} (cas avant le {})",
                        m.title,
                        format_slot_fr(m.start_local.0, m.duration_minutes as u32),
                        format_datetime_fr(m.submission_deadline.0)
                    ),
                )
            })
            .collect()
    }

    pub async fn open_meetings() -> Result<Vec<(MeetingId, String)>, AppError> {
        let (_, membership) = current_member(Action::ViewMeetings)?;
        let state = state()?;
        Ok(meeting_labels(
            store::open_meetings(&state.db, membership.organisation_id, paris_now()).await?,
        ))
    }

    fn meeting_choice(value: &str) -> Result<Option<MeetingId>, AppError> {
        match value.trim() {
            "" => Ok(None),
            text => text
                .parse::<MeetingId>()
                .map(Some)
                .map_err(|_| AppError::field("meeting_id", "Choisissez une réunion de la liste.")),
        }
    }

    /// The meeting a case goes to must be a staff/RCP of the organisation still taking cases.
    async fn check_meeting(
        db: &Db,
        organisation_id: OrgId,
        meeting: Option<MeetingId>,
    ) -> Result<(), AppError> {
        let Some(meeting) = meeting else {
            return Ok(());
        };
        let open = store::open_meetings(db, organisation_id, paris_now()).await?;
        if open.iter().any(|m| m.id == meeting) {
            Ok(())
        } else {
            Err(AppError::field(
                "meeting_id",
                "La date limite d'envoi des cas pour cette réunion est passée (ou la réunion \
                 n'accepte pas de cas) : choisissez une autre réunion ou une demande d'avis écrit.",
            ))
        }
    }

    /// The patient code a re-discussion carries on: that of the earlier case named by `follows`
    /// (a code the viewer may read, in the organisation), or none for a new patient.
    async fn followed_patient(
        db: &Db,
        organisation_id: OrgId,
        viewer: &Viewer,
        role: Role,
        follows: &str,
    ) -> Result<Option<String>, AppError> {
        let follows = follows.trim();
        if follows.is_empty() {
            return Ok(None);
        }
        let unknown = || {
            AppError::field(
                "follows",
                &format!(
                    "Aucun cas « {follows} » que vous puissiez lire dans cette organisation (format : C-2026-014)."
                ),
            )
        };
        let code = follows.parse::<CaseCode>().map_err(|_| unknown())?;
        let earlier = store::by_code(db, organisation_id, code)
            .await?
            .ok_or_else(unknown)?;
        let relation = Relation::from_author(earlier.author_id == viewer.user_id);
        if (relation == Relation::Other && earlier.status == CaseStatus::Draft)
            || !may_case(role, relation, CaseAction::ReadCase)
        {
            return Err(unknown());
        }
        Ok(Some(earlier.patient_code))
    }

    pub async fn create(meeting_id: String, follows: String) -> Result<CaseId, AppError> {
        let (viewer, membership) = current_member(Action::ViewMeetings)?;
        if !may_case(membership.role, Relation::Author, CaseAction::Create) {
            return Err(AppError::Forbidden);
        }
        let state = state()?;
        let org = membership.organisation_id;
        let meeting = meeting_choice(&meeting_id)?;
        check_meeting(&state.db, org, meeting).await?;
        let patient = followed_patient(&state.db, org, &viewer, membership.role, &follows).await?;
        let empty = store::CaseBody::new(&CaseContent::default(), &[]);
        let mut tx = state.db.begin_write().await?;
        let (id, code) = store::create(
            &mut tx,
            org,
            viewer.user_id,
            meeting,
            patient.as_deref(),
            &empty,
        )
        .await?;
        audit(&mut tx, &viewer, org, "case.create", Some(id), &code).await?;
        tx.commit().await?;
        Ok(id)
    }

    fn saved(version: i64, content: &CaseContent) -> CaseSaved {
        CaseSaved {
            version,
            saved_at: format!("Enregistré à {}", format_time_fr(paris_now().time())),
            missing: missing_view(content),
            ready: is_ready(content),
        }
    }

    const CONFLICT: &str = "Ce brouillon a été modifié ailleurs (autre onglet ou autre appareil) \
        depuis que vous l'avez ouvert : vos saisies n'ont pas été enregistrées ici pour ne pas \
        écraser l'autre version. Copiez-les, puis rechargez la page.";

    pub async fn save(
        id: CaseId,
        version: i64,
        draft: CaseDraft,
        submit: bool,
    ) -> Result<CaseSaved, AppError> {
        let state = state()?;
        let db = &state.db;
        let action = if submit {
            CaseAction::Submit
        } else {
            CaseAction::EditDraft
        };
        let (row, viewer, _, _) = load(db, id, action).await?;
        if row.status != CaseStatus::Draft {
            return Err(AppError::Conflict(
                "Ce cas est déjà soumis : il ne peut plus être modifié.".to_string(),
            ));
        }
        let content = draft.content();
        let territory = territory::territory(db, row.organisation_id).await?;
        let mut errors: Vec<FieldError> = identifier_errors(
            &content.free_text_fields(),
            !draft.confirm_possible.trim().is_empty(),
            &territory,
        );
        let scales = match draft.scales() {
            Ok(scales) => scales,
            Err(more) => {
                errors.extend(more);
                Vec::new()
            }
        };
        let meeting = match meeting_choice(&draft.meeting_id) {
            Ok(meeting) => meeting,
            Err(error) => {
                errors.push(FieldError {
                    field: "meeting_id".into(),
                    message: error.to_string(),
                });
                row.meeting_id
            }
        };
        if submit {
            if let Err(error) = submittable(&content) {
                let field = if content.question_types.is_empty() {
                    "question_types"
                } else {
                    "question"
                };
                errors.push(FieldError {
                    field: field.into(),
                    message: error.to_string(),
                });
            }
            if let Err(error) = parse_age(&content.age) {
                if !content.age.trim().is_empty() {
                    errors.push(FieldError {
                        field: "age".into(),
                        message: error.label_fr().to_string(),
                    });
                }
            }
        }
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        if meeting != row.meeting_id || submit {
            check_meeting(db, row.organisation_id, meeting).await?;
        }
        let body = store::CaseBody::new(&content, &scales);
        let mut tx = db.begin().await?;
        let new_version = store::save(&mut tx, id, version, meeting, &body)
            .await?
            .ok_or_else(|| AppError::Conflict(CONFLICT.to_string()))?;
        let final_version = if submit {
            store::submit(&mut tx, id, new_version)
                .await?
                .ok_or_else(|| AppError::Conflict(CONFLICT.to_string()))?
        } else {
            new_version
        };
        let code = code_of(&row);
        audit(
            &mut tx,
            &viewer,
            row.organisation_id,
            if submit { "case.submit" } else { "case.save" },
            Some(id),
            &format!("version {final_version}"),
        )
        .await?;
        if submit && meeting.is_none() {
            // A written request: the organisation's psychiatrists are told (no clinical content).
            let psychiatrists: Vec<_> = users::members(db, row.organisation_id)
                .await?
                .into_iter()
                .filter(|m| m.role == Role::Psychiatrist && m.user_id != viewer.user_id)
                .collect();
            for person in psychiatrists {
                let mail = NewMail {
                    recipient: person.email.clone(),
                    subject: format!("Nouvelle demande d'avis : {code}"),
                    body_text: format!(
                        "Bonjour {},\n\nUne nouvelle demande d'avis écrit ({code}) attend un·e \
                         psychiatre. Pour la lire et la prendre en charge :\n{}/cas/{id}\n\n— Concerto\n",
                        person.display_name, state.settings.base_url
                    ),
                    organisation_id: Some(row.organisation_id),
                    ics_meeting_id: None,
                    ics: None,
                    dedup_key: None,
                };
                enqueue(&mut tx, &mail).await?;
            }
        }
        tx.commit().await?;
        state.mail_wakeup.notify_one();
        Ok(saved(final_version, &content))
    }

    pub async fn withdraw(id: CaseId) -> Result<(), AppError> {
        let state = state()?;
        let (row, viewer, _, _) = load(&state.db, id, CaseAction::Withdraw).await?;
        if row
            .submission_deadline
            .is_some_and(|deadline| deadline.0 <= paris_now())
        {
            return Err(AppError::Conflict(
                "La date limite de la réunion est passée : le cas ne peut plus être retiré ; \
                 prévenez la coordination."
                    .to_string(),
            ));
        }
        let mut tx = state.db.begin().await?;
        if !store::withdraw(&mut tx, id).await? {
            return Err(AppError::Conflict(
                "Ce cas ne peut pas être retiré : il n'est pas soumis, ou un avis a déjà été donné."
                    .to_string(),
            ));
        }
        audit(
            &mut tx,
            &viewer,
            row.organisation_id,
            "case.withdraw",
            Some(id),
            "",
        )
        .await?;
        Ok(tx.commit().await?)
    }

    pub async fn take(id: CaseId) -> Result<(), AppError> {
        let state = state()?;
        let (row, viewer, _, _) = load(&state.db, id, CaseAction::TakeRequest).await?;
        let mut tx = state.db.begin().await?;
        if !store::take(&mut tx, id, viewer.user_id).await? {
            return Err(AppError::Conflict(
                "Cette demande n'est plus en attente : un·e autre psychiatre l'a peut-être prise."
                    .to_string(),
            ));
        }
        audit(
            &mut tx,
            &viewer,
            row.organisation_id,
            "case.take",
            Some(id),
            "",
        )
        .await?;
        Ok(tx.commit().await?)
    }

    pub async fn message(id: CaseId, body: String) -> Result<(), AppError> {
        let state = state()?;
        let db = &state.db;
        let viewer_id = crate::backend::viewer()?.user_id;
        let author_id = store::get(db, id)
            .await?
            .ok_or(AppError::NotFound)?
            .author_id;
        let action = if author_id == viewer_id {
            CaseAction::AnswerQuestion
        } else {
            CaseAction::AskQuestion
        };
        let (row, viewer, _, _) = load(db, id, action).await?;
        if row.status != CaseStatus::Submitted {
            return Err(AppError::Conflict(
                "Les messages ne sont possibles que sur un cas soumis.".to_string(),
            ));
        }
        let body = body.trim().to_string();
        if body.is_empty() {
            return Err(AppError::field("body", "Écrivez votre message."));
        }
        let territory = territory::territory(db, row.organisation_id).await?;
        let errors = identifier_errors(&[("message", body.as_str())], false, &territory);
        if !errors.is_empty() {
            return Err(AppError::fields(
                errors
                    .into_iter()
                    .map(|e| FieldError {
                        field: "body".into(),
                        message: e.message,
                    })
                    .collect(),
            ));
        }
        let mut tx = db.begin().await?;
        store::add_message(&mut tx, id, viewer.user_id, &body).await?;
        audit(
            &mut tx,
            &viewer,
            row.organisation_id,
            "case.message",
            Some(id),
            "",
        )
        .await?;
        // The other side is told, without the message's text.
        let recipient = if row.author_id == viewer.user_id {
            row.taken_by
        } else {
            Some(row.author_id)
        };
        if let Some(recipient) = recipient {
            if let Some(person) = users::by_id(db, recipient).await? {
                let code = code_of(&row);
                enqueue(
                    &mut tx,
                    &NewMail {
                        recipient: person.email,
                        subject: format!("Nouveau message sur le cas {code}"),
                        body_text: format!(
                            "Bonjour {},\n\nUn message vous attend sur le cas {code} :\n{}/cas/{id}\n\n— Concerto\n",
                            person.display_name, state.settings.base_url
                        ),
                        organisation_id: Some(row.organisation_id),
                        ics_meeting_id: None,
                        ics: None,
                        dedup_key: None,
                    },
                )
                .await?;
            }
        }
        tx.commit().await?;
        state.mail_wakeup.notify_one();
        Ok(())
    }

    pub async fn sign(id: CaseId, draft: AdviceDraft) -> Result<i64, AppError> {
        let state: AppState = state()?;
        let db = &state.db;
        let (row, viewer, membership, _) = load(db, id, CaseAction::WriteAdvice).await?;
        if row.status != CaseStatus::Submitted {
            return Err(AppError::Conflict(
                "Un avis ne peut être donné que sur un cas soumis.".to_string(),
            ));
        }
        let content = AdviceContent {
            diagnostic_opinion: draft.diagnostic_opinion.trim().to_string(),
            pharmacological_advice: draft.pharmacological_advice.trim().to_string(),
            recommended_actions: draft.recommended_actions.trim().to_string(),
            orientation: draft.orientation.trim().to_string(),
            rediscuss: draft.rediscuss.trim().to_string(),
            body_md: draft.body_md.trim_end().to_string(),
        };
        let territory = territory::territory(db, row.organisation_id).await?;
        let mut errors = identifier_errors(
            &content.free_text_fields(),
            !draft.confirm_possible.trim().is_empty(),
            &territory,
        );
        if let Err(error) = may_sign(&content) {
            errors.push(FieldError {
                field: "diagnostic_opinion".into(),
                message: error.to_string(),
            });
        }
        // Who signs: the psychiatrist themself, or the one a coordinator records for.
        let signer = if membership.role == Role::Coordinator {
            let chosen = draft.psychiatrist_id.trim().parse::<UserId>().ok();
            let psychiatrists = users::members(db, row.organisation_id).await?;
            match chosen.filter(|id| {
                psychiatrists.iter().any(|m| {
                    m.user_id == *id && m.role == Role::Psychiatrist && *id != row.author_id
                })
            }) {
                Some(id) => Some(id),
                None => {
                    errors.push(FieldError {
                        field: "psychiatrist_id".into(),
                        message: "Choisissez le ou la psychiatre dont vous consignez l'avis."
                            .into(),
                    });
                    None
                }
            }
        } else if may_case(membership.role, Relation::Other, CaseAction::SignAdvice) {
            Some(viewer.user_id)
        } else {
            return Err(AppError::Forbidden);
        };
        let written_request = row.meeting_id.is_none();
        if written_request
            && membership.role != Role::Coordinator
            && row.taken_by != Some(viewer.user_id)
            && row.request_status != Some(RequestStatus::Answered)
        {
            return Err(AppError::Conflict(
                "Prenez d'abord cette demande en charge (« Je prends »).".to_string(),
            ));
        }
        let patient_informed = !draft.patient_informed.trim().is_empty();
        if written_request && !patient_informed {
            errors.push(FieldError {
                field: "patient_informed".into(),
                message: "Télé-expertise : confirmez que le patient est informé et consentant."
                    .into(),
            });
        }
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        let signer = signer.expect("checked above");
        let content_json = serde_json::to_string(&content).expect("serialisable");
        let mut tx = db.begin_write().await?;
        let version = store::sign_advice(
            &mut tx,
            id,
            viewer.user_id,
            signer,
            &content_json,
            patient_informed,
        )
        .await?;
        let requested = crate::domain::quorum::DecisionKind::from_code(draft.decision.trim());
        crate::api::staff::record_decision(&mut tx, &row, version, requested).await?;
        let code = code_of(&row);
        audit(
            &mut tx,
            &viewer,
            row.organisation_id,
            "advice.sign",
            Some(id),
            &format!("version {version}"),
        )
        .await?;
        if let Some(author) = users::by_id(db, row.author_id).await? {
            let what = if version == 1 {
                "Un avis a été donné"
            } else {
                "L'avis a été corrigé"
            };
            enqueue(
                &mut tx,
                &NewMail {
                    recipient: author.email,
                    subject: format!("Avis disponible : {code}"),
                    body_text: format!(
                        "Bonjour {},\n\n{what} sur votre demande {code}. Pour le lire (connexion \
                         requise) :\n{}/cas/{id}\n\n— Concerto\n",
                        author.display_name, state.settings.base_url
                    ),
                    organisation_id: Some(row.organisation_id),
                    ics_meeting_id: None,
                    ics: None,
                    dedup_key: None,
                },
            )
            .await?;
        }
        tx.commit().await?;
        state.mail_wakeup.notify_one();
        Ok(version)
    }

    pub async fn settings(answer_days: String, yearly_limit: String) -> Result<(), AppError> {
        let (viewer, membership) = current_member(Action::ManageMembers)?;
        let mut errors = Vec::new();
        let mut number =
            |field: &str, text: &str, range: std::ops::RangeInclusive<i64>, message: &str| {
                match text.trim().parse::<i64>() {
                    Ok(n) if range.contains(&n) => n,
                    _ => {
                        errors.push(FieldError {
                            field: field.into(),
                            message: message.into(),
                        });
                        0
                    }
                }
            };
        let days = number(
            "answer_days",
            &answer_days,
            1..=60,
            "Le délai de réponse doit être un nombre de jours entre 1 et 60.",
        );
        let limit = number(
            "yearly_limit",
            &yearly_limit,
            1..=52,
            "La limite annuelle doit être un nombre entre 1 et 52.",
        );
        if !errors.is_empty() {
            return Err(AppError::fields(errors));
        }
        let state = state()?;
        let org = membership.organisation_id;
        let mut tx = state.db.begin().await?;
        store::set_settings(&mut tx, org, days, limit).await?;
        audit(
            &mut tx,
            &viewer,
            org,
            "settings.change",
            None,
            &format!("délai {days} j, limite {limit}/an"),
        )
        .await?;
        Ok(tx.commit().await?)
    }

    pub async fn audit_page(
        user: String,
        action: String,
        case: String,
    ) -> Result<AuditPage, AppError> {
        let (_, membership) = current_member(Action::ViewMeetings)?;
        if !may_case(membership.role, Relation::Other, CaseAction::ViewAuditLog) {
            return Err(AppError::Forbidden);
        }
        let state = state()?;
        let case = match case.trim() {
            "" => None,
            text => Some(text.parse::<CaseCode>().map_err(|_| {
                AppError::field("case", "Code de cas invalide (exemple : C-2026-014).")
            })?),
        };
        let filter = AuditFilter {
            user: user.trim().parse::<UserId>().ok(),
            action: Some(action.trim().to_string()).filter(|a| !a.is_empty()),
            case,
        };
        let rows = store::audit_log(&state.db, membership.organisation_id, &filter, 500).await?;
        let lines = rows
            .into_iter()
            .map(|row| AuditLine {
                when: format_datetime_fr(local(row.at.0)),
                who: row
                    .user_name
                    .unwrap_or_else(|| format!("compte n° {}", row.user_id)),
                action: AUDIT_ACTIONS
                    .iter()
                    .find(|(code, _)| *code == row.action)
                    .map(|(_, label)| label.to_string())
                    .unwrap_or(row.action),
                case_code: row
                    .code_year
                    .zip(row.code_number)
                    .map(|(year, number)| CaseCode::new(year, number as u32).to_string()),
                case_id: row.case_id,
                client_ip: row.client_ip.unwrap_or_default(),
                detail: row.detail,
            })
            .collect();
        let people = users::members(&state.db, membership.organisation_id)
            .await?
            .into_iter()
            .map(|m| MemberOption {
                user_id: m.user_id,
                label: m.display_name,
            })
            .collect();
        Ok(AuditPage {
            lines,
            people,
            actions: AUDIT_ACTIONS
                .iter()
                .map(|(code, label)| (code.to_string(), label.to_string()))
                .collect(),
        })
    }
}
