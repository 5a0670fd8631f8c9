//! Demo data (only with `--demo`): one CPTS, one account per role, a bimonthly staff series that
//! crosses the next daylight-saving change, an RCP and a joint consultation. Idempotent.

use app::backend::db::Db;
use app::backend::db::{meetings, users};
use app::backend::security::hash_password;
use app::domain::meeting::{MeetingDraft, ValidMeeting};
use app::domain::recurrence::utc_to_local;
use app::domain::role::Role;
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};

/// The demo organisation.
pub const DEMO_ORGANISATION: &str = "CPTS Démo Touraine";
/// A second organisation, to show a psychiatrist serving two CPTS.
pub const SECOND_ORGANISATION: &str = "CPTS Démo Lochois";
/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "concerto-demo";

/// Demo accounts: (e-mail, name, role; None = administrator).
pub const DEMO_ACCOUNTS: [(&str, &str, Option<Role>); 6] = [
    (
        "coordination@demo.concerto.test",
        "Claire Martin (coordination)",
        Some(Role::Coordinator),
    ),
    (
        "generaliste@demo.concerto.test",
        "Dr Julien Moreau",
        Some(Role::GeneralPractitioner),
    ),
    (
        "psychiatre@demo.concerto.test",
        "Dr Sophie Laurent",
        Some(Role::Psychiatrist),
    ),
    (
        "infirmier@demo.concerto.test",
        "Thomas Petit (IDE)",
        Some(Role::Nurse),
    ),
    (
        "psychologue@demo.concerto.test",
        "Camille Durand (psychologue)",
        Some(Role::Psychologist),
    ),
    ("admin@demo.concerto.test", "Administrateur Concerto", None),
];

/// The second Tuesday of the month of `date`.
fn second_tuesday(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Tue, 2)
        .expect("every month has two Tuesdays")
}

/// The next second Tuesday on or after `from`.
pub fn next_second_tuesday(from: NaiveDate) -> NaiveDate {
    let candidate = second_tuesday(from.year(), from.month());
    if candidate >= from {
        return candidate;
    }
    let next_month = from.with_day(1).expect("day 1") + Duration::days(32);
    second_tuesday(next_month.year(), next_month.month())
}

/// Seeds the demo data unless it is already there.
pub async fn seed(db: &Db) -> anyhow::Result<()> {
    let existing = users::organisations(db).await?;
    if existing.iter().any(|(_, name)| name == DEMO_ORGANISATION) {
        return Ok(());
    }
    let organisation = users::create_organisation(db, DEMO_ORGANISATION).await?;
    let second = users::create_organisation(db, SECOND_ORGANISATION).await?;
    let hash = hash_password(DEMO_PASSWORD);
    let mut ids = Vec::new();
    for (email, name, role) in DEMO_ACCOUNTS {
        let id = users::create(db, email, name, role.is_none()).await?;
        users::set_password_hash(db, id, &hash).await?;
        if let Some(role) = role {
            users::add_membership(db, id, organisation, role).await?;
        }
        ids.push((id, role));
    }
    let id_of = |wanted: Role| {
        ids.iter()
            .find(|(_, role)| *role == Some(wanted))
            .map(|(id, _)| *id)
            .expect("demo role")
    };
    let coordinator = id_of(Role::Coordinator);
    users::add_membership(db, id_of(Role::Psychiatrist), second, Role::Psychiatrist).await?;
    users::add_membership(db, coordinator, second, Role::Coordinator).await?;

    let paris = chrono_tz::Europe::Paris;
    let today = utc_to_local(Utc::now(), paris).date();
    let staff_date = next_second_tuesday(today + Duration::days(1));
    let members: Vec<app::domain::ids::UserId> = ids
        .iter()
        .filter(|(_, role)| role.is_some())
        .map(|(id, _)| *id)
        .collect();

    let plans = [
        (
            MeetingDraft {
                kind: "staff".into(),
                title: "Staff santé mentale CPTS".into(),
                date: staff_date.format("%Y-%m-%d").to_string(),
                start_time: "12:30".into(),
                end_time: "14:00".into(),
                mode: "hybrid".into(),
                address: "Maison de santé, 12 rue Nationale, 37000 Tours".into(),
                max_cases: "4".into(),
                description: "Staff bimestriel **médecins généralistes – psychiatrie**.\n\n\
                    - cas complexes envoyés au plus tard 7 jours avant\n- 20 minutes par cas\n- point d'actualité du territoire"
                    .into(),
                repeat: "monthly_nth_weekday".into(),
                interval: "2".into(),
                end_kind: "count".into(),
                count: "6".into(),
                ..Default::default()
            },
            members.clone(),
        ),
        (
            MeetingDraft {
                kind: "rcp".into(),
                title: "RCP psychiatrie – médecine générale".into(),
                date: (today + Duration::days(10)).format("%Y-%m-%d").to_string(),
                start_time: "18:00".into(),
                end_time: "19:00".into(),
                mode: "video".into(),
                description: "Réunion de concertation pluridisciplinaire sur un patient (quorum : MG, psychiatre, IDE).".into(),
                ..Default::default()
            },
            vec![id_of(Role::GeneralPractitioner), id_of(Role::Psychiatrist), id_of(Role::Nurse)],
        ),
        (
            MeetingDraft {
                kind: "joint_consultation".into(),
                title: "Consultation conjointe MG – psychiatre".into(),
                date: (today + Duration::days(5)).format("%Y-%m-%d").to_string(),
                start_time: "11:00".into(),
                end_time: "11:45".into(),
                mode: "video".into(),
                ..Default::default()
            },
            vec![id_of(Role::GeneralPractitioner), id_of(Role::Psychiatrist)],
        ),
    ];
    // A past staff, to show its agenda, attendance, avis and sign-in sheet.
    let past_staff = MeetingDraft {
        kind: "staff".into(),
        title: "Staff santé mentale CPTS (séance passée)".into(),
        date: (today - Duration::days(20)).format("%Y-%m-%d").to_string(),
        start_time: "12:30".into(),
        end_time: "14:00".into(),
        mode: "video".into(),
        description: "Séance précédente du staff bimestriel.".into(),
        repeat: "none".into(),
        ..Default::default()
    };
    let mut created = Vec::new();
    for (draft, invitees) in plans.into_iter().chain([(past_staff, members.clone())]) {
        let meeting = ValidMeeting::try_from(&draft)
            .map_err(|errors| anyhow::anyhow!("demo meeting invalid: {errors:?}"))?;
        let mut tx = db.begin().await?;
        let meeting_ids =
            meetings::create(&mut tx, organisation, coordinator, &meeting, paris).await?;
        meetings::invite(&mut tx, &meeting_ids, &invitees).await?;
        tx.commit().await?;
        created.push(meeting_ids[0]);
    }
    let people = DemoPeople {
        organisation,
        coordinator,
        gp: id_of(Role::GeneralPractitioner),
        nurse: id_of(Role::Nurse),
        psychiatrist: id_of(Role::Psychiatrist),
        psychologist: id_of(Role::Psychologist),
    };
    seed_cases(db, &people, created[0], created[3]).await?;
    tracing::info!("demo data seeded: {DEMO_ORGANISATION}, password {DEMO_PASSWORD}");
    Ok(())
}

/// Who the demo cases and sessions involve.
struct DemoPeople {
    organisation: app::domain::ids::OrgId,
    coordinator: app::domain::ids::UserId,
    gp: app::domain::ids::UserId,
    nurse: app::domain::ids::UserId,
    psychiatrist: app::domain::ids::UserId,
    psychologist: app::domain::ids::UserId,
}

/// A few identifier-free cases: a written request answered with a signed avis, one waiting
/// for a psychiatrist, and a draft; two cases submitted to the next staff (`upcoming`); and
/// the past staff (`past`) with its agenda, attendance and avis.
async fn seed_cases(
    db: &Db,
    people: &DemoPeople,
    upcoming: app::domain::ids::MeetingId,
    past: app::domain::ids::MeetingId,
) -> anyhow::Result<()> {
    let DemoPeople {
        organisation,
        gp,
        nurse,
        psychiatrist,
        ..
    } = *people;
    use app::backend::db::cases;
    use app::domain::cases::form::CaseDraft;
    use app::domain::cases::AdviceContent;
    let case = |question: &str,
                reason: &str,
                treatment: &str,
                age: &str,
                sex: &str,
                phq9: &[u8]| {
        let mut draft = CaseDraft {
            q_pharmacological: "on".into(),
            q_conduct: "on".into(),
            question: question.into(),
            reason: reason.into(),
            symptoms: "Humeur triste, anhédonie, troubles du sommeil depuis trois mois ; pas d'idée suicidaire exprimée.".into(),
            hypotheses: "Épisode dépressif caractérisé d'intensité modérée.".into(),
            history: "Un épisode dépressif il y a dix ans, traité en ville. Hypothyroïdie substituée.".into(),
            treatment: treatment.into(),
            expectations: "Un avis sur l'ajustement du traitement et sur l'orientation.".into(),
            somatic_follow_up: "Bilan thyroïdien récent normal ; suivi par le médecin traitant.".into(),
            treating_doctor_known: "on".into(),
            age: age.into(),
            sex: sex.into(),
            ..Default::default()
        };
        for (index, answer) in phq9.iter().enumerate() {
            draft
                .items
                .insert(format!("phq9-{}", index + 1), answer.to_string());
        }
        let scales = draft.scales().expect("demo answers are valid");
        cases::CaseBody::new(&draft.content(), &scales)
    };
    // Answered.
    let body = case(
        "Faut-il changer d'antidépresseur après huit semaines de sertraline sans amélioration ?",
        "Dépression persistante malgré un traitement bien conduit, arrêt de travail prolongé.",
        "Sertraline 100 mg depuis 8 semaines ; escitalopram mal toléré (nausées) l'an dernier.",
        "45-54",
        "f",
        &[2, 2, 2, 2, 1, 1, 1, 1, 0],
    );
    let mut tx = db.begin_write().await?;
    let (answered, _) = cases::create(&mut tx, organisation, gp, None, None, &body).await?;
    cases::submit(&mut tx, answered, 1).await?;
    cases::take(&mut tx, answered, psychiatrist).await?;
    let advice = AdviceContent {
        diagnostic_opinion: "Épisode dépressif caractérisé modéré, sans élément bipolaire.".into(),
        pharmacological_advice: "Remplacer la sertraline par la venlafaxine 75 mg, à augmenter à 150 mg après deux semaines selon la tolérance.".into(),
        recommended_actions: "Réévaluer à 4 semaines (PHQ-9) ; proposer une psychothérapie (Mon soutien psy).".into(),
        orientation: "CMP si absence d'amélioration à 8 semaines.".into(),
        rediscuss: "Dans deux mois, ou plus tôt si aggravation.".into(),
        body_md: String::new(),
    };
    cases::sign_advice(
        &mut tx,
        answered,
        psychiatrist,
        psychiatrist,
        &serde_json::to_string(&advice)?,
        true,
    )
    .await?;
    tx.commit().await?;
    // Waiting for a psychiatrist.
    let body = case(
        "Quelle conduite tenir devant une anxiété envahissante avec consommation d'alcool croissante ?",
        "Anxiété généralisée ancienne, aggravée depuis six mois, consommation d'alcool quotidienne.",
        "Hydroxyzine à la demande ; aucun traitement de fond essayé.",
        "35-44",
        "m",
        &[1, 1, 2, 1, 1, 0, 1, 0, 0],
    );
    let mut tx = db.begin_write().await?;
    let (pending, _) = cases::create(&mut tx, organisation, nurse, None, None, &body).await?;
    cases::submit(&mut tx, pending, 1).await?;
    // A draft.
    let body = case(
        "Une orientation vers le CMP est-elle indiquée ?",
        "",
        "",
        "",
        "",
        &[],
    );
    cases::create(&mut tx, organisation, gp, None, None, &body).await?;
    tx.commit().await?;

    // Two cases submitted to the next staff, for the coordinator to order and publish.
    let mut tx = db.begin_write().await?;
    for (author, body) in [
        (
            gp,
            case(
                "Comment accompagner un sevrage en benzodiazépines au long cours ?",
                "Anxiété ancienne, alprazolam depuis douze ans, demande d'arrêt par le patient.",
                "Alprazolam 0,5 mg trois fois par jour ; pas d'antidépresseur.",
                "55-64",
                "m",
                &[1, 1, 1, 2, 1, 0, 1, 0, 0],
            ),
        ),
        (
            nurse,
            case(
                "Quel relais proposer après une hospitalisation pour épisode maniaque ?",
                "Sortie d'hospitalisation il y a trois semaines, observance incertaine.",
                "Lithium, dosage de lithiémie à prévoir ; suivi infirmier hebdomadaire.",
                "25-34",
                "f",
                &[0, 1, 1, 1, 0, 0, 1, 0, 0],
            ),
        ),
    ] {
        let (id, _) =
            cases::create(&mut tx, organisation, author, Some(upcoming), None, &body).await?;
        cases::submit(&mut tx, id, 1).await?;
    }
    tx.commit().await?;
    seed_past_staff(db, people, past, &case).await
}

/// Builds a demo case: question, reason, treatment, age, sex, PHQ-9 answers.
type CaseMaker = dyn Fn(&str, &str, &str, &str, &str, &[u8]) -> app::backend::db::cases::CaseBody;

/// The past staff: a case discussed with its avis, a teaching talk, attendance with times.
async fn seed_past_staff(
    db: &Db,
    people: &DemoPeople,
    meeting_id: app::domain::ids::MeetingId,
    case: &CaseMaker,
) -> anyhow::Result<()> {
    use app::backend::db::{cases, meetings as meeting_store, staff};
    use app::domain::agenda::AgendaItemKind;
    use app::domain::cases::AdviceContent;
    use app::domain::quorum::{decision_kind, verdict, Attendee, QuorumRule};
    let Some(meeting) = meeting_store::get(db, meeting_id).await? else {
        return Ok(());
    };
    let body = case(
        "Faut-il introduire un régulateur de l'humeur devant des épisodes dépressifs récurrents ?",
        "Troisième épisode dépressif en quatre ans, antécédent familial de trouble bipolaire.",
        "Escitalopram 10 mg depuis deux mois, amélioration partielle.",
        "35-44",
        "f",
        &[2, 1, 2, 1, 1, 1, 1, 0, 0],
    );
    let mut tx = db.begin_write().await?;
    let (case_id, _) = cases::create(
        &mut tx,
        people.organisation,
        people.gp,
        Some(meeting_id),
        None,
        &body,
    )
    .await?;
    cases::submit(&mut tx, case_id, 1).await?;
    staff::replace_agenda(
        &mut tx,
        meeting_id,
        &[
            staff::AgendaLine {
                item_id: None,
                kind: AgendaItemKind::Announcement,
                case_id: None,
                title: "Actualités du territoire".into(),
                minutes: 10,
            },
            staff::AgendaLine {
                item_id: None,
                kind: AgendaItemKind::Case,
                case_id: Some(case_id),
                title: String::new(),
                minutes: 25,
            },
            staff::AgendaLine {
                item_id: None,
                kind: AgendaItemKind::Teaching,
                case_id: None,
                title: "Repérer un trouble bipolaire en soins primaires".into(),
                minutes: 30,
            },
        ],
    )
    .await?;
    staff::publish(&mut tx, meeting_id).await?;
    let start = meeting.start_utc.0;
    let at = |minutes: i64| {
        Some(app::backend::db::Instant(
            start + Duration::minutes(minutes),
        ))
    };
    let marks = [
        (people.coordinator, Role::Coordinator, true, 0, 90),
        (people.gp, Role::GeneralPractitioner, true, 0, 45),
        (people.psychiatrist, Role::Psychiatrist, true, 5, 90),
        (people.nurse, Role::Nurse, true, 0, 90),
        (people.psychologist, Role::Psychologist, false, 0, 0),
    ];
    let mut attendees = Vec::new();
    for (user_id, role, present, arrived, left) in marks {
        staff::mark_attendance(
            &mut tx,
            meeting_id,
            &staff::AttendanceMark {
                user_id,
                present,
                role,
                arrived_at: if present { at(arrived) } else { None },
                left_at: if present { at(left) } else { None },
            },
            people.coordinator,
        )
        .await?;
        attendees.push(Attendee { role, present });
    }
    let advice = AdviceContent {
        diagnostic_opinion: "Trouble dépressif récurrent ; un trouble bipolaire de type II est à rechercher (hypomanies brèves à l'interrogatoire).".into(),
        pharmacological_advice: "Pas de régulateur de l'humeur d'emblée ; surveiller un virage de l'humeur sous escitalopram.".into(),
        recommended_actions: "Questionnaire d'hypomanie (HCL-32) et agenda de l'humeur ; revoir dans un mois.".into(),
        orientation: "Consultation conjointe si hypomanie confirmée.".into(),
        rediscuss: "Au prochain staff si doute persistant.".into(),
        body_md: String::new(),
    };
    let version = cases::sign_advice(
        &mut tx,
        case_id,
        people.coordinator,
        people.psychiatrist,
        &serde_json::to_string(&advice)?,
        false,
    )
    .await?;
    let outcome = verdict(&QuorumRule::default_for(meeting.kind), &attendees);
    let disciplines: Vec<&str> = outcome.disciplines.iter().map(|d| d.code()).collect();
    staff::record_decision(
        &mut tx,
        case_id,
        version,
        meeting_id,
        decision_kind(meeting.kind, &outcome).code(),
        &disciplines.join(","),
        outcome.met,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_second_tuesday() {
        let from = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(
            next_second_tuesday(from),
            NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()
        );
        let from = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(
            next_second_tuesday(from),
            NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()
        );
    }
}
