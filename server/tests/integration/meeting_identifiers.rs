//! Meeting titles and descriptions are e-mailed and published in every invitee's calendar: the
//! server refuses direct identifiers in them, naming the kind and the position, and stores
//! nothing.

use crate::common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn a_name_in_the_title_is_refused_with_its_kind_and_position() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let before = app.count("SELECT COUNT(*) FROM meetings").await;
    let (status, body) = coordinator
        .call(
            "meetings/create",
            &meeting_fields(&[("draft[title]", "RCP Mme Dupont")]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = field_message(&body, "title");
    assert!(
        message.starts_with("Le titre contient un identifiant direct (Nom) à la position 5 :"),
        "{message}"
    );
    assert!(message.contains("« Mme Dupont »"), "{message}");
    assert!(message.contains("[NOM]"), "{message}");
    assert_eq!(app.count("SELECT COUNT(*) FROM meetings").await, before);

    // A clinical title passes.
    create_meeting(
        &coordinator,
        &[("draft[title]", "RCP maladie de Parkinson — CMP de Tours")],
    )
    .await;
    assert!(app.count("SELECT COUNT(*) FROM meetings").await > before);
}

#[tokio::test]
async fn a_phone_number_in_the_description_is_refused_on_edit() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let id = create_meeting(&coordinator, &[("draft[repeat]", "none")]).await;
    let edit = |description: &'static str| {
        let id = id.to_string();
        let coordinator = &coordinator;
        async move {
            let mut fields = meeting_fields(&[("draft[description]", description)]);
            fields.push(("id", &id));
            fields.push(("scope", "occurrence"));
            coordinator.call("meetings/update", &fields).await
        }
    };
    let (status, body) =
        edit("Ordre du jour : cas complexes.\nRenseignements au 06 12 34 56 78.").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = field_message(&body, "description");
    assert!(
        message.starts_with(
            "La description contient un identifiant direct (Téléphone) à la position 50 :"
        ),
        "{message}"
    );
    assert!(message.contains("[TÉLÉPHONE]"), "{message}");
    let stored: String = db_run!(&app.state.db, c => sqlx::query_scalar("SELECT description_md FROM meetings WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *c).await)
        .unwrap();
    assert_eq!(stored, "Ordre du jour : **cas complexes**", "unchanged");

    // The same edit with the placeholder passes.
    let (status, body) =
        edit("Ordre du jour : cas complexes.\nRenseignements au [TÉLÉPHONE].").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn the_meeting_form_guards_the_title_and_the_description() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let (status, html) = coordinator.get_text("/reunions/nouvelle").await;
    assert_eq!(status, StatusCode::OK);
    for field in ["f-draft-title", "f-draft-description"] {
        let at = html
            .find(&format!("id=\"{field}\""))
            .unwrap_or_else(|| panic!("{field} in the form"));
        let block = html[..at].rfind("<div").unwrap();
        assert!(
            html[block..at].contains("pii-editor"),
            "{field} is in an identifier guard: {}",
            &html[block..at]
        );
    }
    assert!(html.contains("Les identifiants repérés s'afficheront ici."));

    // Editing shows the stored description in the guarded editor.
    let id = create_meeting(&coordinator, &[("draft[repeat]", "none")]).await;
    let (status, html) = coordinator
        .get_text(&format!("/reunions/{id}/modifier"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let at = html.find("id=\"f-draft-description\"").unwrap();
    let end = html[at..].find("</textarea>").unwrap() + at;
    assert!(
        html[at..end].contains("Ordre du jour : **cas complexes**"),
        "{}",
        &html[at..end]
    );
    assert!(html.contains("Aucun identifiant direct repéré."));
}

#[tokio::test]
async fn a_possible_identifier_is_saved_only_once_confirmed() {
    let app = TestApp::demo().await;
    let coordinator = app.signed_in(COORDINATOR).await;
    let before = app.count("SELECT COUNT(*) FROM meetings").await;
    let description = "Cas présenté : madame blanc de peur depuis l'accident.";
    let fields = meeting_fields(&[
        ("draft[repeat]", "none"),
        ("draft[description]", description),
    ]);
    let (status, body) = coordinator.call("meetings/create", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let message = field_message(&body, "description");
    assert!(
        message.starts_with("La description contient peut-être un identifiant direct (Nom,"),
        "{message}"
    );
    assert!(message.contains("« madame blanc »"), "{message}");
    assert!(field_message(&body, "confirm_possible").contains("cochez cette case"));
    assert_eq!(app.count("SELECT COUNT(*) FROM meetings").await, before);

    // Confirmed: saved as typed.
    let mut confirmed = fields.clone();
    confirmed.push(("draft[confirm_possible]", "on"));
    let (status, body) = coordinator.call("meetings/create", &confirmed).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body.as_i64().unwrap();
    let stored: String = db_run!(app.db(), c => sqlx::query_scalar("SELECT description_md FROM meetings WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *c).await)
    .unwrap();
    assert_eq!(stored, description);

    // A confirmation never lets a likely identifier through.
    let mut likely = meeting_fields(&[
        ("draft[repeat]", "none"),
        ("draft[description]", "Cas de Mme Dupont."),
    ]);
    likely.push(("draft[confirm_possible]", "on"));
    let (status, body) = coordinator.call("meetings/create", &likely).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(field_message(&body, "description").contains("contient un identifiant direct"));
}
