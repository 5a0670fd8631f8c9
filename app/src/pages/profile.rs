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

#[component]
fn Profile() -> impl IntoView {
    let renew = ServerAction::<RenewCalendarToken>::new();
    let profile = Resource::new(move || renew.version().get(), |_| get_profile());
    let new_url = move || renew.value().get().and_then(Result::ok).flatten();
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
                            {move || match renew.value().get() {
                                Some(Err(error)) => view! { <ErrorBanner error/> }.into_any(),
                                Some(Ok(None)) => view! { <p class="alert alert-ok" role="status">"Lien révoqué."</p> }.into_any(),
                                _ => ().into_any(),
                            }}
                            {move || new_url().map(|url| view! { <NewCalendarLink url/> })}
                            {if profile.calendar_active {
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
                            <p><a href="/me/calendar.ics" download="concerto.ics">"Télécharger mon agenda (.ics)"</a></p>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorBanner error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
