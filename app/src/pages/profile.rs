//! `/profil`: identity and the private calendar subscription link (its URL is shown once, when
//! created: only a hash is stored).

use leptos::prelude::*;

use super::SignedIn;
use crate::api::profile::{get_profile, RenewCalendarToken};
use crate::components::{CsrfField, ErrorBanner, Loading};

/// `/profil`.
#[component]
pub fn ProfilePage() -> impl IntoView {
    view! { <SignedIn><Profile/></SignedIn> }
}

/// The URL of a link just created, shown once (only its hash is kept).
#[component]
fn NewCalendarLink(url: String) -> impl IntoView {
    view! {
        <div class="alert alert-ok" role="status">
            <p><label for="calendar-url">"Votre nouveau lien d'abonnement"</label>
            <input id="calendar-url" class="copyable" readonly=true value=url/></p>
            <p><strong>"Copiez-le maintenant, il ne sera plus affiché."</strong>" Pour le retrouver plus tard, générez-en un nouveau."</p>
        </div>
    }
}

/// Creating, renewing or revoking the private link: an island, because the new link's URL is
/// shown once, right after it is created (only its hash is stored).
#[island(lazy)]
pub fn CalendarLinkPanel(active: bool) -> impl IntoView {
    crate::island_hydrated();
    let renew = ServerAction::<RenewCalendarToken>::new();
    let new_url = move || renew.value().get().and_then(Result::ok).flatten();
    // Active once a link was created here, inactive once revoked, else as the page said.
    let active = move || match renew.value().get() {
        Some(Ok(Some(_))) => true,
        Some(Ok(None)) => false,
        _ => active,
    };
    view! {
        {move || match renew.value().get() {
            Some(Err(error)) => view! { <ErrorBanner error/> }.into_any(),
            Some(Ok(None)) => view! { <p class="alert alert-ok" role="status">"Lien révoqué."</p> }.into_any(),
            _ => ().into_any(),
        }}
        {move || new_url().map(|url| view! { <NewCalendarLink url/> })}
        {move || if active() {
            view! {
                <p>"Un lien privé est actif."</p>
                <div class="inline-forms">
                    <ActionForm action=renew attr:class="inline-form">
                        <CsrfField/>
                        <button type="submit" class="button-small">"Générer un nouveau lien (l'ancien cesse de fonctionner)"</button>
                    </ActionForm>
                    <ActionForm action=renew attr:class="inline-form">
                        <CsrfField/>
                        <input type="hidden" name="revoke" value="true"/>
                        <button type="submit" class="button-small button-danger">"Révoquer le lien"</button>
                    </ActionForm>
                </div>
            }.into_any()
        } else {
            view! {
                <ActionForm action=renew attr:class="inline-form">
                    <CsrfField/>
                    <button type="submit" class="button-small">"Créer mon lien d'abonnement"</button>
                </ActionForm>
            }.into_any()
        }}
    }
}

#[component]
fn Profile() -> impl IntoView {
    let profile = AsyncDerived::new(get_profile);
    crate::has_islands();
    view! {
        <h1>"Profil"</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! {
                        <dl class="facts">
                            <dt>"Nom"</dt><dd>{profile.name.clone()}</dd>
                            <dt>"E-mail"</dt><dd>{profile.email.clone()}</dd>
                        </dl>
                        <section class="card">
                            <h2>"Abonnement agenda"</h2>
                            <p>"Ajoutez votre lien privé dans Thunderbird, Outlook ou Google Agenda (« s'abonner à un agenda par URL ») : vos réunions s'y mettent à jour toutes seules. Ne le partagez pas."</p>
                            <CalendarLinkPanel active=profile.calendar_active/>
                            <p><a href="/me/calendar.ics" download="concerto.ics">"Télécharger mon agenda (.ics)"</a></p>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
