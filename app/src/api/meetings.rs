//! Meetings: list, detail, create, edit, cancel, invite, answer, "Mon agenda".

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::domain::ids::{MeetingId, UserId};

use crate::domain::meeting::{MeetingDraft, MeetingKind, MeetingMode};
use crate::domain::rsvp::Rsvp;
use crate::error::AppError;

/// A line of a meeting list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSummary {
    /// Id.
    pub id: MeetingId,
    /// Kind.
    pub kind: MeetingKind,
    /// Title.
    pub title: String,
    /// Slot in French, Europe/Paris.
    pub when: String,
    /// Mode.
    pub mode: MeetingMode,
    /// Cancelled.
    pub cancelled: bool,
    /// Part of a series.
    pub in_series: bool,
    /// The viewer's answer, when invited.
    pub my_response: Option<Rsvp>,
    /// Organisation (empty in lists of one organisation).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub organisation_name: String,
}

/// An invitee and their answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteeView {
    /// User id.
    pub user_id: UserId,
    /// Name.
    pub name: String,
    /// Role, French.
    pub role_label: String,
    /// Answer.
    pub response: Rsvp,
}

/// A member offered in the invitation picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberOption {
    /// User id.
    pub user_id: UserId,
    /// "Name — role".
    pub label: String,
}

/// Everything the meeting page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingDetail {
    /// Id.
    pub id: MeetingId,
    /// Organisation.
    pub organisation_name: String,
    /// Kind.
    pub kind: MeetingKind,
    /// Title.
    pub title: String,
    /// Slot, French.
    pub when: String,
    /// Mode.
    pub mode: MeetingMode,
    /// Address.
    pub address: Option<String>,
    /// Case-submission deadline, French.
    pub deadline: String,
    /// Maximum number of cases.
    pub max_cases: Option<i64>,
    /// Sanitised HTML of the description.
    pub description_html: String,
    /// Cancelled.
    pub cancelled: bool,
    /// Over.
    pub past: bool,
    /// The series' rule in French, for an occurrence.
    pub series_description: Option<String>,
    /// Invitees.
    pub invitees: Vec<InviteeView>,
    /// The viewer's answer, if invited.
    pub my_response: Option<Rsvp>,
    /// Whether the viewer may edit, cancel and invite.
    pub can_manage: bool,
    /// The form's values for editing.
    pub form: MeetingDraft,
    /// Members who can be invited (coordinators only).
    pub members: Vec<MemberOption>,
    /// For a presenter at a staff/RCP: "Votre cas C-2026-014 : 14h20 – 14h40".
    pub my_slots: Vec<String>,
}

/// An organisation's meetings: `period` is "upcoming" or "past"; `kind` a kind code or "" for all.
#[server(endpoint = "meetings/list", input = GetUrl)]
pub async fn list_meetings(kind: String, period: String) -> Result<Vec<MeetingSummary>, AppError> {
    ssr::respond(ssr::list(kind, period)).await
}

/// One meeting with its invitees.
#[server(endpoint = "meetings/get", input = GetUrl)]
pub async fn get_meeting(id: MeetingId) -> Result<MeetingDetail, AppError> {
    ssr::respond(ssr::detail(id)).await
}

/// Creates a meeting or a series in the current organisation (coordinators), then shows it.
#[server(endpoint = "meetings/create")]
pub async fn create_meeting(
    csrf_token: String,
    draft: MeetingDraft,
) -> Result<MeetingId, AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    ssr::respond(ssr::create(draft)).await
}

/// Edits a meeting; for an occurrence, `scope` is "occurrence" or "following".
#[server(endpoint = "meetings/update")]
pub async fn update_meeting(
    csrf_token: String,
    id: MeetingId,
    scope: String,
    draft: MeetingDraft,
) -> Result<MeetingId, AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    ssr::respond(ssr::update(id, scope, draft)).await
}

/// Cancels a meeting; for an occurrence, `scope` is "occurrence", "following" or "series".
#[server(endpoint = "meetings/cancel")]
pub async fn cancel_meeting(
    csrf_token: String,
    id: MeetingId,
    scope: String,
) -> Result<(), AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    ssr::respond(async {
        ssr::cancel(id, scope).await?;
        crate::backend::redirect_back("annulation", &format!("/reunions/{id}"));
        Ok(())
    })
    .await
}

/// Invites a member (`user_id`) or every member with a role (`role`); for an occurrence,
/// `scope` "following" (default) invites to this and every later occurrence.
#[server(endpoint = "meetings/invite")]
pub async fn invite(
    csrf_token: String,
    id: MeetingId,
    #[server(default)] user_id: String,
    #[server(default)] role: String,
    #[server(default)] scope: String,
) -> Result<usize, AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    ssr::respond(async {
        let invited = ssr::invite(id, user_id, role, scope).await?;
        crate::backend::redirect_back("invitation", &format!("/reunions/{id}"));
        Ok(invited)
    })
    .await
}

/// Answers an invitation; `scope` "following" answers this and every later occurrence.
#[server(endpoint = "meetings/respond")]
pub async fn respond(
    csrf_token: String,
    id: MeetingId,
    response: String,
    #[server(default)] scope: String,
) -> Result<(), AppError> {
    // Checked by the CSRF middleware; a parameter so that hydrated forms send it.
    let _ = csrf_token;
    ssr::respond(async {
        ssr::answer(id, response, scope).await?;
        crate::backend::redirect_back("reponse", &format!("/reunions/{id}"));
        Ok(())
    })
    .await
}

/// "Mon agenda": the viewer's upcoming invitations in all their organisations.
#[server(endpoint = "agenda", input = GetUrl)]
pub async fn my_agenda() -> Result<Vec<MeetingSummary>, AppError> {
    ssr::respond(ssr::agenda()).await
}

#[cfg(feature = "ssr")]
mod ssr {
    pub use crate::backend::respond;

    use chrono_tz::Tz;

    use super::*;
    use crate::backend::db::meetings::{self as store, MeetingLineRow, MeetingRow, Period};
    use crate::backend::db::{users, Tx};
    use crate::backend::markdown;
    use crate::backend::notifications::{self, Notice, Recipient, Scope};
    use crate::backend::{current_member, member_of, state, viewer};
    use crate::domain::ids::SeriesId;
    use crate::domain::meeting::ValidMeeting;
    use crate::domain::permissions::Action;
    use crate::domain::role::Role;
    use crate::domain::time::{
        datetime_field_value, format_datetime_fr, format_slot_fr, DEFAULT_TIME_ZONE,
    };

    fn paris() -> Tz {
        DEFAULT_TIME_ZONE.parse().expect("known zone")
    }

    fn summary(row: MeetingLineRow) -> MeetingSummary {
        MeetingSummary {
            id: row.id,
            kind: row.kind,
            title: row.title,
            when: format_slot_fr(row.start_local.0, row.duration_minutes as u32),
            mode: row.mode,
            cancelled: row.cancelled,
            in_series: row.in_series,
            my_response: row.my_response,
            organisation_name: row.organisation_name,
        }
    }

    pub async fn list(kind: String, period: String) -> Result<Vec<MeetingSummary>, AppError> {
        let (viewer, membership) = current_member(Action::ViewMeetings)?;
        let kind = match kind.as_str() {
            "" | "all" => None,
            code => Some(
                MeetingKind::from_code(code)
                    .ok_or_else(|| AppError::field("kind", "Type de réunion inconnu."))?,
            ),
        };
        let period = if period == "past" {
            Period::Past
        } else {
            Period::Upcoming
        };
        let state = state()?;
        let rows = store::list(
            &state.db,
            membership.organisation_id,
            viewer.user_id,
            kind,
            period,
            200,
        )
        .await?;
        // The list is of one organisation: its name is not repeated on every line.
        Ok(rows
            .into_iter()
            .map(|row| MeetingSummary {
                organisation_name: String::new(),
                ..summary(row)
            })
            .collect())
    }

    pub async fn agenda() -> Result<Vec<MeetingSummary>, AppError> {
        let viewer = viewer()?;
        let state = state()?;
        let rows = store::agenda(&state.db, viewer.user_id, 200).await?;
        Ok(rows.into_iter().map(summary).collect())
    }

    /// Loads a meeting the viewer may see, with their membership of its organisation.
    async fn load(
        id: MeetingId,
        action: Action,
    ) -> Result<(MeetingRow, crate::api::session::Viewer, Role), AppError> {
        let state = state()?;
        let row = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
        let (viewer, membership) = member_of(row.organisation_id, action)?;
        Ok((row, viewer, membership.role))
    }

    fn draft_of(row: &MeetingRow) -> MeetingDraft {
        let start = row.local_start();
        let end = start + chrono::Duration::minutes(row.duration_minutes);
        MeetingDraft {
            kind: row.kind.code().to_string(),
            title: row.title.clone(),
            date: start.format("%Y-%m-%d").to_string(),
            start_time: start.format("%H:%M").to_string(),
            end_time: end.format("%H:%M").to_string(),
            mode: row.mode.code().to_string(),
            address: row.address.clone().unwrap_or_default(),
            deadline: datetime_field_value(row.deadline_local()),
            max_cases: row.max_cases.map(|n| n.to_string()).unwrap_or_default(),
            description: row.description_md.clone(),
            ..Default::default()
        }
    }

    pub async fn detail(id: MeetingId) -> Result<MeetingDetail, AppError> {
        let (row, viewer, role) = load(id, Action::ViewMeetings).await?;
        let state = state()?;
        let invitees = store::invitees(&state.db, id).await?;
        let can_manage = crate::domain::permissions::may(role, Action::ManageMeetings);
        let series_description = match row.series_id {
            Some(series_id) => store::get_series(&state.db, series_id)
                .await?
                .and_then(|series| {
                    let first = series.first_start_local.0;
                    series.rule().map(|rule| rule.describe_fr_at(first))
                }),
            None => None,
        };
        let members = if can_manage {
            users::members(&state.db, row.organisation_id)
                .await?
                .into_iter()
                .map(|m| MemberOption {
                    user_id: m.user_id,
                    label: format!("{} — {}", m.display_name, m.role.label_fr()),
                })
                .collect()
        } else {
            Vec::new()
        };
        let organisation_name = viewer
            .memberships
            .iter()
            .find(|m| m.organisation_id == row.organisation_id)
            .map(|m| m.organisation_name.clone())
            .unwrap_or_default();
        Ok(MeetingDetail {
            id: row.id,
            organisation_name,
            kind: row.kind(),
            title: row.title.clone(),
            when: format_slot_fr(row.local_start(), row.duration_minutes as u32),
            mode: row.mode(),
            address: row.address.clone(),
            deadline: format_datetime_fr(row.deadline_local()),
            max_cases: row.max_cases,
            description_html: markdown::render(&row.description_md),
            cancelled: row.cancelled,
            past: row.is_past(),
            series_description,
            my_response: invitees
                .iter()
                .find(|i| i.user_id == viewer.user_id)
                .map(|i| i.rsvp()),
            invitees: invitees
                .iter()
                .map(|i| InviteeView {
                    user_id: i.user_id,
                    name: i.display_name.clone(),
                    role_label: i.role.map(Role::label_fr).unwrap_or("").to_string(),
                    response: i.rsvp(),
                })
                .collect(),
            can_manage,
            form: draft_of(&row),
            members,
            my_slots: crate::api::staff::slots_of_viewer(&state.db, &row, viewer.user_id).await?,
        })
    }

    /// Checks a draft, with the identifier guard applying the organisation's words.
    async fn validate(
        draft: &MeetingDraft,
        organisation_id: crate::domain::ids::OrgId,
    ) -> Result<ValidMeeting, AppError> {
        let territory =
            crate::backend::db::territory::territory(&state()?.db, organisation_id).await?;
        ValidMeeting::check(draft, &territory).map_err(AppError::fields)
    }

    pub async fn create(draft: MeetingDraft) -> Result<MeetingId, AppError> {
        let (viewer, membership) = current_member(Action::ManageMeetings)?;
        let meeting = validate(&draft, membership.organisation_id).await?;
        let state = state()?;
        let mut tx = state.db.begin().await?;
        let ids = store::create(
            &mut tx,
            membership.organisation_id,
            viewer.user_id,
            &meeting,
            paris(),
        )
        .await?;
        tx.commit().await?;
        let id = ids[0];
        leptos_axum::redirect(&format!("/reunions/{id}"));
        Ok(id)
    }

    /// Everyone invited to any of `meeting_ids`, once each, read inside the transaction.
    async fn recipients(
        tx: &mut Tx,
        meeting_ids: &[MeetingId],
    ) -> Result<Vec<Recipient>, AppError> {
        let mut seen = std::collections::BTreeMap::new();
        for chunk in meeting_ids.chunks(500) {
            for (_, invitee) in store::invitees_of_many(&mut *tx, chunk).await? {
                seen.entry(invitee.email.clone()).or_insert(Recipient {
                    email: invitee.email,
                    name: invitee.display_name,
                });
            }
        }
        Ok(seen.into_values().collect())
    }

    /// Everyone invited to any occurrence of a series.
    async fn series_recipients(
        tx: &mut Tx,
        series_id: SeriesId,
    ) -> Result<Vec<Recipient>, AppError> {
        let ids: Vec<MeetingId> = store::occurrences(&mut *tx, series_id)
            .await?
            .iter()
            .map(|m| m.id)
            .collect();
        recipients(tx, &ids).await
    }

    /// A meeting row as the transaction sees it now.
    async fn reload(tx: &mut Tx, id: MeetingId) -> Result<MeetingRow, AppError> {
        store::get(&mut *tx, id).await?.ok_or(AppError::NotFound)
    }

    /// After a series was cut (see `store::FollowingChange::Cut`): one REQUEST for the old
    /// UID (its RRULE now ends with an UNTIL, SEQUENCE + 1, with the overrides before the cut),
    /// then one CANCEL with RECURRENCE-ID for each override from the cut on that had been sent.
    async fn announce_cut(
        tx: &mut Tx,
        base_url: &str,
        old_series_id: SeriesId,
        cut: chrono::NaiveDateTime,
        withdrawn_overrides: Vec<MeetingRow>,
        replaced: bool,
        recipients: &[Recipient],
    ) -> Result<(), AppError> {
        if let Some(remaining) = store::occurrences(&mut *tx, old_series_id)
            .await?
            .into_iter()
            .next()
        {
            let notice = Notice::SeriesCut {
                from: cut,
                replaced,
            };
            notifications::queue(
                tx,
                base_url,
                &remaining,
                Scope::Series,
                notice,
                recipients,
                None,
            )
            .await?;
        }
        for mut withdrawn in withdrawn_overrides {
            // As it was sent, under the old UID, one revision later.
            withdrawn.sequence += 1;
            let notice = if replaced {
                Notice::Superseded
            } else {
                Notice::Cancellation
            };
            notifications::queue(
                tx,
                base_url,
                &withdrawn,
                Scope::Meeting,
                notice,
                recipients,
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// The changes and their e-mails are written in one transaction: either both happen or
    /// neither does.
    pub async fn update(
        id: MeetingId,
        scope: String,
        mut draft: MeetingDraft,
    ) -> Result<MeetingId, AppError> {
        let (row, _viewer, _) = load(id, Action::ManageMeetings).await?;
        draft.repeat = "none".to_string();
        let meeting = validate(&draft, row.organisation_id).await?;
        let state = state()?;
        let base_url = state.settings.base_url.as_str();
        let mut tx = state.db.begin().await?;
        match (row.series_id, scope.as_str()) {
            (Some(series_id), "following") => {
                let series = store::get_series(&mut tx, series_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let before = series_recipients(&mut tx, series_id).await?;
                let (ids, change) =
                    store::update_following(&mut tx, &row, &series, &meeting).await?;
                // Published agendas of the occurrences that moved: their slots follow.
                for id in &ids {
                    crate::api::staff::refresh_slots(&mut tx, &state, *id).await?;
                }
                let updated = reload(&mut tx, row.id).await?;
                match change {
                    store::FollowingChange::Whole => {
                        notifications::queue(
                            &mut tx,
                            base_url,
                            &updated,
                            Scope::Series,
                            Notice::Update,
                            &before,
                            None,
                        )
                        .await?;
                    }
                    store::FollowingChange::Cut {
                        old_series_id,
                        withdrawn_overrides,
                    } => {
                        let cut = row.occurrence().unwrap_or_else(|| row.local_start());
                        announce_cut(
                            &mut tx,
                            base_url,
                            old_series_id,
                            cut,
                            withdrawn_overrides,
                            true,
                            &before,
                        )
                        .await?;
                        // The new series, in a message of its own (new UID, SEQUENCE 0).
                        let after = recipients(&mut tx, &ids).await?;
                        notifications::queue(
                            &mut tx,
                            base_url,
                            &updated,
                            Scope::Series,
                            Notice::Update,
                            &after,
                            None,
                        )
                        .await?;
                    }
                }
            }
            (series, _) => {
                store::update_one(&mut tx, &row, &meeting, meeting.start_local).await?;
                if let Some(series_id) = series {
                    store::touch_series(&mut tx, series_id).await?;
                }
                let updated = reload(&mut tx, row.id).await?;
                let recipients = recipients(&mut tx, &[row.id]).await?;
                notifications::queue(
                    &mut tx,
                    base_url,
                    &updated,
                    Scope::Meeting,
                    Notice::Update,
                    &recipients,
                    None,
                )
                .await?;
                crate::api::staff::refresh_slots(&mut tx, &state, row.id).await?;
            }
        }
        tx.commit().await?;
        state.mail_wakeup.notify_one();
        leptos_axum::redirect(&format!("/reunions/{id}"));
        Ok(id)
    }

    /// Cancels one occurrence (a CANCEL with its RECURRENCE-ID), this and the following ones (the
    /// series is cut, see `announce_cut`; from the first occurrence, the whole series), or the
    /// whole series (one CANCEL of the UID). Never one message per plain occurrence.
    pub async fn cancel(id: MeetingId, scope: String) -> Result<(), AppError> {
        let (row, _viewer, _) = load(id, Action::ManageMeetings).await?;
        if row.cancelled {
            return Err(AppError::Conflict(
                "Cette réunion est déjà annulée.".to_string(),
            ));
        }
        let state = state()?;
        let base_url = state.settings.base_url.as_str();
        let mut tx = state.db.begin().await?;
        // The meetings cancelled: their presenters' slots are cancelled too.
        let mut touched = vec![row.id];
        match (row.series_id, scope.as_str()) {
            (Some(series_id), "series" | "following") => {
                let recipients = series_recipients(&mut tx, series_id).await?;
                let change = if scope == "series" {
                    touched = store::occurrences(&mut tx, series_id)
                        .await?
                        .iter()
                        .map(|m| m.id)
                        .collect();
                    store::cancel_series(&mut tx, series_id).await?;
                    store::FollowingChange::Whole
                } else {
                    let series = store::get_series(&mut tx, series_id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    let (ids, change) = store::cancel_following(&mut tx, &row, &series).await?;
                    touched = ids;
                    change
                };
                match change {
                    store::FollowingChange::Whole => {
                        let cancelled = reload(&mut tx, row.id).await?;
                        notifications::queue(
                            &mut tx,
                            base_url,
                            &cancelled,
                            Scope::Series,
                            Notice::Cancellation,
                            &recipients,
                            None,
                        )
                        .await?;
                    }
                    store::FollowingChange::Cut {
                        old_series_id,
                        withdrawn_overrides,
                    } => {
                        let cut = row.occurrence().unwrap_or_else(|| row.local_start());
                        announce_cut(
                            &mut tx,
                            base_url,
                            old_series_id,
                            cut,
                            withdrawn_overrides,
                            false,
                            &recipients,
                        )
                        .await?;
                    }
                }
            }
            (series, _) => {
                let recipients = recipients(&mut tx, &[row.id]).await?;
                store::cancel(&mut tx, &[row.id]).await?;
                if let Some(series_id) = series {
                    store::touch_series(&mut tx, series_id).await?;
                }
                let cancelled = reload(&mut tx, row.id).await?;
                notifications::queue(
                    &mut tx,
                    base_url,
                    &cancelled,
                    Scope::Meeting,
                    Notice::Cancellation,
                    &recipients,
                    None,
                )
                .await?;
            }
        }
        // Presenters' slots of the published agendas are cancelled too.
        for id in touched {
            crate::api::staff::refresh_slots(&mut tx, &state, id).await?;
        }
        tx.commit().await?;
        state.mail_wakeup.notify_one();
        Ok(())
    }

    pub async fn invite(
        id: MeetingId,
        user_id: String,
        role: String,
        scope: String,
    ) -> Result<usize, AppError> {
        let (row, _viewer, _) = load(id, Action::ManageMeetings).await?;
        if row.cancelled {
            return Err(AppError::Conflict(
                "Cette réunion est annulée : impossible d'inviter.".to_string(),
            ));
        }
        let state = state()?;
        let members = users::members(&state.db, row.organisation_id).await?;
        let chosen: Vec<&users::MemberRow> = match (user_id.trim(), role.trim()) {
            ("", "") => {
                return Err(AppError::field(
                    "user_id",
                    "Choisissez une personne ou un groupe à inviter.",
                ))
            }
            (user, "") => {
                let user: UserId = user
                    .parse()
                    .map_err(|_| AppError::field("user_id", "Personne inconnue."))?;
                let member = members.iter().find(|m| m.user_id == user).ok_or_else(|| {
                    AppError::field(
                        "user_id",
                        "Cette personne n'est pas membre de l'organisation.",
                    )
                })?;
                vec![member]
            }
            (_, role) => {
                let role = Role::from_code(role)
                    .ok_or_else(|| AppError::field("role", "Rôle inconnu."))?;
                let chosen: Vec<_> = members.iter().filter(|m| m.role == role).collect();
                if chosen.is_empty() {
                    return Err(AppError::field(
                        "role",
                        "Aucun membre de l'organisation n'a ce rôle.",
                    ));
                }
                chosen
            }
        };
        let meeting_ids = if scope == "occurrence" {
            vec![row.id]
        } else {
            store::following_ids(&state.db, &row).await?
        };
        let user_ids: Vec<UserId> = chosen.iter().map(|m| m.user_id).collect();
        let mut tx = state.db.begin().await?;
        let added = store::invite(&mut tx, &meeting_ids, &user_ids).await?;
        let newly: std::collections::BTreeSet<UserId> =
            added.iter().map(|(_, user)| *user).collect();
        let recipients: Vec<Recipient> = chosen
            .iter()
            .filter(|m| newly.contains(&m.user_id))
            .map(|m| Recipient {
                email: m.email.clone(),
                name: m.display_name.clone(),
            })
            .collect();
        let scope = if row.series_id.is_some() && meeting_ids.len() > 1 {
            Scope::Series
        } else {
            Scope::Meeting
        };
        notifications::queue(
            &mut tx,
            &state.settings.base_url,
            &row,
            scope,
            Notice::Invitation,
            &recipients,
            None,
        )
        .await?;
        tx.commit().await?;
        state.mail_wakeup.notify_one();
        Ok(newly.len())
    }

    pub async fn answer(id: MeetingId, response: String, scope: String) -> Result<(), AppError> {
        let (row, viewer, _) = load(id, Action::AnswerInvitation).await?;
        let state = state()?;
        let new = Rsvp::from_code(response.trim()).ok_or_else(|| {
            AppError::field(
                "response",
                "Veuillez choisir une réponse : accepter, décliner ou peut-être.",
            )
        })?;
        let invitees = store::invitees(&state.db, id).await?;
        let current = invitees
            .iter()
            .find(|i| i.user_id == viewer.user_id)
            .map(|i| i.rsvp())
            .ok_or_else(|| {
                AppError::Conflict("Vous n'êtes pas invité·e à cette réunion.".to_string())
            })?;
        let new = current
            .answer(new, row.cancelled, row.is_past())
            .map_err(|error| AppError::field("response", &error.to_string()))?;
        let ids = if scope == "following" {
            store::following_ids(&state.db, &row).await?
        } else {
            vec![row.id]
        };
        store::respond(&state.db, &ids, viewer.user_id, new).await?;
        Ok(())
    }
}
