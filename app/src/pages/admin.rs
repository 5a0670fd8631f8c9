//! `/admin`: organisations (administrators).

use leptos::prelude::*;

use super::SignedIn;
use crate::api::admin::{list_organisations, CreateOrganisation};
use crate::components::field::{field_error, Field};
use crate::components::{ActionOutcome, CsrfField, ErrorBanner, Loading};

/// `/admin`.
#[component]
pub fn AdminPage() -> impl IntoView {
    view! { <SignedIn><Admin/></SignedIn> }
}

/// The new-organisation form: an island, so that a refused name keeps what was typed.
#[island(lazy)]
pub fn NewOrganisationForm() -> impl IntoView {
    crate::island_hydrated();
    let create = ServerAction::<CreateOrganisation>::new();
    let value = create.value();
    view! {
        <section class="card">
            <h2>"Nouvelle organisation (CPTS)"</h2>
            <p class="hint">"Vous en deviendrez coordinateur·rice, pour pouvoir inviter ses premiers membres."</p>
            <ActionOutcome value success="Organisation créée. Reconnectez-vous ou changez d'organisation pour l'utiliser."/>
            <ActionForm action=create>
                <CsrfField/>
                <Field label="Nom" name="name" required=true error=field_error(value, "name")/>
                <button type="submit" class="button-primary">"Créer"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Admin() -> impl IntoView {
    let organisations = AsyncDerived::new(list_organisations);
    crate::has_islands();
    view! {
        <h1>"Administration"</h1>
        <NewOrganisationForm/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match organisations.await {
                    Ok(list) => view! {
                        <h2>"Organisations"</h2>
                        <ul>{list.into_iter().map(|(_, name)| view! { <li>{name}</li> }).collect_view()}</ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
