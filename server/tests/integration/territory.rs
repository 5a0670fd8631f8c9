//! Each territory's words for the identifier guard, through the server functions: a clinician
//! proposes "pas un identifiant", a coordinator accepts it, and the organisation's saves and
//! checks stop flagging it; a coordinator's deny-list word is refused in a case; other
//! organisations are not affected; only coordinators keep the lists.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::Value;

const TEXT: &str = "Adressée à l'équipe Françoise Dolto pour un suivi.";

fn names(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "NAME")
        .map(|f| {
            TEXT[f["start"].as_u64().unwrap() as usize..f["end"].as_u64().unwrap() as usize]
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_proposed_word_applies_once_a_coordinator_accepts_it() {
    let app = TestApp::demo().await;
    let gp = app.signed_in(GP).await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let (status, found) = gp.call("pii/check", &[("text", TEXT)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&found), ["Françoise Dolto"]);
    // A meeting title naming it is refused.
    let title = "Staff avec l'équipe Françoise Dolto";
    let (status, _) = coordinator
        .call(
            "meetings/create",
            &meeting_fields(&[("draft[title]", title), ("draft[repeat]", "none")]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The GP proposes it: still flagged until a coordinator accepts.
    let (status, answer) = gp
        .call("pii/propose", &[("entry", "Françoise  Dolto")])
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(
        answer
            .as_str()
            .unwrap()
            .contains("proposé à la coordination"),
        "{answer}"
    );
    let (_, again) = gp
        .call("pii/propose", &[("entry", "françoise dolto")])
        .await;
    assert!(again.as_str().unwrap().contains("déjà"), "{again}");
    let (_, found) = gp.call("pii/check", &[("text", TEXT)]).await;
    assert_eq!(names(&found).len(), 1);
    // Numbers are never proposed.
    let (status, body) = gp.call("pii/propose", &[("entry", "06 12 34 56 78")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // Only coordinators see and decide.
    let (status, _) = gp.query("pii/words", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, words) = coordinator.query("pii/words", &[]).await;
    assert_eq!(status, StatusCode::OK, "{words}");
    let word = &words[0];
    assert_eq!(word["entry"], "Françoise Dolto");
    assert_eq!(word["pending"], true);
    assert!(word["origin"]
        .as_str()
        .unwrap()
        .contains("Dr Julien Moreau"));
    let id = word["id"].to_string();
    let (status, _) = gp
        .call("pii/words/decide", &[("id", &id), ("decision", "approve")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = coordinator
        .call("pii/words/decide", &[("id", &id), ("decision", "approve")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Accepted: not flagged in this organisation, in the check, the editor's list and the saves.
    let (_, found) = gp.call("pii/check", &[("text", TEXT)]).await;
    assert!(names(&found).is_empty(), "{found}");
    let (_, territory) = gp.query("pii/territory", &[]).await;
    assert!(territory.to_string().contains("dolto"), "{territory}");
    let (status, body) = coordinator
        .call(
            "meetings/create",
            &meeting_fields(&[("draft[title]", title), ("draft[repeat]", "none")]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Another organisation's guard is unchanged.
    let second: i64 = db_run!(&app.state.db, c => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM organisations WHERE name = 'CPTS Démo Lochois'").fetch_one(&mut *c).await)
    .unwrap();
    let other =
        app::backend::db::territory::territory(&app.state.db, app::domain::ids::OrgId(second))
            .await
            .unwrap();
    assert!(other.is_empty());
    // Removed: flagged again.
    let (status, _) = coordinator
        .call("pii/words/decide", &[("id", &id), ("decision", "remove")])
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, found) = gp.call("pii/check", &[("text", TEXT)]).await;
    assert_eq!(names(&found).len(), 1);
}

#[tokio::test]
async fn a_denied_surname_is_refused_in_a_case_even_without_a_title() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let gp = app.signed_in(GP).await;
    let id = new_case(&app, &gp, "").await;
    let symptoms = "Insomnie ; vu avec tessier la semaine dernière.";
    let (status, body) = save_case(&gp, id, 1, "autosave", &[("case[symptoms]", symptoms)]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "not a name for the detector alone: {body}"
    );
    let (status, body) = coordinator
        .call("pii/words/add", &[("list", "deny"), ("entry", "Tessier")])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = coordinator
        .call("pii/words/add", &[("list", "deny"), ("entry", "TESSIER")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "already listed");
    let version = body_version(&app, id).await;
    let (status, body) = save_case(
        &gp,
        id,
        version,
        "autosave",
        &[("case[symptoms]", symptoms)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = field_message(&body, "symptoms");
    assert!(message.contains("« tessier »"), "{message}");
}

async fn body_version(app: &TestApp, id: i64) -> i64 {
    app.count(&format!("SELECT version FROM cases WHERE id = {id}"))
        .await
}
